/* Roster import pages: while a file is checked or imported, show "正在检查…" / "正在导入…".
 *
 * A form marked .busy-form disables its buttons on submit (a second tap would upload or import
 * the same file again) and reveals its .busy-note. The server does the work within the request.
 */
(function () {
  "use strict";

  document.querySelectorAll("form.busy-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var note = form.querySelector(".busy-note");
      if (note) {
        note.classList.remove("d-none");
      }
      // Disable after the submit event so the browser still sends the button's own value.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    });
  });
})();
