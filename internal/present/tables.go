package present

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
)

// text reports whether a table is for reading (labels) rather than for machines (ids).
func text(format string) bool { return format == "" || format == "table" }

func num(c panel.Cell) any {
	if !c.OK() {
		return nil
	}
	return c.Value
}

func rank(c panel.Cell) any {
	if !c.OK() || c.Rank == 0 {
		return nil
	}
	return c.Rank
}

func nan(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// headersFor gives a table's columns their reader's names: nodes by their label (the
// UN's indices by acronym), other columns in Chinese under --lang zh. A long English
// label would make a terminal table too wide to read: such a node keeps its id, and
// the legend (a note for under the table) says what the id stands for.
func headersFor(sel *panel.Selection, cols []string, nodes map[string]bool, lang Lang) (hs []string, legend []string) {
	changed := false
	for _, c := range cols {
		h := c
		switch {
		case nodes[c]:
			h = NodeHeader(sel, c, lang)
			if h == c && NodeShort(sel, c, lang) != c {
				legend = append(legend, c+" = "+NodeShort(sel, c, lang))
			}
		case lang.ZH() && headers[c] != "":
			h = headers[c]
		}
		changed = changed || h != c
		hs = append(hs, h)
	}
	if len(legend) > 0 {
		legend = []string{"Columns: " + strings.Join(legend, "; ")}
	}
	if !changed {
		return nil, legend
	}
	return hs, legend
}

// NodeHeader names a node in a terminal table's header: its short name, or its id
// when that is a long English label.
func NodeHeader(sel *panel.Selection, node string, lang Lang) string {
	s := NodeShort(sel, node, lang)
	if !lang.ZH() && len(s) > 18 {
		return node
	}
	return s
}

// bandCells are a row's band (and class) cells, labels in a text table.
func bandCells(sel *panel.Selection, row panel.Row, classes bool, lang Lang, format string) []any {
	b, c := any(nil), any(nil)
	if row.Band != "" {
		b = row.Band
		if text(format) {
			b = BandLabel(sel, row.Band, lang)
		}
	}
	if row.Class != "" {
		c = row.Class
	}
	if classes {
		return []any{b, c}
	}
	return []any{b}
}

// showsBand reports whether a table of node has a band column: for the UN's index
// always (the EGDI group), else for the root of a framework with bands.
func showsBand(sel *panel.Selection, node string) bool {
	return sel.UN() || (node == sel.Root() && len(sel.Framework.Bands) > 0)
}

// showsClass reports whether it also has a class column.
func showsClass(sel *panel.Selection, node string) bool {
	return showsBand(sel, node) && (sel.UN() || len(sel.Framework.Classes) > 0)
}

// RankColumns are the columns of a ranking's table.
func RankColumns(sel *panel.Selection, node string, cols []string) []string {
	out := append([]string{"unit", "name", "year"}, cols...)
	out = append(out, "rank")
	if showsBand(sel, node) {
		out = append(out, BandKey(sel))
		if showsClass(sel, node) {
			out = append(out, "class")
		}
	}
	return append(out, "source")
}

// Ranking is the table of egdi rank.
func Ranking(r *query.Ranking, lang Lang, format string) *output.Table {
	p := r.Panel
	cols := RankColumns(p.Selection, r.Node, r.Columns)
	t := &output.Table{Columns: cols, Digits: Digits(p.Selection, r.Year)}
	k := p.Node(r.Node)
	pos := make([]int, len(r.Columns))
	for i, c := range r.Columns {
		pos[i] = p.Node(c)
	}
	for _, row := range r.Rows {
		cells := []any{row.Unit.Code, Name(row.Unit, lang), row.Year}
		for _, i := range pos {
			if i < 0 {
				cells = append(cells, nil)
			} else {
				cells = append(cells, num(row.Cells[i]))
			}
		}
		cells = append(cells, rank(row.Cells[k]))
		if showsBand(p.Selection, r.Node) {
			cells = append(cells, bandCells(p.Selection, row, showsClass(p.Selection, r.Node), lang, format)...)
		}
		t.Rows = append(t.Rows, append(cells, sourceText(query.Source(row, pos), lang, format)))
	}
	nodes := map[string]bool{}
	for _, c := range r.Columns {
		nodes[c] = true
	}
	var legend []string
	t.Headers, legend = headersFor(p.Selection, cols, nodes, lang)
	t.Notes = append(legend, Sources(p, []int{r.Year}, r.Columns, lang)...)
	if s := NotAssessed(r.NotAssessed, r.Year, lang); s != "" {
		t.Notes = append(t.Notes, s)
	}
	return t
}

// Summary is the table of egdi summary: year, key, count, share and the means of the
// node and its children.
func Summary(s *query.Summary, lang Lang, format string) *output.Table {
	p := s.Panel
	t := &output.Table{Columns: []string{"year", "key", "count", "share"}, Digits: Digits(p.Selection, 0)}
	for _, c := range s.Columns {
		t.Columns = append(t.Columns, "mean_"+c)
	}
	t.Columns = append(t.Columns, "source")
	for _, r := range s.Rows {
		var key any = r.Key
		switch {
		case s.By != "band" && s.By != "class":
			key = r.Group.In(string(lang))
		case text(format):
			key = BandLabel(p.Selection, r.Key, lang)
		}
		row := []any{r.Year, key, r.Count, r.Share}
		for _, m := range r.Means {
			row = append(row, nan(m))
		}
		t.Rows = append(t.Rows, append(row, sourceText(r.Source, lang, format)))
	}
	if lang.ZH() || !p.UN() {
		t.Headers = []string{"year", "key", "count", "share"}
		if lang.ZH() {
			t.Headers = []string{headers["year"], headers["key"], headers["count"], headers["share"]}
		}
		var legend []string
		for _, c := range s.Columns {
			h := NodeHeader(p.Selection, c, lang)
			if h == c && NodeShort(p.Selection, c, lang) != c {
				legend = append(legend, c+" = "+NodeShort(p.Selection, c, lang))
			}
			t.Headers = append(t.Headers, lang.Tr("mean "+h, h+"均值"))
		}
		t.Headers = append(t.Headers, lang.Tr("source", headers["source"]))
		if len(legend) > 0 {
			t.Notes = append(t.Notes, "Columns: "+strings.Join(legend, "; "))
		}
	}
	t.Notes = append(t.Notes, Sources(p, yearsOf(s.Rows), s.Columns, lang)...)
	return t
}

func yearsOf(rows []query.SummaryRow) []int {
	var out []int
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1] != r.Year {
			out = append(out, r.Year)
		}
	}
	return out
}

// Trend is the table of egdi trend: unit, name, year, value, rank, band and source.
func Trend(tr *query.Trend, lang Lang, format string) *output.Table {
	p := tr.Panel
	cols := []string{"unit", "name", "year", "value", "rank", "change", "cagr"}
	band := showsBand(p.Selection, tr.Node)
	if band {
		cols = append(cols, BandKey(p.Selection))
	}
	cols = append(cols, "source")
	t := &output.Table{Columns: cols, Digits: Digits(p.Selection, 0)}
	for _, pt := range tr.Points {
		row := []any{pt.Unit.Code, Name(pt.Unit, lang), pt.Year, num(pt.Cell), rank(pt.Cell), nan(pt.Change), nan(pt.CAGR)}
		if band {
			row = append(row, bandCells(p.Selection, panel.Row{Band: pt.Band}, false, lang, format)...)
		}
		t.Rows = append(t.Rows, append(row, sourceText(pt.Cell.Run.Source, lang, format)))
	}
	t.Headers, _ = headersFor(p.Selection, cols, nil, lang)
	if t.Headers == nil && !p.UN() {
		t.Headers = append([]string{}, cols...)
	}
	if t.Headers != nil {
		t.Headers[3] = NodeHeader(p.Selection, tr.Node, lang)
	}
	t.Notes = Sources(p, tr.Years, []string{tr.Node}, lang)
	return t
}

// Comparison is the table of egdi compare: one row per node, one column per unit, then
// each further unit's difference from the first; then the rank and the band.
func Comparison(c *query.Comparison, lang Lang, format string) *output.Table {
	p := c.Panel
	first := "node"
	if p.UN() {
		first = "index"
	}
	t := &output.Table{Columns: []string{first}, Digits: Digits(p.Selection, c.Year)}
	for _, r := range c.Rows {
		t.Columns = append(t.Columns, strings.ToLower(r.Unit.Code))
	}
	base := c.Rows[0]
	for _, r := range c.Rows[1:] {
		t.Columns = append(t.Columns, strings.ToLower(r.Unit.Code)+"_minus_"+strings.ToLower(base.Unit.Code))
	}
	t.Columns = append(t.Columns, "source")
	for _, n := range c.Nodes {
		i := p.Node(n)
		label := n
		if text(format) {
			label = NodeShort(p.Selection, n, lang)
		}
		row := []any{label}
		for _, r := range c.Rows {
			if i < 0 {
				row = append(row, nil)
			} else {
				row = append(row, num(r.Cells[i]))
			}
		}
		for _, r := range c.Rows[1:] {
			if i >= 0 && r.Cells[i].OK() && base.Cells[i].OK() {
				row = append(row, r.Cells[i].Value-base.Cells[i].Value)
			} else {
				row = append(row, nil)
			}
		}
		src := ""
		for _, r := range c.Rows {
			switch s := query.Source(r, []int{i}); {
			case src == "":
				src = s
			case s != "" && s != src:
				src = "mixed"
			}
		}
		t.Rows = append(t.Rows, append(row, sourceText(src, lang, format)))
	}
	k := p.Node(c.Node)
	rankRow := []any{"rank"}
	for _, r := range c.Rows {
		rankRow = append(rankRow, rank(r.Cells[k]))
	}
	for _, r := range c.Rows[1:] {
		if r.Cells[k].Rank > 0 && base.Cells[k].Rank > 0 {
			rankRow = append(rankRow, r.Cells[k].Rank-base.Cells[k].Rank)
		} else {
			rankRow = append(rankRow, nil)
		}
	}
	t.Rows = append(t.Rows, append(rankRow, nil))
	if showsBand(p.Selection, c.Node) {
		bandRow := []any{BandKey(p.Selection)}
		for _, r := range c.Rows {
			bandRow = append(bandRow, bandCells(p.Selection, r, false, lang, format)...)
		}
		for range c.Rows[1:] {
			bandRow = append(bandRow, nil)
		}
		t.Rows = append(t.Rows, append(bandRow, nil))
	}
	if text(format) {
		t.Headers = []string{lang.Tr(first, headers[first])}
		for _, r := range c.Rows {
			t.Headers = append(t.Headers, Name(r.Unit, lang))
		}
		for _, r := range c.Rows[1:] {
			t.Headers = append(t.Headers, Name(r.Unit, lang)+" − "+Name(base.Unit, lang))
		}
		t.Headers = append(t.Headers, lang.Tr("source", headers["source"]))
		for _, row := range t.Rows[len(c.Nodes):] {
			row[0] = lang.Tr(row[0].(string), headers[row[0].(string)])
		}
	}
	t.Notes = Sources(p, []int{c.Year}, c.Nodes, lang)
	return t
}

// sourceText is a row's source: its id (published, computed, mixed), in Chinese in a
// text table under --lang zh.
func sourceText(s string, lang Lang, format string) any {
	if s == "" {
		return nil
	}
	if text(format) && lang.ZH() {
		return map[string]string{"published": "公布", "computed": "计算", "mixed": "混合"}[s]
	}
	return s
}

// Findings is the table of egdi check.
func Findings(fs []query.Finding, lang Lang) *output.Table {
	t := &output.Table{Columns: []string{"year", "unit", "name", "check", "severity", "detail"}}
	for _, f := range fs {
		t.Rows = append(t.Rows, []any{f.Year, f.Unit, f.Name, f.Check, f.Severity, f.Detail})
	}
	if lang.ZH() {
		for _, c := range t.Columns {
			t.Headers = append(t.Headers, headers[c])
		}
	}
	return t
}

// Catalogue are the tables of egdi datasets: datasets, published editions, groupings
// and runs.
func Catalogue(c *query.Catalogue, lang Lang) []*output.Table {
	ds := &output.Table{Columns: []string{"dataset", "synthetic", "units", "values", "years", "indicators", "description"}}
	for _, d := range c.Datasets {
		inds := strings.Join(d.Indicators, " ")
		if len(d.Indicators) > 12 { // all of them in JSON
			inds = strings.Join(d.Indicators[:10], " ") + fmt.Sprintf(" … (%d)", len(d.Indicators))
		}
		ds.Rows = append(ds.Rows, []any{d.Name, d.Synthetic, d.Units, d.Values, ints(d.Years), inds, d.Description})
	}
	pub := &output.Table{Columns: []string{"year", "file", "run", "listed", "scored", "not_assessed", "placeholders"}}
	for _, e := range c.Published {
		pub.Rows = append(pub.Rows, []any{e.Year, e.File, e.Run, e.Listed, e.Scored, len(e.NotAssessed), len(e.Placeholders)})
	}
	gs := &output.Table{Columns: []string{"grouping", "units", "groups"}}
	for _, g := range c.Groupings {
		groups := strings.Join(g.Groups, ", ")
		if len(g.Groups) > 6 {
			groups = strings.Join(g.Groups[:6], ", ") + fmt.Sprintf(", … (%d)", len(g.Groups))
		}
		gs.Rows = append(gs.Rows, []any{g.Name, g.Units, groups})
	}
	runs := &output.Table{Columns: []string{"run", "dataset", "year", "source", "method", "nodes", "inputs", "engine", "at"}}
	for _, r := range c.Runs {
		var nodes []string
		for _, n := range r.NodeOrder {
			if r.Nodes[n] > 0 {
				nodes = append(nodes, fmt.Sprintf("%s %d", n, r.Nodes[n]))
			}
		}
		inputs := r.Inputs
		if len(inputs) > 12 {
			inputs = inputs[:12]
		}
		runs.Rows = append(runs.Rows, []any{r.ID, r.Dataset, r.Year, r.Source, r.Method, strings.Join(nodes, ", "), inputs, r.Engine, r.At.Format("2006-01-02 15:04")})
	}
	if lang.ZH() {
		zh := map[string]string{"dataset": "数据集", "synthetic": "合成", "units": "地区数", "values": "数值个数", "years": "年份", "indicators": "指标",
			"description": "说明", "year": "年份", "file": "文件", "run": "运行", "listed": "列出", "scored": "有得分", "not_assessed": "未参评",
			"placeholders": "占位", "grouping": "分组方式", "groups": "分组", "source": "来源", "method": "方法", "nodes": "节点", "inputs": "输入校验",
			"engine": "引擎", "at": "时间"}
		for _, t := range []*output.Table{ds, pub, gs, runs} {
			for _, col := range t.Columns {
				t.Headers = append(t.Headers, zh[col])
			}
		}
	}
	return []*output.Table{ds, pub, gs, runs}
}

func ints(ys []int) string {
	var s []string
	for _, y := range ys {
		s = append(s, fmt.Sprint(y))
	}
	return strings.Join(s, " ")
}

// RankStream is the CSV of a ranking from query.RankSQL (rankSQL, its columns cols):
// the SQL of the columns of Ranking's table, with ids rather than labels and unit names
// in lang, the columns, and the ORDER BY of the rows (output.StreamCSV's arguments).
func RankStream(sel *panel.Selection, node string, cols []string, rankSQL string, lang Lang) (q string, columns []string, order string) {
	columns = RankColumns(sel, node, cols)
	name := "name"
	if lang.ZH() {
		name = "CASE WHEN name_zh IS NOT NULL AND name_zh <> '' THEN name_zh ELSE name END"
	}
	sel2 := []string{"unit", name + " AS name", "year"}
	for i, c := range cols {
		sel2 = append(sel2, fmt.Sprintf(`v%d AS %s`, i, store.Ident(c)))
	}
	sel2 = append(sel2, "rank")
	if showsBand(sel, node) {
		sel2 = append(sel2, "band AS "+store.Ident(BandKey(sel)))
		if showsClass(sel, node) {
			sel2 = append(sel2, "class")
		}
	}
	sel2 = append(sel2, "source")
	q = "SELECT " + strings.Join(sel2, ", ") + " FROM (" + rankSQL + ")"
	return q, columns, query.RankOrder("q")
}

// CatalogueJSON writes the catalogue as one JSON object: datasets, published, groupings
// and runs, with snake_case keys.
func CatalogueJSON(w io.Writer, c *query.Catalogue) error {
	type dataset struct {
		Dataset     string   `json:"dataset"`
		Synthetic   bool     `json:"synthetic"`
		Description string   `json:"description"`
		Units       int      `json:"units"`
		Values      int64    `json:"values"`
		Years       []int    `json:"years"`
		Indicators  []string `json:"indicators"`
	}
	type edition struct {
		Year         int      `json:"year"`
		File         string   `json:"file"`
		Run          int      `json:"run"`
		Listed       int      `json:"listed"`
		Scored       int      `json:"scored"`
		NotAssessed  []string `json:"not_assessed"`
		Placeholders []string `json:"placeholders"`
	}
	type grouping struct {
		Grouping string   `json:"grouping"`
		M49      bool     `json:"m49"`
		Units    int      `json:"units"`
		Groups   []string `json:"groups"`
	}
	type run struct {
		Run       int            `json:"run"`
		Dataset   string         `json:"dataset"`
		Year      int            `json:"year"`
		Source    string         `json:"source"`
		Method    string         `json:"method"`
		Framework string         `json:"framework"`
		Origin    string         `json:"origin"`
		Root      string         `json:"root"`
		Nodes     map[string]int `json:"nodes"`
		Excluded  int            `json:"excluded"`
		Inputs    string         `json:"inputs_checksum"`
		InputRows int64          `json:"inputs_rows"`
		Engine    string         `json:"engine_version"`
		At        string         `json:"at"`
		Synthetic bool           `json:"synthetic"`
	}
	doc := struct {
		Datasets  []dataset  `json:"datasets"`
		Published []edition  `json:"published"`
		Groupings []grouping `json:"groupings"`
		Runs      []run      `json:"runs"`
	}{Datasets: []dataset{}, Published: []edition{}, Groupings: []grouping{}, Runs: []run{}}
	for _, d := range c.Datasets {
		doc.Datasets = append(doc.Datasets, dataset{d.Name, d.Synthetic, d.Description, d.Units, d.Values, orEmpty(d.Years), orEmptyS(d.Indicators)})
	}
	for _, e := range c.Published {
		doc.Published = append(doc.Published, edition{e.Year, e.File, e.Run, e.Listed, e.Scored, orEmptyS(e.NotAssessed), orEmptyS(e.Placeholders)})
	}
	for _, g := range c.Groupings {
		doc.Groupings = append(doc.Groupings, grouping{g.Name, g.M49, g.Units, orEmptyS(g.Groups)})
	}
	for _, r := range c.Runs {
		doc.Runs = append(doc.Runs, run{r.ID, r.Dataset, r.Year, r.Source, r.Method, r.Framework, r.Origin, r.Root, r.Nodes, r.Excluded,
			r.Inputs, r.InputRows, r.Engine, r.At.UTC().Format(time.RFC3339), r.Synthetic})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func orEmpty(x []int) []int {
	if x == nil {
		return []int{}
	}
	return x
}

func orEmptyS(x []string) []string {
	if x == nil {
		return []string{}
	}
	return x
}

// ExportView is an export (query.Export) as the file shows it: the columns of
// query.ExportColumns, unit names in lang.
func ExportView(exportSQL string, lang Lang) string {
	name := "name"
	if lang.ZH() {
		name = "CASE WHEN name_zh IS NOT NULL AND name_zh <> '' THEN name_zh ELSE name END"
	}
	return "SELECT * REPLACE (" + name + " AS name) FROM (" + exportSQL + ")"
}
