package chart

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// regions: the mean of a node and its children by group of a grouping (M49 regions by
// default) for one year, or of the node across several years.
func (b *builder) regions() error {
	node, err := b.node(b.o.Node)
	if err != nil {
		return err
	}
	by, err := b.colourBy()
	if b.o.Summary != nil {
		by, err = b.o.Summary.By, nil // the units it summarises are not all in the panel
	}
	if err != nil {
		return fmt.Errorf("regions: %w", err)
	}
	if by == "" {
		return fmt.Errorf("regions: these units have no region or grouping (regions are known for UN Member States); group them with egdi import groups FILE and name the grouping with --by")
	}
	years := b.years([]int{b.year()})
	s, err := b.summary(query.SummaryRequest{Years: years, By: by, Node: node})
	if err != nil {
		return err
	}
	if len(s.Rows) == 0 {
		return fmt.Errorf("regions: no %s values in %s", b.short(node), yearSpan(years))
	}
	type key struct {
		year int
		k    string
	}
	rows := map[key]query.SummaryRow{}
	var cats []string
	label := map[string]string{}
	for _, r := range s.Rows {
		rows[key{r.Year, r.Key}] = r
		if !slices.Contains(cats, r.Key) {
			cats = append(cats, r.Key)
			label[r.Key] = r.Group.In(string(b.lang))
		}
	}
	last := years[len(years)-1]
	mean := func(y int, k string, col int) float64 {
		r, ok := rows[key{y, k}]
		if !ok {
			return math.NaN()
		}
		return r.Means[col]
	}
	sort.SliceStable(cats, func(i, j int) bool { return mean(last, cats[i], 0) > mean(last, cats[j], 0) })
	horizontal := len(cats) > 7
	b.f.Data = &output.Table{Columns: []string{"year", "key", "count", "index", "mean"}}
	type series struct {
		node string
		col  int
		year int
	}
	var ss []series
	if len(years) == 1 {
		for i, c := range s.Columns {
			if c == "epi" && b.sel.UN() {
				continue // supplementary: not part of EGDI
			}
			ss = append(ss, series{c, i, last})
		}
	} else {
		for _, y := range years {
			ss = append(ss, series{node, 0, y})
		}
	}
	var p *plot.Plot
	valueAxis := b.tr("Mean", "均值") + present.Range(b.sel, b.lang)
	if horizontal {
		p = b.f.newPlot(valueAxis, "")
	} else {
		p = b.f.newPlot("", valueAxis)
	}
	grid(p, horizontal)
	w := 0.8 / float64(len(ss))
	for si, se := range ss {
		c := b.nodeColor(se.node, si)
		name := b.short(se.node)
		if len(years) > 1 {
			c, name = seriesColor(si), b.yearText(fmt.Sprint(se.year))
		}
		bs := newBars(b.f, w, horizontal, c)
		for ci, k := range cats {
			pos := float64(ci)
			if horizontal {
				pos = float64(len(cats) - 1 - ci)
			}
			off := (float64(si) - float64(len(ss)-1)/2) * w
			if horizontal {
				off = -off
			}
			v := mean(se.year, k, se.col)
			bs.add(pos+off, v, nil, "")
			if r, ok := rows[key{se.year, k}]; ok {
				b.f.Data.Rows = append(b.f.Data.Rows, []any{se.year, label[k], r.Count, se.node, v})
			}
		}
		p.Add(bs)
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: name, Thumb: bs})
	}
	var names []string
	for _, k := range cats {
		names = append(names, label[k])
	}
	if horizontal {
		slices.Reverse(names)
		p.NominalY(names...)
		p.Y.Min, p.Y.Max = -0.5, float64(len(names))-0.5
		p.X.Min, p.X.Max = 0, b.scale()
		b.horizontalSize(len(cats) * max(1, len(ss)/2))
	} else {
		p.NominalX(names...)
		p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
		p.Y.Min, p.Y.Max = 0, b.scale()
	}
	gname := present.GroupingName(b.p, by, b.lang)
	what := [2]string{"by " + gname, "按" + gname}
	if len(years) == 1 {
		if len(ss) > 1 {
			b.f.Title = b.tr(b.short(node)+" and components "+what[0], what[1]+"的"+b.short(node)+"及分项均值")
			if !b.sel.UN() {
				b.f.Title = b.tr(b.short(node)+" and its dimensions "+what[0], what[1]+"的"+b.short(node)+"及各维度均值")
			}
		} else {
			b.f.Title = b.tr("Mean "+b.short(node)+" "+what[0], what[1]+"的"+b.short(node)+"均值")
		}
	} else {
		b.f.Title = b.tr("Mean "+b.short(node)+" "+what[0], what[1]+"的"+b.short(node)+"均值")
	}
	b.f.Title += b.tr(", ", "，") + b.yearText(b.yearList(years))
	var nodes []string
	for _, se := range ss {
		if !slices.Contains(nodes, se.node) {
			nodes = append(nodes, se.node)
		}
	}
	b.sources(years, nodes...)
	return nil
}
