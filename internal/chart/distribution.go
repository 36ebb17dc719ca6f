package chart

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/egdi/egdi/internal/output"
)

// distribution: a year's values of a node as box plots by region (or a grouping), or
// as a histogram of twenty bins over the framework's scale, coloured by band.
func (b *builder) distribution() error {
	node, err := b.node(b.o.Node)
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
	year := b.year()
	if !slices.Contains(b.p.YearList(), year) {
		return fmt.Errorf("no values for %d", year)
	}
	k := b.p.Node(node)
	var rows []int
	for i, r := range b.p.Rows {
		if r.Year == year && r.Assessed() && r.Cells[k].OK() {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("distribution: no %s values in %d", b.short(node), year)
	}
	b.sources([]int{year}, node)
	if style == "hist" {
		width := 0.05 * b.scale()
		counts := make([]int, 20)
		for _, i := range rows {
			v := b.p.Rows[i].Cells[k].Value
			bin := min(int(math.Floor(v/width+1e-9)), len(counts)-1)
			counts[max(bin, 0)]++
		}
		p := b.f.newPlot(b.axis(node), b.unitsWord())
		grid(p, false)
		b.f.Data = &output.Table{Columns: []string{"from", "to", "count"}}
		banded := node == b.sel.Root() && len(b.sel.Framework.Bands) > 0
		byBand := map[string]*bars{}
		var order []*bars
		for bin, c := range counts {
			lo := float64(bin) * width
			g := ""
			if banded {
				g = b.bandAt(lo + width/2)
			}
			bs := byBand[g]
			if bs == nil {
				col := seriesColors[0]
				if banded {
					col = b.bandColor(g)
				}
				bs = newBars(b.f, width, false, col)
				byBand[g] = bs
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
		if banded {
			for _, g := range b.bandIDs() {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.bandLabel(g), Thumb: swatchOf(b.bandColor(g))})
			}
		}
		p.X.Min, p.X.Max, p.Y.Min = 0, b.scale(), 0
		b.f.Title = fmt.Sprintf(b.tr("Distribution of %s, %d (n = %d)", "%s分布，%d年（n = %d）"), b.short(node), year, len(rows))
		return nil
	}
	by, err := b.colourBy()
	if err != nil {
		return err
	}
	values := map[string][]float64{}
	var groups []string
	for _, i := range rows {
		r := b.p.Rows[i]
		g := b.groupOf(r.Unit, by)
		if _, seen := values[g]; !seen {
			groups = append(groups, g)
		}
		values[g] = append(values[g], r.Cells[k].Value)
	}
	sort.Strings(groups)
	p := b.f.newPlot("", b.axis(node))
	grid(p, false)
	b.f.Data = &output.Table{Columns: []string{"group", "count", "min", "q1", "median", "q3", "max"}}
	var names []string
	lo, hi := 0.0, b.scale()
	for i, g := range groups {
		vs := values[g]
		bp, err := plotter.NewBoxPlot(vg.Points(26), float64(i), plotter.Values(vs))
		if err != nil {
			return err
		}
		bp.FillColor = seriesColor(i)
		bp.BoxStyle.Color, bp.MedianStyle.Color, bp.WhiskerStyle.Color = inkColor, inkColor, inkColor
		bp.MedianStyle.Width = vg.Points(1.5)
		bp.GlyphStyle.Radius = vg.Points(1.8)
		p.Add(bp)
		names = append(names, fmt.Sprintf("%s\n(n = %d)", g, len(vs)))
		s := slices.Clone(vs)
		sort.Float64s(s)
		lo, hi = min(lo, s[0]), max(hi, s[len(s)-1])
		b.f.Data.Rows = append(b.f.Data.Rows, []any{g, len(s), s[0], bp.Quartile1, bp.Median, bp.Quartile3, s[len(s)-1]})
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = lo, hi
	what := b.tr("%s by region, %d", "各区域%s分布，%d年")
	if by != "region" {
		what = b.tr("%s by group, %d", "各组%s分布，%d年")
	}
	b.f.Title = fmt.Sprintf(what, b.short(node), year)
	return nil
}

// bandAt is the band of the framework a value falls in ("" when none).
func (b *builder) bandAt(v float64) string {
	bands := b.sel.Framework.Bands
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
