/* Intake pages: category questions, image previews, upload progress, copy and print.
   Everything here is an enhancement: every page works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function showChosenCategory(form) {
    var chosen = form.querySelector("input[name=category]:checked, input[type=hidden][name=category]");
    var value = chosen ? chosen.value : "";
    form.querySelectorAll(".category-questions").forEach(function (block) {
      var active = block.getAttribute("data-category") === value;
      block.classList.toggle("is-inactive", !active);
      block.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = !active;  // disabled fields are not sent
      });
    });
  }

  function setUpPreviews(input) {
    var box = input.form && input.form.querySelector(".previews");
    if (!box) { return; }
    var urls = [];
    input.addEventListener("change", function () {
      urls.forEach(function (u) { URL.revokeObjectURL(u); });
      urls = [];
      box.textContent = "";
      Array.prototype.forEach.call(input.files || [], function (file) {
        var figure = document.createElement("figure");
        figure.className = "preview";
        if (/^image\//.test(file.type)) {
          var img = document.createElement("img");
          var url = URL.createObjectURL(file);
          urls.push(url);
          img.src = url;
          img.alt = file.name;
          figure.appendChild(img);
        }
        var caption = document.createElement("figcaption");
        caption.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KiB)";
        figure.appendChild(caption);
        box.appendChild(figure);
      });
    });
  }

  function replaceDocument(html) {
    document.open();
    document.write(html);
    document.close();
  }

  function setUpProgress(form) {
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var button = form.querySelector("button[type=submit]");
    if (!bar || !window.FormData || !window.XMLHttpRequest) { return; }
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.name === "step") { return; }  // "change category"
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL &&
            xhr.responseURL.split("#")[0] !== form.action.split("#")[0]) {
          window.location.assign(xhr.responseURL);  // the receipt, after the 303
        } else {
          replaceDocument(xhr.responseText);  // the form again, with what to change
        }
      });
      xhr.addEventListener("error", function () {
        bar.hidden = true;
        button.disabled = false;
        status.textContent = form.getAttribute("data-failed");
      });
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      status.textContent = form.getAttribute("data-sending");
      xhr.send(new FormData(form));
    });
  }

  function setUpCopy() {
    var button = document.getElementById("copy-code");
    var code = document.getElementById("tracking-code");
    if (!button || !code || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  }

  function setUpPrint() {
    var button = document.getElementById("print-receipt");
    if (!button || !window.print) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file]").forEach(setUpPreviews);
    var form = document.getElementById("report-form");
    if (form) {
      showChosenCategory(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "category") { showChosenCategory(form); }
      });
      setUpProgress(form);
    }
    setUpCopy();
    setUpPrint();
  });
})();
