package serve

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"strconv"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
)

//go:embed assets
var assets embed.FS

var pageNames = []string{"map", "ranking", "unit", "compare", "error"}

func parsePages() (map[string]*template.Template, error) {
	fm := template.FuncMap{
		"tr": func(l present.Lang, en, zh string) string { return l.Tr(en, zh) },
	}
	out := map[string]*template.Template{}
	for _, n := range pageNames {
		t, err := template.New(n).Funcs(fm).ParseFS(assets, "assets/layout.html", "assets/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

// page is what the layout shows around a page's content.
type page struct {
	Lang      present.Lang
	Title     string
	Active    string
	Nav       []navItem
	LangLink  string
	LangLabel string
	Controls  []control
	Hidden    []hidden
	Action    string
	Synthetic bool
	Sources   []string
	Body      any
}

type navItem struct {
	Key, Label, Href string
}

type control struct {
	Name, Label string
	Options     []option
}

type option struct {
	Value, Label string
	Selected     bool
}

type hidden struct{ Name, Value string }

// htable is a table as the page shows it: sortable by clicking a header (app.js).
type htable struct {
	ID      string
	Headers []hcol
	Rows    []hrow
	Notes   []string
}

type hcol struct {
	Label string
	Num   bool
}

type hrow struct {
	Unit  string // data-unit, for tests and the filter box
	Cells []hcell
}

type hcell struct {
	Text, Sort, Href string
	Num              bool
}

// tableOf is an output table (present's) as a page table: floats with the table's
// digits and their full value to sort by, missing values as a dash, the unit column
// linked to the unit's page by link.
func tableOf(t *output.Table, id string, lang present.Lang, link func(code string) string) *htable {
	h := &htable{ID: id, Notes: t.Notes}
	digits := t.Digits
	if digits == 0 {
		digits = 4
	}
	unitCol := -1
	for i, c := range t.Columns {
		label := c
		if i < len(t.Headers) && t.Headers[i] != "" {
			label = t.Headers[i]
		}
		if w, ok := headerWords[label]; ok {
			label = lang.Tr(w[0], w[1])
		}
		if c == "unit" {
			unitCol = i
		}
		h.Headers = append(h.Headers, hcol{Label: label})
	}
	for _, r := range t.Rows {
		var row hrow
		for i, v := range r {
			c := cellOf(v, digits)
			if w, ok := headerWords[c.Text]; ok && i == 0 && id == "comparison" {
				c.Text = lang.Tr(w[0], w[1]) // the rank and group rows
			}
			if i == unitCol && link != nil {
				row.Unit = c.Text
				c.Href = link(c.Text)
			}
			if c.Num && i < len(h.Headers) {
				h.Headers[i].Num = true
			}
			row.Cells = append(row.Cells, c)
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

// headerWords name the columns present leaves as ids in a table.
var headerWords = map[string][2]string{
	"unit": {"Code", "代码"}, "name": {"Name", "名称"}, "year": {"Year", "年份"}, "value": {"Value", "数值"},
	"rank": {"Rank", "排名"}, "change": {"Change", "变化"}, "cagr": {"Growth a year", "年均增长"},
	"group": {"Group", "组别"}, "band": {"Band", "等级"}, "class": {"Class", "评级"}, "source": {"Source", "来源"},
	"node": {"Index", "指数"}, "index": {"Index", "指数"},
}

func cellOf(v any, digits int) hcell {
	switch x := v.(type) {
	case nil:
		return hcell{Text: "–", Sort: ""}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return hcell{Text: "–", Num: true}
		}
		return hcell{Text: strconv.FormatFloat(x, 'f', digits, 64), Sort: strconv.FormatFloat(x, 'g', -1, 64), Num: true}
	case int:
		return hcell{Text: strconv.Itoa(x), Sort: strconv.Itoa(x), Num: true}
	case int64:
		return hcell{Text: strconv.FormatInt(x, 10), Sort: strconv.FormatInt(x, 10), Num: true}
	case string:
		return hcell{Text: x, Sort: x}
	}
	s := fmt.Sprint(v)
	return hcell{Text: s, Sort: s}
}

// figure is a chart as an image the page shows: SVG in a data: URL, so whatever text
// it holds is never read as markup or script.
type figure struct {
	Src    template.URL
	Alt    string
	Source []string
}

func figureOf(f *chart.Figure, err error) (*figure, error) {
	if err != nil {
		return nil, err
	}
	svg, err := f.Render("svg", chart.RenderOptions{})
	if err != nil {
		return nil, err
	}
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:]
	}
	return &figure{Src: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)), Alt: f.Title, Source: f.Source}, nil
}
