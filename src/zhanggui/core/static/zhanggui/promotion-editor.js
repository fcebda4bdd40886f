// The promotion editor's small helpers (promotions/editor.html): add and remove rows (tiers, items, the sample
// cart), pick catalog items as chips, fill the SKU fields' suggestions. Everything else — the preview, the JSON,
// the count of SKUs reached — is rendered by the server through htmx; this file only moves inputs around.
(function () {
  "use strict";

  function changed(from) {
    var live = document.getElementById("editor-live");
    if (live) live.dispatchEvent(new Event("zg-changed", { bubbles: true }));
    if (from && from.focus) from.focus();
  }

  function addRow(name) {
    var template = document.getElementById("tpl-" + name);
    var body = document.getElementById("rows-" + name);
    if (!template || !body) return;
    var row = template.content.firstElementChild.cloneNode(true);
    body.appendChild(row);
    var first = row.querySelector("input, select");
    if (first) first.focus();
  }

  function addChip(button) {
    var side = button.dataset.side;
    var name = button.dataset.pick;
    var value = button.dataset.value;
    var box = document.getElementById("chips-" + side);
    if (!box) return;
    var exists = Array.prototype.some.call(box.querySelectorAll("input[type=hidden]"), function (input) {
      return input.name === name && input.value === value;
    });
    if (!exists) {
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.dataset.value = value;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      var kind = document.createElement("small");
      kind.className = "muted";
      kind.textContent = button.dataset.typeLabel || "";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("data-remove", "");
      remove.setAttribute("aria-label", "× " + value);
      remove.textContent = "×";
      chip.append(input, kind, " " + value + " ", remove);
      box.appendChild(chip);
    }
    changed(document.getElementById(side + "-search"));
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-add-row], [data-remove-row], [data-pick], [data-remove]");
    if (!target) return;
    if (target.hasAttribute("data-add-row")) {
      addRow(target.dataset.addRow);
      changed();
    } else if (target.hasAttribute("data-remove-row")) {
      var table = target.closest(".rows-field");
      target.closest("tr").remove();
      changed(table && table.querySelector(".add-row"));
    } else if (target.hasAttribute("data-pick")) {
      addChip(target);
    } else if (target.hasAttribute("data-remove")) {
      var chips = target.closest(".chips");
      target.closest(".chip").remove();
      changed(chips && chips.parentElement.querySelector("input[type=search]"));
    }
  });

  // Typing in a search box or choosing the kind is not a change of the promotion: no preview for it.
  function quiet(root) {
    root.querySelectorAll("[data-no-preview]").forEach(function (el) {
      if (el.dataset.quiet) return;
      el.dataset.quiet = "1";
      ["input", "change"].forEach(function (type) {
        el.addEventListener(type, function (event) {
          event.stopPropagation();
        });
      });
    });
  }

  // SKU fields (bundle items, the gift, the sample cart) suggest the shop's SKUs as one types.
  var timer = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-sku-picker]") || !window.htmx) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var shop = document.querySelector("#promotion-form [name=shop]");
      var url = document.getElementById("scope-search").getAttribute("hx-get");
      var query = "?for=sku&q=" + encodeURIComponent(input.value) + "&shop=" + encodeURIComponent(shop ? shop.value : "");
      window.htmx.ajax("GET", url + query, { target: "#sku-options", swap: "innerHTML" });
    }, 250);
  });

  // The what-if button posts the JSON kept in step by the preview: wait for a preview still under way.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#what-if-button");
    var live = document.getElementById("editor-live");
    if (!button || !live || !live.classList.contains("htmx-request")) return;
    event.preventDefault();
    live.addEventListener("htmx:afterSettle", function () { button.click(); }, { once: true });
  });

  // JSON typed in the advanced box and not yet loaded into the form is the user's: the preview, which keeps
  // the box in step with the form, leaves it alone until "Load into the form" replaces the form and the box.
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_spec" && event.target.closest("#advanced")) {
      event.target.dataset.edited = "1";
      var note = document.getElementById("spec-edited");
      if (note) note.hidden = false;
    }
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    // Nor while the person is in the box: a preview landing mid-typing would take the text from under them.
    if (target && target.id === "id_spec" && (target.dataset.edited || document.activeElement === target)) {
      event.detail.shouldSwap = false;
    }
  });

  function ready(root) {
    quiet(root || document);
  }
  if (window.htmx) {
    window.htmx.onLoad(ready);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "kind-fields") changed();
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () { ready(document); });
  }
})();
