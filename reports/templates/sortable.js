// Makes tables with class "sortable" sortable by clicking a header; without
// JavaScript they stay plain tables. Numeric cells carry their value in data-v.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (x, y) {
        var a = x.cells[col], c = y.cells[col];
        var va = a.getAttribute("data-v"), vc = c.getAttribute("data-v");
        var r;
        if (va !== null || vc !== null) {
          if (va === null) return 1;
          if (vc === null) return -1;
          r = parseFloat(va) - parseFloat(vc);
        } else {
          r = a.textContent.localeCompare(c.textContent);
        }
        return asc ? r : -r;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
