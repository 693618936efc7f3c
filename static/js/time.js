/* Time pages (issue 7): the running clock, the task picker that follows the project picker,
   delete confirmations and the project page's hours-vs-estimate chart. Data comes from
   data-* attributes and json_script blocks; no inline scripts. */
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function startClocks() {
    document.querySelectorAll("[data-timer-start]").forEach(function (clock) {
      var started = Date.parse(clock.getAttribute("data-timer-start"));
      var out = clock.querySelector("[data-timer-elapsed]");
      if (isNaN(started) || !out) { return; }
      function tick() {
        var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
        var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
        out.textContent = h + ":" + pad(m) + ":" + pad(s);
      }
      tick();
      window.setInterval(tick, 1000);
    });
  }

  function linkPickers() {
    document.querySelectorAll("[data-project-picker]").forEach(function (projectSelect) {
      var form = projectSelect.form;
      var taskSelect = form ? form.querySelector("[data-task-picker]") : null;
      if (!taskSelect) { return; }
      function filter() {
        var project = projectSelect.value;
        Array.prototype.forEach.call(taskSelect.options, function (option) {
          var owner = option.getAttribute("data-project");
          var show = !owner || owner === project;
          option.hidden = !show;
          option.disabled = !show;
          if (!show && option.selected) { taskSelect.value = ""; }
        });
      }
      projectSelect.addEventListener("change", filter);
      filter();
    });
  }

  function confirmDeletes() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  function projectChart() {
    var canvas = document.getElementById("project-hours-chart");
    var source = document.getElementById("project-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.hours_label, data: data.hours, backgroundColor: "#2563eb" },
          { label: data.estimate_label, data: data.estimates, backgroundColor: "#d1d5db" }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
    });
    canvas.setAttribute("data-chart-ready", "true");
  }

  document.addEventListener("DOMContentLoaded", function () {
    startClocks();
    linkPickers();
    confirmDeletes();
    projectChart();
  });
})();
