package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/uncertainty"
)

// uaRun is a stored run of cn-province-2022 written out by hand: three ranked
// provinces and one unranked, every kind of input, Sobol indices of the mean shift
// (one first-order estimate below 0) and of one unit's rank.
func uaRun() *uncertainty.Stored {
	nan := math.NaN()
	return &uncertainty.Stored{
		Record: uncertainty.Record{ID: 4, Dataset: "provinces", Year: 2022, Method: "cn-province-2022", MethodOrigin: "built-in"},
		Seed:   9, Samples: 50, Evaluations: 50 * 9, Sobol: true,
		Inputs: []string{"weights:*=±25%", "weight:effectiveness=0.5..2", "norm:*=minmax(1,100),zscore(10,2)", "agg:index=arithmetic,geometric",
			"impute:*=mean,median", "winsorise:*=max_points:1..5", "drop:index"},
		Bands: []string{"very_high", "high", "middle"},
		Units: []uncertainty.UnitStats{
			{Code: "520000", Name: "Guizhou", NameZh: "贵州省", NominalValue: 92.948, NominalRank: 1, Ranked: 450, Mean: 1.5, Median: 1, P05: 1, P95: 3, BandShare: []float64{0.9, 0.1, 0}},
			{Code: "530000", Name: "Yunnan", NameZh: "云南省", NominalValue: 92.17, NominalRank: 2, Ranked: 450, Mean: 2.1, Median: 2, P05: 2, P95: 2, BandShare: []float64{1, 0, 0}},
			{Code: "310000", Name: "Shanghai", NameZh: "上海市", NominalValue: 80.11, NominalRank: 3, Ranked: 440, Mean: 2.4, Median: 2.5, P05: 1, P95: 3.05, BandShare: []float64{0, 0.5, 0.5}},
			{Code: "990000", Name: "Nowhere", NameZh: "无处", NominalValue: nan, Mean: nan, Median: nan, P05: nan, P95: nan, BandShare: []float64{nan, nan, nan}},
		},
		Indices: []uncertainty.Index{
			{Factor: "weights:*=±25%", First: 0.42, FirstLo: 0.2, FirstHi: 0.61, Total: 0.7, TotalLo: 0.55, TotalHi: 0.86},
			{Factor: "agg:index=arithmetic,geometric", First: -0.05, FirstLo: -0.3, FirstHi: 0.12, Total: 0.35, TotalLo: 0.22, TotalHi: 0.5},
			{Factor: "weights:*=±25%", Unit: "520000", First: 0.9, FirstLo: 0.8, FirstHi: 1, Total: 0.95, TotalLo: 0.9, TotalHi: 1},
		},
	}
}

func uaReport(t *testing.T, lang string, charts, csv bool) *Report {
	t.Helper()
	fw, err := framework.Load("cn-province-2022")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Uncertainty(UncertaintyOptions{Lang: present.Lang(lang), Run: uaRun(), Framework: fw, Charts: charts, CSV: csv,
		Provenance: uncertainty.Provenance{Engine: "1.2.3", Synthetic: true}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestUncertaintyReportBlocks(t *testing.T) {
	t.Parallel()
	run := uaRun()
	r := uaReport(t, "en", false, false)
	var heads []string
	for _, b := range r.Blocks {
		heads = append(heads, b.Heading)
	}
	if strings.Join(heads, "|") != "The run|Uncertain inputs|Rank intervals|Sobol indices|Sobol indices of each unit's rank" {
		t.Fatalf("blocks %v", heads)
	}
	if !strings.Contains(r.Title, "Provincial online government services assessment 2022 (China), 2022 (synthetic sample)") {
		t.Errorf("title %q", r.Title)
	}
	run0 := strings.Join(r.Blocks[0].Text, "\n")
	for _, s := range []string{"cn-province-2022", "built-in", "dataset provinces (synthetic sample), 2022, 4 units",
		"Saltelli design, N = 50 base samples × (k + 2) = 450 evaluations for k = 7 inputs; seed 9",
		"Saltelli et al. (2010)", "Jansen (1999)", "bootstrap 95% intervals", "Engine: egdi 1.2.3 (run 4)"} {
		if !strings.Contains(run0, s) {
			t.Errorf("the run block lacks %q:\n%s", s, run0)
		}
	}
	// the inputs, in words
	want := []string{
		"every child weight of every node times a factor of its own, uniform in [0.75, 1.25]",
		"the weight of Effectiveness of online services (effectiveness) within its parent, uniform in [0.5, 2]",
		"the normalisation of every indicator: minmax(1,100) or zscore(10,2), each equally likely",
		"the aggregation of Online government service capability index (index): the arithmetic or geometric mean, each equally likely",
		"the imputation of the missing values of every indicator: mean or median, each equally likely",
		"the most points winsorised in every winsorised indicator: a whole number from 1 to 5, each equally likely",
		"one of the 5 children of Online government service capability index (index) left out, or none (6 choices, each equally likely)",
	}
	in := r.Blocks[1].Table
	if len(in.Rows) != len(want) {
		t.Fatalf("%d input rows", len(in.Rows))
	}
	for i, w := range want {
		if in.Rows[i][0] != i+1 || in.Rows[i][1] != run.Inputs[i] || in.Rows[i][3] != w {
			t.Errorf("input %d: %v, want %q", i+1, in.Rows[i], w)
		}
	}
	// the rank intervals: the run's numbers, in its order
	rk := r.Blocks[2].Table
	keys := []string{}
	for _, c := range rk.Columns {
		keys = append(keys, c.Key)
	}
	if strings.Join(keys, " ") != "nominal_rank unit name nominal_value mean_rank median_rank p05_rank p95_rank ranked share_very_high share_high share_middle" {
		t.Errorf("columns %v (with ranked: a unit went unranked in some evaluations)", keys)
	}
	for i, u := range run.Units {
		row := rk.Rows[i]
		eq := func(j int, v float64) bool {
			if math.IsNaN(v) {
				return row[j] == nil
			}
			return row[j] == v
		}
		if row[1] != u.Code || row[2] != u.Name || !eq(3, u.NominalValue) || !eq(4, u.Mean) || !eq(5, u.Median) || !eq(6, u.P05) || !eq(7, u.P95) || row[8] != u.Ranked ||
			!eq(9, u.BandShare[0]) || !eq(10, u.BandShare[1]) || !eq(11, u.BandShare[2]) {
			t.Errorf("row %d = %v, the run has %+v", i, row, u)
		}
	}
	facts := strings.Join(r.Blocks[2].Text, "\n")
	for _, s := range []string{"over the 450 evaluations", "Of the 3 ranked units, 1 keep a single rank across the 5–95% interval, and 1 have a median rank other than their nominal rank",
		"The widest interval spans 2.05 places: Shanghai (nominal 3, 1 to 3.05)", "2 units fall outside their nominal band in at least 5% of the evaluations"} {
		if !strings.Contains(facts, s) {
			t.Errorf("the rank facts lack %q:\n%s", s, facts)
		}
	}
	// the Sobol indices of the mean shift, then each unit's
	sb := r.Blocks[3].Table
	if len(sb.Rows) != 2 || sb.Rows[1][0] != "agg:index=arithmetic,geometric" || sb.Rows[1][1] != -0.05 || sb.Rows[1][6] != 0.5 {
		t.Errorf("Sobol rows %v", sb.Rows)
	}
	if pu := r.Blocks[4].Table; len(pu.Rows) != 1 || pu.Rows[0][1] != "520000" || pu.Rows[0][2] != 0.9 {
		t.Errorf("per-unit rows %v", pu.Rows)
	}
	sfacts := strings.Join(r.Blocks[3].Text, "\n")
	for _, s := range []string{"the most influential input is weights:*=±25% (0.700, 95% interval 0.550 to 0.860); it also has the largest first-order index (0.420, 0.200 to 0.610)",
		"sum to 0.370", "agg:index=arithmetic,geometric: first order −0.050"} {
		if !strings.Contains(sfacts, s) {
			t.Errorf("the Sobol facts lack %q:\n%s", s, sfacts)
		}
	}
	// CSV writes the first table: the rank intervals come first
	if c := uaReport(t, "en", false, true); c.Main().Sheet != "Rank intervals" || len(c.Blocks) != len(r.Blocks) {
		t.Errorf("CSV report leads with %q, %d blocks", c.Main().Sheet, len(c.Blocks))
	}
	// a run of many units: every unit in the table, the first 200 in the chart
	many := uaRun()
	for len(many.Units) < 250 {
		x := many.Units[len(many.Units)%3]
		x.Code = fmt.Sprint(len(many.Units))
		many.Units = append(many.Units, x)
	}
	m, err := Uncertainty(UncertaintyOptions{Run: many, Charts: true})
	if err != nil {
		t.Fatal(err)
	}
	if rows := m.Blocks[2].Table.Rows; len(rows) != 250 || len(m.Blocks[2].Charts[0].Figure.Data.Rows) != 200 ||
		!strings.Contains(strings.Join(m.Blocks[2].Text, " "), "The chart shows the first 200 of the 250 units") {
		t.Errorf("250 units: %d rows, %d in the chart, %v", len(rows), len(m.Blocks[2].Charts[0].Figure.Data.Rows), m.Blocks[2].Text)
	}
	// without Sobol: no Sobol blocks, and the title says uncertainty only
	plain := uaRun()
	plain.Sobol, plain.Indices = false, nil
	p, err := Uncertainty(UncertaintyOptions{Run: plain, Charts: true})
	if err != nil || len(p.Blocks) != 3 || !strings.HasPrefix(p.Title, "Uncertainty analysis of the ranks: cn-province-2022, 2022") || len(p.Blocks[2].Charts) != 1 {
		t.Errorf("a run without Sobol and without its framework: %v, %q, %d blocks", err, p.Title, len(p.Blocks))
	}
}

// In Chinese, and written in every format.
func TestUncertaintyReportWrites(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	for _, lang := range []string{"en", "zh"} {
		r := uaReport(t, lang, true, false)
		if lang == "zh" {
			if r.Title != "排名的不确定性与敏感性分析：省级政府一体化政务服务能力评估（2022），2022年（合成样本）" ||
				r.Blocks[1].Table.Rows[3][3] != "一体化政务服务能力指数（index）的聚合方法：算术平均或几何平均，等概率抽取" || r.Blocks[2].Table.Rows[0][2] != "贵州省" {
				t.Errorf("Chinese report: %q, %v, %v", r.Title, r.Blocks[1].Table.Rows[3][3], r.Blocks[2].Table.Rows[0][2])
			}
		}
		for _, format := range Formats {
			path := filepath.Join(dir, lang+"."+format)
			if err := Write(r, format, path, nil); err != nil {
				t.Fatalf("%s %s: %v", lang, format, err)
			}
		}
		html, _ := os.ReadFile(filepath.Join(dir, lang+".html"))
		if n := strings.Count(string(html), "<svg"); n != 2 || !strings.Contains(string(html), "2023-11-14 22:13 UTC") {
			t.Errorf("%s HTML: %d charts", lang, n)
		}
		for _, png := range []string{"rank-intervals.png", "sensitivity.png"} {
			if fi, err := os.Stat(filepath.Join(dir, lang+"_files", png)); err != nil || fi.Size() < 10000 {
				t.Errorf("%s Markdown: chart %s: %v", lang, png, err)
			}
		}
		x, err := excelize.OpenFile(filepath.Join(dir, lang+".xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		sheets := strings.Join(x.GetSheetList(), "|")
		want := map[string]string{"en": "Inputs|Rank intervals|Sobol indices|Sobol indices by unit|About", "zh": "不确定输入|排名区间|Sobol 指数|各地区 Sobol 指数|说明"}[lang]
		if sheets != want {
			t.Errorf("%s sheets %s, want %s", lang, sheets, want)
		}
		x.Close()
	}
}
