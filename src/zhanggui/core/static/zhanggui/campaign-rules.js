// The campaign page's rule rows: each row shows only the cells its rule takes (without script, all show).
(function () {
  const data = document.getElementById("rule-params");
  if (!data) return;
  const uses = JSON.parse(data.textContent);
  function show(row) {
    const kind = row.querySelector("select").value;
    const wanted = uses[kind] || [];
    row.querySelectorAll("td.param").forEach(function (cell) {
      const on = wanted.indexOf(cell.dataset.param) >= 0;
      cell.querySelector("input").hidden = !on;
      cell.classList.toggle("unused", !on);
    });
  }
  document.querySelectorAll("#rule-rows tr.rule-row").forEach(function (row) {
    show(row);
    row.querySelector("select").addEventListener("change", function () { show(row); });
  });
})();
