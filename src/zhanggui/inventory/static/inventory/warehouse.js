/* Warehouse flows (docs/inventory.md): the receiving screen's scan box and "receive all remaining", Enter → next
   count on a count sheet and its scan box, the purchase-order form's SKU picker and added rows.

   Everything works without this file too: the scan boxes post to the server, the lines are typed by hand. With it,
   a receiving scan never waits for the network (a scanner types fast), and nothing typed is lost on a mistake. */
(function () {
  "use strict";

  function fill(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function flash(element) {
    element.classList.remove("scanned");
    void element.offsetWidth; // restart the highlight's animation
    element.classList.add("scanned");
    element.scrollIntoView({ block: "nearest" });
  }

  // ---- Receiving a purchase order: one unit per scan, counted in the browser until the review step ----
  function initReceiving(form) {
    var scan = form.querySelector("#scan");
    var error = form.querySelector("#scan-error");
    var status = form.querySelector("#scan-status");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-receive-line]"));

    function lineFor(code) {
      var folded = code.toLowerCase();
      return (
        rows.find(function (r) { return r.dataset.barcode && r.dataset.barcode === code; }) ||
        rows.find(function (r) { return r.dataset.code === code; }) ||
        rows.find(function (r) { return r.dataset.code.toLowerCase() === folded; })
      );
    }

    function refuse(message, row) {
      error.textContent = message;
      status.textContent = "";
      if (row) flash(row);
      scan.select(); // the next scan replaces the code; what was counted stays
    }

    function addScan() {
      var code = scan.value.trim();
      if (!code) return;
      var row = lineFor(code);
      if (!row) return refuse(fill(form.dataset.msgUnknown, { code: code }));
      var input = row.querySelector("input.qty");
      var open = parseInt(row.dataset.open, 10) || 0;
      var now = input ? parseInt(input.value, 10) || 0 : open;
      if (!input || now + 1 > open) {
        return refuse(fill(form.dataset.msgFull, { code: row.dataset.code, open: open }), row);
      }
      input.value = now + 1;
      error.textContent = "";
      status.textContent = fill(form.dataset.msgAdded, { code: row.dataset.code, n: now + 1 });
      flash(row);
      scan.value = "";
    }

    scan.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      addScan();
    });
    var add = form.querySelector(".scan-add");
    if (add) {
      add.addEventListener("click", function (event) {
        event.preventDefault(); // a code typed by hand and the button tapped: the same as a scan
        addScan();
        scan.focus();
      });
    }

    var all = form.querySelector("#receive-all");
    if (all) {
      all.addEventListener("click", function (event) {
        event.preventDefault();
        rows.forEach(function (row) {
          var input = row.querySelector("input.qty");
          if (input) input.value = row.dataset.open;
        });
        error.textContent = "";
        status.textContent = form.dataset.msgAll;
      });
    }

    // Enter in a quantity or the note goes back to the scan box; only the review button sends the form.
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target !== scan && event.target.matches("input")) {
        event.preventDefault();
        scan.focus();
      }
    });
  }

  // ---- A count sheet: Enter saves the count (its change posts it) and goes on to the next one ----
  function initSheet(sheet) {
    sheet.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !event.target.matches("input.count")) return;
      event.preventDefault();
      var inputs = Array.prototype.slice.call(sheet.querySelectorAll("input.count"));
      var next = inputs[inputs.indexOf(event.target) + 1];
      if (next) {
        next.focus(); // leaving the field fires its change: htmx saves it, the row comes back with ✓
        next.select();
      } else {
        event.target.blur();
        var scan = document.getElementById("scan");
        if (scan) scan.focus();
      }
    });
  }

  function initStocktakeScan(form) {
    var scan = form.querySelector("#scan");
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt !== form) return;
      document.querySelectorAll("#sheet-table tr.scanned").forEach(function (row) {
        row.classList.remove("scanned");
      });
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form) return;
      if (event.detail.successful) scan.value = "";
      else scan.select(); // the code stays to be read in the error; the next scan replaces it
      scan.focus();
      var row = document.querySelector("#sheet-table tr.scanned"); // the row the server sent back
      if (row) row.scrollIntoView({ block: "nearest" });
    });
  }

  // ---- The purchase-order form: rows added on the page, SKUs picked from a catalog search ----
  function initPurchaseForm(form) {
    var total = form.querySelector("input[name=lines-TOTAL_FORMS]");
    var body = form.querySelector("#po-lines-body");
    var template = document.getElementById("line-template");
    var search = document.getElementById("sku-search");

    function addRow() {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      total.value = index + 1;
      return body.lastElementChild;
    }

    function field(row, name) {
      return row.querySelector("input[name$='-" + name + "']");
    }

    form.querySelector("#add-line").addEventListener("click", function (event) {
      event.preventDefault();
      field(addRow(), "sku").focus();
    });

    form.addEventListener("click", function (event) {
      var pick = event.target.closest("[data-pick]");
      if (!pick) return;
      event.preventDefault();
      var rows = Array.prototype.slice.call(body.rows);
      var row =
        rows.find(function (r) { return field(r, "sku").value.trim() === pick.dataset.code; }) ||
        rows.find(function (r) { return !field(r, "sku").value.trim(); }) ||
        addRow();
      field(row, "sku").value = pick.dataset.code;
      if (!field(row, "unit_cost").value) field(row, "unit_cost").value = pick.dataset.cost;
      row.querySelector(".sku-name").textContent = pick.dataset.name;
      var quantity = field(row, "quantity");
      if (!quantity.value) quantity.value = 1;
      quantity.focus();
      quantity.select();
    });

    if (search) {
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault(); // a search, not the order's submission
      });
      // A code typed by hand gets its product's name too, from the same catalog search.
      body.addEventListener("change", function (event) {
        if (!event.target.matches("input[name$='-sku']")) return;
        var input = event.target;
        var name = input.closest("tr").querySelector(".sku-name");
        var code = input.value.trim();
        if (!code) { name.textContent = ""; return; }
        fetch(search.getAttribute("hx-get") + "?q=" + encodeURIComponent(code), { headers: { "HX-Request": "true" } })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) {
            if (input.value.trim() !== code) return; // typed on since
            var found = Array.prototype.slice.call(
              new DOMParser().parseFromString(html, "text/html").querySelectorAll("[data-pick]")
            );
            var match = found.find(function (b) { return b.dataset.code === code; }) || (found.length === 1 ? found[0] : null);
            name.textContent = match ? match.dataset.name : "";
          })
          .catch(function () { /* the name is a help; the server checks the code when the order is sent */ });
      });
    }
  }

  function init() {
    var receiving = document.getElementById("receive-form");
    if (receiving && receiving.querySelector("#scan")) initReceiving(receiving);
    var sheet = document.getElementById("sheet-table");
    if (sheet) initSheet(sheet);
    var scanForm = document.getElementById("scan-form");
    if (scanForm) initStocktakeScan(scanForm);
    var purchase = document.getElementById("purchase-form");
    if (purchase && document.getElementById("line-template")) initPurchaseForm(purchase);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
