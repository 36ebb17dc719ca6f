package chart

import (
	"fmt"
	"math"
	"slices"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
)

// trend: units' values (or ranks) of a node across years, one line each.
func (b *builder) trend() error {
	node, err := b.node(b.o.Node)
	if err != nil {
		return err
	}
	units, err := b.units("trend")
	if err != nil {
		return err
	}
	t, err := query.Follow(b.p, query.TrendRequest{Units: units, Node: node, From: b.o.From, To: b.o.To})
	if err != nil {
		return err
	}
	xs := b.editionYears(t.Years)
	b.sources(t.Years, node)
	b.noteGaps(t.Years, xs)
	yLabel := b.axis(node)
	if b.o.Rank {
		yLabel = b.rankAxis(node)
	}
	p := b.f.newPlot(b.tr("Survey edition", "调查年份"), yLabel)
	if !b.sel.UN() {
		p.X.Label.Text = b.tr("Year", "年份")
	}
	grid(p, false)
	p.X.Tick.Marker = intTicks{values: xs}
	if b.o.Rank {
		p.Y.Tick.Marker = invertedTicks{}
	}
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "year", "value"}}
	for i, u := range units {
		ys := make([]float64, len(xs))
		for k := range ys {
			ys[k] = math.NaN()
		}
		name, seen := u, false
		for _, pt := range t.Points {
			if pt.Unit.Code != u {
				continue
			}
			name = b.name(pt.Unit)
			v := pt.Cell.Value
			if b.o.Rank {
				if pt.Cell.Rank == 0 {
					continue
				}
				v = float64(pt.Cell.Rank)
			}
			k := slices.Index(xs, float64(pt.Year))
			ys[k], seen = v, true
			b.f.Data.Rows = append(b.f.Data.Rows, []any{u, name, pt.Year, v})
		}
		if !seen {
			return fmt.Errorf("%s has no %s values in %s", u, b.short(node), yearSpan(t.Years))
		}
		plotted := ys
		if b.o.Rank {
			plotted = make([]float64, len(ys))
			for k, v := range ys {
				plotted[k] = -v
			}
		}
		th := b.lineSeries(p, i, seriesColor(i), xs, plotted)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: name, Thumb: th})
	}
	p.X.Min, p.X.Max = xs[0]-0.5, xs[len(xs)-1]+0.5
	who := ""
	if len(units) == 1 {
		who = b.f.Legend[0].Label + b.tr(": ", "：")
	}
	what := b.long(node)
	if b.o.Rank {
		what = b.short(node) + b.tr(" rank", "排名")
		if node == b.sel.Root() && !b.sel.UN() {
			what = b.tr("Rank", "排名")
		}
		if p.Y.Max > -1 {
			p.Y.Max = -0.5
		}
	}
	b.f.Title = who + what + b.tr(", ", "，") + b.yearText(yearSpan(t.Years))
	return nil
}
