package report

import (
	"encoding/base64"
	"fmt"
	"html"
	"math"
	"regexp"
	"strings"

	"github.com/egdi/egdi/data"
	"github.com/egdi/egdi/internal/chart"
)

const css = `
:root { --ink: #222; --muted: #666; --rule: #ccc; --band: #f4f6f8; --accent: #0b4f8a; }
* { box-sizing: border-box; }
body { font-family: %s; color: var(--ink); margin: 0 auto; max-width: 62rem; padding: 1.5rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
.meta { color: var(--muted); font-size: .85rem; margin: 0; }
.meta dt { font-weight: 600; float: left; clear: left; margin-right: .4rem; }
.meta dd { margin: 0 0 .1rem 0; }
p { margin: .4rem 0; }
figure { margin: 1rem 0; }
figure svg { width: 100%%; height: auto; display: block; }
.tablewrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; width: 100%%; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #e3e3e3; }
td { white-space: nowrap; }
td.w { white-space: normal; min-width: 9rem; }
th { text-align: left; background: var(--band); position: sticky; top: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
th button { all: inherit; cursor: pointer; padding: 0; }
th button::after { content: " \2195"; color: #999; font-size: .8em; }
th[aria-sort=ascending] button::after { content: " \2191"; color: var(--accent); }
th[aria-sort=descending] button::after { content: " \2193"; color: var(--accent); }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; }
  table { font-size: 8pt; }
  th, td { padding: .15rem .3rem; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  th { position: static; }
  th button::after { content: ""; }
  .tablewrap { overflow: visible; }
}
@page { margin: 15mm; }
`

// sortScript makes tables with class "sortable" sortable by clicking a header; without
// JavaScript they stay plain tables. Numeric cells carry their value in data-v.
const sortScript = `
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
`

var (
	svgHeader = regexp.MustCompile(`(?s)^.*?<svg width="[^"]*" height="[^"]*"`)
	svgDefs   = regexp.MustCompile(`(?s)<defs>\s*<style>.*?</style>\s*</defs>\s*`)
)

// inlineSVG renders a chart for embedding: no XML prologue, scalable, described for
// screen readers, and without its own copy of the font (the page carries one).
func inlineSVG(f *chart.Figure) (string, error) {
	b, err := f.Render("svg", chart.RenderOptions{})
	if err != nil {
		return "", err
	}
	s := string(b)
	s = svgHeader.ReplaceAllString(s, `<svg role="img" aria-label="`+html.EscapeString(f.Title)+`"`)
	s = svgDefs.ReplaceAllString(s, "")
	return s, nil
}

// HTML renders the report as one self-contained page: CSS, charts (inline SVG) and the
// Chinese font (for zh) are embedded; nothing is fetched.
func HTML(r *Report) ([]byte, error) {
	var b strings.Builder
	lang := "en"
	fonts := `system-ui, -apple-system, "Segoe UI", "Liberation Sans", Arial, sans-serif`
	var fontFace string
	if r.Lang == "zh" || r.usesCJK() {
		raw, err := data.FS.ReadFile("fonts/egdi-cjk.ttf")
		if err != nil {
			return nil, err
		}
		fontFace = `@font-face { font-family: "egdi CJK Sans"; src: url(data:font/ttf;base64,` + base64.StdEncoding.EncodeToString(raw) + `) format("truetype"); }`
		if r.Lang == "zh" {
			lang = "zh-CN"
			fonts = `"egdi CJK Sans", ` + fonts
		}
	}
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=%q>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", lang)
	fmt.Fprintf(&b, "<title>%s</title>\n<style>%s\n"+css+"</style>\n</head>\n<body>\n", html.EscapeString(r.Title), fontFace, fonts)
	fmt.Fprintf(&b, "<header>\n<h1>%s</h1>\n<dl class=\"meta\">\n", html.EscapeString(r.Title))
	for _, f := range r.Meta {
		fmt.Fprintf(&b, "<dt>%s</dt><dd>%s</dd>\n", html.EscapeString(f.Label), html.EscapeString(f.Value))
	}
	b.WriteString("</dl>\n</header>\n<main>\n")
	for _, blk := range r.Blocks {
		fmt.Fprintf(&b, "<section>\n<h2>%s</h2>\n", html.EscapeString(blk.Heading))
		for _, p := range blk.Text {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
		}
		for _, c := range blk.Charts {
			svg, err := inlineSVG(c.Figure)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "<figure id=\"chart-%s\">\n%s</figure>\n", c.Name, svg)
		}
		if t := blk.Table; t != nil {
			writeHTMLTable(&b, t)
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</main>\n<footer>\n")
	for _, f := range r.Meta {
		fmt.Fprintf(&b, "<p>%s: %s</p>\n", html.EscapeString(f.Label), html.EscapeString(f.Value))
	}
	b.WriteString("</footer>\n<script>" + sortScript + "</script>\n</body>\n</html>\n")
	return []byte(b.String()), nil
}

func (r *Report) usesCJK() bool {
	for _, blk := range r.Blocks {
		for _, c := range blk.Charts {
			for _, l := range c.Figure.Labels() {
				for _, ch := range l {
					if ch >= 0x2E80 {
						return true
					}
				}
			}
		}
	}
	return false
}

func writeHTMLTable(b *strings.Builder, t *Table) {
	class := ""
	if t.Sortable {
		class = ` class="sortable"`
	}
	fmt.Fprintf(b, "<div class=\"tablewrap\"><table%s>\n<thead><tr>", class)
	for _, c := range t.Columns {
		cls := ""
		if c.Kind != "text" {
			cls = ` class="n"`
		}
		fmt.Fprintf(b, "<th scope=\"col\"%s>%s</th>", cls, html.EscapeString(c.Label))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for j, c := range t.Columns {
			v := row[j]
			attr := ""
			switch x := v.(type) {
			case int, int64:
				attr = fmt.Sprintf(` class="n" data-v="%d"`, x)
			case float64:
				if !math.IsNaN(x) {
					attr = fmt.Sprintf(` class="n" data-v="%g"`, x)
				} else {
					attr = ` class="n"`
				}
			case nil:
				if c.Kind != "text" {
					attr = ` class="n"`
				}
			case string:
				if c.Key == "name" {
					attr = ` class="w"`
				}
			}
			text := cell(c, v, "−")
			if text == "" {
				text = "–"
			}
			fmt.Fprintf(b, "<td%s>%s</td>", attr, html.EscapeString(text))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table></div>\n")
}
