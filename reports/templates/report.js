// Findings filters: search and status/severity toggles over rows rendered once, server-side.
// Rows are indexed on first use; a filter pass only writes `hidden` where the state changes, with
// no layout reads in between, and the stylesheet lets the browser skip laying out rows that are
// off screen, so 10,000 findings stay responsive. Search input is debounced. Evidence starts
// collapsed; a row's button opens it.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var bar = document.getElementById("findings-filters");
  if (!table || !bar) return;
  var rows = table.getElementsByClassName("f");
  var search = document.getElementById("f-search");
  var count = document.getElementById("f-count");
  var boxes = bar.querySelectorAll("input[type=checkbox]");
  var index = null;
  var timer = 0;

  function build() {
    index = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      index[i] = {
        row: row,
        text: row.textContent.toLowerCase(),
        key: "status:" + row.getAttribute("data-status"),
        sev: "severity:" + row.getAttribute("data-severity"),
        shown: true
      };
    }
  }

  function apply() {
    if (!index) build();
    var wanted = {};
    for (var b = 0; b < boxes.length; b++) {
      if (boxes[b].checked) wanted[boxes[b].name + ":" + boxes[b].value] = true;
    }
    var terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    for (var i = 0; i < index.length; i++) {
      var e = index[i];
      var show = wanted[e.key] === true && wanted[e.sev] === true;
      for (var t = 0; show && t < terms.length; t++) {
        if (e.text.indexOf(terms[t]) < 0) show = false;
      }
      if (show !== e.shown) {
        e.row.hidden = !show;
        e.shown = show;
      }
      if (show) shown++;
    }
    count.textContent = shown === index.length
      ? "All " + shown + " findings"
      : shown + " of " + index.length + " findings";
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  bar.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") apply();
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    search.value = "";
    for (var b = 0; b < boxes.length; b++) boxes[b].checked = true;
    apply();
  });
  table.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".ev-toggle") : null;
    if (!button) return;
    var open = button.closest(".f").classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  table.classList.add("collapsible");
  bar.hidden = false;
})();
