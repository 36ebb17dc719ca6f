// egdi serve: sorting tables, filtering the ranking, the map's hover box and
// submitting the controls on change. Plain JavaScript, no request of its own.
(function () {
  "use strict";
  // a selector submits its form when changed
  document.querySelectorAll("form.controls select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  // sort a table by a column when its header is clicked (again: the other way)
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var num = th.classList.contains("num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col] ? a.cells[col].getAttribute("data-sort") : "";
          var y = b.cells[col] ? b.cells[col].getAttribute("data-sort") : "";
          if (x === "" && y === "") return 0;
          if (x === "") return 1; // missing last, either way
          if (y === "") return -1;
          var d = num ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  });

  // the ranking's filter box: rows whose text holds what is typed
  var filter = document.getElementById("filter");
  var table = document.getElementById("ranking");
  if (filter && table) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      var n = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var show = q === "" || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.hidden = !show;
        if (show) n++;
      });
      var c = document.getElementById("count");
      if (c) c.textContent = String(n);
    });
  }

  // the map's hover box shows a shape's title
  var map = document.getElementById("map");
  var tip = document.getElementById("tip");
  if (map && tip) {
    map.addEventListener("mousemove", function (e) {
      var t = e.target.querySelector ? e.target.querySelector("title") : null;
      if (!t) { tip.hidden = true; return; }
      tip.textContent = t.textContent;
      tip.hidden = false;
      tip.style.left = (e.pageX + 12) + "px";
      tip.style.top = (e.pageY + 12) + "px";
    });
    map.addEventListener("mouseleave", function () { tip.hidden = true; });
  }
})();
