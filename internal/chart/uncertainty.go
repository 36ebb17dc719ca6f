package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/uncertainty"
)

// RunKinds are the charts of a stored uncertainty run (egdi uncertainty): they are
// drawn from the run, not from a panel, so they are not among Kinds.
var RunKinds = []string{"uncertainty", "sensitivity"}

// RunSpec describes a chart of a stored uncertainty run.
type RunSpec struct {
	Lang      present.Lang
	Font      *Font  // nil: the built-in font for the language
	Title     string // "": generated
	Run       *uncertainty.Stored
	Synthetic bool // the run's dataset is a synthetic sample: the title and source say so
	Top       int  // RankIntervals: the first Top units in nominal order (0: all)
}

// Colours of the uncertainty charts: the interval light, the median dark (both the
// blues of the bands, so they read in greyscale), the nominal rank in the highlight
// colour; first-order indices light, total indices darker, intervals in ink.
var (
	intervalColor = rgb(0x9e, 0xca, 0xe1)
	medianColor   = groupColors["very_high"]
	nominalColor  = highlightColor
	firstColor    = groupColors["middle"]
	totalColor    = groupColors["high"]
)

// MaxIntervalRows is the most units a rank-interval chart shows: a row is 0.5 cm, and
// a chart at most 200 cm tall.
const MaxIntervalRows = 390

// RankIntervals draws each unit's rank over a run's evaluations, one row per unit in
// nominal order from the top: a line from the 5th to the 95th percentile, a dot at
// the median and a hollow diamond at the nominal rank (the framework's own choices).
func RankIntervals(s RunSpec) (*Figure, error) {
	r := s.Run
	if r == nil || len(r.Units) == 0 {
		return nil, fmt.Errorf("rank intervals: the run has no units")
	}
	tr := s.Lang.Tr
	units := r.Units
	if s.Top > 0 && s.Top < len(units) {
		units = units[:s.Top]
	}
	if len(units) > MaxIntervalRows {
		return nil, fmt.Errorf("rank intervals: %d units are more rows than one chart holds (%d); show the first units with --top, e.g. --top 50", len(units), MaxIntervalRows)
	}
	names := make([]string, len(units))
	texts := runTexts(s)
	for i, u := range units {
		names[i] = unitName(u, s.Lang)
		texts = append(texts, names[i])
	}
	fnt, err := runFont(s, texts)
	if err != nil {
		return nil, err
	}
	f := &Figure{Kind: "uncertainty", font: fnt, Width: 16 * vg.Centimeter, Height: 10 * vg.Centimeter,
		Data: &output.Table{Columns: []string{"unit", "name", "nominal_rank", "median_rank", "p05_rank", "p95_rank", "mean_rank"}}}
	p := f.newPlot(tr("Rank (1 = highest)", "排名（1为最高）"), "")
	p.X.Tick.Marker = rankTicks{}
	grid(p, true)
	iv := &rankIntervals{Width: vg.Points(4), Radius: vg.Points(2.6)}
	n := len(units)
	hi := 1.0
	for i, u := range units {
		nominal := math.NaN()
		if u.NominalRank > 0 {
			nominal = float64(u.NominalRank)
		}
		iv.Items = append(iv.Items, rankInterval{Pos: float64(n - 1 - i), Lo: u.P05, Hi: u.P95, Median: u.Median, Nominal: nominal})
		for _, v := range []float64{u.P95, u.Median, nominal} {
			if !math.IsNaN(v) {
				hi = math.Max(hi, v)
			}
		}
		var nr any
		if u.NominalRank > 0 {
			nr = u.NominalRank
		}
		f.Data.Rows = append(f.Data.Rows, []any{u.Code, names[i], nr, output.Finite(u.Median), output.Finite(u.P05), output.Finite(u.P95), output.Finite(u.Mean)})
	}
	p.Add(iv)
	rev := make([]string, n)
	for i, nm := range names {
		rev[n-1-i] = nm
	}
	p.NominalY(rev...)
	p.X.Min, p.X.Max = 0.5, hi+0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	f.Legend = []LegendEntry{
		{Label: tr("Median rank", "排名中位数"), Thumb: glyphThumb{draw: iv.median}},
		{Label: tr("5–95% interval", "5%–95%区间"), Thumb: glyphThumb{draw: iv.interval}},
		{Label: tr("Nominal rank", "名义排名"), Thumb: glyphThumb{draw: iv.nominal}},
	}
	top := ""
	if s.Top > 0 && s.Top < len(r.Units) {
		top = fmt.Sprintf(tr(", top %d", "前%d名"), s.Top)
	}
	size := runSize(r, s.Lang)
	if s.Synthetic { // inside the parentheses, not a second pair
		size += tr(", synthetic sample", "，合成样本")
	}
	f.Title = fmt.Sprintf(tr("Rank uncertainty: %s, %d%s (%s)", "排名不确定性：%s，%d年%s（%s）"), r.Method, r.Year, top, size)
	f.Source = append(runSource(s), tr("Nominal rank: at the framework's own choices; interval: the 5th to the 95th percentile of the ranks over the evaluations.",
		"名义排名：按框架本身的选择计算；区间：各次计算中排名的第5至第95百分位。"))
	finishRun(f, s)
	// one row per unit, as the ranking chart
	if h := vg.Length(n)*0.5*vg.Centimeter + 4.5*vg.Centimeter; h > f.Height {
		f.Height = h
	}
	return f, nil
}

// SensitivityIndices draws each input's first-order and total Sobol index of the mean
// absolute rank shift, side by side, with their bootstrap 95% intervals.
func SensitivityIndices(s RunSpec) (*Figure, error) {
	r := s.Run
	if r == nil {
		return nil, fmt.Errorf("sensitivity: no run")
	}
	var xs []uncertainty.Index
	for _, x := range r.Indices {
		if x.Unit == "" {
			xs = append(xs, x)
		}
	}
	if !r.Sobol || len(xs) == 0 {
		return nil, fmt.Errorf("uncertainty run %d has no Sobol indices; run egdi uncertainty with --sobol", r.ID)
	}
	tr := s.Lang.Tr
	texts := runTexts(s)
	for _, x := range xs {
		texts = append(texts, x.Factor)
	}
	fnt, err := runFont(s, texts)
	if err != nil {
		return nil, err
	}
	f := &Figure{Kind: "sensitivity", font: fnt, Width: 16 * vg.Centimeter, Height: 10 * vg.Centimeter,
		Data: &output.Table{Columns: []string{"factor", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"}}}
	p := f.newPlot("", tr("Sobol index of the mean absolute rank shift", "平均绝对排名变动的 Sobol 指数"))
	grid(p, false)
	const w = 0.36
	first := newBars(f, w, false, firstColor)
	total := newBars(f, w, false, totalColor)
	eb := &errorBars{Line: draw.LineStyle{Color: inkColor, Width: vg.Points(0.9)}, Cap: vg.Points(3)}
	lo, hi := 0.0, 1.0
	var cats []string
	// the category labels wrap to the width a category gets (the plot is about 14 cm wide)
	st := f.textStyle(tickSize, false, inkColor)
	width := (f.Width - 2.5*vg.Centimeter) / vg.Length(len(xs)) * 0.92
	for i, x := range xs {
		c := float64(i)
		first.add(c-w/2, x.First, nil, "")
		total.add(c+w/2, x.Total, nil, "")
		eb.add(c-w/2, x.FirstLo, x.FirstHi)
		eb.add(c+w/2, x.TotalLo, x.TotalHi)
		for _, v := range []float64{x.First, x.FirstLo, x.FirstHi, x.Total, x.TotalLo, x.TotalHi} {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		cats = append(cats, wrapFactor(st, x.Factor, width))
		f.Data.Rows = append(f.Data.Rows, []any{x.Factor, output.Finite(x.First), output.Finite(x.FirstLo), output.Finite(x.FirstHi), output.Finite(x.Total), output.Finite(x.TotalLo), output.Finite(x.TotalHi)})
	}
	zero, _ := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0}, {X: float64(len(xs)) - 0.5, Y: 0}})
	zero.LineStyle = draw.LineStyle{Color: mutedColor, Width: vg.Points(0.6)}
	p.Add(first, total, zero, eb)
	p.NominalX(cats...)
	p.X.Min, p.X.Max = -0.5, float64(len(xs))-0.5
	// from 0 (or the lowest estimate or interval below it) to 1 (or above), with room
	// for the caps of intervals at the ends
	room := (hi - lo) * 0.02
	if lo < 0 {
		lo -= room
	}
	if hi > 1 {
		hi += room
	}
	p.Y.Min, p.Y.Max = lo, hi
	f.Legend = []LegendEntry{
		{Label: tr("First-order index", "一阶指数"), Thumb: first},
		{Label: tr("Total index", "总效应指数"), Thumb: total},
		{Label: tr("Bootstrap 95% interval", "自助法95%区间"), Thumb: eb},
	}
	f.Title = tr("Sensitivity of the ranks: first-order and total Sobol indices", "排名敏感性：一阶与总效应 Sobol 指数")
	f.Source = append(runSource(s), tr("First order after Saltelli et al. (2010), total after Jansen (1999); bootstrap percentile intervals over the base samples.",
		"一阶指数按 Saltelli 等（2010），总效应指数按 Jansen（1999）；区间为对基础样本的自助法百分位区间。"))
	finishRun(f, s)
	return f, nil
}

// runTexts are the texts of a run chart known before drawing, to choose its font.
func runTexts(s RunSpec) []string {
	return append([]string{s.Title, s.Run.Method, s.Run.Dataset}, s.Run.Inputs...)
}

// runFont is the font a run chart draws with: the one given, else the CJK font for
// Chinese or for names the Latin font lacks.
func runFont(s RunSpec, texts []string) (*Font, error) {
	if s.Font != nil {
		return s.Font, nil
	}
	if s.Lang.ZH() {
		return CJKFont()
	}
	for _, t := range texts {
		if len(latin.missing(t)) > 0 {
			return CJKFont()
		}
	}
	return latin, nil
}

// finishRun applies the spec's title and flags a synthetic sample (in the title too,
// unless the generated title says so already).
func finishRun(f *Figure, s RunSpec) {
	flagged := strings.Contains(f.Title, s.Lang.Tr("synthetic sample", "合成样本"))
	if s.Title != "" {
		f.Title, flagged = s.Title, false
	}
	if s.Synthetic {
		if !flagged {
			f.Title += s.Lang.SyntheticMark()
		}
		f.Source = append(f.Source, s.Lang.Tr("NOTE: SYNTHETIC SAMPLE DATA, not official figures.", "注意：合成样本数据，非官方数据。"))
	}
}

// runSize is "500 replications", or with Sobol "1200 evaluations".
func runSize(r *uncertainty.Stored, lang present.Lang) string {
	if r.Sobol {
		return fmt.Sprintf(lang.Tr("%d evaluations", "%d 次计算"), r.Evaluations)
	}
	return fmt.Sprintf(lang.Tr("%d replications", "%d 次重复"), r.Evaluations)
}

// runSource names the run: method, dataset, year and seed; the design; the inputs.
// Each is a line of its own, short enough not to wrap at the default width.
func runSource(s RunSpec) []string {
	r := s.Run
	tr := s.Lang.Tr
	design := fmt.Sprintf(tr("%d replications drawn at random.", "随机抽取 %d 次重复。"), r.Evaluations)
	if r.Sobol {
		design = fmt.Sprintf(tr("Saltelli design: %d evaluations (N = %d base samples × (k + 2), k = %d inputs).", "Saltelli 设计：%d 次计算（N = %d 个基础样本 × (k + 2)，k = %d 个输入）。"),
			r.Evaluations, r.Samples, len(r.Inputs))
	}
	return []string{
		fmt.Sprintf(tr("Source: egdi uncertainty run %d: %s, dataset %s, %d; seed %d.", "来源：egdi 不确定性分析运行 %d：%s，数据集 %s，%d年；种子 %d。"), r.ID, r.Method, r.Dataset, r.Year, r.Seed),
		design,
		tr("Uncertain inputs: ", "不确定输入：") + strings.Join(r.Inputs, tr("; ", "；")),
	}
}

// unitName is a unit's name in a chart: Chinese in zh, else the common short name of a
// Member State whose UN name is long.
func unitName(u uncertainty.UnitStats, lang present.Lang) string {
	if lang.ZH() && u.NameZh != "" {
		return u.NameZh
	}
	if c := refdata.ByISO3(u.Code); c != nil && c.Short != "" && u.Name == c.Name {
		return c.Short
	}
	if u.Name == "" {
		return u.Code
	}
	return u.Name
}

// wrapFactor breaks an input's text (weights:*=±25%, norm:*=minmax(1,100),zscore(10,2))
// into lines no wider than w, after its colon, equals sign, commas between choices,
// or spaces; a piece wider than w stays whole.
func wrapFactor(st text.Style, s string, w vg.Length) string {
	if st.Width(s) <= w {
		return s
	}
	pieces := uncertainty.SplitOutside(s, ":=, ")
	var lines []string
	cur := ""
	for _, p := range pieces {
		if cur != "" && st.Width(strings.TrimRight(cur+p, " ")) > w {
			lines = append(lines, strings.TrimRight(cur, " "))
			cur = ""
		}
		cur += p
	}
	return strings.Join(append(lines, strings.TrimRight(cur, " ")), "\n")
}

// rankInterval is one row of the rank-interval chart (NaN: not drawn).
type rankInterval struct {
	Pos                     float64
	Lo, Hi, Median, Nominal float64
}

// rankIntervals draws horizontal rank intervals with a median dot and a nominal
// diamond per row.
type rankIntervals struct {
	Items  []rankInterval
	Width  vg.Length // the interval line's thickness
	Radius vg.Length // the median dot's radius (the diamond is larger)
	scale  float64   // markers' size at drawing time: smaller where ranks are close (0: 1)
}

// r is the median dot's radius as drawn.
func (r *rankIntervals) r() vg.Length {
	if r.scale == 0 {
		return r.Radius
	}
	return r.Radius * vg.Length(r.scale)
}

func (r *rankIntervals) interval(c *draw.Canvas, a, b vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: intervalColor, Width: r.Width})
	var p vg.Path
	p.Move(a)
	p.Line(b)
	c.Stroke(p)
}

func (r *rankIntervals) median(c *draw.Canvas, a, b vg.Point) {
	pt := vg.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
	var p vg.Path
	p.Move(vg.Point{X: pt.X + r.r(), Y: pt.Y})
	p.Arc(pt, r.r(), 0, 2*math.Pi)
	p.Close()
	c.SetColor(medianColor)
	c.Fill(p)
}

func (r *rankIntervals) nominal(c *draw.Canvas, a, b vg.Point) {
	pt := vg.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
	d := r.r() * 1.9
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + d})
	p.Line(vg.Point{X: pt.X + d, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - d})
	p.Line(vg.Point{X: pt.X - d, Y: pt.Y})
	p.Close()
	c.SetLineStyle(draw.LineStyle{Color: nominalColor, Width: vg.Points(1.2)})
	c.Stroke(p)
}

func (r *rankIntervals) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	// with many ranks on the axis (193 countries: 2 points a rank), markers of the
	// full size would hide intervals of a few ranks: shrink them, to half at most
	r.scale = math.Max(0.5, math.Min(1, float64((trX(2)-trX(1))/vg.Points(6))))
	defer func() { r.scale = 0 }()
	for _, it := range r.Items {
		y := trY(it.Pos)
		if !math.IsNaN(it.Lo) && !math.IsNaN(it.Hi) {
			a, b := vg.Point{X: trX(it.Lo), Y: y}, vg.Point{X: trX(it.Hi), Y: y}
			if it.Lo == it.Hi { // one rank: a short bar, so the interval is still seen
				a.X, b.X = a.X-r.Width/2, b.X+r.Width/2
			}
			r.interval(&c, a, b)
		}
		if !math.IsNaN(it.Median) {
			pt := vg.Point{X: trX(it.Median), Y: y}
			r.median(&c, pt, pt)
		}
		if !math.IsNaN(it.Nominal) {
			pt := vg.Point{X: trX(it.Nominal), Y: y}
			r.nominal(&c, pt, pt)
		}
	}
}

func (r *rankIntervals) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, it := range r.Items {
		for _, v := range []float64{it.Lo, it.Hi, it.Median, it.Nominal} {
			if !math.IsNaN(v) {
				xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
			}
		}
		ymin, ymax = math.Min(ymin, it.Pos-0.5), math.Max(ymax, it.Pos+0.5)
	}
	return xmin, xmax, ymin, ymax
}

// GlyphBoxes keep the markers of the first and last ranks inside the plot area.
func (r *rankIntervals) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	d := r.Radius*1.9 + vg.Points(1)
	var out []plot.GlyphBox
	for _, it := range r.Items {
		for _, v := range []float64{it.Lo, it.Hi, it.Median, it.Nominal} {
			if !math.IsNaN(v) {
				out = append(out, plot.GlyphBox{X: p.X.Norm(v), Y: p.Y.Norm(it.Pos),
					Rectangle: vg.Rectangle{Min: vg.Point{X: -d, Y: -d}, Max: vg.Point{X: d, Y: d}}})
			}
		}
	}
	return out
}

// glyphThumb draws a legend thumbnail with one of the plotter's drawing functions,
// given the thumbnail's left and right middle points.
type glyphThumb struct {
	draw func(c *draw.Canvas, a, b vg.Point)
}

func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	g.draw(c, vg.Point{X: c.Min.X, Y: y}, vg.Point{X: c.Max.X, Y: y})
}

// errorBars draws vertical intervals with caps.
type errorBars struct {
	Items [][3]float64 // x, lo, hi
	Line  draw.LineStyle
	Cap   vg.Length // half the cap's width
}

func (e *errorBars) add(x, lo, hi float64) {
	if !math.IsNaN(lo) && !math.IsNaN(hi) && !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		e.Items = append(e.Items, [3]float64{x, lo, hi})
	}
}

func (e *errorBars) bar(c *draw.Canvas, x, lo, hi vg.Length) {
	c.SetLineStyle(e.Line)
	var p vg.Path
	p.Move(vg.Point{X: x, Y: lo})
	p.Line(vg.Point{X: x, Y: hi})
	p.Move(vg.Point{X: x - e.Cap, Y: lo})
	p.Line(vg.Point{X: x + e.Cap, Y: lo})
	p.Move(vg.Point{X: x - e.Cap, Y: hi})
	p.Line(vg.Point{X: x + e.Cap, Y: hi})
	c.Stroke(p)
}

func (e *errorBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, it := range e.Items {
		e.bar(&c, trX(it[0]), trY(it[1]), trY(it[2]))
	}
}

func (e *errorBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, it := range e.Items {
		xmin, xmax = math.Min(xmin, it[0]), math.Max(xmax, it[0])
		ymin, ymax = math.Min(ymin, it[1]), math.Max(ymax, it[2])
	}
	return xmin, xmax, ymin, ymax
}

func (e *errorBars) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	e.bar(c, x, c.Min.Y, c.Max.Y)
}

// rankTicks label whole ranks only, and always rank 1.
type rankTicks struct{}

func (rankTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	one := false
	for _, t := range (readableTicks{}).Ticks(min, max) {
		if t.Value != math.Trunc(t.Value) || t.Value < 1 {
			t.Label = ""
		} else if t.Label != "" {
			t.Label = strconv.Itoa(int(t.Value))
			one = one || t.Value == 1
		}
		out = append(out, t)
	}
	if !one && min <= 1 && max >= 1 {
		out = append(out, plot.Tick{Value: 1, Label: "1"})
	}
	return out
}
