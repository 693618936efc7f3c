/* Report export pages (issue 17): a live progress bar. No inline scripts: the page names the
   status URL in a data attribute (CSP-friendly); the page reloads when the export has finished. */
(function () {
  "use strict";

  var ACTIVE = ["queued", "running"];

  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("[data-role=progress]");
    var text = box.querySelector("[data-role=progress-text]");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
          if (text) { text.textContent = data.done + " of " + data.total + " rows"; }
          if (ACTIVE.indexOf(data.status) === -1) {
            window.location.reload();
          } else {
            window.setTimeout(tick, 1000);
          }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-export-status]").forEach(function (box) {
      if (ACTIVE.indexOf(box.getAttribute("data-export-status")) !== -1) {
        poll(box);
      }
    });
  });
})();
