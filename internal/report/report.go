package report

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/version"
)

// Kinds are the reports egdi writes.
var Kinds = []string{"ranking", "profile", "compare", "transitions"}

// Formats are the output formats.
var Formats = []string{"html", "md", "xlsx", "csv", "json"}

// Report is a document before rendering.
type Report struct {
	Kind   string
	Lang   present.Lang
	Title  string
	Meta   []Field // sources, methodology, engine version, generated
	Blocks []Block
}

// Field is a labelled line of metadata.
type Field struct{ Label, Value string }

// Block is a section: a heading, then paragraphs, a table and charts.
type Block struct {
	Heading string
	Text    []string
	Table   *Table
	Charts  []Chart
}

// Chart is a figure with the file name it gets beside a Markdown report.
type Chart struct {
	Name   string
	Figure *chart.Figure
}

// Column describes a table column: its key (CSV/JSON), its header in the report's
// language, and how numbers in it are shown.
type Column struct {
	Key, Label string
	Kind       string // text, int, float, signed (+/-), pct
	Digits     int
}

// Table is a titled table; Sheet names it in Excel.
type Table struct {
	Sheet    string
	Columns  []Column
	Rows     [][]any // string, int, float64 (NaN = missing) or nil
	Sortable bool
	// stream, for a table too long to hold (a ranking of a million units, BuildFrom),
	// gives the rows instead of Rows: Len, page and each read them.
	stream *rowStream
}

// PageRows is the most rows an HTML or Markdown report shows of a table: a page a
// reader scrolls (a ranking of a million units made 291 MB of HTML). The XLSX, CSV and
// JSON forms hold every row.
const PageRows = 5000

// pageNote says that a table is longer than the page shows, and where it is whole.
func pageNote(r *Report, t *Table) string {
	n := t.Len()
	if n <= PageRows {
		return ""
	}
	return r.Lang.Tr(fmt.Sprintf("This table has %d rows; the page shows the first %d. The whole table is in the report's XLSX, CSV and JSON forms (--format xlsx|csv|json), and egdi rank and egdi export list every unit.", n, PageRows),
		fmt.Sprintf("此表共 %d 行，本页显示前 %d 行。完整表格见报告的 XLSX、CSV 和 JSON 格式（--format xlsx|csv|json），egdi rank 和 egdi export 也列出全部单位。", n, PageRows))
}

// Main is the report's principal table (the first), or nil.
func (r *Report) Main() *Table {
	for _, b := range r.Blocks {
		if b.Table != nil {
			return b.Table
		}
	}
	return nil
}

// Tables lists every table in order.
func (r *Report) Tables() []*Table {
	var out []*Table
	for _, b := range r.Blocks {
		if b.Table != nil {
			out = append(out, b.Table)
		}
	}
	return out
}

// Options choose a report's subject. Unit and Units are unit codes
// (panel.ResolveUnits).
type Options struct {
	Lang     present.Lang
	Node     string   // the node reported on (id or label; "": the root)
	Year     int      // ranking, profile, compare (0: the latest)
	Unit     string   // profile
	Units    []string // compare
	From, To int      // transitions
	Charts   bool     // draw charts (not needed for CSV or JSON)
	// Progress, when set, hears how far a long table (a ranking read row by row,
	// BuildFrom) has got: what is Reading while its facts are gathered (rows read of
	// the units ranked), then Writing as XLSX, CSV and JSON write its rows.
	Progress func(what string, done, total int)
}

// Build assembles report kind from a panel holding every year of the selection.
func Build(p *panel.Panel, kind string, o Options) (*Report, error) {
	if o.Lang == "" {
		o.Lang = "en"
	}
	node, err := p.ResolveNode(o.Node)
	if err != nil {
		return nil, err
	}
	b := &builder{p: p, sel: p.Selection, o: o, lang: o.Lang, node: node, r: &Report{Kind: kind, Lang: o.Lang},
		counts: p, groupings: p.Groupings()}
	switch kind {
	case "ranking":
		err = b.ranking()
	case "profile":
		err = b.profile()
	case "compare":
		err = b.compare()
	case "transitions":
		err = b.transitions()
	default:
		return nil, fmt.Errorf("unknown report %q; use one of %s", kind, strings.Join(Kinds, ", "))
	}
	if err != nil {
		return nil, err
	}
	return b.r, nil
}

type builder struct {
	p    *panel.Panel // a ranking read row by row: the panel of the units its charts name
	sel  *panel.Selection
	o    Options
	lang present.Lang
	node string // the node reported on
	r    *Report
	// counts are the values each run gave (the panel's, or those of the rows read);
	// groupings those the units belong to
	counts    panel.Contributor
	groupings []string
	// stream, for a ranking read row by row, is the database it reads
	stream *streamSource
}

func (b *builder) tr(en, zh string) string { return b.lang.Tr(en, zh) }

// generated is the report's timestamp; SOURCE_DATE_EPOCH fixes it for reproducible builds.
func generated() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC().Truncate(time.Second)
}

// meta states the sources of the nodes shown for years, the methodology of each year,
// the engine and the time.
func (b *builder) meta(years []int, nodes []string) {
	var methods, published []string
	for _, y := range years {
		for _, yr := range b.sel.Years {
			if yr.Year != y {
				continue
			}
			for _, r := range yr.Runs {
				if r.Source == panel.Published {
					published = append(published, fmt.Sprint(y))
					continue
				}
				methods = append(methods, fmt.Sprintf(b.tr("%d: %s, dataset %s (run %d)", "%d年：%s，数据集 %s（运行 %d）"), y, r.Method, r.Dataset, r.ID))
			}
		}
	}
	if len(published) > 0 {
		methods = append([]string{fmt.Sprintf(b.tr("%s: as published by the UN (each edition's methodology)", "%s年：联合国公布值（各版方法）"),
			strings.Join(published, b.tr(", ", "、")))}, methods...)
	}
	var sources []string
	for _, n := range present.SourcesOf(b.sel, b.counts, years, nodes, b.lang) {
		sources = append(sources, strings.TrimPrefix(strings.TrimPrefix(n, "Source: "), "来源："))
	}
	b.r.Meta = []Field{
		{b.tr("Sources", "数据来源"), strings.Join(sources, b.tr("; ", "；"))},
		{b.tr("Methodology", "方法"), strings.Join(methods, b.tr("; ", "；"))},
		{b.tr("Engine", "引擎"), "egdi " + version.Version},
		{b.tr("Generated", "生成时间"), generated().Format("2006-01-02 15:04 UTC")},
	}
}

// synthetic marks the title when any value shown is a synthetic sample.
func (b *builder) synthetic(years []int, nodes []string) {
	for _, y := range years {
		for _, n := range nodes {
			for r := range b.counts.Contributions(y, n) {
				if r.Synthetic {
					b.r.Title += b.lang.SyntheticMark()
					return
				}
			}
		}
	}
}

func (b *builder) figure(name, kind string, o chart.Options) (Chart, error) {
	o.Lang = b.lang
	if o.Node == "" {
		o.Node = b.node
	}
	if b.stream != nil {
		o.Counts = b.counts // b.p holds only the units the charts name
	}
	f, err := chart.Build(b.p, kind, o)
	if err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", name, err)
	}
	return Chart{Name: name, Figure: f}, nil
}

// short names a node in a table header: EGDI, OSI, ... or its label.
func (b *builder) short(node string) string { return present.NodeShort(b.sel, node, b.lang) }

func (b *builder) bandLabel(id string) string { return present.BandLabel(b.sel, id, b.lang) }

func (b *builder) fmtNum(v float64, digits int) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

func num(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

func value(c panel.Cell) float64 {
	if !c.OK() {
		return math.NaN()
	}
	return c.Value
}

func rankOf(c panel.Cell) any {
	if c.Rank == 0 {
		return nil
	}
	return c.Rank
}

// previous is the year before year among the panel's, or 0.
func (b *builder) previous(year int) int {
	prev := 0
	for _, y := range b.sel.YearList() {
		if y < year {
			prev = y
		}
	}
	return prev
}

// year is o.Year, or the panel's latest.
func (b *builder) year() (int, error) {
	ys := b.sel.YearList()
	if b.o.Year == 0 {
		return ys[len(ys)-1], nil
	}
	if !slices.Contains(ys, b.o.Year) {
		return 0, fmt.Errorf("no values for %d; years with data: %s", b.o.Year, yearsText(ys))
	}
	return b.o.Year, nil
}

func yearsText(ys []int) string {
	var s []string
	for _, y := range ys {
		s = append(s, fmt.Sprint(y))
	}
	return strings.Join(s, ", ")
}

// valueColumns are the table columns of nodes.
func (b *builder) valueColumns(nodes []string, digits int) []Column {
	var cols []Column
	for _, n := range nodes {
		cols = append(cols, Column{Key: n, Label: b.short(n), Kind: "float", Digits: digits})
	}
	return cols
}

// unitWord names what the units are, singular and plural.
func (b *builder) unitWord() (one, many string) {
	if b.sel.UN() {
		return b.tr("Country", "国家"), b.tr("countries", "国家")
	}
	return b.tr("Unit", "地区"), b.tr("units", "地区")
}

// grouping is the grouping a report's means are taken by: the M49 regions for Member
// States, else the units' first grouping of their own ("" when they have none).
func (b *builder) grouping() string {
	gs := b.groupings
	if slices.Contains(gs, "region") {
		return "region"
	}
	for _, g := range gs {
		if !slices.Contains(panel.M49Groupings, g) {
			return g
		}
	}
	return ""
}

// banded reports whether the node has bands: the root of a framework with bands.
func (b *builder) banded() bool {
	return b.node == b.sel.Root() && len(b.sel.Framework.Bands) > 0
}

// bandOrder is a band's position, highest first.
func (b *builder) bandOrder(id string) int {
	if i := slices.Index(present.BandIDs(b.sel), id); i >= 0 {
		return i
	}
	return len(b.sel.Framework.Bands)
}

type acc struct {
	sum float64
	n   int
}

func (a *acc) add(v float64) {
	if !math.IsNaN(v) {
		a.sum += v
		a.n++
	}
}

func (a acc) mean() float64 {
	if a.n == 0 {
		return math.NaN()
	}
	return a.sum / float64(a.n)
}

// capital is s with its first letter in upper case.
func capital(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
