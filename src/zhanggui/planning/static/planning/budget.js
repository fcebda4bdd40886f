// The ad budget page: "Add a line" puts one more empty line under a month (the formset's empty form), so a
// budget split in three or more is typed in one save.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.add-line");
  if (!button) return;
  const month = button.dataset.month;
  const total = document.querySelector(`#budget-form-${month} input[name="${button.dataset.prefix}-TOTAL_FORMS"]`);
  const template = document.getElementById(`empty-line-${month}`);
  if (!total || !template) return;
  const index = Number(total.value);
  const holder = document.createElement("tbody");
  holder.innerHTML = template.innerHTML.replaceAll("__prefix__", String(index));
  const row = holder.firstElementChild;
  template.closest("tr").before(row);
  total.value = String(index + 1);
  row.querySelector("select")?.focus();
});
