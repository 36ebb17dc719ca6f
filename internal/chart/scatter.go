package chart

import (
	"fmt"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
)

// colourBy is the grouping a chart colours or splits units by: By, else the M49
// region, else the units' first grouping of their own ("" when they have none).
func (b *builder) colourBy() (string, error) {
	gs := b.p.Groupings()
	if b.o.By != "" {
		if !slices.Contains(gs, b.o.By) {
			return "", fmt.Errorf("no unit has a group in %q; the groupings of these units: %v", b.o.By, gs)
		}
		return b.o.By, nil
	}
	if slices.Contains(gs, "region") {
		return "region", nil
	}
	for _, g := range gs {
		if !slices.Contains(panel.M49Groupings, g) {
			return g, nil
		}
	}
	return "", nil
}

// groupOf is a unit's group in grouping g in the chart's language ("Other" without one).
func (b *builder) groupOf(u *panel.Unit, g string) string {
	if grp, ok := u.Groups[g]; ok && g != "" {
		return grp.In(string(b.lang))
	}
	if g == "" {
		return b.tr("All units", "全部地区")
	}
	return b.tr("Other", "其他")
}

// scatter: two nodes of a year against each other, coloured by region (or a grouping),
// with Pearson's correlation.
func (b *builder) scatter() error {
	xn, yn := b.o.X, b.o.Y
	if xn == "" && yn == "" {
		if b.sel.UN() {
			xn, yn = "tii", "osi"
		} else if kids := b.children(b.sel.Root()); len(kids) >= 2 {
			xn, yn = kids[0], kids[1]
		}
	}
	xi, err := b.node(xn)
	if err != nil {
		return fmt.Errorf("scatter --x: %w", err)
	}
	yi, err := b.node(yn)
	if err != nil {
		return fmt.Errorf("scatter --y: %w", err)
	}
	year := b.year()
	if !slices.Contains(b.p.YearList(), year) {
		return fmt.Errorf("no values for %d", year)
	}
	by, err := b.colourBy()
	if err != nil {
		return err
	}
	kx, ky := b.p.Node(xi), b.p.Node(yi)
	p := b.f.newPlot(b.axis(xi), b.axis(yi))
	grid(p, false)
	grid(p, true)
	byGroup := map[string]plotter.XYs{}
	var groups []string
	var xs, ys []float64
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "group", "x", "y"}}
	var lx plotter.XYs
	var ltext []string
	found := map[string]bool{}
	for _, r := range b.p.Of(year) {
		if !r.Assessed() || !r.Cells[kx].OK() || !r.Cells[ky].OK() {
			continue
		}
		x, y := r.Cells[kx].Value, r.Cells[ky].Value
		g := b.groupOf(r.Unit, by)
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], plotter.XY{X: x, Y: y})
		xs, ys = append(xs, x), append(ys, y)
		b.f.Data.Rows = append(b.f.Data.Rows, []any{r.Unit.Code, b.name(r.Unit), g, x, y})
		if slices.Contains(b.o.Units, r.Unit.Code) {
			lx = append(lx, plotter.XY{X: x, Y: y})
			ltext = append(ltext, b.name(r.Unit))
			found[r.Unit.Code] = true
		}
	}
	if len(xs) < 2 {
		return fmt.Errorf("scatter: fewer than two units have both %s and %s in %d", b.short(xi), b.short(yi), year)
	}
	for _, u := range b.o.Units {
		if !found[u] {
			return fmt.Errorf("%s has no %s and %s values in %d", u, b.short(xi), b.short(yi), year)
		}
	}
	sort.Strings(groups)
	for i, g := range groups {
		s, _ := plotter.NewScatter(byGroup[g])
		s.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Radius: vg.Points(2.2), Shape: seriesGlyph(i)}
		p.Add(s)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: g, Thumb: s})
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
	// the framework's scale, widened for nodes normalised outside it (z-scores)
	p.X.Min, p.X.Max = min(0, slices.Min(xs)), max(b.scale(), slices.Max(xs))
	p.Y.Min, p.Y.Max = min(0, slices.Min(ys)), max(b.scale(), slices.Max(ys))
	b.f.Title = fmt.Sprintf(b.tr("%s against %s, %d", "%s与%s，%d年"), b.short(yi), b.short(xi), year)
	b.f.Height = 12 * vg.Centimeter
	b.sources([]int{year}, xi, yi)
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
