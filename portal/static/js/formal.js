// The formal laporan part of the report form shows its questions only once the resident asks
// for a formal laporan; without scripts they are always shown (and ignored unless asked for).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("formal-is_formal");
    var details = document.getElementById("formal-details");
    if (!box || !details) { return; }
    function show() { details.hidden = !box.checked; }
    box.addEventListener("change", show);
    show();
  });
})();
