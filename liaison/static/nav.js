/* The site menu (templates/base.html): <details> menus that work without this file; with it, the
   desktop bar is open, one small menu is open at a time, and a tap elsewhere or Escape closes it. */
(function () {
  "use strict";
  var all = document.querySelector(".menu-all");
  var wide = window.matchMedia("(min-width: 992px)");
  var drops = document.querySelectorAll(".menu-drop");

  function fit() {
    if (all) { all.open = wide.matches; }
  }
  function closeDrops(except) {
    drops.forEach(function (d) { if (d !== except) { d.open = false; } });
  }
  fit();
  if (wide.addEventListener) { wide.addEventListener("change", fit); }
  drops.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) { closeDrops(d); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".menu-drop")) { closeDrops(null); }
    if (all && !wide.matches && all.open && !event.target.closest(".menu-all")) { all.open = false; }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector(".menu-drop[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
}());
