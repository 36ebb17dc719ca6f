package chart

import (
	"fmt"
	"math"
	"slices"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// children are the child nodes of node in the selection (the UN's EGDI: OSI, TII, HCI).
func (b *builder) children(node string) []string {
	var out []string
	if n := b.sel.Framework.Node(node); n != nil {
		for _, c := range n.Children {
			if slices.Contains(b.sel.Nodes, c.ID) {
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// components: the child nodes of a node (the UN's OSI, TII and HCI under EGDI) for
// chosen units in one year, as grouped bars; or, for one unit without a year, the node
// and its children across years, as lines.
func (b *builder) components() error {
	units, err := b.units("components")
	if err != nil {
		return err
	}
	node, err := b.node(b.o.Node)
	if err != nil {
		return err
	}
	kids := b.children(node)
	if len(kids) == 0 {
		return fmt.Errorf("components: %s has no child nodes, only indicators; chart its values with ranking or trend", b.short(node))
	}
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "year", "index", "value"}}
	valueAxis := b.tr("Value", "数值") + present.Range(b.sel, b.lang)
	if b.sel.UN() {
		valueAxis = b.tr("Index value", "指数值") + present.Range(b.sel, b.lang)
	}
	if len(units) == 1 && len(b.o.Years) == 0 {
		// one unit over time: the node and its children as lines
		years := b.p.YearList()
		xs := b.editionYears(years)
		b.noteGaps(years, xs)
		xLabel := b.tr("Survey edition", "调查年份")
		if !b.sel.UN() {
			xLabel = b.tr("Year", "年份")
		}
		p := b.f.newPlot(xLabel, valueAxis)
		grid(p, false)
		p.X.Tick.Marker = intTicks{values: xs}
		name, anyValue := units[0], false
		for si, n := range append([]string{node}, kids...) {
			ys := make([]float64, len(xs))
			for k := range ys {
				ys[k] = math.NaN()
			}
			t, err := query.Follow(b.p, query.TrendRequest{Units: units, Node: n})
			if err == nil {
				for _, pt := range t.Points {
					name = b.name(pt.Unit)
					ys[slices.Index(xs, float64(pt.Year))], anyValue = pt.Cell.Value, true
					b.f.Data.Rows = append(b.f.Data.Rows, []any{pt.Unit.Code, name, pt.Year, n, pt.Cell.Value})
				}
			}
			th := b.lineSeries(p, si, b.nodeColor(n, si), xs, ys)
			b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.short(n), Thumb: th})
		}
		if !anyValue {
			return fmt.Errorf("%s has no values in %s", units[0], yearSpan(years))
		}
		p.X.Min, p.X.Max = xs[0]-0.5, xs[len(xs)-1]+0.5
		if b.sel.UN() {
			p.Y.Min, p.Y.Max = 0, b.scale() // the survey's 0–1 scale; other frameworks' lines fit their values
		}
		what := b.tr(": "+b.short(node)+" and its components, ", "："+b.short(node)+"及分项指数，")
		if !b.sel.UN() {
			what = b.tr(": "+b.short(node)+" and its dimensions, ", "："+b.short(node)+"及各维度，")
		}
		b.f.Title = name + what + b.yearText(yearSpan(years))
		b.sources(years, append([]string{node}, kids...)...)
		return nil
	}
	req := units
	if len(units) == 1 {
		req = []string{units[0], units[0]} // Compare needs two
	}
	c, err := query.Compare(b.p, query.CompareRequest{Units: req, Year: b.year(), Node: node})
	if err != nil {
		return err
	}
	rows := c.Rows[:len(units)]
	digits := present.Digits(b.sel, c.Year)
	p := b.f.newPlot("", valueAxis)
	grid(p, false)
	w := 0.8 / float64(len(kids))
	k := b.p.Node(node)
	var names []string
	for _, r := range rows {
		names = append(names, fmt.Sprintf("%s\n%s %.*f", b.name(r.Unit), b.short(node), digits, r.Cells[k].Value))
	}
	for si, n := range kids {
		bs := newBars(b.f, w, false, b.nodeColor(n, si))
		i := b.p.Node(n)
		for ui, r := range rows {
			v := r.Cells[i].Value
			lbl := ""
			if len(units) <= 4 && r.Cells[i].OK() {
				lbl = fmt.Sprintf("%.*f", min(digits, 2), v)
			}
			bs.add(float64(ui)+(float64(si)-float64(len(kids)-1)/2)*w, v, nil, lbl)
			b.f.Data.Rows = append(b.f.Data.Rows, []any{r.Unit.Code, b.name(r.Unit), c.Year, n, v})
		}
		p.Add(bs)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.short(n), Thumb: bs})
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.Y.Min, p.Y.Max = 0, b.scale()
	b.f.Title = b.tr(b.short(node)+" components, ", b.short(node)+"分项指数，") + b.yearText(fmt.Sprint(c.Year))
	if !b.sel.UN() {
		b.f.Title = b.tr(b.short(node)+": dimensions, ", b.short(node)+"：各维度，") + b.yearText(fmt.Sprint(c.Year))
	}
	b.sources([]int{c.Year}, append([]string{node}, kids...)...)
	return nil
}
