// Every listing table (table.data) of a page sorts by any column, filters (text, and a choice
// for columns marked data-filter), pages 25 rows at a time and exports what it holds as CSV
// that opens in Excel: UTF-8 with a byte-order mark, CRLF, and text a spreadsheet would run as
// a formula (= + - @ tab CR first) behind an apostrophe, exactly as econsec.spreadsheet
// writes it. The table's rows are all in the page, so nothing is fetched; tables the server
// pages (the screen, findings, register, events) have their own controls and exports.
(function () {
  var PAGE = 25;
  var NUMBER = /^-?\d+(\.\d+)?$/;

  function text(cell) { return cell.textContent.replace(/\s+/g, " ").trim(); }

  function blank(value) { return value === "" || value === "–" || value === "-"; }

  function numeric(value) {
    var v = value.replace(/[,\s%]/g, "");
    return v !== "" && NUMBER.test(v) ? parseFloat(v) : null;
  }

  function neutralise(value) {
    return /^'*[=+\-@\t\r]/.test(value) && !NUMBER.test(value) ? "'" + value : value;
  }

  function quote(value) {
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function csv(rows) {
    return "\ufeff" + rows.map(function (r) {
      return r.map(function (v) { return quote(neutralise(v)); }).join(",") + "\r\n";
    }).join("");
  }

  function element(tag, attrs, content) {
    var el = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function enhance(table, n, words) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var state = { sort: -1, desc: false, page: 1, query: "", choices: {} };
    var id = "table-" + n;
    var bar = element("div", { "class": "table-tools" });
    var filter = element("input", { type: "search", id: id + "-filter" });
    var count = element("span", { "class": "table-count", "aria-live": "polite" });
    var exporter = element("button", { type: "button" }, words.tableExport);
    bar.appendChild(element("label", { "for": id + "-filter" }, words.tableFilter));
    bar.appendChild(filter);
    heads.forEach(function (th, col) {
      if (!th.hasAttribute("data-filter")) return;
      var values = [];
      rows.forEach(function (r) {
        var v = text(r.cells[col]);
        if (values.indexOf(v) < 0) values.push(v);
      });
      var select = element("select", { id: id + "-col-" + col, "aria-label": text(th) });
      select.appendChild(element("option", { value: "" }, text(th) + ": " + words.tableAll));
      values.sort().forEach(function (v) { select.appendChild(element("option", { value: v }, v)); });
      select.addEventListener("change", function () {
        state.choices[col] = select.value; state.page = 1; show();
      });
      bar.appendChild(select);
    });
    bar.appendChild(count);
    bar.appendChild(exporter);
    table.parentNode.insertBefore(bar, table);
    var pager = element("nav", { "class": "pager", "aria-label": words.tablePages });
    table.parentNode.insertBefore(pager, table.nextSibling);

    function matching() {
      var q = state.query.toLowerCase();
      return rows.filter(function (r) {
        if (q && text(r).toLowerCase().indexOf(q) < 0) return false;
        return Object.keys(state.choices).every(function (col) {
          return !state.choices[col] || text(r.cells[col]) === state.choices[col];
        });
      });
    }

    function ordered() {
      var found = matching();
      if (state.sort < 0) return found;
      var col = state.sort;
      var values = found.map(function (r) { return text(r.cells[col]); });
      var numbers = values.map(numeric);
      var allNumbers = values.every(function (v, i) { return numbers[i] !== null || blank(v); });
      var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
      var order = found.map(function (r, i) { return i; });
      order.sort(function (a, b) {
        var va = values[a], vb = values[b];
        var ea = blank(va), eb = blank(vb);
        if (ea !== eb) return ea ? 1 : -1;  // blanks last, either way
        var c = allNumbers ? numbers[a] - numbers[b] : collator.compare(va, vb);
        return (state.desc ? -c : c) || a - b;
      });
      return order.map(function (i) { return found[i]; });
    }

    function show() {
      var found = ordered();
      var pages = Math.max(1, Math.ceil(found.length / PAGE));
      state.page = Math.min(state.page, pages);
      rows.forEach(function (r) { r.hidden = true; });
      found.forEach(function (r, i) {
        body.appendChild(r);
        r.hidden = Math.floor(i / PAGE) + 1 !== state.page;
      });
      count.textContent = words.tableRows.replace("{shown}", found.length).replace("{total}", rows.length);
      heads.forEach(function (th, col) {
        if (col === state.sort) th.setAttribute("aria-sort", state.desc ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
      pager.textContent = "";
      if (pages < 2) return;
      function step(label, to) {
        var b = element("button", { type: "button" }, label);
        b.addEventListener("click", function () { state.page = to; show(); });
        pager.appendChild(b);
      }
      if (state.page > 1) step(words.tablePrevious, state.page - 1);
      pager.appendChild(element("span", {}, words.tablePage.replace("{page}", state.page).replace("{pages}", pages)));
      if (state.page < pages) step(words.tableNext, state.page + 1);
    }

    heads.forEach(function (th, col) {
      if (th.hasAttribute("data-noexport")) return;
      var b = element("button", { type: "button", "class": "sort" }, text(th));
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () {
        state.desc = state.sort === col ? !state.desc : false;
        state.sort = col; state.page = 1; show();
      });
    });
    filter.addEventListener("input", function () { state.query = filter.value; state.page = 1; show(); });
    exporter.addEventListener("click", function () {
      var cols = heads.map(function (th, i) { return i; })
        .filter(function (i) { return !heads[i].hasAttribute("data-noexport"); });
      var lines = [cols.map(function (i) { return text(heads[i]); })];
      ordered().forEach(function (r) { lines.push(cols.map(function (i) { return text(r.cells[i]); })); });
      var a = element("a", { download: table.dataset.export || "table.csv" });
      a.href = URL.createObjectURL(new Blob([csv(lines)], { type: "text/csv;charset=utf-8" }));
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.data").forEach(function (t, n) { enhance(t, n, document.body.dataset); });
  });
})();
