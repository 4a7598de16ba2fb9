// Bulk pages (remind, activation slips, attendance, 补登): a "select all" box ticks every box it names.
document.querySelectorAll('[data-select-all]').forEach(function (all) {
  var boxes = function () { return document.querySelectorAll(all.getAttribute('data-select-all')); };
  all.addEventListener('change', function () {
    boxes().forEach(function (box) { if (!box.disabled) { box.checked = all.checked; } });
  });
});
