package chart

import (
	"fmt"
	"math"
	"slices"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// ranking: horizontal bars of a year's ranking of a node: the top N (20), the bottom
// N, or chosen units, one unit highlighted.
func (b *builder) ranking() error {
	node, err := b.node(b.o.Node)
	if err != nil {
		return err
	}
	r, err := query.Rank(b.p, query.RankRequest{Year: b.year(), Node: node})
	if err != nil {
		return err
	}
	k := b.p.Node(node)
	var all []panel.Row
	for _, row := range r.Rows {
		if row.Cells[k].OK() {
			all = append(all, row)
		}
	}
	if len(all) == 0 {
		return fmt.Errorf("ranking: no unit has a %s value in %d", b.short(node), r.Year)
	}
	digits := present.Digits(b.sel, r.Year)
	var picked []panel.Row
	switch {
	case len(b.o.Units) > 0:
		for _, u := range b.o.Units {
			i := slices.IndexFunc(all, func(row panel.Row) bool { return row.Unit.Code == u })
			if i < 0 {
				return fmt.Errorf("%s has no %s value in %d", u, b.short(node), r.Year)
			}
			picked = append(picked, all[i])
		}
		slices.SortStableFunc(picked, func(a, c panel.Row) int { return a.Cells[k].Rank - c.Cells[k].Rank })
	case b.o.Bottom > 0:
		picked = all[max(0, len(all)-b.o.Bottom):]
	default:
		n := b.o.Top
		if n <= 0 {
			n = 20
		}
		picked = all[:min(n, len(all))]
	}
	selected := len(picked)
	what := fmt.Sprintf(b.tr("Top %d", "前%d名"), selected)
	switch {
	case len(b.o.Units) > 0:
		what = b.tr("Selected countries", "所选国家")
		if !b.sel.UN() {
			what = b.tr("Selected units", "所选地区")
		}
	case b.o.Bottom > 0:
		what = fmt.Sprintf(b.tr("Bottom %d", "后%d名"), selected)
	}
	highlight := b.o.Highlight
	if highlight != "" && !slices.ContainsFunc(picked, func(row panel.Row) bool { return row.Unit.Code == highlight }) {
		// the highlighted unit is outside the selection: show it below, after its rank
		for _, row := range all {
			if row.Unit.Code == highlight {
				picked = append(picked, row)
			}
		}
	}
	banded := node == b.sel.Root() || b.sel.UN()
	p := b.f.newPlot(b.axis(node), "")
	grid(p, true)
	bs := newBars(b.f, 0.7, true, nil)
	var names []string
	b.f.Data = &output.Table{Columns: []string{"rank", "unit", "name", "value", present.BandKey(b.sel)}}
	n := len(picked)
	shown := map[string]bool{}
	for i, row := range picked {
		c := seriesColors[0]
		if banded && row.Band != "" {
			c = b.bandColor(row.Band)
		}
		if row.Unit.Code == highlight {
			c = highlightColor
		} else {
			shown[row.Band] = true
		}
		v := row.Cells[k].Value
		bs.add(float64(n-1-i), v, c, b.fmtValue(v, digits))
		names = append(names, fmt.Sprintf("%d  %s", row.Cells[k].Rank, b.name(row.Unit)))
		var band any
		if row.Band != "" {
			band = row.Band
		}
		b.f.Data.Rows = append(b.f.Data.Rows, []any{row.Cells[k].Rank, row.Unit.Code, b.name(row.Unit), v, band})
	}
	slices.Reverse(names)
	p.Add(bs)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, math.Max(b.scale(), p.X.Max)
	if banded {
		for _, g := range b.bandIDs() {
			if shown[g] {
				label := b.bandLabel(g)
				if node != b.sel.Root() {
					label = b.short(b.sel.Root()) + b.tr(": ", "：") + label // the bars are coloured by the root's group
				}
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: label, Thumb: swatchOf(b.bandColor(g))})
			}
		}
	}
	for _, row := range picked {
		if row.Unit.Code == highlight {
			b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.name(row.Unit), Thumb: swatchOf(highlightColor)})
		}
	}
	b.sources([]int{r.Year}, node)
	b.f.Title = fmt.Sprintf("%s%s%s%s", b.long(node), b.tr(": ", "："), what, b.tr(", ", "，")+b.yearText(fmt.Sprint(r.Year)))
	b.horizontalSize(n)
	return nil
}
