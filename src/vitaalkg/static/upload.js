/* Drag and drop onto the plan upload form: progressive enhancement, the form works without it. */
(function () {
  "use strict";
  var zone = document.querySelector("[data-dropzone]");
  var input = zone && zone.querySelector("input[type=file]");
  var status = document.getElementById("drop-status");
  if (!zone || !input || !window.DataTransfer) { return; }
  zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("dragover"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("dragover"); });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("dragover");
    if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
    var transfer = new DataTransfer();
    transfer.items.add(e.dataTransfer.files[0]);
    input.files = transfer.files;
    if (status) { status.textContent = "Gekozen: " + e.dataTransfer.files[0].name; }
  });
  var hint = zone.querySelector("[data-drop-hint]");
  if (hint) { hint.hidden = false; }
})();
