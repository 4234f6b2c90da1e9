/* Intake pages: category questions, image previews, uploads ahead, upload progress, copy and print.
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

  /* Each chosen file goes ahead on its own, in pieces: the server says how much it holds, so
     a dropped connection resumes there. The form then names only the received files. */
  function setUpUploads(form) {
    var input = form.querySelector("#screenshots");
    var box = document.getElementById("held");
    var list = document.getElementById("held-files");
    var key = form.querySelector("input[name=idempotency_key]");
    if (!input || !box || !list || !key || !window.fetch || !window.Promise ||
        !window.Blob || !Blob.prototype.slice) { return; }
    var csrf = form.querySelector("input[name=csrf_token]");
    var status = document.getElementById("upload-status");
    var queue = Promise.resolve();
    var pending = 0;
    var counter = 0;
    var sendWhenDone = false;
    input.classList.add("uploads-ahead");

    function send(method, url, body, extra) {
      var headers = {"X-Form-Key": key.value};
      if (csrf) { headers["X-CSRFToken"] = csrf.value; }
      Object.keys(extra || {}).forEach(function (name) { headers[name] = extra[name]; });
      return fetch(url, {method: method, headers: headers, body: body, credentials: "same-origin"})
        .then(function (r) {
          if (r.status === 204) { return {ok: true, status: 204, body: {}}; }
          return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; });
        });
    }

    function wait(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

    function element(tag, className, text) {
      var el = document.createElement(tag);
      if (className) { el.className = className; }
      if (text) { el.textContent = text; }
      return el;
    }

    function upload(file) {
      counter += 1;
      var item = element("li", "held-file is-uploading");
      var name = element("span", "held-name", file.name);
      name.id = "upload-" + counter;
      var bar = element("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-labelledby", name.id);
      var state = element("span", "held-state");
      var remove = element("button", "held-drop", box.getAttribute("data-remove"));
      remove.type = "button";
      remove.setAttribute("aria-describedby", name.id);
      if (/^image\//.test(file.type) && window.URL && URL.createObjectURL) {
        var img = element("img", "held-thumb");
        img.src = URL.createObjectURL(file);
        img.alt = "";  // the name next to it says which file this is
        item.appendChild(img);
      }
      item.appendChild(name);
      item.appendChild(element("span", "held-size", Math.ceil(file.size / 1024) + "\u00a0KiB"));
      item.appendChild(remove);
      item.appendChild(bar);
      item.appendChild(state);
      list.appendChild(item);
      box.hidden = false;
      var job = {id: null, url: null, chunk: 0, tries: 0, stopped: false, done: false};
      pending += 1;

      function finish() {
        if (!job.done) { job.done = true; pending -= 1; }
        item.classList.remove("is-uploading");
        bar.hidden = true;
        if (pending === 0 && sendWhenDone) {
          var submitter = sendWhenDone.nodeType ? sendWhenDone : undefined;  // the button clicked
          sendWhenDone = false;
          if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
        }
      }
      function fail(message) {
        sendWhenDone = false;  // the resident decides: send without it, or choose it again
        finish();
        state.textContent = box.getAttribute("data-failed") + " " + message;
        state.setAttribute("role", "alert");
      }
      function arrived() {
        var hidden = element("input");
        hidden.type = "hidden";
        hidden.name = "held_upload";
        hidden.value = job.id;
        item.appendChild(hidden);  // before finish(), which may send the form
        state.textContent = box.getAttribute("data-arrived");
        finish();
      }
      function retry(step) {
        if (job.stopped) { return null; }
        job.tries += 1;
        if (job.tries > 8) { return fail(box.getAttribute("data-retrying")); }
        state.textContent = box.getAttribute("data-retrying");
        return wait(Math.min(500 * Math.pow(2, job.tries), 15000)).then(step);
      }
      function answer(res, again) {
        if (res.status >= 500 || res.status === 429) { return retry(again); }
        return fail(res.body.message || "");
      }
      function next(offset, complete) {
        if (job.stopped) { return null; }
        bar.value = Math.floor((offset / file.size) * 100);
        if (complete) { return arrived(); }
        var piece = file.slice(offset, offset + job.chunk);
        return send("PATCH", job.url, piece, {
          "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream"
        }).then(function (res) {
          if (res.ok) {
            job.tries = 0;
            state.textContent = "";
            return next(res.body.offset, res.body.complete);
          }
          if (res.status === 409 && res.body.error === "offset") { return resume(); }
          return answer(res, resume);
        }, function () { return retry(resume); });
      }
      function resume() {
        return send("GET", job.url).then(function (res) {
          return res.ok ? next(res.body.offset, res.body.complete) : answer(res, resume);
        }, function () { return retry(resume); });
      }
      function create() {
        var body = JSON.stringify({filename: file.name, size: file.size});
        return send("POST", box.getAttribute("data-create"), body,
                    {"Content-Type": "application/json"}).then(function (res) {
          if (!res.ok) { return answer(res, create); }
          job.id = res.body.id;
          job.url = res.body.url;
          job.chunk = res.body.chunk;
          return next(0, false);
        }, function () { return retry(create); });
      }
      remove.addEventListener("click", function () {
        job.stopped = true;
        finish();
        if (job.url) { send("DELETE", job.url).catch(function () {}); }
        list.removeChild(item);
        input.focus();
      });
      queue = queue.then(function () { return job.stopped ? null : create(); });
    }

    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files || [], upload);
      input.value = "";  // the form sends the received files' ids, not the files again
    });
    form.addEventListener("submit", function (event) {
      if (pending > 0) {  // sent as soon as every file has arrived
        event.preventDefault();
        event.stopImmediatePropagation();
        sendWhenDone = event.submitter || true;  // a step button stays a step once sent
        if (status) { status.textContent = box.getAttribute("data-waiting"); }
      }
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
    var form = document.getElementById("report-form");
    if (form) {
      showChosenCategory(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "category") { showChosenCategory(form); }
      });
      setUpUploads(form);
    }
    document.querySelectorAll("input[type=file]:not(.uploads-ahead)").forEach(setUpPreviews);
    if (form) { setUpProgress(form); }
    setUpCopy();
    setUpPrint();
  });
})();
