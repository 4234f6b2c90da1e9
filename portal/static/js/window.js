// The legal-window notice follows the category and the date known as they are chosen.
// The server computes the window (intake.window); this only asks and shows the answer.
(function () {
  "use strict";
  function setUp(form, box) {
    var timer = null;
    var parts = ["text", "rule", "advice"];
    function show(answer) {
      box.className = "legal-window" + (answer.state ? " legal-window-" + answer.state : "");
      parts.forEach(function (part) {
        box.querySelector(".legal-window-" + part).textContent = answer[part] || "";
      });
    }
    function refresh() {
      var data = new FormData(form);
      var query = new URLSearchParams({
        category: data.get("category") || "",
        learned_on: data.get("learned_on") || ""
      });
      fetch(box.dataset.url + "?" + query.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer) { show(answer); } })
        .catch(function () { /* offline: the page shows the window after sending */ });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "category" || name === "learned_on") { later(); }
    });
    form.addEventListener("input", function (event) {
      if (event.target && event.target.name === "learned_on") { later(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("report-form");
    var box = document.getElementById("legal-window");
    if (form && box && window.fetch && window.URLSearchParams) { setUp(form, box); }
  });
})();
