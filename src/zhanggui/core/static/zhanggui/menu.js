// The header's menu on narrow screens: desk.css folds the menu behind its button (under 760px) only once this
// script has marked the header, so without JavaScript the menu stays open and every link is reachable.
(() => {
  const bar = document.querySelector(".topbar");
  const button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  const show = (open) => {
    bar.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
  };
  bar.classList.add("collapsible");
  button.addEventListener("click", () => show(!bar.classList.contains("open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && bar.classList.contains("open")) {
      show(false);
      button.focus();
    }
  });
})();
