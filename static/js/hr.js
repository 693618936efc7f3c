// HR pages (issue 8): small progressive enhancements, no inline scripts (CSP-friendly).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // forms that ask before doing something hard to undo (terminate)
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });

    // copy the private follow link of an anonymous report
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.getAttribute("data-copy"));
        if (!field) return;
        field.select();
        if (navigator.clipboard) {
          navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; }, function () {});
        }
      });
    });
    document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });

    // the document form: show offices or roles only for that audience
    document.querySelectorAll("form[data-audience-form]").forEach(function (form) {
      var audience = form.querySelector("[name=audience]");
      if (!audience) return;
      function row(name) {
        var field = form.querySelector("[name=" + name + "]");
        return field ? field.closest("div") || field.parentElement : null;
      }
      function update() {
        var offices = row("offices"), roles = row("roles");
        if (offices) offices.hidden = audience.value !== "offices";
        if (roles) roles.hidden = audience.value !== "roles";
      }
      audience.addEventListener("change", update);
      update();
    });
  });
})();
