package chart

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/uncertainty"
)

// handRun is a stored run written out by hand: four ranked units in nominal order, one
// unranked (no statistics), and Sobol indices of the mean shift (one first-order
// estimate below 0) and of one unit's rank.
func handRun() *uncertainty.Stored {
	nan := math.NaN()
	return &uncertainty.Stored{
		Record: uncertainty.Record{ID: 7, Dataset: "hand", Year: 2022, Method: "hand-2022"},
		Seed:   3, Samples: 100, Evaluations: 400, Sobol: true,
		Inputs: []string{"weights:*=±25%", "norm:*=minmax(1,100),zscore(10,2),rank"},
		Bands:  []string{"high", "low"},
		Units: []uncertainty.UnitStats{
			{Code: "U1", Name: "Alpha", NameZh: "甲地", NominalValue: 80, NominalRank: 1, Ranked: 400, Mean: 1.2, Median: 1, P05: 1, P95: 2, BandShare: []float64{1, 0}},
			{Code: "U2", Name: "Beta", NameZh: "乙地", NominalValue: 70, NominalRank: 2, Ranked: 400, Mean: 2.6, Median: 3, P05: 1, P95: 4, BandShare: []float64{0.8, 0.2}},
			{Code: "U3", Name: "Gamma", NameZh: "丙地", NominalValue: 60, NominalRank: 3, Ranked: 400, Mean: 2.9, Median: 2.5, P05: 2.05, P95: 4, BandShare: []float64{0.3, 0.7}},
			{Code: "U4", Name: "Delta", NameZh: "丁地", NominalValue: 50, NominalRank: 4, Ranked: 400, Mean: 3.3, Median: 4, P05: 3, P95: 4, BandShare: []float64{0, 1}},
			{Code: "U5", Name: "Epsilon", NameZh: "戊地", NominalValue: nan, Mean: nan, Median: nan, P05: nan, P95: nan, BandShare: []float64{nan, nan}},
		},
		Indices: []uncertainty.Index{
			{Factor: "weights:*=±25%", First: 0.42, FirstLo: 0.2, FirstHi: 0.61, Total: 0.7, TotalLo: 0.55, TotalHi: 0.86},
			{Factor: "norm:*=minmax(1,100),zscore(10,2),rank", First: -0.05, FirstLo: -0.3, FirstHi: 0.12, Total: 0.35, TotalLo: 0.22, TotalHi: 1.04},
			{Factor: "weights:*=±25%", Unit: "U1", First: 0.9, FirstLo: 0.8, FirstHi: 1, Total: 0.95, TotalLo: 0.9, TotalHi: 1},
		},
	}
}

// same compares a drawn value with the run's: equal numbers, or nil for NaN.
func same(got any, want float64) bool {
	if math.IsNaN(want) {
		return got == nil
	}
	x, ok := got.(float64)
	return ok && x == want
}

func TestRankIntervalsHoldTheRunsNumbers(t *testing.T) {
	t.Parallel()
	r := handRun()
	f, err := RankIntervals(RunSpec{Run: r})
	if err != nil {
		t.Fatal(err)
	}
	if want := "unit name nominal_rank median_rank p05_rank p95_rank mean_rank"; strings.Join(f.Data.Columns, " ") != want {
		t.Fatalf("columns %v, want %s", f.Data.Columns, want)
	}
	if len(f.Data.Rows) != len(r.Units) {
		t.Fatalf("%d rows for %d units", len(f.Data.Rows), len(r.Units))
	}
	for i, u := range r.Units {
		row := f.Data.Rows[i]
		var nominal any
		if u.NominalRank > 0 {
			nominal = u.NominalRank
		}
		if row[0] != u.Code || row[1] != u.Name || row[2] != nominal || !same(row[3], u.Median) || !same(row[4], u.P05) || !same(row[5], u.P95) || !same(row[6], u.Mean) {
			t.Errorf("row %d = %v, the run has %+v", i, row, u)
		}
	}
	// the first unit is drawn at the top: the highest position, the last tick label
	iv := f.Plot.Y.Tick.Marker.Ticks(f.Plot.Y.Min, f.Plot.Y.Max)
	if iv[len(iv)-1].Label != "Alpha" || iv[0].Label != "Epsilon" {
		t.Errorf("rows from the bottom: %v ... %v; want Epsilon at the bottom, Alpha at the top", iv[0].Label, iv[len(iv)-1].Label)
	}
	if f.Plot.X.Min != 0.5 || f.Plot.X.Max != 4.5 {
		t.Errorf("rank axis %v..%v, want 0.5..4.5 (rank 1 at the left)", f.Plot.X.Min, f.Plot.X.Max)
	}
	if f.Title != "Rank uncertainty: hand-2022, 2022 (400 evaluations)" {
		t.Errorf("title %q", f.Title)
	}
	src := strings.Join(f.Source, "\n")
	for _, s := range []string{"run 7", "hand-2022", "dataset hand", "2022", "seed 3", "400 evaluations", "N = 100", "weights:*=±25%; norm:*="} {
		if !strings.Contains(src, s) {
			t.Errorf("source lacks %q:\n%s", s, src)
		}
	}
	var legend []string
	for _, e := range f.Legend {
		legend = append(legend, e.Label)
	}
	if strings.Join(legend, "|") != "Median rank|5–95% interval|Nominal rank" {
		t.Errorf("legend %v", legend)
	}

	// Top: the first units in nominal order; the title says so
	top, err := RankIntervals(RunSpec{Run: r, Top: 2, Lang: "zh", Synthetic: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Data.Rows) != 2 || top.Data.Rows[0][1] != "甲地" || top.Data.Rows[1][1] != "乙地" {
		t.Errorf("top 2 in Chinese: %v", top.Data.Rows)
	}
	if top.Title != "排名不确定性：hand-2022，2022年前2名（400 次计算，合成样本）" {
		t.Errorf("title %q", top.Title)
	}
	if !strings.Contains(strings.Join(top.Source, " "), "合成样本数据") {
		t.Errorf("a synthetic run's source does not say so: %v", top.Source)
	}
	// a run without Sobol: replications; a title of one's own
	plain := *r
	plain.Sobol = false
	f2, _ := RankIntervals(RunSpec{Run: &plain, Title: "Mine"})
	if f2.Title != "Mine" || !strings.Contains(strings.Join(f2.Source, " "), "400 replications drawn at random") {
		t.Errorf("title %q, source %v", f2.Title, f2.Source)
	}
}

// The chart grows a row per unit, as the ranking chart grows a bar per unit.
func TestRankIntervalsGrowWithTheUnits(t *testing.T) {
	t.Parallel()
	r := handRun()
	for len(r.Units) < 40 {
		u := r.Units[len(r.Units)%4]
		u.Code += "x"
		r.Units = append(r.Units, u)
	}
	small, _ := RankIntervals(RunSpec{Run: r, Top: 5})
	all, _ := RankIntervals(RunSpec{Run: r})
	if small.Height != 10*vg.Centimeter || all.Height < 20*vg.Centimeter {
		t.Errorf("heights %.1f cm for 5 units, %.1f cm for 40", small.Height/vg.Centimeter, all.Height/vg.Centimeter)
	}
	// more units than a chart's 200 cm hold: refused with the way out, drawn with --top
	for len(r.Units) <= MaxIntervalRows {
		r.Units = append(r.Units, r.Units[:40]...)
	}
	if _, err := RankIntervals(RunSpec{Run: r}); err == nil || !strings.Contains(err.Error(), "--top") {
		t.Errorf("%d units in one chart: %v", len(r.Units), err)
	}
	most, err := RankIntervals(RunSpec{Run: r, Top: MaxIntervalRows})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := most.Render("svg", RenderOptions{}); err != nil || most.Height > 200*vg.Centimeter {
		t.Errorf("%d rows, %.0f cm: %v", MaxIntervalRows, most.Height/vg.Centimeter, err)
	}
}

func TestSensitivityIndicesHoldTheRunsNumbers(t *testing.T) {
	t.Parallel()
	r := handRun()
	f, err := SensitivityIndices(RunSpec{Run: r})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Data.Rows) != 2 {
		t.Fatalf("%d rows; want the two inputs' indices of the mean shift, not the unit's", len(f.Data.Rows))
	}
	for i, x := range r.Indices[:2] {
		row := f.Data.Rows[i]
		if row[0] != x.Factor || !same(row[1], x.First) || !same(row[2], x.FirstLo) || !same(row[3], x.FirstHi) ||
			!same(row[4], x.Total) || !same(row[5], x.TotalLo) || !same(row[6], x.TotalHi) {
			t.Errorf("row %d = %v, the run has %+v", i, row, x)
		}
	}
	// the axis reaches down to the lowest interval (−0.3) and up to the highest (1.04)
	if f.Plot.Y.Min > -0.3 || f.Plot.Y.Min < -0.35 || f.Plot.Y.Max < 1.04 || f.Plot.Y.Max > 1.1 {
		t.Errorf("value axis %v..%v, want about −0.3..1.04", f.Plot.Y.Min, f.Plot.Y.Max)
	}
	if f.Title != "Sensitivity of the ranks: first-order and total Sobol indices" {
		t.Errorf("title %q", f.Title)
	}
	// with four inputs, the long input's category label wraps after its colon, equals
	// sign or commas between choices; the short one does not
	four := handRun()
	four.Indices = append(four.Indices[:2:2], four.Indices[:2]...)
	w, _ := SensitivityIndices(RunSpec{Run: four})
	cats := w.Plot.X.Tick.Marker.Ticks(w.Plot.X.Min, w.Plot.X.Max)
	if len(cats) != 4 || cats[0].Label != "weights:*=±25%" || !strings.Contains(cats[1].Label, "\n") || strings.ReplaceAll(cats[1].Label, "\n", "") != r.Indices[1].Factor {
		t.Errorf("category labels %q", labels(cats))
	}
	for _, line := range strings.Split(cats[1].Label, "\n") {
		if !strings.HasSuffix(line, ":") && !strings.HasSuffix(line, "=") && !strings.HasSuffix(line, ",") && !strings.HasSuffix(line, "rank") {
			t.Errorf("%q broken inside a choice: %q", r.Indices[1].Factor, cats[1].Label)
		}
	}
	// all indices at or above 0 and below 1: the axis is 0 to 1
	pos := handRun()
	pos.Indices = pos.Indices[:1]
	g, _ := SensitivityIndices(RunSpec{Run: pos})
	if g.Plot.Y.Min != 0 || g.Plot.Y.Max != 1 {
		t.Errorf("value axis %v..%v, want 0..1", g.Plot.Y.Min, g.Plot.Y.Max)
	}
	// without Sobol indices: a clear refusal
	for _, bad := range []func(*uncertainty.Stored){
		func(s *uncertainty.Stored) { s.Sobol, s.Indices = false, nil },
		func(s *uncertainty.Stored) { s.Indices = s.Indices[2:] }, // only a unit's
	} {
		s := handRun()
		bad(s)
		if _, err := SensitivityIndices(RunSpec{Run: s}); err == nil || !strings.Contains(err.Error(), "run 7 has no Sobol indices; run egdi uncertainty with --sobol") {
			t.Errorf("a run without Sobol indices: %v", err)
		}
	}
}

// Both charts render to every format in both languages, with Chinese names and labels
// drawn in Chinese (and in English when a name needs the CJK font).
func TestRunChartsRender(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "zh"} {
		for _, kind := range RunKinds {
			r := handRun()
			if lang == "en" {
				r.Units[4].Name = "戊地" // a name only the CJK font draws
			}
			s := RunSpec{Run: r, Lang: present.Lang(lang), Synthetic: true}
			f, err := RankIntervals(s)
			if kind == "sensitivity" {
				f, err = SensitivityIndices(s)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", kind, lang, err)
			}
			for _, format := range Formats {
				b, err := f.Render(format, RenderOptions{DPI: 72})
				if err != nil || len(b) < 1000 {
					t.Errorf("%s %s as %s: %d bytes, %v", kind, lang, format, len(b), err)
				}
				if format != "svg" {
					continue
				}
				want := map[string]string{"uncertainty/en": "Nominal rank", "uncertainty/zh": "名义排名", "sensitivity/en": "Total index", "sensitivity/zh": "总效应指数"}[kind+"/"+lang]
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("%s %s: the SVG lacks %q", kind, lang, want)
				}
				if kind == "uncertainty" && !bytes.Contains(b, []byte("戊地")) {
					t.Errorf("%s %s: the Chinese name is not drawn", kind, lang)
				}
			}
		}
	}
}

func TestRankTicksAreWholeRanksFromOne(t *testing.T) {
	for _, c := range [][2]float64{{0.5, 31.5}, {0.5, 4.5}, {0.5, 193.5}, {2.5, 12.5}} {
		got := labels(rankTicks{}.Ticks(c[0], c[1]))
		for _, l := range got {
			if strings.ContainsAny(l, ".-") || l == "0" {
				t.Errorf("%v: tick %q is not a rank", c, l)
			}
		}
		if (c[0] <= 1) != slices.Contains(got, "1") {
			t.Errorf("%v: rank 1 labelled wrongly: %v", c, got)
		}
	}
}
