/* trtlog report page script: draws the plotly charts from the embedded JSON and makes tables sortable
   and filterable. Log text only ever reaches the DOM through the server-rendered (escaped) HTML or via
   textContent; nothing here builds HTML from strings. */
(function () {
  "use strict";
  var root = document.documentElement;

  function drawCharts() {
    var el = document.getElementById("trtlog-charts");
    var figs = el ? JSON.parse(el.textContent || "{}") : {};
    var drawn = 0;
    Object.keys(figs).forEach(function (id) {
      var div = document.getElementById(id);
      if (!div || typeof Plotly === "undefined") { return; }
      var fig = figs[id];
      Plotly.newPlot(div, fig.data, fig.layout, {
        displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      });
      drawn += 1;
    });
    root.setAttribute("data-charts", String(drawn));
  }

  function cellValue(row, col, numeric) {
    var cell = row.cells[col];
    if (!cell) { return numeric ? NaN : ""; }
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (numeric) { return raw === "" ? NaN : Number(raw); }
    return raw.toLowerCase();
  }

  function setupTable(table) {
    var body = table.tBodies[0];
    if (!body) { return null; }
    var rows = Array.prototype.slice.call(body.rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    rows.forEach(function (r, i) { r._trtIndex = i; r._trtText = texts[i]; });
    var state = { text: "", cols: {} };
    var counter = document.querySelector('[data-count-for="' + table.id + '"]');

    function apply() {
      var terms = state.text.toLowerCase().split(/\s+/).filter(Boolean);
      var colKeys = Object.keys(state.cols).filter(function (k) { return state.cols[k] !== ""; });
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i], ok = true;
        for (var t = 0; ok && t < terms.length; t++) { ok = r._trtText.indexOf(terms[t]) !== -1; }
        for (var c = 0; ok && c < colKeys.length; c++) {
          var cell = r.cells[Number(colKeys[c])];
          ok = !!cell && cell.textContent.trim() === state.cols[colKeys[c]];
        }
        r.hidden = !ok;
        if (ok) { shown += 1; }
      }
      table.setAttribute("data-shown", String(shown));
      if (counter) { counter.textContent = shown + " of " + rows.length + " rows"; }
    }

    var sortCol = -1, sortDir = 1;
    var headers = table.tHead ? table.tHead.rows[0].cells : [];

    function sortBy(col, dir) {
      var th = headers[col];
      if (!th) { return; }
      var numeric = th.getAttribute("data-type") === "num";
      sortDir = dir || (sortCol === col ? -sortDir : (numeric ? -1 : 1));
      sortCol = col;
      var keyed = rows.map(function (r) { return [cellValue(r, col, numeric), r]; });
      keyed.sort(function (a, b) {
        var x = a[0], y = b[0];
        if (numeric) {
          var xn = isNaN(x), yn = isNaN(y);
          if (xn || yn) { return xn === yn ? a[1]._trtIndex - b[1]._trtIndex : (xn ? 1 : -1); }
        }
        if (x < y) { return -sortDir; }
        if (x > y) { return sortDir; }
        return a[1]._trtIndex - b[1]._trtIndex;
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k[1]); });
      body.appendChild(frag);
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
    }

    Array.prototype.forEach.call(headers, function (th, col) {
      if (th.hasAttribute("data-nosort")) { return; }
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(col); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(col); } });
    });

    return {
      setText: function (s) { state.text = s; apply(); },
      setCol: function (col, value) { state.cols[col] = value; apply(); },
      sortBy: sortBy,
      apply: apply
    };
  }

  function setupTables() {
    var controllers = {};
    Array.prototype.forEach.call(document.querySelectorAll("table.data-table"), function (table) {
      var ctl = setupTable(table);
      if (ctl) { controllers[table.id] = ctl; ctl.apply(); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-for]"), function (input) {
      var ctl = controllers[input.getAttribute("data-filter-for")];
      if (!ctl) { return; }
      input.addEventListener("input", function () { ctl.setText(input.value); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-for]"), function (sel) {
      var ctl = controllers[sel.getAttribute("data-filter-for")];
      if (!ctl) { return; }
      sel.addEventListener("change", function () { ctl.setCol(sel.getAttribute("data-col"), sel.value); });
    });
    return controllers;
  }

  /* report.html#filter=Conv&sort=9:desc filters / sorts the layer table on load (links in tickets):
     sort takes a column index (0 = first column) and an optional :asc or :desc. */
  function applyHash(controllers) {
    var ctl = controllers["layers-table"];
    if (!ctl) { return; }
    var f = /(?:^#|&)filter=([^&]*)/.exec(location.hash);
    if (f) {
      var text = f[1].replace(/\+/g, " ");
      try { text = decodeURIComponent(text); } catch (e) { /* keep the raw text */ }
      var input = document.getElementById("layers-filter");
      if (input) { input.value = text; }
      ctl.setText(text);
    }
    var s = /(?:^#|&)sort=(\d+)(?::(asc|desc))?/.exec(location.hash);
    if (s) { ctl.sortBy(Number(s[1]), s[2] === "desc" ? -1 : (s[2] === "asc" ? 1 : 0)); }
  }

  function showErrors() {
    var n = Number(root.getAttribute("data-errors")) + Number(root.getAttribute("data-csp"));
    var box = document.getElementById("page-errors");
    if (n > 0 && box) {
      box.hidden = false;
      box.textContent = n + " script error(s) or blocked resource(s) on this page: " +
        [root.getAttribute("data-errors-log"), root.getAttribute("data-csp-log")].filter(Boolean).join(" | ");
    }
  }

  var controllers = setupTables();
  applyHash(controllers);
  window.addEventListener("hashchange", function () { applyHash(controllers); });
  try { drawCharts(); } finally {
    root.setAttribute("data-ready", "1");
    showErrors();
  }
})();
