package chart

import (
	"fmt"

	"gonum.org/v1/plot/vg"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
)

// BarSeries is one series of a grouped bar chart.
type BarSeries struct {
	Label  string
	Values []float64 // one per category; NaN leaves a gap
}

// BarsSpec describes a grouped bar chart built from values a caller already has (a
// report's comparison of a unit with its region, its group and the world, say).
type BarsSpec struct {
	Lang       present.Lang
	Title      string
	YLabel     string
	Categories []string
	Series     []BarSeries
	Source     []string
	Digits     int // decimals of the value labels (0: none)
}

// Bars draws a BarsSpec in the house style.
func Bars(s BarsSpec) (*Figure, error) {
	if len(s.Categories) == 0 || len(s.Series) == 0 {
		return nil, fmt.Errorf("a bar chart needs categories and series")
	}
	fnt := latin
	texts := append([]string{s.Title, s.YLabel}, append(s.Categories, s.Source...)...)
	for _, se := range s.Series {
		texts = append(texts, se.Label)
	}
	for _, t := range texts {
		if s.Lang == "zh" || len(latin.missing(t)) > 0 {
			var err error
			if fnt, err = CJKFont(); err != nil {
				return nil, err
			}
			break
		}
	}
	f := &Figure{Kind: "bars", Title: s.Title, Source: s.Source, font: fnt, Width: 16 * vg.Centimeter, Height: 9 * vg.Centimeter,
		Data: &output.Table{Columns: []string{"category", "series", "value"}}}
	p := f.newPlot("", s.YLabel)
	grid(p, false)
	w := 0.8 / float64(len(s.Series))
	inUnit := true
	for si, se := range s.Series {
		if len(se.Values) != len(s.Categories) {
			return nil, fmt.Errorf("series %q has %d values for %d categories", se.Label, len(se.Values), len(s.Categories))
		}
		bs := newBars(f, w, false, seriesColor(si))
		for ci, v := range se.Values {
			lbl := ""
			if s.Digits > 0 && v == v {
				lbl = fmt.Sprintf("%.*f", s.Digits, v)
			}
			bs.add(float64(ci)+(float64(si)-float64(len(s.Series)-1)/2)*w, v, nil, lbl)
			f.Data.Rows = append(f.Data.Rows, []any{s.Categories[ci], se.Label, v})
			inUnit = inUnit && (v != v || (v >= 0 && v <= 1))
		}
		p.Add(bs)
		f.Legend = append(f.Legend, LegendEntry{Label: se.Label, Thumb: bs})
	}
	p.NominalX(s.Categories...)
	p.X.Min, p.X.Max = -0.5, float64(len(s.Categories))-0.5
	p.Y.Min = 0
	if inUnit {
		p.Y.Max = 1
	}
	return f, nil
}
