package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	htmltemplate "html/template"
	"math"
	"regexp"

	"github.com/egdi/egdi/data"
	"github.com/egdi/egdi/internal/chart"
)

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

// htmlPage is what the HTML template is given (see reports/templates/report.html.tmpl).
type htmlPage struct {
	Lang, Kind, Title string
	Colon             string // between a label and its value: ": ", or "：" in Chinese
	Meta              []Field
	Blocks            []htmlBlock
	Fonts, FontFace   htmltemplate.CSS
	Style             htmltemplate.CSS
	Script            htmltemplate.JS
}

type htmlBlock struct {
	Heading string
	Text    []string
	Charts  []htmlChart
	Table   *htmlTable
}

type htmlChart struct {
	ID  string
	SVG htmltemplate.HTML
}

type htmlTable struct {
	Sortable bool
	Columns  []htmlColumn
	Rows     [][]htmlCell
}

type htmlColumn struct {
	Label   string
	Numeric bool
}

// htmlCell is a cell as shown; Sort is the number a sortable table sorts it by.
type htmlCell struct {
	Text, Sort    string
	Numeric, Wrap bool
}

// HTML renders the report with templates t (nil: egdi's own) as one self-contained
// page: CSS, charts (inline SVG) and the Chinese font (for zh) are embedded; nothing is
// fetched.
func HTML(r *Report, t *Templates) ([]byte, error) {
	if t == nil {
		t = DefaultTemplates()
	}
	pg := htmlPage{Lang: "en", Kind: r.Kind, Title: r.Title, Meta: r.Meta, Colon: r.Lang.Tr(": ", "："),
		Fonts:  `system-ui, -apple-system, "Segoe UI", "Liberation Sans", Arial, sans-serif`,
		Style:  htmltemplate.CSS(t.style),
		Script: htmltemplate.JS(t.script)}
	if r.Lang == "zh" || r.usesCJK() {
		raw, err := data.FS.ReadFile("fonts/egdi-cjk.ttf")
		if err != nil {
			return nil, err
		}
		pg.FontFace = htmltemplate.CSS(`@font-face { font-family: "egdi CJK Sans"; src: url(data:font/ttf;base64,` + base64.StdEncoding.EncodeToString(raw) + `) format("truetype"); }`)
		if r.Lang == "zh" {
			pg.Lang = "zh-CN"
			pg.Fonts = `"egdi CJK Sans", ` + pg.Fonts
		}
	}
	for _, blk := range r.Blocks {
		hb := htmlBlock{Heading: blk.Heading, Text: blk.Text}
		for _, c := range blk.Charts {
			svg, err := inlineSVG(c.Figure)
			if err != nil {
				return nil, err
			}
			hb.Charts = append(hb.Charts, htmlChart{ID: c.Name, SVG: htmltemplate.HTML(svg)})
		}
		if blk.Table != nil {
			hb.Table = htmlTableOf(blk.Table)
			if note := pageNote(r, blk.Table); note != "" {
				hb.Text = append(append([]string(nil), hb.Text...), note)
			}
		}
		pg.Blocks = append(pg.Blocks, hb)
	}
	return execute(func(b *bytes.Buffer) error { return t.html.Execute(b, pg) })
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

// htmlTableOf shows a table's cells as a reader sees them, numbers with the value they
// sort by.
func htmlTableOf(t *Table) *htmlTable {
	ht := &htmlTable{Sortable: t.Sortable}
	for _, c := range t.Columns {
		ht.Columns = append(ht.Columns, htmlColumn{Label: c.Label, Numeric: c.Kind != "text"})
	}
	for _, row := range t.page() {
		cells := make([]htmlCell, len(t.Columns))
		for j, c := range t.Columns {
			v := row[j]
			var hc htmlCell
			switch x := v.(type) {
			case int, int64:
				hc.Numeric, hc.Sort = true, fmt.Sprintf("%d", x)
			case float64:
				hc.Numeric = true
				if !math.IsNaN(x) {
					hc.Sort = fmt.Sprintf("%g", x)
				}
			case nil:
				hc.Numeric = c.Kind != "text"
			case string:
				hc.Wrap = c.Key == "name"
			}
			hc.Text = cell(c, v, "−")
			if hc.Text == "" {
				hc.Text = "–"
			}
			cells[j] = hc
		}
		ht.Rows = append(ht.Rows, cells)
	}
	return ht
}
