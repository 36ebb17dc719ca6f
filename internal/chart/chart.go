package chart

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/refdata"
)

// Kinds are the charts egdi draws.
var Kinds = []string{"trend", "groups", "ranking", "regions", "components", "scatter", "distribution", "movers"}

// Options choose what a chart shows; each kind reads the fields it needs. Units and
// Highlight are unit codes (panel.ResolveUnits).
type Options struct {
	Lang  present.Lang
	Font  *Font // nil: the built-in font for the language
	Title string

	Node        string   // trend, ranking, regions, components, distribution, movers: any node ("": the root)
	Rank        bool     // trend: the node's rank instead of its value
	Units       []string // trend, ranking, components; scatter: units to label
	Years       []int    // groups, regions; ranking, components, scatter, distribution use the first
	From, To    int      // trend; movers compares From with To
	Top, Bottom int      // ranking; movers: Top gains and losses
	Highlight   string   // ranking
	By          string   // groups: band or class; regions, distribution: a grouping (region, subregion, ldc, economic_region, ...)
	Share       bool     // groups: shares instead of counts
	X, Y        string   // scatter: two nodes
	Style       string   // distribution: box or hist

	// Summary, for groups and regions, is the summary drawn instead of one made from
	// the panel; Counts, for any chart, are the values counted for its source lines
	// instead of the panel's. A report over more units than it holds in memory reads
	// them row by row (panel.Stream), summarising and counting as it goes
	// (query.Summariser, panel.Counts), and gives charts a panel of only the units they
	// name. Summary must be the one the chart asks for (its years, By and node).
	Summary *query.Summary
	Counts  panel.Contributor
}

// Build draws chart kind from a panel that holds the years and units it needs
// (Years: the years a kind reads from a panel holding more).
func Build(p *panel.Panel, kind string, o Options) (*Figure, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, fmt.Errorf("unknown chart %q; use one of %s", kind, strings.Join(Kinds, ", "))
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	fnt := o.Font
	if fnt == nil {
		fnt = latin
		if o.Lang.ZH() {
			var err error
			if fnt, err = CJKFont(); err != nil {
				return nil, err
			}
		}
	}
	f, err := build(p, kind, o, fnt)
	if err != nil || o.Font != nil || fnt != latin {
		return f, err
	}
	// English chart with names outside Latin-1 (e.g. Chinese province names): redraw
	// with the font that has them.
	for _, s := range append(f.Labels(), f.plotTexts()...) {
		if len(latin.missing(s)) > 0 {
			cjk, err := CJKFont()
			if err != nil {
				return nil, err
			}
			return build(p, kind, o, cjk)
		}
	}
	return f, nil
}

func build(p *panel.Panel, kind string, o Options, fnt *Font) (*Figure, error) {
	b := &builder{p: p, sel: p.Selection, o: o, lang: o.Lang, f: &Figure{Kind: kind, font: fnt, Width: 16 * vg.Centimeter, Height: 10 * vg.Centimeter}}
	var err error
	switch kind {
	case "trend":
		err = b.trend()
	case "groups":
		err = b.groups()
	case "ranking":
		err = b.ranking()
	case "regions":
		err = b.regions()
	case "components":
		err = b.components()
	case "scatter":
		err = b.scatter()
	case "distribution":
		err = b.distribution()
	case "movers":
		err = b.movers()
	}
	if err != nil {
		return nil, err
	}
	if o.Title != "" {
		b.f.Title = o.Title
	}
	if b.synthetic {
		b.f.Title += b.lang.SyntheticMark()
	}
	return b.f, nil
}

type builder struct {
	p         *panel.Panel
	sel       *panel.Selection
	o         Options
	lang      present.Lang
	f         *Figure
	synthetic bool // some of the data shown are a synthetic sample
}

func (b *builder) tr(en, zh string) string { return b.lang.Tr(en, zh) }

// sources sets the figure's source lines for the values of nodes in years, and notes
// whether they include synthetic data.
func (b *builder) sources(years []int, nodes ...string) {
	var c panel.Contributor = b.p
	if b.o.Counts != nil {
		c = b.o.Counts
	}
	b.f.Source = present.SourcesOf(b.sel, c, years, nodes, b.lang)
	for _, y := range years {
		for _, n := range nodes {
			for r := range c.Contributions(y, n) {
				b.synthetic = b.synthetic || r.Synthetic
			}
		}
	}
}

// summary is Options.Summary when given (it must be the one req asks for), else the
// panel's.
func (b *builder) summary(req query.SummaryRequest) (*query.Summary, error) {
	s := b.o.Summary
	if s == nil {
		return query.Summarise(b.p, req)
	}
	node, err := b.sel.ResolveNode(req.Node)
	if err != nil {
		return nil, err
	}
	by := req.By
	if by == "group" {
		by = "band"
	}
	var years []int
	for _, r := range s.Rows {
		if !slices.Contains(years, r.Year) {
			years = append(years, r.Year)
		}
	}
	for _, y := range years {
		if !slices.Contains(req.Years, y) {
			years = nil
		}
	}
	if s.Node != node || (by != "" && s.By != by) || (len(s.Rows) > 0 && years == nil) {
		return nil, fmt.Errorf("the summary given is of %s by %s, not the chart's %s by %s in %v", s.Node, s.By, node, by, req.Years)
	}
	return s, nil
}

// node resolves a node option ("": the root).
func (b *builder) node(name string) (string, error) { return b.sel.ResolveNode(name) }

// short names a node in titles and legends: EGDI, OSI, ... or its label.
func (b *builder) short(node string) string { return present.NodeShort(b.sel, node, b.lang) }

// long names a node in titles: "Online Service Index (OSI)", or its label.
func (b *builder) long(node string) string { return present.NodeName(b.sel, node, b.lang) }

// scale is the top of the value axis: 1, or 100 for frameworks on 0–100.
func (b *builder) scale() float64 { return b.sel.Framework.Scale }

// axis labels a value axis of node: its name and range.
func (b *builder) axis(node string) string { return b.short(node) + present.Range(b.sel, b.lang) }

// rankAxis labels a rank axis of node.
func (b *builder) rankAxis(node string) string {
	if node == b.sel.Root() && b.sel.UN() {
		return b.tr("EGDI rank (1 = highest)", "EGDI排名（1为最高）")
	}
	if node == b.sel.Root() {
		return b.tr("Rank (1 = highest)", "排名（1为最高）")
	}
	return b.short(node) + b.tr(" rank (1 = highest)", "排名（1为最高）")
}

// units is what the chart counts: countries for the UN survey, units otherwise.
func (b *builder) unitsWord() string {
	if b.sel.UN() {
		return b.tr("Number of countries", "国家数量")
	}
	return b.tr("Number of units", "地区数量")
}

// bandIDs are the band ids, highest first.
func (b *builder) bandIDs() []string { return present.BandIDs(b.sel) }

func (b *builder) bandLabel(id string) string { return present.BandLabel(b.sel, id, b.lang) }

// bandColor is a band's colour: the UN groups' fixed colours, else a dark-to-light
// blue by the band's position.
func (b *builder) bandColor(id string) color.Color {
	if b.sel.UN() {
		if c, ok := groupColors[id]; ok {
			return c
		}
	}
	ids := b.bandIDs()
	ramp := []color.Color{groupColors["very_high"], groupColors["high"], groupColors["middle"], groupColors["low"]}
	for i, g := range ids {
		if g == id {
			return ramp[min(i*len(ramp)/max(len(ids), 1), len(ramp)-1)]
		}
	}
	return seriesColors[0]
}

// nodeColor is a node's colour: the UN indices' fixed ones, else a series colour by
// its position among the nodes shown.
func (b *builder) nodeColor(node string, i int) color.Color {
	if b.sel.UN() {
		if c, ok := indexColors[node]; ok {
			return c
		}
	}
	return seriesColor(i)
}

// name is a unit's name in the chart: in English the common short name of a Member
// State whose UN name is long.
func (b *builder) name(u *panel.Unit) string {
	if !b.lang.ZH() {
		if c := refdata.ByISO3(u.Code); c != nil && c.Short != "" && u.Name == c.Name {
			return c.Short
		}
	}
	return present.Name(u, b.lang)
}

// year is the single year a chart shows: the first of Years, else the latest.
func (b *builder) year() int {
	if len(b.o.Years) > 0 {
		return b.o.Years[0]
	}
	ys := b.p.YearList()
	return ys[len(ys)-1]
}

// years are the years a chart shows: Years, else def (nil: every year of the panel).
func (b *builder) years(def []int) []int {
	if len(b.o.Years) > 0 {
		return b.o.Years
	}
	if def != nil {
		return def
	}
	return b.p.YearList()
}

func (b *builder) fmtValue(v float64, digits int) string { return fmt.Sprintf("%.*f", digits, v) }

// yearSpan is "2003–2022" (or one year).
func yearSpan(ys []int) string {
	if len(ys) == 0 {
		return ""
	}
	a, z := ys[0], ys[len(ys)-1]
	if a == z {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d–%d", a, z)
}

func (b *builder) yearText(s string) string {
	if b.lang.ZH() {
		return s + "年"
	}
	return s
}

func (b *builder) yearList(ys []int) string {
	var s []string
	for _, y := range ys {
		s = append(s, fmt.Sprint(y))
	}
	return strings.Join(s, b.tr(", ", "、"))
}

// units resolves the units option: the codes given, required.
func (b *builder) units(kind string) ([]string, error) {
	if len(b.o.Units) == 0 {
		return nil, fmt.Errorf("%s: list the units to show, like --units CHN,KOR,JPN", kind)
	}
	return b.o.Units, nil
}

// noteGaps adds a source note naming the editions shown as gaps for lack of data.
func (b *builder) noteGaps(have []int, xs []float64) {
	var miss []string
	for _, x := range xs {
		if !slices.Contains(have, int(x)) {
			miss = append(miss, fmt.Sprint(x))
		}
	}
	if len(miss) > 0 {
		b.f.Source = append(b.f.Source, b.tr("No data in the database for the "+strings.Join(miss, ", ")+" edition (shown as a gap).",
			"数据库中没有"+strings.Join(miss, "、")+"年版数据（图中留空）。"))
	}
}

// UNEditions are the years of the UN E-Government Survey's EGDI editions.
var UNEditions = []int{2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024}

// editionYears are the x positions of a chart across years: the years with data and,
// for the UN's index, any edition between them the database lacks (so the line shows a
// gap there rather than bridging it).
func (b *builder) editionYears(ys []int) []float64 {
	have := map[int]bool{}
	for _, y := range ys {
		have[y] = true
	}
	if b.sel.UN() && len(ys) > 0 {
		for _, y := range UNEditions {
			if y > ys[0] && y < ys[len(ys)-1] {
				have[y] = true
			}
		}
	}
	var out []float64
	for y := range have {
		out = append(out, float64(y))
	}
	sort.Float64s(out)
	return out
}

// multiThumb draws several thumbnails on top of each other (a line and its marker).
type multiThumb []plot.Thumbnailer

func (m multiThumb) Thumbnail(c *draw.Canvas) {
	for _, t := range m {
		t.Thumbnail(c)
	}
}

// lineSeries draws one series as lines between consecutive editions and markers at
// every value; a missing edition breaks the line.
func (b *builder) lineSeries(p *plot.Plot, i int, c color.Color, xs []float64, ys []float64) plot.Thumbnailer {
	ls := draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: seriesDash(i)}
	gs := draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: seriesGlyph(i)}
	var seg plotter.XYs
	flush := func() {
		if len(seg) > 1 {
			l, _ := plotter.NewLine(seg)
			l.LineStyle = ls
			p.Add(l)
		}
		seg = nil
	}
	var pts plotter.XYs
	for k := range xs {
		if math.IsNaN(ys[k]) {
			flush()
			continue
		}
		seg = append(seg, plotter.XY{X: xs[k], Y: ys[k]})
		pts = append(pts, plotter.XY{X: xs[k], Y: ys[k]})
	}
	flush()
	if len(pts) > 0 {
		s, _ := plotter.NewScatter(pts)
		s.GlyphStyle = gs
		p.Add(s)
	}
	l, _ := plotter.NewLine(plotter.XYs{{}, {}})
	l.LineStyle = ls
	s, _ := plotter.NewScatter(plotter.XYs{{}})
	s.GlyphStyle = gs
	return multiThumb{l, s}
}

// percentTicks labels a 0–1 axis in per cent.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = fmt.Sprintf("%.0f%%", ts[i].Value*100)
		}
	}
	return ts
}

// horizontalSize makes a bar chart with n categories tall enough to read its labels.
func (b *builder) horizontalSize(n int) {
	h := vg.Length(n)*0.5*vg.Centimeter + 4*vg.Centimeter
	if h > b.f.Height {
		b.f.Height = h
	}
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
