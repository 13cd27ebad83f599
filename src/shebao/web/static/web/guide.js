// The guide's print button: shown only where a script can print (the page prints
// without it through the browser's own menu).
document.addEventListener("DOMContentLoaded", wire);
document.addEventListener("htmx:afterSwap", wire);

function wire() {
  for (const button of document.querySelectorAll(".print-button")) {
    button.hidden = false;
    if (!button.dataset.wired) {
      button.dataset.wired = "1";
      button.addEventListener("click", () => window.print());
    }
  }
}
