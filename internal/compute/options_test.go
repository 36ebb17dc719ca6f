package compute

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/framework"
)

// one computes a framework whose root "n" has the given leaves and settings, over csv,
// and returns n's values by unit for 2022.
func one(t *testing.T, csv, node, leaves string) (map[string]float64, []YearResult) {
	t.Helper()
	db := setup(t, csv)
	f := fw(t, fmt.Sprintf("id: t\nroot: n\nnodes:\n  - {id: n, %s}\nindicators:\n%s", node, leaves))
	res, err := Run(context.Background(), db, f, Options{Dataset: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return values(t, db, "n"), res
}

const xs = "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\nC,2022,x,4\nD,2022,x,8\n"

func expect(t *testing.T, what string, got map[string]float64, want map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d units %v, want %d", what, len(got), got, len(want))
	}
	for u, w := range want {
		if g, ok := got[u]; !ok || math.Abs(g-w) > 1e-12 {
			t.Errorf("%s: %s = %v, want %v", what, u, got[u], w)
		}
	}
}

func TestNormalisationsByHand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, leaf string
		want       map[string]float64
	}{
		{"minmax", "normalise: minmax", map[string]float64{"A": 0, "B": 1.0 / 7, "C": 3.0 / 7, "D": 1}},
		{"rank", "normalise: rank", map[string]float64{"A": 1, "B": 2, "C": 3, "D": 4}},
		{"rank, lower is better", "normalise: rank, direction: negative", map[string]float64{"A": 4, "B": 3, "C": 2, "D": 1}},
		{"percentile", "normalise: percentile", map[string]float64{"A": 0, "B": 1.0 / 3, "C": 2.0 / 3, "D": 1}},
		{"distance to best", "normalise: best", map[string]float64{"A": 0.125, "B": 0.25, "C": 0.5, "D": 1}},
		{"distance to best, lower is better", "normalise: best, direction: negative", map[string]float64{"A": 1, "B": 0.5, "C": 0.25, "D": 0.125}},
		{"distance to target", "normalise: target, target: 4", map[string]float64{"A": 0.25, "B": 0.5, "C": 1, "D": 1}},
		{"goalposts", "normalise: goalposts, goalposts: [2, 6]", map[string]float64{"A": 0, "B": 0, "C": 0.5, "D": 1}},
		// z-scores with the population sd: mean 3.75, sd sqrt(28.75/4)
		{"zscore", "normalise: zscore", map[string]float64{"A": -2.75 / math.Sqrt(7.1875), "B": -1.75 / math.Sqrt(7.1875), "C": 0.25 / math.Sqrt(7.1875), "D": 4.25 / math.Sqrt(7.1875)}},
		// with the sample sd, sqrt(28.75/3), as COINr's n_zscore and R's sd()
		{"zscore, sample sd", "normalise: zscore, sd: sample", map[string]float64{"A": -2.75 / math.Sqrt(28.75/3), "B": -1.75 / math.Sqrt(28.75/3), "C": 0.25 / math.Sqrt(28.75/3), "D": 4.25 / math.Sqrt(28.75/3)}},
		{"borda", "normalise: borda", map[string]float64{"A": 0, "B": 1, "C": 2, "D": 3}},
		// COINr's n_dist2targ: (x − min) / (target − min), and (max − x) / (max − target) downwards
		{"COINr distance to target", "normalise: distance-to-target, target: 4", map[string]float64{"A": 0, "B": 1.0 / 3, "C": 1, "D": 7.0 / 3}},
		{"COINr distance to target, capped", "normalise: distance-to-target, target: 4, cap_target: true", map[string]float64{"A": 0, "B": 1.0 / 3, "C": 1, "D": 1}},
		{"COINr distance to target, lower is better", "normalise: distance-to-target, target: 2, direction: negative", map[string]float64{"A": 7.0 / 6, "B": 1, "C": 4.0 / 6, "D": 0}},
		// COINr's n_dist2ref: (x − min) / (x(ref) − min), C being the reference
		{"distance to a reference unit", "normalise: reference, reference: C", map[string]float64{"A": 0, "B": 1.0 / 3, "C": 1, "D": 7.0 / 3}},
	}
	for _, c := range cases {
		got, _ := one(t, xs, "children: [x]", "  - {id: x, "+c.leaf+"}\n")
		expect(t, c.name, got, c.want)
	}
	// ties: competition ranks 1, 2, 2, 4 and percent ranks 0, 1/3, 1/3, 1
	ties := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\nC,2022,x,2\nD,2022,x,3\n"
	got, _ := one(t, ties, "children: [x]", "  - {id: x, normalise: rank}\n")
	expect(t, "rank with ties", got, map[string]float64{"A": 1, "B": 2, "C": 2, "D": 4})
	got, _ = one(t, ties, "children: [x]", "  - {id: x, normalise: percentile}\n")
	expect(t, "percentile with ties", got, map[string]float64{"A": 0, "B": 1.0 / 3, "C": 1.0 / 3, "D": 1})
	// a node normalised on 0-100
	db := setup(t, xs)
	f := fw(t, "id: t\nroot: n\nscale: 100\nnodes:\n  - {id: n, normalise: minmax, children: [x]}\nindicators:\n  - {id: x}\nbands:\n  - {id: hi, min: 50}\n  - {id: lo, min: 0}\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	expect(t, "minmax on 0-100", values(t, db, "n"), map[string]float64{"A": 0, "B": 100.0 / 7, "C": 300.0 / 7, "D": 100})
}

// Denomination divides by another indicator before anything else; a missing or zero
// denominator is an error naming the unit, the indicator and the year.
func TestDenominationByHand(t *testing.T) {
	t.Parallel()
	vals := "unit,year,indicator,value\nA,2022,x,10\nA,2022,pop,5\nB,2022,x,30\nB,2022,pop,10\n"
	got, _ := one(t, vals, "children: [x]", "  - {id: x, denominate: {by: pop, scale: 100}}\n")
	expect(t, "per 100 inhabitants", got, map[string]float64{"A": 200, "B": 300})
	for _, c := range []struct{ vals, want string }{
		{"unit,year,indicator,value\nA,2022,x,10\nA,2022,pop,5\nB,2022,x,30\n", "indicator x of unit B (2022) is denominated by pop, which that unit has no value of that year"},
		{"unit,year,indicator,value\nA,2022,x,10\nA,2022,pop,0\n", "indicator x of unit A (2022) is denominated by pop, which is 0 there"},
		{"unit,year,indicator,value\nA,2022,x,10\n", `indicator x is denominated by pop, which dataset "t" does not have`},
	} {
		db := setup(t, c.vals)
		f := fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x, denominate: {by: pop}}\n")
		if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}

// A screen leaves out the units with too few indicators, at its boundary included,
// and records them with the run.
func TestScreeningAtTheBoundary(t *testing.T) {
	t.Parallel()
	// four indicators; A has 4, B 3 (75%), C 2 (50%)
	vals := "unit,year,indicator,value\n"
	for u, n := range map[string]int{"A": 4, "B": 3, "C": 2} {
		for i := 1; i <= n; i++ {
			vals += fmt.Sprintf("%s,2022,i%d,%d\n", u, i, i)
		}
	}
	leaves := "  - {id: i1}\n  - {id: i2}\n  - {id: i3}\n  - {id: i4, impute: mean}\n"
	for _, c := range []struct {
		screen   string
		screened []string
	}{
		{"screen: {min_coverage: 0.75}", []string{"C"}},
		{"screen: {min_coverage: 0.76}", []string{"B", "C"}},
		{"screen: {min_coverage: 0.5}", nil},
		// after imputation B has 4 (i4 imputed), C 3
		{"screen: {min_coverage: 0.75, stage: imputed}", nil},
		{"screen: {min_coverage: 0.76, stage: imputed}", []string{"C"}},
	} {
		db := setup(t, vals)
		f := fw(t, "id: t\nroot: n\n"+c.screen+"\nnodes:\n  - {id: n, children: [i1, i2, i3, i4]}\nindicators:\n"+leaves)
		res, err := Run(context.Background(), db, f, Options{Dataset: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(res[0].Screened) != fmt.Sprint(c.screened) {
			t.Errorf("%s: screened %v, want %v", c.screen, res[0].Screened, c.screened)
		}
		got := values(t, db, "n")
		for _, u := range c.screened {
			if _, ok := got[u]; ok {
				t.Errorf("%s: screened %s has a value", c.screen, u)
			}
		}
		var n int
		var detail string
		db.QueryRow(`SELECT count(*), coalesce(min(detail), '') FROM excluded WHERE reason = 'screened'`).Scan(&n, &detail)
		if n != len(c.screened) || (n > 0 && !strings.Contains(detail, "indicators present")) {
			t.Errorf("%s: %d screened recorded (%q)", c.screen, n, detail)
		}
	}
}

// missing: skip means over the children present, weights renormalised; min_coverage
// sets how many are needed. normalise_over: all takes one normalisation over every year.
func TestMissingChildrenAndNormalisationOverYears(t *testing.T) {
	t.Parallel()
	vals := "unit,year,indicator,value\nA,2022,x,1\nA,2022,y,3\nB,2022,x,2\nB,2022,y,6\nC,2022,x,4\n"
	leaves := "  - {id: x}\n  - {id: y}\n"
	got, _ := one(t, vals, "children: [x, y]", leaves)
	expect(t, "every child required", got, map[string]float64{"A": 2, "B": 4})
	got, _ = one(t, vals, "missing: skip, children: [{id: x, weight: 1}, {id: y, weight: 3}]", leaves)
	expect(t, "skip, weighted", got, map[string]float64{"A": 2.5, "B": 5, "C": 4})
	got, _ = one(t, vals, "missing: skip, min_coverage: 0.6, children: [x, y]", leaves)
	expect(t, "skip, at least 60% of the children", got, map[string]float64{"A": 2, "B": 4})
	got, _ = one(t, vals, "missing: skip, min_coverage: 0.5, children: [x, y]", leaves)
	expect(t, "skip, half the children", got, map[string]float64{"A": 2, "B": 4, "C": 4})

	years := "unit,year,indicator,value\nA,2021,x,0\nB,2021,x,10\nA,2022,x,5\nB,2022,x,20\n"
	db := setup(t, years)
	f := fw(t, "id: t\nroot: n\nnormalise_over: all\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x, normalise: minmax}\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	expect(t, "min-max over both years, 2022", values(t, db, "n"), map[string]float64{"A": 0.25, "B": 1})
	db = setup(t, years)
	f = fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x, normalise: minmax}\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	expect(t, "min-max per year, 2022", values(t, db, "n"), map[string]float64{"A": 0, "B": 1})
}

func TestTreatmentsByHand(t *testing.T) {
	t.Parallel()
	five := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\nC,2022,x,3\nD,2022,x,4\nE,2022,x,100\n"
	// quantiles (linear interpolation): q25 = 2, q75 = 4
	got, _ := one(t, five, "children: [x]", "  - {id: x, winsorise: {lower: 0.25, upper: 0.75}}\n")
	expect(t, "winsorise at quantiles", got, map[string]float64{"A": 2, "B": 2, "C": 3, "D": 4, "E": 4})
	e := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x," + fmt.Sprint(math.E) + "\nC,2022,x," + fmt.Sprint(math.E*math.E) + "\n"
	got, _ = one(t, e, "children: [x]", "  - {id: x, transform: log}\n")
	expect(t, "log", got, map[string]float64{"A": 0, "B": 1, "C": 2})
	got, _ = one(t, "unit,year,indicator,value\nA,2022,x,0\nB,2022,x,"+fmt.Sprint(math.E-1)+"\n", "children: [x]", "  - {id: x, transform: log1p}\n")
	expect(t, "log1p", got, map[string]float64{"A": 0, "B": 1})
	// cap before the transform: 100 capped at 10, then ln
	got, _ = one(t, "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,100\n", "children: [x]", "  - {id: x, cap: 10, transform: log}\n")
	expect(t, "cap then log", got, map[string]float64{"A": 0, "B": math.Log(10)})

	db := setup(t, "unit,year,indicator,value\nA,2022,x,0\nB,2022,x,1\n")
	_, err := Run(context.Background(), db, fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x, transform: log}\n"), Options{Dataset: "t"})
	if err == nil || !strings.Contains(err.Error(), "indicator x: transform log cannot take 0 (unit A, 2022)") {
		t.Errorf("log of 0: %v", err)
	}

	// the skew-kurtosis rule clamps the outlier 100 to the next value, 9, and stops
	vals := "unit,year,indicator,value\n"
	for i := 1; i <= 9; i++ {
		vals += fmt.Sprintf("U%d,2022,x,%d\n", i, i)
	}
	vals += "U10,2022,x,100\n"
	got, _ = one(t, vals, "children: [x]", "  - {id: x, winsorise: {rule: skew-kurtosis}}\n")
	if got["U10"] != 9 || got["U9"] != 9 || got["U1"] != 1 {
		t.Errorf("skew-kurtosis winsorisation: %v", got)
	}
}

func TestSkewKurtosisRule(t *testing.T) {
	t.Parallel()
	rule := func(maxPoints int, skew, kurt float64, fallback string) *framework.Winsorise {
		w := &framework.Winsorise{Rule: "skew-kurtosis", MaxPoints: maxPoints, Skew: skew, Kurtosis: kurt, Fallback: fallback}
		if fallback == framework.FallbackBoxCox {
			l := 0.5
			w.Lambda = &l
		}
		return w
	}
	tr := SkewKurtosis([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 100}, rule(5, 2, 3.5, ""))
	if tr.Pass || tr.Lo != nil || tr.Hi == nil || *tr.Hi != 9 || tr.Points != 1 || !tr.PassAfter {
		t.Errorf("one high outlier: %+v", tr)
	}
	// skewness and kurtosis of 1..9, 100 by e1071's type 2 formulas, worked out by hand:
	// mean 14.5, Σd² = 8182.5, Σd³ = 615 600, Σd⁴ = 53 546 258.625 (numpy agrees)
	n := 10.0
	g1 := math.Sqrt(n) * 615600.0 / math.Pow(8182.5, 1.5) * math.Sqrt(n*(n-1)) / (n - 2)
	r := n * 53546258.625 / (8182.5 * 8182.5)
	g2 := ((n+1)*(r-3) + 6) * (n - 1) / ((n - 2) * (n - 3))
	if math.Abs(tr.SkewBefore-g1) > 1e-12 || math.Abs(tr.KurtBefore-g2) > 1e-12 {
		t.Errorf("skew %v kurt %v, want %v %v", tr.SkewBefore, tr.KurtBefore, g1, g2)
	}
	// a low outlier is winsorised from below
	tr = SkewKurtosis([]float64{-100, 1, 2, 3, 4, 5, 6, 7, 8, 9}, rule(5, 2, 3.5, ""))
	if tr.Hi != nil || tr.Lo == nil || *tr.Lo != 1 || tr.Points != 1 {
		t.Errorf("one low outlier: %+v", tr)
	}
	// a symmetric series is left alone
	if tr := SkewKurtosis([]float64{1, 2, 3, 4, 5}, rule(5, 2, 3.5, "")); tr.Lo != nil || tr.Hi != nil || tr.Points != 0 || !tr.Pass {
		t.Errorf("symmetric series changed: %+v", tr)
	}
	// tied extremes go together and count as two, as in COINr: 1..10, 100, 100
	tr = SkewKurtosis([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 100}, rule(5, 1, 0, ""))
	if tr.Hi == nil || tr.Points < 2 {
		t.Errorf("tied outliers: %+v", tr)
	}
	// max_points reached and the rule still failing: the fallback replaces the
	// winsorisation, applied to the values as they were
	xs := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 50, 60, 70, 80}
	tr = SkewKurtosis(xs, rule(1, 0.1, -10, framework.FallbackLog))
	if tr.Fallback != "log" || tr.Lo != nil || tr.Hi != nil || tr.Min != 1 || tr.Range != 79 {
		t.Errorf("log fallback: %+v", tr)
	}
	if got := Fallback(80, 1, 79, rule(1, 0, 0, framework.FallbackLog)); math.Abs(got-math.Log(79+0.79)) > 1e-12 {
		t.Errorf("log_CT(80) = %v", got)
	}
	if got := Fallback(80, 1, 79, rule(1, 0, 0, framework.FallbackBoxCox)); math.Abs(got-(math.Sqrt(80)-1)/0.5) > 1e-12 {
		t.Errorf("Box-Cox(80) = %v", got)
	}
	if tr := SkewKurtosis(xs, rule(1, 0.1, -10, "")); tr.Fallback != "" || tr.Points != 1 || tr.PassAfter {
		t.Errorf("no fallback: %+v", tr)
	}
}

func TestImputationByHand(t *testing.T) {
	t.Parallel()
	// y is missing for C; A and B have 10 and 20; the node is y alone (normalise none)
	csv := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,1\nC,2022,x,1\nD,2022,x,1\nA,2022,y,10\nB,2022,y,20\nD,2022,y,60\n"
	node := "children: [{id: x, weight: 0}, {id: y, weight: 1}]" // x only makes C a unit of the year
	leaf := func(imp string) string { return "  - {id: x}\n  - {id: y, impute: " + imp + "}\n" }
	got, res := one(t, csv, node, leaf("mean"))
	expect(t, "mean", got, map[string]float64{"A": 10, "B": 20, "C": 30, "D": 60})
	if res[0].Imputed != 1 {
		t.Errorf("imputed count %d, want 1", res[0].Imputed)
	}
	got, _ = one(t, csv, node, leaf("median"))
	expect(t, "median", got, map[string]float64{"A": 10, "B": 20, "C": 20, "D": 60})
	got, res = one(t, csv, node, leaf("none"))
	expect(t, "none: C gets no value", got, map[string]float64{"A": 10, "B": 20, "D": 60})
	if l := res[0].Lacking([]string{"x", "y"}); len(l) != 1 || l[0] != "y (1 unit)" || res[0].YearUnits != 4 {
		t.Errorf("why C has no value: %v of %d units", l, res[0].YearUnits)
	}

	// the unit's previous value
	prev := csv + "C,2021,y,7\nC,2020,y,5\n"
	db := setup(t, prev)
	f := fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, "+node+"}\nindicators:\n"+leaf("previous"))
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t", Years: []int{2022}}); err != nil {
		t.Fatal(err)
	}
	expect(t, "previous", values(t, db, "n"), map[string]float64{"A": 10, "B": 20, "C": 7, "D": 60})

	// next, and linear between the unit's own years: C has 2020 (5) and 2025 (20), so
	// 2022 is 5 + 15 × 2/5 = 11; D has only earlier years (2019: 4), so the end of its
	// series carries on; A only a later one (2024: 8)
	series := "unit,year,indicator,value\nA,2022,x,1\nC,2022,x,1\nD,2022,x,1\nE,2022,x,1\nE,2022,y,50\n" +
		"C,2020,y,5\nC,2025,y,20\nD,2019,y,4\nA,2024,y,8\n"
	for _, c := range []struct {
		rule string
		want map[string]float64
	}{
		{"linear", map[string]float64{"A": 8, "C": 11, "D": 4, "E": 50}},
		{"next", map[string]float64{"A": 8, "C": 20, "E": 50}},
		{"previous", map[string]float64{"C": 5, "D": 4, "E": 50}},
	} {
		db := setup(t, series)
		f := fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, "+node+"}\nindicators:\n"+leaf(c.rule))
		if _, err := Run(context.Background(), db, f, Options{Dataset: "t", Years: []int{2022}}); err != nil {
			t.Fatal(err)
		}
		expect(t, c.rule, values(t, db, "n"), c.want)
	}

	// group means by M49 region: JPN takes the mean of the other Asian units (CHN 10,
	// IND 30), FRA the mean of Europe (DEU 40)
	g := "unit,year,indicator,value\nCHN,2022,x,1\nIND,2022,x,1\nJPN,2022,x,1\nDEU,2022,x,1\nFRA,2022,x,1\n" +
		"CHN,2022,y,10\nIND,2022,y,30\nDEU,2022,y,40\n"
	got, _ = one(t, g, node, leaf("group-mean"))
	expect(t, "group-mean", got, map[string]float64{"CHN": 10, "IND": 30, "JPN": 20, "DEU": 40, "FRA": 40})
	got, _ = one(t, g, node, "  - {id: x}\n  - {id: y, impute: group-median, impute_group: subregion}\n")
	// sub-regions: CHN, JPN Eastern Asia (median of CHN = 10); IND Southern Asia; FRA, DEU Western Europe
	expect(t, "group-median by sub-region", got, map[string]float64{"CHN": 10, "IND": 30, "JPN": 10, "DEU": 40, "FRA": 40})

	// an indicator missing for every unit: nothing to impute from, no unit gets a value
	allMissing := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\n"
	db = setup(t, allMissing)
	f = fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, children: [x, y]}\nindicators:\n  - {id: x}\n  - {id: y, impute: mean}\n")
	res, err := Run(context.Background(), db, f, Options{Dataset: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if len(values(t, db, "n")) != 0 || len(res[0].Missing) != 1 || res[0].Missing[0] != "y" {
		t.Errorf("all-missing indicator: values %v, missing %v", values(t, db, "n"), res[0].Missing)
	}
}

func TestAggregationsByHand(t *testing.T) {
	t.Parallel()
	csv := "unit,year,indicator,value\nA,2022,a,0.25\nA,2022,b,1\nB,2022,a,0\nB,2022,b,1\nC,2022,a,-1\nC,2022,b,1\n"
	leaves := "  - {id: a}\n  - {id: b}\n"
	got, _ := one(t, csv, "aggregate: geometric, children: [a, b]", leaves)
	expect(t, "geometric", got, map[string]float64{"A": 0.5, "B": 0})
	got, _ = one(t, csv, "aggregate: geometric, children: [{id: a, weight: 1}, {id: b, weight: 3}]", leaves)
	expect(t, "weighted geometric", got, map[string]float64{"A": math.Pow(0.25, 0.25), "B": 0})
	got, _ = one(t, csv, "aggregate: geometric, zeros: epsilon, children: [a, b]", leaves)
	expect(t, "geometric, zeros as epsilon", got, map[string]float64{"A": 0.5, "B": math.Sqrt(1e-6)})
	got, _ = one(t, csv, "aggregate: harmonic, children: [a, b]", leaves)
	expect(t, "harmonic", got, map[string]float64{"A": 2 / (4 + 1.0), "B": 0})
	got, _ = one(t, csv, "children: [a, b]", leaves)
	expect(t, "arithmetic", got, map[string]float64{"A": 0.625, "B": 0.5, "C": 0})
}

func TestDenseAndCompetitionRanksOnZeroToHundred(t *testing.T) {
	t.Parallel()
	csv := "unit,year,indicator,value\nA,2022,x,95\nB,2022,x,95\nC,2022,x,85\nD,2022,x,70\n"
	for rule, want := range map[string][]int{"dense": {1, 1, 2, 3}, "competition": {1, 1, 3, 4}} {
		db := setup(t, csv)
		f := fw(t, "id: t\nroot: n\nscale: 100\nranking: "+rule+"\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x}\n"+
			"bands:\n  - {id: very_high, min: 90, label: {en: Very high, zh: 非常高}}\n  - {id: high, min: 80, label: {en: High, zh: 高}}\n  - {id: middle, min: 0, label: {en: Middle, zh: 中}}\n")
		if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
			t.Fatal(err)
		}
		rows, _ := db.Query(`SELECT unit, rank, band FROM standings WHERE dataset = 't' ORDER BY unit`)
		i := 0
		bands := []string{"very_high", "very_high", "high", "middle"}
		for rows.Next() {
			var u, b string
			var r int
			rows.Scan(&u, &r, &b)
			if r != want[i] || b != bands[i] {
				t.Errorf("%s: %s rank %d band %s, want %d %s", rule, u, r, b, want[i], bands[i])
			}
			i++
		}
		rows.Close()
	}
}

// The units of a year are counted from the results when every indicator is under the
// root and has as many units as the root, and exactly otherwise: here a supplementary
// node's indicator s has as many units as the root, but one of them (E) has nothing
// else, so the year has 4 units, 3 of them with a root value.
func TestYearUnits(t *testing.T) {
	t.Parallel()
	full := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\nC,2022,x,4\nA,2022,y,1\nB,2022,y,5\nC,2022,y,3\n"
	db := setup(t, full)
	f := fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, children: [x, y]}\nindicators:\n  - {id: x}\n  - {id: y}\n")
	res, err := Run(context.Background(), db, f, Options{Dataset: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].YearUnits != 3 || res[0].Units != 3 || len(res[0].Lacking(f.UsedIndicators())) != 0 {
		t.Errorf("complete data: %d units, %d with a root value, lacking %v", res[0].YearUnits, res[0].Units, res[0].Lacking(f.UsedIndicators()))
	}
	db = setup(t, full+"A,2022,s,1\nB,2022,s,1\nE,2022,s,1\n")
	f = fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, children: [x, y]}\n  - {id: sup, children: [s]}\nindicators:\n  - {id: x}\n  - {id: y}\n  - {id: s}\n")
	res, err = Run(context.Background(), db, f, Options{Dataset: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].YearUnits != 4 || res[0].Units != 3 {
		t.Errorf("a unit with only the supplementary indicator: %d units, %d with a root value; want 4 and 3", res[0].YearUnits, res[0].Units)
	}
}
