// The categories / roles grid: every row's form sends the mode chosen above the grid.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.share-form").forEach((form) => {
    form.addEventListener("submit", () => {
      const chosen = document.querySelector("input[name=share-mode]:checked");
      const hidden = form.querySelector("input[name$='-mode']");
      if (chosen && hidden) hidden.value = chosen.value;
    });
  });
});
