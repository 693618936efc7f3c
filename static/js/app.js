/* The app shell (issue 14 point 7): below 768 px the navigation folds behind a "Menu" button.
   Without this script the menu simply stays open; with it, the button toggles aria-expanded and
   Escape closes the open menu and gives the focus back to the button. */
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("app-sidebar");
  if (!button || !sidebar) return;
  button.hidden = false;
  sidebar.classList.add("nav-collapsible");
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    sidebar.classList.toggle("nav-open", open);
  }
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  sidebar.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
