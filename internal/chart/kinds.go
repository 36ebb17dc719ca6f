package chart

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/store"
)

// Kinds are the charts egdi draws.
var Kinds = []string{"trend", "groups", "ranking", "regions", "components", "scatter", "distribution", "movers"}

// Options choose what a chart shows; each kind reads the fields it needs.
type Options struct {
	query.Request
	Lang  query.Lang
	Font  *Font // nil: the built-in font for the language
	Title string

	Index       string   // trend, ranking, regions, distribution: egdi, osi, tii, hci, epi (trend also rank)
	Units       []string // trend, ranking, components; scatter: units to label
	Years       []int    // groups, regions; ranking, components, scatter, distribution use the first
	From, To    int      // trend; movers compares From with To
	Top, Bottom int      // ranking; movers: Top gains and losses
	Highlight   string   // ranking
	By          string   // groups: group|class; regions: region|subregion|ldc|lldc|sids
	Share       bool     // groups: shares instead of counts
	X, Y        string   // scatter
	Style       string   // distribution: box|hist
}

// Build draws chart kind from the database.
func Build(ctx context.Context, db *store.DB, kind string, o Options) (*Figure, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, fmt.Errorf("unknown chart %q; use one of %s", kind, strings.Join(Kinds, ", "))
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	fnt := o.Font
	if fnt == nil {
		fnt = latin
		if o.Lang == "zh" {
			var err error
			if fnt, err = CJKFont(); err != nil {
				return nil, err
			}
		}
	}
	f, err := build(ctx, db, kind, o, fnt)
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
			return build(ctx, db, kind, o, cjk)
		}
	}
	return f, nil
}

func build(ctx context.Context, db *store.DB, kind string, o Options, fnt *Font) (*Figure, error) {
	b := &builder{ctx: ctx, db: db, o: o, f: &Figure{Kind: kind, font: fnt, Width: 16 * vg.Centimeter, Height: 10 * vg.Centimeter}}
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
		b.f.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}
	return b.f, nil
}

type builder struct {
	synthetic bool                 // some of the data shown are a synthetic sample
	fw        *framework.Framework // the framework of computed data, when it is not the UN's
	ctx       context.Context
	db        *store.DB
	o         Options
	f         *Figure
}

func (b *builder) zh() bool { return b.o.Lang == "zh" }

func (b *builder) tr(en, zh string) string {
	if b.zh() {
		return zh
	}
	return en
}

var indexNames = map[string][2]string{
	"egdi": {"E-Government Development Index (EGDI)", "电子政务发展指数（EGDI）"},
	"osi":  {"Online Service Index (OSI)", "在线服务指数（OSI）"},
	"tii":  {"Telecommunication Infrastructure Index (TII)", "电信基础设施指数（TII）"},
	"hci":  {"Human Capital Index (HCI)", "人力资本指数（HCI）"},
	"epi":  {"E-Participation Index (EPI)", "电子参与指数（EPI）"},
}

func (b *builder) indexName(index string) string {
	if b.fw != nil && index == "egdi" {
		return b.fw.LabelOf(b.fw.Root, string(b.o.Lang))
	}
	n := indexNames[index]
	return b.tr(n[0], n[1])
}

// short names an index in titles: EGDI, OSI, ... or the framework's root label.
func (b *builder) short(index string) string {
	if b.fw != nil && index == "egdi" {
		return b.fw.LabelOf(b.fw.Root, string(b.o.Lang))
	}
	return strings.ToUpper(index)
}

// scale is the top of the value axis: 1, or 100 for frameworks on 0–100.
func (b *builder) scale() float64 {
	if b.fw != nil {
		return b.fw.Scale
	}
	return 1
}

func (b *builder) axisLabel(index string) string {
	rng := b.tr(" (0–1)", "（0–1）")
	if b.scale() == 100 {
		rng = b.tr(" (0–100)", "（0–100）")
	}
	if b.fw != nil && index == "egdi" {
		if index == "rank" {
			return b.tr("Rank (1 = highest)", "排名（1为最高）")
		}
		return b.fw.LabelOf(b.fw.Root, string(b.o.Lang)) + rng
	}
	if index == "rank" {
		if b.fw != nil {
			return b.tr("Rank (1 = highest)", "排名（1为最高）")
		}
		return b.tr("EGDI rank (1 = highest)", "EGDI排名（1为最高）")
	}
	return strings.ToUpper(index) + rng
}

// bandIDs are the band ids, highest first: the UN groups, or the framework's bands.
func (b *builder) bandIDs() []string {
	if b.fw == nil || len(b.fw.Bands) == 0 {
		return query.Groups
	}
	var ids []string
	for _, bd := range b.fw.Bands {
		ids = append(ids, bd.ID)
	}
	return ids
}

func (b *builder) groupLabel(id string) string {
	if b.fw != nil {
		for _, bd := range b.fw.Bands {
			if bd.ID == id && bd.Label.In(string(b.o.Lang)) != "" {
				return bd.Label.In(string(b.o.Lang))
			}
		}
	}
	return query.GroupLabel(id, b.o.Lang)
}

// groupColor is a band's colour: the UN groups' fixed colours, else a dark-to-light
// blue by the band's position.
func (b *builder) groupColor(id string) color.Color {
	if b.fw == nil {
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

// units is what the chart counts: countries for the UN survey, units otherwise.
func (b *builder) unitsWord() string {
	if b.fw != nil {
		return b.tr("Number of units", "地区数量")
	}
	return b.tr("Number of countries", "国家数量")
}

// unAlone refuses kinds that show the UN's own components for other frameworks.
func (b *builder) unAlone(kind string) error {
	if b.fw != nil {
		return fmt.Errorf("%s shows the UN indices (OSI, TII, HCI); %s is computed with %s: compare its nodes with egdi compare --node", kind, b.o.Dataset, b.fw.ID)
	}
	return nil
}

func (b *builder) index(def string, allowRank bool) (string, error) {
	i := b.o.Index
	if i == "" {
		i = def
	}
	if allowRank && i == "rank" {
		return i, nil
	}
	if !slices.Contains(query.Indices, i) {
		extra := ""
		if allowRank {
			extra = " or rank"
		}
		return "", fmt.Errorf("unknown index %q; use one of %s%s", i, strings.Join(query.Indices, ", "), extra)
	}
	return i, nil
}

// panel loads the rows of the requested years (none: every year) and sets the source line.
func (b *builder) panel(years ...int) ([]query.Row, []query.Choice, error) {
	rows, choices, err := query.Panel(b.ctx, b.db, b.o.Request, years, b.o.Lang)
	if err != nil {
		return nil, nil, err
	}
	b.f.Source = query.Notes(choices, b.o.Lang)
	for _, c := range choices {
		b.synthetic = b.synthetic || c.Synthetic
		if c.Source == query.Computed {
			if f, err := query.RunFramework(b.ctx, b.db, c.Dataset, c.Year); err == nil && f.Root != "egdi" {
				b.fw = f
			}
		}
	}
	if !b.zh() {
		for i := range rows {
			if c := refdata.ByISO3(rows[i].Unit); c != nil && c.Short != "" && rows[i].Name == c.Name {
				rows[i].Name = c.Short
			}
		}
	}
	return rows, choices, nil
}

// noteGaps adds a source note naming the editions shown as gaps for lack of data.
func (b *builder) noteGaps(choices []query.Choice, years []float64) {
	var miss []string
	for _, y := range years {
		if !slices.ContainsFunc(choices, func(c query.Choice) bool { return c.Year == int(y) }) {
			miss = append(miss, fmt.Sprint(y))
		}
	}
	if len(miss) > 0 {
		b.f.Source = append(b.f.Source, b.tr("No data in the database for the "+strings.Join(miss, ", ")+" edition (shown as a gap).",
			"数据库中没有"+strings.Join(miss, "、")+"年版数据（图中留空）。"))
	}
}

// editionYears are the x positions of a chart across editions: the years with data
// and, when they include published UN editions, any UN edition the database lacks
// (so the line shows a gap there rather than bridging it).
func editionYears(choices []query.Choice) []float64 {
	have := map[int]bool{}
	published := false
	for _, c := range choices {
		have[c.Year] = true
		published = published || c.Source == query.Published
	}
	if published && len(choices) > 0 {
		first, last := choices[0].Year, choices[len(choices)-1].Year
		for _, y := range query.UNEditions {
			if y > first && y < last {
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

// year is the single year a chart shows: the first of --year, else the latest.
func (b *builder) year() int {
	if len(b.o.Years) > 0 {
		return b.o.Years[0]
	}
	return 0
}

func (b *builder) fmtValue(v float64, digits int) string {
	return fmt.Sprintf("%.*f", digits, v)
}

func digitsOf(choices []query.Choice) int {
	if len(choices) > 0 && choices[0].Digits > 0 {
		return choices[0].Digits
	}
	return 4
}

// yearSpan is "2003–2022" (or one year).
func yearSpan(choices []query.Choice) string {
	if len(choices) == 0 {
		return ""
	}
	a, z := choices[0].Year, choices[len(choices)-1].Year
	if a == z {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d–%d", a, z)
}

func (b *builder) yearText(s string) string {
	if b.zh() {
		return s + "年"
	}
	return s
}

// unitRows resolves --units and returns them in the order given.
func (b *builder) units(need string) ([]string, error) {
	if len(b.o.Units) == 0 {
		return nil, fmt.Errorf("%s: list the units to show, like --units CHN,KOR,JPN", need)
	}
	return query.ResolveUnits(b.ctx, b.db, b.o.Units)
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

func (b *builder) trend() error {
	index, err := b.index("egdi", true)
	if err != nil {
		return err
	}
	units, err := b.units("trend")
	if err != nil {
		return err
	}
	rows, all, err := b.panel()
	if err != nil {
		return err
	}
	var choices []query.Choice
	for _, c := range all {
		if (b.o.From == 0 || c.Year >= b.o.From) && (b.o.To == 0 || c.Year <= b.o.To) {
			choices = append(choices, c)
		}
	}
	if len(choices) == 0 {
		return fmt.Errorf("no values between %d and %d", b.o.From, b.o.To)
	}
	b.f.Source = query.Notes(choices, b.o.Lang)
	years := editionYears(choices)
	b.noteGaps(choices, years)
	p := b.f.newPlot(b.tr("Survey edition", "调查年份"), b.axisLabel(index))
	grid(p, false)
	p.X.Tick.Marker = intTicks{values: years}
	if index == "rank" {
		p.Y.Tick.Marker = invertedTicks{}
	}
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "year", "value"}}
	for i, u := range units {
		ys := make([]float64, len(years))
		name, seen := u, false
		for k, y := range years {
			ys[k] = math.NaN()
			for _, r := range rows {
				if r.Unit != u || r.Year != int(y) {
					continue
				}
				name = r.Name
				var v float64
				ok := r.Rank > 0
				if index == "rank" {
					v = float64(r.Rank)
				} else {
					v, ok = r.Value(index)
				}
				if ok {
					ys[k], seen = v, true
					b.f.Data.Rows = append(b.f.Data.Rows, []any{u, r.Name, int(y), v})
				}
			}
		}
		if !seen {
			return fmt.Errorf("%s has no %s values in %s", u, strings.ToUpper(index), yearSpan(choices))
		}
		plotted := ys
		if index == "rank" {
			plotted = make([]float64, len(ys))
			for k, v := range ys {
				plotted[k] = -v
			}
		}
		th := b.lineSeries(p, i, seriesColor(i), years, plotted)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: name, Thumb: th})
	}
	p.X.Min, p.X.Max = years[0]-0.5, years[len(years)-1]+0.5
	who := ""
	if len(units) == 1 {
		who = b.f.Legend[0].Label + b.tr(": ", "：")
	}
	if index == "rank" {
		what := b.tr("EGDI rank", "EGDI排名")
		if b.fw != nil {
			what = b.tr("Rank", "排名")
		}
		b.f.Title = who + what + b.tr(", ", "，") + b.yearText(yearSpan(choices))
		if p.Y.Max > -1 {
			p.Y.Max = -0.5
		}
	} else {
		b.f.Title = who + b.indexName(index) + b.tr(", ", "，") + b.yearText(yearSpan(choices))
	}
	return nil
}

func (b *builder) groups() error {
	by := b.o.By
	if by == "" {
		by = "group"
	}
	if by != "group" && by != "class" {
		return fmt.Errorf("groups: --by %q is not known; use group or class", by)
	}
	rows, choices, err := b.panel(b.o.Years...)
	if err != nil {
		return err
	}
	type key struct {
		year int
		k    string
	}
	count, total := map[key]int{}, map[int]int{}
	var classes []string
	classBest := map[string]float64{}
	for _, r := range rows {
		k := r.Group
		if by == "class" {
			k = r.Class
		}
		e, ok := r.Value("egdi")
		if k == "" || !ok {
			continue
		}
		count[key{r.Year, k}]++
		total[r.Year]++
		if _, seen := classBest[k]; !seen {
			classes = append(classes, k)
		}
		classBest[k] = math.Max(classBest[k], e)
	}
	var years []int
	for _, c := range choices {
		if total[c.Year] > 0 {
			years = append(years, c.Year)
		}
	}
	if len(years) == 0 {
		return fmt.Errorf("groups: no %ss in %s", by, yearSpan(choices))
	}
	b.f.Source = query.Notes(choices, b.o.Lang)
	value := func(y int, k string) float64 {
		if b.o.Share {
			return float64(count[key{y, k}]) / float64(total[y])
		}
		return float64(count[key{y, k}])
	}
	label := func(v float64) string {
		if b.o.Share {
			return fmt.Sprintf("%.0f%%", v*100)
		}
		return fmt.Sprint(int(v))
	}
	yLabel := b.unitsWord()
	if b.o.Share {
		yLabel = b.tr("Share of countries", "国家占比")
		if b.fw != nil {
			yLabel = b.tr("Share of units", "地区占比")
		}
	}
	b.f.Data = &output.Table{Columns: []string{"year", "key", "count", "share"}}
	var names []string
	if by == "group" {
		p := b.f.newPlot(b.tr("Survey edition", "调查年份"), yLabel)
		grid(p, false)
		gs := b.bandIDs()
		w := 0.8 / float64(len(gs))
		for gi, g := range gs {
			bs := newBars(b.f, w, false, b.groupColor(g))
			for yi, y := range years {
				v := value(y, g)
				bs.add(float64(yi)+(float64(gi)-float64(len(gs)-1)/2)*w, v, nil, label(v))
				b.f.Data.Rows = append(b.f.Data.Rows, []any{y, g, count[key{y, g}], float64(count[key{y, g}]) / float64(total[y])})
			}
			p.Add(bs)
			b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.groupLabel(g), Thumb: bs})
		}
		for _, y := range years {
			names = append(names, fmt.Sprint(y))
		}
		p.NominalX(names...)
		p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
		b.f.Title = b.tr("Countries by EGDI group", "各EGDI组别的国家数量")
		if b.o.Share {
			b.f.Title = b.tr("Share of countries by EGDI group", "各EGDI组别的国家占比")
		}
		if b.fw != nil {
			b.f.Title = b.indexName("egdi") + b.tr(": units by band", "：各等级地区数量")
		}
	} else {
		sort.SliceStable(classes, func(i, j int) bool { return classBest[classes[i]] > classBest[classes[j]] })
		p := b.f.newPlot(b.tr("Rating class", "评级"), yLabel)
		grid(p, false)
		w := 0.8 / float64(len(years))
		classGroup := map[string]string{}
		for _, r := range rows {
			if r.Class != "" {
				classGroup[r.Class] = r.Group
			}
		}
		for yi, y := range years {
			bs := newBars(b.f, w, false, seriesColor(yi))
			for ci, c := range classes {
				v := value(y, c)
				lbl := ""
				if len(years) <= 2 {
					lbl = label(v)
				}
				var col color.Color
				if len(years) == 1 {
					col = b.groupColor(classGroup[c])
				}
				bs.add(float64(ci)+(float64(yi)-float64(len(years)-1)/2)*w, v, col, lbl)
				b.f.Data.Rows = append(b.f.Data.Rows, []any{y, c, count[key{y, c}], float64(count[key{y, c}]) / float64(total[y])})
			}
			p.Add(bs)
			if len(years) > 1 {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.yearText(fmt.Sprint(y)), Thumb: bs})
			}
		}
		if len(years) == 1 {
			for _, g := range b.bandIDs() {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.groupLabel(g), Thumb: swatchOf(b.groupColor(g))})
			}
		}
		p.NominalX(classes...)
		p.X.Min, p.X.Max = -0.5, float64(len(classes))-0.5
		b.f.Title = b.tr("Countries by EGDI rating class", "各EGDI评级的国家数量")
		if b.o.Share {
			b.f.Title = b.tr("Share of countries by EGDI rating class", "各EGDI评级的国家占比")
		}
	}
	span := yearSpan(choices)
	if len(years) <= 4 {
		span = yearList(choices)
		if b.zh() {
			span = strings.ReplaceAll(span, ", ", "、")
		}
	}
	b.f.Title += b.tr(", ", "，") + b.yearText(span)
	b.f.Plot.Y.Min = 0
	if b.o.Share {
		b.f.Plot.Y.Tick.Marker = percentTicks{}
	}
	return nil
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

func (b *builder) ranking() error {
	index, err := b.index("egdi", false)
	if err != nil {
		return err
	}
	rows, choices, err := b.panel(b.year())
	if err != nil {
		return err
	}
	year := choices[0].Year
	digits := digitsOf(choices)
	type item struct {
		r    query.Row
		v    float64
		rank int
	}
	var all []item
	for _, r := range rows {
		if v, ok := r.Value(index); ok {
			all = append(all, item{r: r, v: v})
		}
	}
	// ranks by the chosen index: the stored rank for EGDI, else competition ranks on
	// the value rounded as published (as egdi rank does)
	sort.SliceStable(all, func(i, j int) bool { return round(all[i].v, digits) > round(all[j].v, digits) })
	for i := range all {
		if index == "egdi" && all[i].r.Rank > 0 {
			all[i].rank = all[i].r.Rank
		} else if i > 0 && round(all[i].v, digits) == round(all[i-1].v, digits) {
			all[i].rank = all[i-1].rank
		} else {
			all[i].rank = i + 1
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].rank < all[j].rank })
	var pickd []item
	switch {
	case len(b.o.Units) > 0:
		units, err := query.ResolveUnits(b.ctx, b.db, b.o.Units)
		if err != nil {
			return err
		}
		for _, u := range units {
			found := false
			for _, it := range all {
				if it.r.Unit == u {
					pickd, found = append(pickd, it), true
				}
			}
			if !found {
				return fmt.Errorf("%s has no %s value in %d", u, strings.ToUpper(index), year)
			}
		}
		sort.SliceStable(pickd, func(i, j int) bool { return pickd[i].rank < pickd[j].rank })
	case b.o.Bottom > 0:
		pickd = all[max(0, len(all)-b.o.Bottom):]
	default:
		n := b.o.Top
		if n <= 0 {
			n = 20
		}
		pickd = all[:min(n, len(all))]
	}
	selected := len(pickd)
	highlight := ""
	if b.o.Highlight != "" {
		hs, err := query.ResolveUnits(b.ctx, b.db, []string{b.o.Highlight})
		if err != nil {
			return err
		}
		highlight = hs[0]
	}
	what := b.tr("Top %d", "前%d名")
	switch {
	case len(b.o.Units) > 0:
		what = b.tr("Selected countries", "所选国家")
	case b.o.Bottom > 0:
		what = fmt.Sprintf(b.tr("Bottom %d", "后%d名"), selected)
	default:
		what = fmt.Sprintf(what, selected)
	}
	if highlight != "" && !slices.ContainsFunc(pickd, func(it item) bool { return it.r.Unit == highlight }) {
		// the highlighted unit is outside the selection: show it below, after its rank
		for _, it := range all {
			if it.r.Unit == highlight {
				pickd = append(pickd, it)
			}
		}
	}
	p := b.f.newPlot(b.axisLabel(index), "")
	grid(p, true)
	bs := newBars(b.f, 0.7, true, nil)
	var names []string
	b.f.Data = &output.Table{Columns: []string{"rank", "unit", "name", "value", "group"}}
	n := len(pickd)
	groupsShown := map[string]bool{}
	for i, it := range pickd {
		c := b.groupColor(it.r.Group)
		if it.r.Unit == highlight {
			c = highlightColor
		} else {
			groupsShown[it.r.Group] = true
		}
		bs.add(float64(n-1-i), it.v, c, b.fmtValue(it.v, digits))
		names = append(names, fmt.Sprintf("%d  %s", it.rank, it.r.Name))
		b.f.Data.Rows = append(b.f.Data.Rows, []any{it.rank, it.r.Unit, it.r.Name, it.v, it.r.Group})
	}
	slices.Reverse(names)
	p.Add(bs)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, math.Max(b.scale(), p.X.Max)
	for _, g := range b.bandIDs() {
		if groupsShown[g] {
			b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.groupLabel(g), Thumb: swatchOf(b.groupColor(g))})
		}
	}
	if highlight != "" {
		for _, it := range pickd {
			if it.r.Unit == highlight {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: it.r.Name, Thumb: swatchOf(highlightColor)})
			}
		}
	}
	b.f.Title = fmt.Sprintf("%s%s%s%s", b.indexName(index), b.tr(": ", "："), what, b.tr(", ", "，")+b.yearText(fmt.Sprint(year)))
	b.horizontalSize(n)
	return nil
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// regionKey is the category a row falls in for --by.
func (b *builder) regionKey(r query.Row, by string) string {
	switch by {
	case "region":
		return r.Region
	case "subregion":
		return r.Subregion
	}
	flag := map[string]bool{"ldc": r.LDC, "lldc": r.LLDC, "sids": r.SIDS}[by]
	if r.Region == "" { // not a Member State: no grouping
		return ""
	}
	names := map[string][2][2]string{
		"ldc":  {{"Least developed countries", "最不发达国家"}, {"Other countries", "其他国家"}},
		"lldc": {{"Landlocked developing countries", "内陆发展中国家"}, {"Other countries", "其他国家"}},
		"sids": {{"Small island developing States", "小岛屿发展中国家"}, {"Other countries", "其他国家"}},
	}[by]
	if flag {
		return b.tr(names[0][0], names[0][1])
	}
	return b.tr(names[1][0], names[1][1])
}

func (b *builder) regions() error {
	by := b.o.By
	if by == "" {
		by = "region"
	}
	if !slices.Contains([]string{"region", "subregion", "ldc", "lldc", "sids"}, by) {
		return fmt.Errorf("regions: --by %q is not known; use region, subregion, ldc, lldc or sids", by)
	}
	years := b.o.Years
	if len(years) == 0 {
		years = []int{0}
	}
	rows, choices, err := b.panel(years...)
	if err != nil {
		return err
	}
	type acc struct {
		sum [5]float64
		n   [5]int
	}
	type key struct {
		year int
		k    string
	}
	m := map[key]*acc{}
	var cats []string
	for _, r := range rows {
		k := b.regionKey(r, by)
		if _, ok := r.Value("egdi"); !ok || k == "" {
			continue
		}
		a := m[key{r.Year, k}]
		if a == nil {
			a = &acc{}
			m[key{r.Year, k}] = a
		}
		if !slices.Contains(cats, k) {
			cats = append(cats, k)
		}
		for i := range query.Indices {
			if !math.IsNaN(r.Values[i]) {
				a.sum[i] += r.Values[i]
				a.n[i]++
			}
		}
	}
	if len(cats) == 0 {
		return fmt.Errorf("regions: the units in %s have no %s (regions are known for UN Member States only)", yearSpan(choices), by)
	}
	mean := func(y int, k string, i int) float64 {
		a := m[key{y, k}]
		if a == nil || a.n[i] == 0 {
			return math.NaN()
		}
		return a.sum[i] / float64(a.n[i])
	}
	last := choices[len(choices)-1].Year
	sort.SliceStable(cats, func(i, j int) bool { return mean(last, cats[i], 0) > mean(last, cats[j], 0) })
	horizontal := len(cats) > 7
	b.f.Data = &output.Table{Columns: []string{"year", "key", "count", "index", "mean"}}
	var series []string
	var seriesYears []int
	if len(choices) == 1 {
		series = []string{"egdi", "osi", "tii", "hci"}
		seriesYears = []int{last, last, last, last}
	} else {
		index, err := b.index("egdi", false)
		if err != nil {
			return err
		}
		for _, c := range choices {
			series = append(series, index)
			seriesYears = append(seriesYears, c.Year)
		}
	}
	var p *plot.Plot
	valueAxis := b.tr("Mean (0–1)", "均值（0–1）")
	if horizontal {
		p = b.f.newPlot(valueAxis, "")
	} else {
		p = b.f.newPlot("", valueAxis)
	}
	grid(p, horizontal)
	w := 0.8 / float64(len(series))
	for si, idx := range series {
		y := seriesYears[si]
		c := indexColors[idx]
		label := strings.ToUpper(idx)
		if len(choices) > 1 {
			c, label = seriesColor(si), b.yearText(fmt.Sprint(y))
		}
		bs := newBars(b.f, w, horizontal, c)
		ii := slices.Index(query.Indices, idx)
		for ci, k := range cats {
			pos := float64(ci)
			if horizontal {
				pos = float64(len(cats) - 1 - ci)
			}
			off := (float64(si) - float64(len(series)-1)/2) * w
			if horizontal {
				off = -off
			}
			v := mean(y, k, ii)
			bs.add(pos+off, v, nil, "")
			if a := m[key{y, k}]; a != nil {
				b.f.Data.Rows = append(b.f.Data.Rows, []any{y, k, a.n[0], idx, v})
			}
		}
		p.Add(bs)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: label, Thumb: bs})
	}
	names := slices.Clone(cats)
	if horizontal {
		slices.Reverse(names)
		p.NominalY(names...)
		p.Y.Min, p.Y.Max = -0.5, float64(len(names))-0.5
		p.X.Min, p.X.Max = 0, 1
		b.horizontalSize(len(cats) * max(1, len(series)/2))
	} else {
		p.NominalX(names...)
		p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
		p.Y.Min, p.Y.Max = 0, 1
	}
	what := map[string][2]string{
		"region": {"by region", "按区域"}, "subregion": {"by sub-region", "按次区域"},
		"ldc": {"least developed countries", "最不发达国家"}, "lldc": {"landlocked developing countries", "内陆发展中国家"},
		"sids": {"small island developing States", "小岛屿发展中国家"},
	}[by]
	if len(choices) == 1 {
		b.f.Title = b.tr("EGDI and components "+what[0], what[1]+"的EGDI及分项指数均值")
	} else {
		b.f.Title = b.tr("Mean "+strings.ToUpper(series[0])+" "+what[0], what[1]+"的"+strings.ToUpper(series[0])+"均值")
	}
	b.f.Title += b.tr(", ", "，") + b.yearText(yearList(choices))
	return nil
}

func yearList(choices []query.Choice) string {
	var ys []string
	for _, c := range choices {
		ys = append(ys, fmt.Sprint(c.Year))
	}
	return strings.Join(ys, ", ")
}

var components = []string{"osi", "tii", "hci"}

func (b *builder) components() error {
	units, err := b.units("components")
	if err != nil {
		return err
	}
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "year", "index", "value"}}
	if len(units) == 1 && len(b.o.Years) == 0 {
		// one unit over time: its components (and EGDI) as lines
		rows, choices, err := b.panel()
		if err != nil {
			return err
		}
		if err := b.unAlone("components"); err != nil {
			return err
		}
		years := editionYears(choices)
		b.noteGaps(choices, years)
		p := b.f.newPlot(b.tr("Survey edition", "调查年份"), b.tr("Index value (0–1)", "指数值（0–1）"))
		grid(p, false)
		p.X.Tick.Marker = intTicks{values: years}
		name, anyValue := units[0], false
		for si, idx := range append([]string{"egdi"}, components...) {
			ys := make([]float64, len(years))
			for k, y := range years {
				ys[k] = math.NaN()
				for _, r := range rows {
					if r.Unit == units[0] && r.Year == int(y) {
						name = r.Name
						if v, ok := r.Value(idx); ok {
							ys[k], anyValue = v, true
							b.f.Data.Rows = append(b.f.Data.Rows, []any{r.Unit, r.Name, r.Year, idx, v})
						}
					}
				}
			}
			th := b.lineSeries(p, si, indexColors[idx], years, ys)
			b.f.Legend = append(b.f.Legend, LegendEntry{Label: strings.ToUpper(idx), Thumb: th})
		}
		if !anyValue {
			return fmt.Errorf("%s has no values in %s", units[0], yearSpan(choices))
		}
		p.X.Min, p.X.Max = years[0]-0.5, years[len(years)-1]+0.5
		p.Y.Min, p.Y.Max = 0, 1
		b.f.Title = name + b.tr(": EGDI and its components, ", "：EGDI及分项指数，") + b.yearText(yearSpan(choices))
		return nil
	}
	rows, choices, err := b.panel(b.year())
	if err != nil {
		return err
	}
	if err := b.unAlone("components"); err != nil {
		return err
	}
	year := choices[0].Year
	p := b.f.newPlot("", b.tr("Index value (0–1)", "指数值（0–1）"))
	grid(p, false)
	w := 0.8 / float64(len(components))
	var names []string
	for _, u := range units {
		found := false
		for _, r := range rows {
			if r.Unit == u {
				found = true
				e, _ := r.Value("egdi")
				names = append(names, fmt.Sprintf("%s\n%s %.*f", r.Name, b.tr("EGDI", "EGDI"), digitsOf(choices), e))
			}
		}
		if !found {
			return fmt.Errorf("%s has no values in %d", u, year)
		}
	}
	for si, idx := range components {
		bs := newBars(b.f, w, false, indexColors[idx])
		for ui, u := range units {
			for _, r := range rows {
				if r.Unit == u {
					v, _ := r.Value(idx)
					lbl := ""
					if len(units) <= 4 {
						lbl = fmt.Sprintf("%.2f", v)
					}
					bs.add(float64(ui)+(float64(si)-1)*w, v, nil, lbl)
					b.f.Data.Rows = append(b.f.Data.Rows, []any{r.Unit, r.Name, year, idx, v})
				}
			}
		}
		p.Add(bs)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: strings.ToUpper(idx), Thumb: bs})
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.Y.Min, p.Y.Max = 0, 1
	b.f.Title = b.tr("EGDI components, ", "EGDI分项指数，") + b.yearText(fmt.Sprint(year))
	return nil
}

func (b *builder) scatter() error {
	xi, yi := b.o.X, b.o.Y
	if xi == "" {
		xi = "tii"
	}
	if yi == "" {
		yi = "osi"
	}
	for _, i := range []string{xi, yi} {
		if !slices.Contains(query.Indices, i) {
			return fmt.Errorf("scatter: unknown index %q; use one of %s", i, strings.Join(query.Indices, ", "))
		}
	}
	rows, choices, err := b.panel(b.year())
	if err != nil {
		return err
	}
	if err := b.unAlone("scatter"); err != nil {
		return err
	}
	year := choices[0].Year
	var label []string
	if len(b.o.Units) > 0 {
		if label, err = query.ResolveUnits(b.ctx, b.db, b.o.Units); err != nil {
			return err
		}
	}
	p := b.f.newPlot(b.axisLabel(xi), b.axisLabel(yi))
	grid(p, false)
	grid(p, true)
	byRegion := map[string]plotter.XYs{}
	var regions []string
	var xs, ys []float64
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "region", "x", "y"}}
	var lx plotter.XYs
	var ltext []string
	for _, r := range rows {
		x, okx := r.Value(xi)
		y, oky := r.Value(yi)
		if !okx || !oky {
			continue
		}
		reg := r.Region
		if reg == "" {
			reg = b.tr("Other", "其他")
		}
		if _, ok := byRegion[reg]; !ok {
			regions = append(regions, reg)
		}
		byRegion[reg] = append(byRegion[reg], plotter.XY{X: x, Y: y})
		xs, ys = append(xs, x), append(ys, y)
		b.f.Data.Rows = append(b.f.Data.Rows, []any{r.Unit, r.Name, r.Region, x, y})
		if slices.Contains(label, r.Unit) {
			lx = append(lx, plotter.XY{X: x, Y: y})
			ltext = append(ltext, r.Name)
		}
	}
	if len(xs) < 2 {
		return fmt.Errorf("scatter: fewer than two units have both %s and %s in %d", strings.ToUpper(xi), strings.ToUpper(yi), year)
	}
	for _, u := range label {
		found := false
		for _, r := range b.f.Data.Rows {
			found = found || r[0] == u
		}
		if !found {
			return fmt.Errorf("%s has no %s and %s values in %d", u, strings.ToUpper(xi), strings.ToUpper(yi), year)
		}
	}
	sort.Strings(regions)
	for i, reg := range regions {
		s, _ := plotter.NewScatter(byRegion[reg])
		s.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Radius: vg.Points(2.2), Shape: seriesGlyph(i)}
		p.Add(s)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: reg, Thumb: s})
	}
	if len(lx) > 0 {
		hl, _ := plotter.NewScatter(lx)
		hl.GlyphStyle = draw.GlyphStyle{Color: inkColor, Radius: vg.Points(3.5), Shape: draw.RingGlyph{}}
		p.Add(hl)
		labels, _ := plotter.NewLabels(plotter.XYLabels{XYs: lx, Labels: ltext})
		for i := range labels.TextStyle {
			labels.TextStyle[i] = b.f.textStyle(valueSize, false, inkColor)
		}
		labels.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(2)}
		p.Add(labels)
	}
	r := stat.Correlation(xs, ys, nil)
	b.f.Legend = append(b.f.Legend, LegendEntry{Label: fmt.Sprintf(b.tr("Pearson r = %.3f (n = %d)", "皮尔逊相关系数 r = %.3f（n = %d）"), r, len(xs))})
	b.f.Data.Notes = []string{fmt.Sprintf("r = %.6f", r)}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	b.f.Title = fmt.Sprintf(b.tr("%s against %s, %d", "%s与%s，%d年"), strings.ToUpper(yi), strings.ToUpper(xi), year)
	b.f.Height = 12 * vg.Centimeter
	return nil
}

// Correlation is the Pearson r a scatter figure reports.
func (f *Figure) Correlation() float64 {
	var xs, ys []float64
	for _, r := range f.Data.Rows {
		xs, ys = append(xs, r[3].(float64)), append(ys, r[4].(float64))
	}
	return stat.Correlation(xs, ys, nil)
}

func (b *builder) distribution() error {
	index, err := b.index("egdi", false)
	if err != nil {
		return err
	}
	style := b.o.Style
	if style == "" {
		style = "box"
	}
	if style != "box" && style != "hist" {
		return fmt.Errorf("distribution: --style %q is not known; use box or hist", style)
	}
	rows, choices, err := b.panel(b.year())
	if err != nil {
		return err
	}
	year := choices[0].Year
	if style == "hist" {
		width := 0.05 * b.scale()
		counts := make([]int, 20)
		n := 0
		for _, r := range rows {
			if v, ok := r.Value(index); ok {
				k := min(int(math.Floor(v/width+1e-9)), len(counts)-1)
				counts[max(k, 0)]++
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("distribution: no %s values in %d", strings.ToUpper(index), year)
		}
		p := b.f.newPlot(b.axisLabel(index), b.unitsWord())
		grid(p, false)
		b.f.Data = &output.Table{Columns: []string{"from", "to", "count"}}
		byGroup := map[string]*bars{}
		var order []*bars
		for k, c := range counts {
			lo := float64(k) * width
			g := b.bandFor(lo+width/2, year)
			col := seriesColors[0]
			if index == "egdi" {
				col = b.groupColor(g)
			}
			bs := byGroup[g]
			if bs == nil {
				bs = newBars(b.f, width, false, col)
				byGroup[g] = bs
				order = append(order, bs)
			}
			lbl := ""
			if c > 0 {
				lbl = fmt.Sprint(c)
			}
			bs.add(lo+width/2, float64(c), nil, lbl)
			b.f.Data.Rows = append(b.f.Data.Rows, []any{round(lo, 2), round(lo+width, 2), c})
		}
		for _, bs := range order {
			p.Add(bs)
		}
		if index == "egdi" {
			for _, g := range b.bandIDs() {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.groupLabel(g), Thumb: swatchOf(b.groupColor(g))})
			}
		}
		p.X.Min, p.X.Max, p.Y.Min = 0, b.scale(), 0
		b.f.Title = fmt.Sprintf(b.tr("Distribution of %s, %d (n = %d)", "%s分布，%d年（n = %d）"), b.short(index), year, n)
		return nil
	}
	by := map[string][]float64{}
	var regions []string
	for _, r := range rows {
		v, ok := r.Value(index)
		if !ok {
			continue
		}
		reg := r.Region
		if reg == "" {
			reg = b.tr("Other", "其他")
		}
		if _, seen := by[reg]; !seen {
			regions = append(regions, reg)
		}
		by[reg] = append(by[reg], v)
	}
	if len(regions) == 0 {
		return fmt.Errorf("distribution: no %s values in %d", strings.ToUpper(index), year)
	}
	sort.Strings(regions)
	p := b.f.newPlot("", b.axisLabel(index))
	grid(p, false)
	b.f.Data = &output.Table{Columns: []string{"region", "count", "min", "q1", "median", "q3", "max"}}
	var names []string
	for i, reg := range regions {
		vs := by[reg]
		bp, err := plotter.NewBoxPlot(vg.Points(26), float64(i), plotter.Values(vs))
		if err != nil {
			return err
		}
		bp.FillColor = seriesColor(i)
		bp.BoxStyle.Color, bp.MedianStyle.Color, bp.WhiskerStyle.Color = inkColor, inkColor, inkColor
		bp.MedianStyle.Width = vg.Points(1.5)
		bp.GlyphStyle.Radius = vg.Points(1.8)
		p.Add(bp)
		names = append(names, fmt.Sprintf("%s\n(n = %d)", reg, len(vs)))
		s := slices.Clone(vs)
		sort.Float64s(s)
		b.f.Data.Rows = append(b.f.Data.Rows, []any{reg, len(s), s[0], bp.Quartile1, bp.Median, bp.Quartile3, s[len(s)-1]})
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, b.scale()
	b.f.Title = fmt.Sprintf(b.tr("%s by region, %d", "各区域%s分布，%d年"), b.short(index), year)
	return nil
}

// bandFor is the band of a value in year: the framework's bands, or the UN edition's
// groups (as its methodology file defines them).
func (b *builder) bandFor(v float64, year int) string {
	var bands []*framework.Band
	if b.fw != nil {
		bands = b.fw.Bands
	} else if f := framework.ForEdition(year); f != nil {
		bands = f.Bands
	}
	for _, bd := range bands {
		if v >= bd.Min {
			return bd.ID
		}
	}
	if len(bands) > 0 {
		return bands[len(bands)-1].ID
	}
	return ""
}

func (b *builder) movers() error {
	from, to := b.o.From, b.o.To
	all, err := query.Choose(b.ctx, b.db, b.o.Request)
	if err != nil {
		return err
	}
	if to == 0 && len(all) > 0 {
		to = all[len(all)-1].Year
	}
	if from == 0 {
		for _, c := range all {
			if c.Year < to {
				from = c.Year
			}
		}
	}
	if from == 0 || from >= to {
		return fmt.Errorf("movers: need two editions, --from earlier than --to (years with data: %s)", yearList(all))
	}
	rows, choices, err := b.panel(from, to)
	if err != nil {
		return err
	}
	type mv struct {
		unit, name string
		r1, r2     int
	}
	first := map[string]int{}
	for _, r := range rows {
		if r.Year == from && r.Rank > 0 {
			first[r.Unit] = r.Rank
		}
	}
	var ms []mv
	for _, r := range rows {
		if r.Year == to && r.Rank > 0 && first[r.Unit] > 0 {
			ms = append(ms, mv{r.Unit, r.Name, first[r.Unit], r.Rank})
		}
	}
	if len(ms) == 0 {
		return fmt.Errorf("movers: no unit is ranked in both %d and %d", from, to)
	}
	n := b.o.Top
	if n <= 0 {
		n = 10
	}
	sort.SliceStable(ms, func(i, j int) bool {
		ci, cj := ms[i].r1-ms[i].r2, ms[j].r1-ms[j].r2
		if ci != cj {
			return ci > cj
		}
		return ms[i].name < ms[j].name
	})
	var gains, losses []mv
	for _, m := range ms {
		if m.r1-m.r2 > 0 && len(gains) < n {
			gains = append(gains, m)
		}
	}
	for i := len(ms) - 1; i >= 0 && len(losses) < n; i-- {
		if ms[i].r1-ms[i].r2 < 0 {
			losses = append(losses, ms[i])
		}
	}
	slices.Reverse(losses) // smallest loss first, largest at the bottom
	shown := append(slices.Clone(gains), losses...)
	if len(shown) == 0 {
		return fmt.Errorf("movers: no rank changed between %d and %d", from, to)
	}
	p := b.f.newPlot(b.tr("Change in EGDI rank (places)", "EGDI排名变化（位）"), "")
	grid(p, true)
	up := newBars(b.f, 0.7, true, gainColor)
	down := newBars(b.f, 0.7, true, lossColor)
	var names []string
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "rank_from", "rank_to", "change"}}
	for i, m := range shown {
		ch := m.r1 - m.r2
		pos := float64(len(shown) - 1 - i)
		if ch > 0 {
			up.add(pos, float64(ch), nil, fmt.Sprintf("+%d", ch))
		} else {
			down.add(pos, float64(ch), nil, fmt.Sprintf("%s%d", b.tr("-", "−"), -ch))
		}
		names = append(names, fmt.Sprintf(b.tr("%s (%d to %d)", "%s（%d→%d）"), m.name, m.r1, m.r2))
		b.f.Data.Rows = append(b.f.Data.Rows, []any{m.unit, m.name, m.r1, m.r2, ch})
	}
	slices.Reverse(names)
	p.Add(up, down)
	p.NominalY(names...)
	if len(gains) > 0 {
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.tr("Moved up", "排名上升"), Thumb: up})
	}
	if len(losses) > 0 {
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.tr("Moved down", "排名下降"), Thumb: down})
	}
	b.f.Title = fmt.Sprintf(b.tr("Largest EGDI rank changes, %d to %d", "EGDI排名变化最大的国家，%d年至%d年"), from, to)
	b.f.Source = query.Notes(choices, b.o.Lang)
	b.horizontalSize(len(shown))
	return nil
}
