(function () {
  function cellValue(row, i, numeric) {
    var c = row.cells[i]; var v = c.getAttribute('data-value'); if (v === null) { v = c.textContent.trim(); }
    if (numeric) { var n = parseFloat(v); return isNaN(n) ? Infinity : n; } return v;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, i) {
      th.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'num';
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0]; var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, i, numeric), y = cellValue(b, i, numeric);
          var r = numeric ? (x - y) : String(x).localeCompare(String(y), 'zh-CN', { numeric: true });
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  // A copy button copies the command line below it.
  document.querySelectorAll('button.copy').forEach(function (b) {
    b.addEventListener('click', function () {
      var pre = b.parentElement.nextElementSibling;
      if (pre && navigator.clipboard) { navigator.clipboard.writeText(pre.textContent); b.textContent = '已复制'; }
    });
  });
  // `report.html#sort=5-desc` opens the endpoint table sorted by its sixth column, descending.
  var m = /^#sort=(\d+)(-desc)?$/.exec(location.hash);
  var table = document.getElementById('endpoint-table');
  if (m && table) {
    var th = table.tHead.rows[0].cells[parseInt(m[1], 10)];
    if (th) { th.click(); if (m[2]) { th.click(); } }
  }
  // What the page shows, counted from the page itself (a test compares it with the JSON).
  var check = document.getElementById('dom-check');
  if (check) {
    var rows = document.querySelectorAll('#endpoint-table tbody tr');
    var counts = {};
    rows.forEach(function (r) { var s = r.getAttribute('data-status'); counts[s] = (counts[s] || 0) + 1; });
    check.setAttribute('data-rows', String(rows.length));
    Object.keys(counts).forEach(function (k) { check.setAttribute('data-' + k, String(counts[k])); });
    check.setAttribute('data-failures', String(document.querySelectorAll('details.failure').length));
    check.setAttribute('data-ready', 'yes');
  }
})();
