/* Expense receipts (issue 16 point 8): drop a file on the receipt area (or choose one) and see a
   preview before filing. Without this script the plain file input works the same. */
(function () {
  "use strict";

  function preview(area, file) {
    var box = area.querySelector("[data-receipt-preview]");
    if (!box) return;
    box.textContent = "";
    if (!file) return;
    if (file.type === "image/png" || file.type === "image/jpeg") {
      var img = document.createElement("img");
      img.alt = "Receipt preview";
      img.className = "receipt-image";
      img.src = URL.createObjectURL(file);
      box.appendChild(img);
    }
    var label = document.createElement("p");
    label.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KB)";
    box.appendChild(label);
  }

  function setUp(area) {
    var input = area.querySelector('input[type="file"]');
    if (!input) return;
    input.addEventListener("change", function () {
      preview(area, input.files[0]);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      area.addEventListener(name, function (event) {
        event.preventDefault();
        area.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      area.addEventListener(name, function () {
        area.classList.remove("is-dragging");
      });
    });
    area.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      input.files = files;
      preview(area, files[0]);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-receipt-drop]").forEach(setUp);
  });
})();
