// The promotion editor's small helpers (promotions/editor.html): add and remove rows (tiers, items, the sample
// cart), pick catalog items as chips — many for the scope and its exceptions, one for a SKU field (a bundle
// item, the gift, a line of the sample cart). Everything else — the search results, the preview, the JSON, the
// count of SKUs reached — is rendered by the server through htmx; this file only moves inputs around.
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
    quiet(row);
    var first = row.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  // A chip as the server draws it (_editor_chips.html, _sku_pick.html): the code, what it is or its title, and ×.
  function makeChip(value, before, after) {
    var chip = document.createElement("span");
    chip.className = "chip";
    chip.dataset.value = value;
    var code = document.createElement(before ? "span" : "code");
    code.textContent = value;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("data-remove", "");
    remove.setAttribute("aria-label", "× " + value);
    remove.textContent = "×";
    if (before) chip.append(before, " ");
    chip.append(code, " ");
    if (after) chip.append(after, " ");
    chip.append(remove);
    return chip;
  }

  // The scope and its exceptions: one more chip (with its hidden input) in the side's list, each code once.
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
      var kind = document.createElement("small");
      kind.className = "muted";
      kind.textContent = button.dataset.typeLabel || "";
      var chip = makeChip(value, kind, null);
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      chip.prepend(input);
      box.appendChild(chip);
    }
    changed(document.getElementById(side + "-search"));
  }

  // A SKU field: the picked code goes into its one hidden input (always there, so a table's columns stay in
  // step) and shows as the one chip; the search box steps aside until the chip is removed.
  function pickSku(pick, button) {
    var input = pick.querySelector("input[type=hidden]");
    var finder = pick.querySelector(".picker");
    var old = pick.querySelector(".chip");
    if (old) old.remove();
    input.value = button.dataset.value;
    var title = document.createElement("span");
    title.className = "chip-title";
    title.textContent = button.dataset.title || "";
    var chip = makeChip(input.value, null, title);
    input.after(chip);
    if (finder) {
      finder.hidden = true;
      finder.querySelector("input[type=search]").value = "";
      finder.querySelector(".picks").replaceChildren();
    }
    // The next thing to fill: the row's quantity, else the chip itself.
    var cell = pick.closest("td");
    var next = cell && cell.nextElementSibling && cell.nextElementSibling.querySelector("input, select");
    changed(next || chip.querySelector("[data-remove]"));
  }

  function clearSku(pick) {
    var chip = pick.querySelector(".chip");
    if (chip) chip.remove();
    pick.querySelector("input[type=hidden]").value = "";
    var finder = pick.querySelector(".picker");
    if (finder) finder.hidden = false;
    changed(finder && finder.querySelector("input[type=search]"));
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-add-row], [data-remove-row], [data-pick], [data-remove]");
    if (!target) return;
    var pick = target.closest("[data-sku-pick]");
    if (target.hasAttribute("data-add-row")) {
      addRow(target.dataset.addRow);
      changed();
    } else if (target.hasAttribute("data-remove-row")) {
      var table = target.closest(".rows-field");
      target.closest("tr").remove();
      changed(table && table.querySelector(".add-row"));
    } else if (target.hasAttribute("data-pick")) {
      if (pick) pickSku(pick, target);
      else addChip(target);
    } else if (target.hasAttribute("data-remove")) {
      if (pick) {
        clearSku(pick);
      } else {
        var chips = target.closest(".chips");
        target.closest(".chip").remove();
        changed(chips && chips.parentElement.querySelector("input[type=search]"));
      }
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

  // A SKU field's search box asks the same catalog search as the scope's (for=sku: the shop's SKUs only) and
  // shows the results under itself. Listened to while the event goes down: the box's own quiet() stops it on
  // the way up, and rows added from a template need no listener of their own.
  function findSkus(input) {
    var results = input.parentElement.querySelector(".picks");
    var shop = document.querySelector("#promotion-form [name=shop]");
    var query = new URLSearchParams({ for: "sku", q: input.value, shop: shop ? shop.value : "" });
    if (window.htmx && results) {
      window.htmx.ajax("GET", input.dataset.url + "?" + query.toString(), { target: results, swap: "innerHTML" });
    }
  }
  document.addEventListener(
    "input",
    function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("[data-sku-search]")) return;
      clearTimeout(input.zgTimer);
      input.zgTimer = setTimeout(function () { findSkus(input); }, 300);
    },
    true
  );

  // Enter in a catalog search box picks the first thing found; it never submits the form.
  document.addEventListener(
    "keydown",
    function (event) {
      var input = event.target;
      if (event.key !== "Enter" || !input.matches || !input.matches(".picker input[type=search]")) return;
      event.preventDefault();
      var first = input.parentElement.querySelector(".picks [data-pick]");
      if (first) first.click();
    },
    true
  );

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

  // Another kind fills the offer's fields with that kind's starter (the template the select picks). Ask first
  // when those fields hold what the person typed, compared with what they were when the page (or the last
  // switch) drew them; an untouched form switches without a question.
  function offerState() {
    var box = document.getElementById("kind-fields");
    if (!box) return "";
    return Array.prototype.map.call(box.querySelectorAll("input[name], select[name], textarea[name]"), function (el) {
      var off = (el.type === "checkbox" || el.type === "radio") && !el.checked;
      return el.name + "=" + (off ? "" : el.value);
    }).join("&");
  }
  var offerAsDrawn = offerState();
  document.addEventListener("htmx:confirm", function (event) {
    var select = event.detail.elt;
    if (!select || select.id !== "id_kind") return;
    var box = document.getElementById("kind-fields");
    if (offerState() === offerAsDrawn || window.confirm(select.dataset.confirmReplace)) return;
    event.preventDefault();
    if (box) select.value = box.dataset.kind;  // keep the kind whose fields are on the page
  });

  function ready(root) {
    quiet(root || document);
  }
  if (window.htmx) {
    window.htmx.onLoad(ready);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "kind-fields") {
        offerAsDrawn = offerState();
        changed();
      }
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () { ready(document); });
  }
})();
