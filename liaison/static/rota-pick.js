/* The rota month's "add deputy" box (templates/rota/month.html): type a name or its pinyin initials
   (王芳: "wf", "wang"), pick from the list, and the deputy is added at once. The candidates of each
   day are embedded once in the page as JSON; without this file the typed text is looked up on save. */
(function () {
  "use strict";
  var source = document.getElementById("rota-people");
  if (!source) { return; }
  var people = JSON.parse(source.textContent);
  var unplacedLabel = source.getAttribute("data-unplaced") || "";
  var count = 0;

  function normal(text) { return text.trim().toLowerCase().replace(/\s+/g, ""); }

  document.querySelectorAll(".assign-form").forEach(function (form) {
    var input = form.querySelector(".rota-search");
    var chosen = form.querySelector("input[name=deputy_id]");
    var taken = (form.getAttribute("data-taken") || "").split(",").filter(Boolean).map(Number);
    var rows = (people[form.getAttribute("data-day")] || []).filter(function (r) { return taken.indexOf(r[0]) < 0; });
    // Deputies with no place this month first: they are the ones to place.
    rows = rows.filter(function (r) { return r[4]; }).concat(rows.filter(function (r) { return !r[4]; }));
    var list = document.createElement("ul");
    var shown = [];
    var active = -1;
    count += 1;
    list.id = "rota-options-" + count;
    list.className = "rota-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("placeholder") || "");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function matches(query) {
      var q = normal(query);
      if (!q) { return rows; }
      return rows.filter(function (r) {
        return r[1].indexOf(query.trim()) >= 0 || r[2].indexOf(q) === 0 || r[3].indexOf(q) === 0;
      });
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }
    function render() {
      shown = matches(input.value);
      list.textContent = "";
      shown.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = r[1];
        if (r[4] && unplacedLabel) {
          var note = document.createElement("small");
          note.textContent = unplacedLabel;
          li.appendChild(note);
        }
        li.addEventListener("click", function () { choose(r); });
        list.appendChild(li);
      });
      list.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      highlight(shown.length && normal(input.value) ? 0 : -1);
    }
    function choose(row) {
      chosen.value = row[0];
      input.value = row[1];
      close();
      form.submit();
    }
    // A tap on the list must not blur the box first (the list would close before the click).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    input.addEventListener("input", function () { chosen.value = ""; render(); });
    input.addEventListener("focus", render);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { render(); }
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(Math.max(0, Math.min(shown.length - 1, active + step)));
      } else if (event.key === "Enter") {
        var row = active >= 0 ? shown[active] : (shown.length === 1 && normal(input.value) ? shown[0] : null);
        if (row) { event.preventDefault(); choose(row); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    var details = form.closest("details");
    if (details) {
      details.addEventListener("toggle", function () { if (details.open) { input.focus(); } });
    }
  });
}());
