/* Pages that keep themselves current (今日签到): reload every data-seconds seconds while the
   #auto-refresh box is ticked; the person can untick it (WCAG 2.2.1, no refresh they cannot stop).
   The choice is kept for the browser tab. */
(function () {
  "use strict";
  var box = document.getElementById("auto-refresh");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 60;
  var timer = null;
  if (window.sessionStorage && sessionStorage.getItem("auto-refresh") === "off") { box.checked = false; }
  function plan() {
    clearTimeout(timer);
    if (box.checked) { timer = setTimeout(function () { window.location.reload(); }, seconds * 1000); }
  }
  box.addEventListener("change", function () {
    if (window.sessionStorage) { sessionStorage.setItem("auto-refresh", box.checked ? "on" : "off"); }
    plan();
  });
  plan();
}());
