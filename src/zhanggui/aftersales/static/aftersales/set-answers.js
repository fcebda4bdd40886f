/* The case page's set answers (快捷回复): the Copy button puts the filled-in text on the clipboard so that 客服
   pastes it into 千牛. navigator.clipboard needs a secure context (https or localhost); elsewhere the text is
   selected and copied with the older execCommand, and when both fail it stays selected for Ctrl+C. */
(function () {
  "use strict";

  function say(button, text) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 1500);
  }

  function fallback(area) {
    area.focus();
    area.select();
    area.setSelectionRange(0, area.value.length);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".copy-answer") : null;
    if (!button) return;
    var area = document.getElementById(button.getAttribute("data-copy-target"));
    if (!area) return;
    var done = function () { say(button, button.getAttribute("data-copied")); };
    var failed = function () {
      if (fallback(area)) done();
      else say(button, button.getAttribute("data-failed"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, failed);
    } else {
      failed();
    }
  });
})();
