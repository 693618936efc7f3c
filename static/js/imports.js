/* Statement import pages (issue 6 point 3): progress polling and confirmations.
   No inline scripts: the page says what to poll in data attributes (CSP-friendly). */
(function () {
  "use strict";

  var ACTIVE = ["queued", "processing"];

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector("[data-role=progress]");
    var text = box.querySelector("[data-role=progress-text]");
    var label = box.querySelector("[data-role=status-label]");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
          if (text) { text.textContent = data.processed + " of about " + data.expected + " rows read"; }
          if (label) { label.textContent = data.status_label; }
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
    confirmations();
    var box = document.getElementById("import-status");
    if (box && ACTIVE.indexOf(box.getAttribute("data-status")) !== -1) {
      poll(box);
    }
  });
})();
