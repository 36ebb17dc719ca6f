package chart

import (
	"fmt"
	"image/color"
	"slices"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
)

// groups: units per band (or rating class) for several years, as grouped bars.
func (b *builder) groups() error {
	by := b.o.By
	if by == "" || by == "group" {
		by = "band"
	}
	if by != "band" && by != "class" {
		return fmt.Errorf("groups: --by %q is not known; use band (group) or class", b.o.By)
	}
	if by == "band" && len(b.sel.Framework.Bands) == 0 {
		return fmt.Errorf("groups: %s has no bands to count units by", b.sel.Framework.ID)
	}
	s, err := b.summary(query.SummaryRequest{Years: b.years(nil), By: by})
	if err != nil {
		return err
	}
	count, total := map[string]int{}, map[int]int{}
	key := func(y int, k string) string { return fmt.Sprint(y, "/", k) }
	for _, r := range s.Rows {
		count[key(r.Year, r.Key)] = r.Count
		total[r.Year] += r.Count
	}
	var years []int
	for _, y := range b.years(nil) {
		if total[y] > 0 {
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		return fmt.Errorf("groups: no %s in %s", map[string]string{"band": "bands", "class": "rating classes"}[by], yearSpan(b.years(nil)))
	}
	b.sources(years, b.sel.Root())
	value := func(y int, k string) float64 {
		if b.o.Share {
			return float64(count[key(y, k)]) / float64(total[y])
		}
		return float64(count[key(y, k)])
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
		if !b.sel.UN() {
			yLabel = b.tr("Share of units", "地区占比")
		}
	}
	b.f.Data = &output.Table{Columns: []string{"year", "key", "count", "share"}}
	row := func(y int, k string) {
		b.f.Data.Rows = append(b.f.Data.Rows, []any{y, k, count[key(y, k)], float64(count[key(y, k)]) / float64(total[y])})
	}
	root := b.short(b.sel.Root())
	if by == "band" {
		p := b.f.newPlot(b.tr("Survey edition", "调查年份"), yLabel)
		grid(p, false)
		gs := b.bandIDs()
		w := 0.8 / float64(len(gs))
		for gi, g := range gs {
			bs := newBars(b.f, w, false, b.bandColor(g))
			for yi, y := range years {
				v := value(y, g)
				bs.add(float64(yi)+(float64(gi)-float64(len(gs)-1)/2)*w, v, nil, label(v))
				row(y, g)
			}
			p.Add(bs)
			b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.bandLabel(g), Thumb: bs})
		}
		var names []string
		for _, y := range years {
			names = append(names, fmt.Sprint(y))
		}
		p.NominalX(names...)
		p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
		switch {
		case !b.sel.UN():
			b.f.Title = b.long(b.sel.Root()) + b.tr(": units by band", "：各等级地区数量")
			if b.o.Share {
				b.f.Title = b.long(b.sel.Root()) + b.tr(": share of units by band", "：各等级地区占比")
			}
		case b.o.Share:
			b.f.Title = b.tr("Share of countries by "+root+" group", "各"+root+"组别的国家占比")
		default:
			b.f.Title = b.tr("Countries by "+root+" group", "各"+root+"组别的国家数量")
		}
	} else {
		classes := b.classOrder(s)
		p := b.f.newPlot(b.tr("Rating class", "评级"), yLabel)
		grid(p, false)
		w := 0.8 / float64(len(years))
		classBand := map[string]string{}
		for _, c := range b.sel.Framework.Classes {
			classBand[c.ID] = c.Band
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
					col = b.bandColor(classBand[c])
				}
				bs.add(float64(ci)+(float64(yi)-float64(len(years)-1)/2)*w, v, col, lbl)
				row(y, c)
			}
			p.Add(bs)
			if len(years) > 1 {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.yearText(fmt.Sprint(y)), Thumb: bs})
			}
		}
		if len(years) == 1 {
			for _, g := range b.bandIDs() {
				b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.bandLabel(g), Thumb: swatchOf(b.bandColor(g))})
			}
		}
		p.NominalX(classes...)
		p.X.Min, p.X.Max = -0.5, float64(len(classes))-0.5
		b.f.Title = b.tr("Countries by "+root+" rating class", "各"+root+"评级的国家数量")
		if b.o.Share {
			b.f.Title = b.tr("Share of countries by "+root+" rating class", "各"+root+"评级的国家占比")
		}
	}
	span := yearSpan(years)
	if len(years) <= 4 {
		span = b.yearList(years)
	}
	b.f.Title += b.tr(", ", "，") + b.yearText(span)
	b.f.Plot.Y.Min = 0
	if b.o.Share {
		b.f.Plot.Y.Tick.Marker = percentTicks{}
	}
	return nil
}

// classOrder lists the classes present in a summary, in the framework's order.
func (b *builder) classOrder(s *query.Summary) []string {
	var out []string
	for _, c := range b.sel.Framework.Classes {
		for _, r := range s.Rows {
			if r.Key == c.ID && !slices.Contains(out, c.ID) {
				out = append(out, c.ID)
			}
		}
	}
	for _, r := range s.Rows {
		if !slices.Contains(out, r.Key) {
			out = append(out, r.Key)
		}
	}
	return out
}
