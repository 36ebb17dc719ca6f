package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// uaPrinted is what egdi uncertainty --format json prints of a run.
type uaPrinted struct {
	Samples, Evaluations int
	Inputs               []string
	Units                []map[string]any
	Sobol                []map[string]any
}

// The charts and the report of stored uncertainty runs: a database without runs gives
// a clear error and no file; then a Sobol run (1) and a plain one (2) are drawn and
// reported from what was stored, and hold the numbers egdi uncertainty printed.
func TestChartsAndReportOfAStoredRun(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	for _, args := range [][]string{
		{"chart", "uncertainty", "--out", filepath.Join(bad, "u.png")},
		{"chart", "sensitivity", "--out", filepath.Join(bad, "s.png")},
		{"report", "uncertainty", "--out", filepath.Join(bad, "r.html")},
	} {
		if _, err := run(t, db, args...); err == nil || !strings.Contains(err.Error(), "no uncertainty run") || !strings.Contains(err.Error(), "in the database; run egdi uncertainty") {
			t.Errorf("egdi %s without a run: %v", strings.Join(args, " "), err)
		}
	}

	var sob, plain uaPrinted
	js := mustRun(t, db, append(append([]string{}, provUA...), "--samples", "300", "--sobol", "--vary", "weights:*=±25%", "--vary", "agg:index=arithmetic,geometric", "--format", "json")...)
	if err := json.Unmarshal([]byte(js), &sob); err != nil {
		t.Fatal(err)
	}
	js = mustRun(t, db, append(append([]string{}, provUA...), "--samples", "60", "--seed", "5", "--vary", "weights:*=±25%", "--format", "json")...)
	if err := json.Unmarshal([]byte(js), &plain); err != nil {
		t.Fatal(err)
	}
	if len(sob.Units) != 31 || len(sob.Sobol) != 2 || len(plain.Units) != 31 {
		t.Fatalf("runs: %d units, %d indices; %d units", len(sob.Units), len(sob.Sobol), len(plain.Units))
	}

	// the rank intervals: the latest run by default, --top, any run by number; the data
	// behind the chart are the printed numbers, in nominal order
	data := filepath.Join(dir, "d.csv")
	mustRun(t, db, "chart", "uncertainty", "--out", filepath.Join(dir, "u.png"), "--data", data)
	checkIntervals(t, data, plain.Units, 31)
	mustRun(t, db, "chart", "uncertainty", "--run", "1", "--top", "12", "--lang", "zh", "--out", filepath.Join(dir, "u-zh.svg"), "--data", data)
	checkIntervals(t, data, sob.Units, 12)
	svg, _ := os.ReadFile(filepath.Join(dir, "u-zh.svg"))
	for _, s := range []string{"排名不确定性：cn-province-2022，2022年前12名（1200 次计算，合成样本）", "贵州省", "名义排名", "运行 1"} {
		if !strings.Contains(string(svg), s) {
			t.Errorf("Chinese rank-interval chart lacks %q", s)
		}
	}
	mustRun(t, db, "chart", "uncertainty", "--method", "cn-province-2022", "--year", "2022", "--dataset", "provinces", "--out", filepath.Join(dir, "u.pdf"))

	// the Sobol indices: of run 1; the latest run (2) has none, and says what to do
	mustRun(t, db, "chart", "sensitivity", "--run", "1", "--out", filepath.Join(dir, "s.png"), "--data", data)
	rows := csvRecords(t, data)
	if len(rows) != 3 || strings.Join(rows[0], ",") != "factor,first,first_lo,first_hi,total,total_lo,total_hi" {
		t.Fatalf("sensitivity data %v", rows)
	}
	for i, s := range sob.Sobol {
		for j, k := range []string{"factor", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"} {
			if !sameText(rows[i+1][j], s[k]) {
				t.Errorf("sensitivity %v %s: chart %s, printed %v", s["factor"], k, rows[i+1][j], s[k])
			}
		}
	}
	mustRun(t, db, "chart", "sensitivity", "--run", "1", "--lang", "zh", "--out", filepath.Join(dir, "s-zh.pdf"))
	// without --run, the latest run with Sobol indices (run 1; run 2 has none)
	mustRun(t, db, "chart", "sensitivity", "--out", filepath.Join(dir, "s-latest.svg"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"chart", "sensitivity", "--run", "2", "--out", filepath.Join(bad, "s.png")}, "uncertainty run 2 has no Sobol indices; run egdi uncertainty with --sobol"},
		{[]string{"chart", "sensitivity", "--method", "cn-province-2022", "--year", "2021", "--out", filepath.Join(bad, "s.png")}, "no uncertainty run with Sobol indices matching method cn-province-2022, year 2021; run egdi uncertainty with --sobol"},
		{[]string{"chart", "uncertainty", "--year", "2020", "--out", filepath.Join(bad, "u.png")}, "no uncertainty run matching year 2020"},
		{[]string{"chart", "uncertainty", "--method", "un-2022", "--out", filepath.Join(bad, "u.png")}, "no uncertainty run matching method un-2022"},
		{[]string{"chart", "uncertainty", "--run", "9", "--out", filepath.Join(bad, "u.png")}, "no uncertainty run matching run 9"},
		{[]string{"chart", "uncertainty", "--source", "computed", "--out", filepath.Join(bad, "u.png")}, "--source does not apply"},
		{[]string{"chart", "uncertainty"}, "--out"},
		{[]string{"report", "uncertainty", "--run", "1", "--node", "maturity", "--out", filepath.Join(bad, "r.html")}, "--node does not apply"},
		{[]string{"report", "ranking", "--run", "1", "--out", filepath.Join(bad, "r.html")}, "--run picks a stored uncertainty run"},
	} {
		if _, err := run(t, db, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("egdi %s: %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if ents, _ := os.ReadDir(bad); len(ents) > 0 {
		t.Errorf("refused charts and reports left %d files", len(ents))
	}

	// the report: its tables hold the stored numbers
	r := readReport(t, db, "uncertainty", "--run", "1", "--format", "json")
	inputs, ranks, sobol := r.table(t, 0), r.table(t, 1), r.table(t, 2)
	if len(inputs) != 2 || inputs[0]["input"] != "weights:*=±25%" || !strings.Contains(inputs[0]["name"].(string), "uniform in [0.75, 1.25]") ||
		!strings.Contains(inputs[1]["name"].(string), "arithmetic or geometric mean") {
		t.Errorf("inputs %v", inputs)
	}
	if len(ranks) != 31 {
		t.Fatalf("%d units in the report", len(ranks))
	}
	for i, u := range sob.Units {
		for _, k := range []string{"unit", "name", "nominal_value", "nominal_rank", "mean_rank", "median_rank", "p05_rank", "p95_rank"} {
			if !sameValue(ranks[i][k], u[k]) {
				t.Errorf("unit %d %s: report %v, printed %v", i, k, ranks[i][k], u[k])
			}
		}
		for _, b := range []string{"very_high", "high", "middle"} {
			if !sameValue(ranks[i]["share_"+b], u["band_share"].(map[string]any)[b]) {
				t.Errorf("unit %v share of %s: report %v, printed %v", u["unit"], b, ranks[i]["share_"+b], u["band_share"])
			}
		}
	}
	for i, s := range sob.Sobol {
		for _, k := range []string{"factor", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"} {
			if !sameValue(sobol[i][k], s[k]) {
				t.Errorf("Sobol %d %s: report %v, printed %v", i, k, sobol[i][k], s[k])
			}
		}
	}
	annex := strings.Join(r.Blocks[0].Text, " ")
	for _, s := range []string{"Saltelli design, N = 300 base samples × (k + 2) = 1200 evaluations for k = 2 inputs; seed 1", "Jansen (1999)", "dataset provinces (synthetic sample), 2022"} {
		if !strings.Contains(annex, s) {
			t.Errorf("the run block lacks %q: %s", s, annex)
		}
	}
	for _, k := range []string{"Sources", "Methodology", "Engine", "Generated"} {
		if r.Meta[k] == "" {
			t.Errorf("the report does not state %s", k)
		}
	}
	// the latest run (2, no Sobol) by method and year: no Sobol table
	r2 := readReport(t, db, "uncertainty", "--method", "cn-province-2022", "--year", "2022", "--format", "json")
	if len(r2.Blocks) != 3 || !strings.Contains(strings.Join(r2.Blocks[0].Text, " "), "60 replications") {
		t.Errorf("plain run's report: %d blocks, %v", len(r2.Blocks), r2.Blocks[0].Text)
	}

	// HTML, Markdown and Excel in both languages; CSV is the rank intervals
	for _, lang := range []string{"en", "zh"} {
		for _, ext := range []string{"html", "md", "xlsx"} {
			mustRun(t, db, "report", "uncertainty", "--run", "1", "--lang", lang, "--out", filepath.Join(dir, "r-"+lang+"."+ext))
		}
		html, _ := os.ReadFile(filepath.Join(dir, "r-"+lang+".html"))
		want := map[string][]string{"en": {"Uncertainty and sensitivity analysis of the ranks", "Rank intervals", "Guizhou"}, "zh": {"排名的不确定性与敏感性分析", "排名区间", "贵州省", "lang=\"zh-CN\""}}[lang]
		for _, s := range want {
			if !strings.Contains(string(html), s) {
				t.Errorf("%s HTML lacks %q", lang, s)
			}
		}
		if n := strings.Count(string(html), "<svg"); n != 2 {
			t.Errorf("%s HTML has %d charts, want 2", lang, n)
		}
		md, _ := os.ReadFile(filepath.Join(dir, "r-"+lang+".md"))
		if !strings.Contains(string(md), "](r-"+lang+"_files/sensitivity.png)") {
			t.Errorf("%s Markdown does not show the sensitivity chart", lang)
		}
		for _, png := range []string{"rank-intervals.png", "sensitivity.png"} {
			if fi, err := os.Stat(filepath.Join(dir, "r-"+lang+"_files", png)); err != nil || fi.Size() < 10000 {
				t.Errorf("%s Markdown chart %s: %v", lang, png, err)
			}
		}
		x, err := excelize.OpenFile(filepath.Join(dir, "r-"+lang+".xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		sheet := map[string]string{"en": "Rank intervals", "zh": "排名区间"}[lang]
		xr, _ := x.GetRows(sheet, excelize.Options{RawCellValue: true})
		if len(xr) != 32 || xr[1][1] != sob.Units[0]["unit"] || !sameText(xr[1][4], sob.Units[0]["mean_rank"]) || !sameText(xr[2][7], sob.Units[1]["p95_rank"]) {
			t.Errorf("%s Excel sheet %s: %d rows, %v %v", lang, sheet, len(xr), xr[1], xr[2])
		}
		x.Close()
	}
	out := filepath.Join(dir, "r.csv")
	mustRun(t, db, "report", "uncertainty", "--run", "1", "--out", out)
	if rows := csvRecords(t, out); len(rows) != 32 || rows[0][0] != "nominal_rank" || rows[1][1] != sob.Units[0]["unit"] {
		t.Errorf("CSV report: %d rows, header %v", len(rows), rows[0])
	}
}

// checkIntervals holds the data behind a rank-interval chart to the printed units.
func checkIntervals(t *testing.T, path string, units []map[string]any, n int) {
	t.Helper()
	rows := csvRecords(t, path)
	if len(rows) != n+1 || strings.Join(rows[0], ",") != "unit,name,nominal_rank,median_rank,p05_rank,p95_rank,mean_rank" {
		t.Fatalf("%s: %d rows, header %v; want %d units", path, len(rows), rows[0], n)
	}
	for i, row := range rows[1:] {
		u := units[i]
		for j, k := range []string{"unit", "", "nominal_rank", "median_rank", "p05_rank", "p95_rank", "mean_rank"} {
			if k != "" && !sameText(row[j], u[k]) {
				t.Errorf("%s row %d %s: chart %s, printed %v", path, i+1, k, row[j], u[k])
			}
		}
	}
}

// sameText compares a CSV cell with a JSON value: the same number, or the same text.
func sameText(cell string, v any) bool {
	if x, ok := v.(float64); ok {
		y, err := strconv.ParseFloat(cell, 64)
		return err == nil && sameNumber(x, y)
	}
	return cell == fmt.Sprint(v)
}

// sameValue compares two JSON values: numbers to sameNumber, others as text.
func sameValue(a, b any) bool {
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	if ok1 && ok2 {
		return sameNumber(x, y)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// sameNumber is exact: egdi uncertainty prints the numbers it computed, the charts and
// reports read them back from the database, which stores them exactly (store.Double).
func sameNumber(x, y float64) bool { return x == y }

// egdi chart lists the charts of stored runs beside those of panels.
func TestChartHelpListsTheRunCharts(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "none.duckdb")
	help := mustRun(t, db, "chart", "--help")
	for _, s := range []string{"Kinds: trend, groups", "uncertainty, sensitivity", "sensitivity  ", "uncertainty  "} {
		if !strings.Contains(help, s) {
			t.Errorf("egdi chart --help lacks %q:\n%s", s, help)
		}
	}
	if _, err := run(t, db, "chart", "pie", "--out", "x.png"); err == nil || !strings.Contains(err.Error(), "movers, uncertainty, sensitivity") {
		t.Errorf("unknown kind: %v", err)
	}
	if help := mustRun(t, db, "report", "--help"); !strings.Contains(help, "report ranking|profile|compare|transitions|uncertainty") || !strings.Contains(help, "uncertainty  a stored uncertainty run") {
		t.Errorf("egdi report --help:\n%s", help)
	}
	if _, err := run(t, db, "report", "pie", "--out", "x.html"); err == nil || !strings.Contains(err.Error(), "transitions, uncertainty") {
		t.Errorf("unknown report: %v", err)
	}
}
