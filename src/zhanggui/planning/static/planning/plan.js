// The plan grid: every row's form sends the mode chosen above the grid (rebalance the others or keep them).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.month-form").forEach((form) => {
    form.addEventListener("submit", () => {
      const chosen = document.querySelector("input[name=plan-mode]:checked");
      const hidden = form.querySelector("input[name$='-mode']");
      if (chosen && hidden) hidden.value = chosen.value;
    });
  });
});
