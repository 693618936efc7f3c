// The leave request form's live preview (issue 16): working days, hours and the balance left,
// from /app/hr/leave/preview, as the person fills the form in. No inline script; text only.
(function () {
  "use strict";
  var form = document.getElementById("leave-request-form");
  var out = document.getElementById("leave-preview");
  if (!form || !out) { return; }
  var timer = null;
  function refresh() {
    var params = new URLSearchParams();
    form.querySelectorAll("[data-leave-preview]").forEach(function (field) {
      params.set(field.name, field.value);
    });
    if (!params.get("leave_type") || !params.get("start_date") || !params.get("end_date")) { return; }
    fetch(form.dataset.previewUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.ok) {
          out.textContent = data.detail || "Check the dates and the type.";
          return;
        }
        var text = data.working_days + " working days, " + data.hours + " hours. Available now " +
          data.available + " h, after this request " + data.available_after + " h.";
        if (!data.allowed) { text += " Not enough balance for this request."; }
        out.textContent = text;
      })
      .catch(function () { out.textContent = "The preview is not available right now."; });
  }
  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });
})();
