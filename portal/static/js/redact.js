// The redaction page: drag over the image to draw a box, which fills the next empty row of
// numbers; typed numbers redraw the boxes at once. A focused box moves with the arrow keys and
// resizes with Shift+arrows. Without JavaScript the rows of numbers alone do the same.
(function () {
  "use strict";
  var stage = document.querySelector(".redact-stage");
  var form = document.querySelector(".redact-form");
  if (!stage || !form) { return; }
  var image = stage.querySelector("img");
  var natural = { w: +stage.getAttribute("data-width"), h: +stage.getAttribute("data-height") };
  var PARTS = ["x", "y", "width", "height"];
  var draft = null;
  var start = null;
  stage.classList.add("drawing-on");
  var hint = document.querySelector(".js-only");
  if (hint) { hint.hidden = false; }

  function rows() { return Array.prototype.slice.call(form.querySelectorAll(".box-row")); }
  function input(row, part) { return row.querySelector("input[name$='-" + part + "']"); }
  function scale() { return natural.w / (image.clientWidth || natural.w); }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function read(row) {
    var box = {};
    for (var i = 0; i < PARTS.length; i++) {
      var text = input(row, PARTS[i]).value.trim();
      if (!/^-?\d+$/.test(text)) { return null; }
      box[PARTS[i]] = parseInt(text, 10);
    }
    return box;
  }

  function write(row, box) {
    PARTS.forEach(function (part) { input(row, part).value = String(box[part]); });
  }

  function place(el, box) {
    var s = scale();
    el.style.left = box.x / s + "px";
    el.style.top = box.y / s + "px";
    el.style.width = box.width / s + "px";
    el.style.height = box.height / s + "px";
  }

  function render(focusIndex) {
    stage.querySelectorAll(".redact-box:not(.draft)").forEach(function (el) { el.remove(); });
    rows().forEach(function (row, index) {
      var box = read(row);
      if (!box || box.width < 1 || box.height < 1) { return; }
      var el = document.createElement("div");
      el.className = "redact-box";
      el.tabIndex = 0;
      el.setAttribute("role", "img");
      el.setAttribute("aria-label", row.querySelector("legend").textContent);
      el.setAttribute("data-row", String(index));
      place(el, box);
      el.addEventListener("keydown", nudge);
      stage.appendChild(el);
      if (focusIndex === index) { el.focus(); }
    });
  }

  function nudge(event) {
    var step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (!step) { return; }
    event.preventDefault();
    var index = +event.currentTarget.getAttribute("data-row");
    var row = rows()[index];
    var box = read(row);
    if (event.shiftKey) {
      box.width = clamp(box.width + step[0], 1, natural.w - box.x);
      box.height = clamp(box.height + step[1], 1, natural.h - box.y);
    } else {
      box.x = clamp(box.x + step[0], 0, natural.w - box.width);
      box.y = clamp(box.y + step[1], 0, natural.h - box.height);
    }
    write(row, box);
    render(index);
  }

  function emptyRow() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (PARTS.every(function (p) { return !input(all[i], p).value.trim(); })) { return all[i]; }
    }
    var last = all[all.length - 1];
    var copy = last.cloneNode(true);
    var index = all.length;
    copy.setAttribute("data-index", String(index));
    copy.querySelectorAll("[name], [id], [for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/boxes-\d+-/, "boxes-" + index + "-")); }
      });
      if (el.tagName === "INPUT") { el.value = ""; el.removeAttribute("aria-invalid"); }
    });
    copy.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    copy.querySelector("legend").textContent = copy.getAttribute("data-legend").replace("{n}", index + 1);
    last.parentNode.insertBefore(copy, last.nextSibling);
    return copy;
  }

  function point(event) {
    var rect = image.getBoundingClientRect();
    var s = scale();
    return {
      x: clamp(Math.round((event.clientX - rect.left) * s), 0, natural.w),
      y: clamp(Math.round((event.clientY - rect.top) * s), 0, natural.h)
    };
  }

  function spanned(a, b) {
    var x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
    return { x: x, y: y, width: Math.max(a.x, b.x) - x, height: Math.max(a.y, b.y) - y };
  }

  stage.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || event.target.classList.contains("redact-box")) { return; }
    event.preventDefault();
    start = point(event);
    draft = document.createElement("div");
    draft.className = "redact-box draft";
    stage.appendChild(draft);
    place(draft, { x: start.x, y: start.y, width: 0, height: 0 });
    if (stage.setPointerCapture) { stage.setPointerCapture(event.pointerId); }
  });
  stage.addEventListener("pointermove", function (event) {
    if (draft) { place(draft, spanned(start, point(event))); }
  });
  function finish(event) {
    if (!draft) { return; }
    var box = spanned(start, point(event));
    draft.remove();
    draft = null;
    if (box.width < 1 || box.height < 1) { return; }
    var row = emptyRow();
    write(row, box);
    render(rows().indexOf(row));
  }
  stage.addEventListener("pointerup", finish);
  stage.addEventListener("pointercancel", function () { if (draft) { draft.remove(); draft = null; } });
  form.addEventListener("input", function () { render(); });
  window.addEventListener("resize", function () { render(); });
  if (image.complete) { render(); } else { image.addEventListener("load", function () { render(); }); }
}());
