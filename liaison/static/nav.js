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

/* A table that scrolls sideways (.table-responsive, the rota notice) can be reached and scrolled
   with the keyboard: it gets tabindex=0 and a name while it overflows. */
(function () {
  "use strict";
  var label = document.documentElement.lang.indexOf("zh") === 0 ? "表格（可左右滑动）" : "Table (scrolls sideways)";
  function mark() {
    document.querySelectorAll(".table-responsive, .notice-scroll").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.tabIndex = 0;
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", label);
      }
    });
  }
  mark();
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
}());
