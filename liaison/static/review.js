// The pending queue (待核实签到): a select-all box for the page's check-ins, the count ticked, and a
// rejection refused in the page before it is sent when no reason is chosen or typed (rule R23; the
// server refuses it too). No framework, no build step.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var all = form.querySelector("[data-select-all]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="ids"]'));
  var ticked = document.getElementById("ticked");
  var reason = document.getElementById("reason");
  var note = document.getElementById("note");
  var pressed = null;

  function count() {
    return boxes.filter(function (b) { return b.checked; }).length;
  }

  function refresh() {
    var n = count();
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
    if (ticked) { ticked.textContent = n ? form.getAttribute("data-ticked").replace("{n}", n) : ""; }
  }

  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", refresh); });
  Array.prototype.forEach.call(form.querySelectorAll('button[name="action"]'), function (button) {
    button.addEventListener("click", function () { pressed = button.value; });
  });
  form.addEventListener("submit", function (event) {
    var message = null;
    if (!count()) {
      message = form.getAttribute("data-none-ticked");
    } else if (pressed === "reject" && !(reason && reason.value) && !(note && note.value.trim())) {
      message = form.getAttribute("data-reject-needs-reason");
      if (reason) { reason.focus(); }
    }
    if (message) {
      event.preventDefault();
      if (ticked) { ticked.textContent = message; ticked.className = "small mb-2 text-danger fw-bold"; }
    }
  });
  refresh();
}());
