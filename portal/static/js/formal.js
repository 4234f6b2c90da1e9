// Formal laporan: hide its questions while unticked; the server's checklist follows the answers.
(function () {
  "use strict";
  function setUpLive(form, marker) {
    var timer = null;
    function refresh() {
      var data = new FormData(form);
      var card = document.getElementById("formal-id_card");
      data.delete("screenshots");
      data.delete("formal-id_card");
      data.delete("step");
      data.set("has_id_card", card && card.files && card.files.length ? "1" : "0");
      fetch(marker.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var current = document.getElementById("formal-checklist");
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#formal-checklist");
          if (!fresh) { return; }
          if (current) { current.replaceWith(fresh); } else { marker.before(fresh); }
        })
        .catch(function () {});  // offline: the check button still works
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("formal-is_formal");
    var details = document.getElementById("formal-details");
    if (!box || !details) { return; }
    function show() { details.hidden = !box.checked; }
    box.addEventListener("change", show);
    show();
    var form = document.getElementById("report-form");
    var marker = document.getElementById("formal-live");
    if (form && marker && window.fetch && window.FormData) { setUpLive(form, marker); }
  });
})();
