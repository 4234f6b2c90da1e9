// Case page: choosing a canned reply fills the message box in the chosen reporter's language.
// Without JavaScript the form still works: an empty message sends the canned reply as is.
(function () {
  "use strict";
  var picker = document.querySelector(".canned-picker");
  if (!picker) { return; }
  var form = picker.form;
  var body = form.querySelector("textarea[name=body]");
  var reporter = form.querySelector("select[name=report]");
  picker.addEventListener("change", function () {
    var option = picker.options[picker.selectedIndex];
    if (!option || !option.value) { return; }
    var chosen = reporter && reporter.options[reporter.selectedIndex];
    var lang = chosen ? chosen.getAttribute("data-lang") : "id";
    body.value = option.getAttribute(lang === "en" ? "data-body-en" : "data-body-id") || "";
    body.focus();
  });
}());
// A refused form sends the officer back to its panel (#assignment, #notes…): open that panel,
// so the form is in view again beside the error. Without JavaScript the panel stays closed.
(function () {
  "use strict";
  if (!location.hash || !document.querySelector(".flash-error")) { return; }
  var panel = document.getElementById(location.hash.slice(1));
  var fold = panel && panel.classList.contains("fold") && panel.querySelector("details");
  if (fold) { fold.open = true; }
}());
