package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The UN EGDI computed through a framework file alone gives the built-in path's numbers.
func TestUNFrameworkFileReproducesBuiltin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	sample := filepath.Join("..", "..", "data", "sample", "un-synthetic.csv")
	own := filepath.Join(dir, "my-un-2022.yaml")
	b, _ := os.ReadFile(filepath.Join("..", "..", "data", "methods", "un-2022.yaml"))
	os.WriteFile(own, b, 0o644)
	for _, ds := range []string{"builtin", "file"} {
		mustRun(t, db, "import", "indicators", sample, "--dataset", ds, "--synthetic")
	}
	mustRun(t, db, "compute", "--method", "un-2022", "--dataset", "builtin", "--year", "2022")
	mustRun(t, db, "compute", "--method", own, "--dataset", "file", "--year", "2022")
	a := jsonRows(t, mustRun(t, db, "rank", "--dataset", "builtin", "--year", "2022", "--source", "computed", "--format", "json"))
	f := jsonRows(t, mustRun(t, db, "rank", "--dataset", "file", "--year", "2022", "--source", "computed", "--format", "json"))
	if len(a) != 193 || len(f) != 193 {
		t.Fatalf("%d and %d rows", len(a), len(f))
	}
	// Equal to the last bits DuckDB's parallel sums allow (they may add in another order).
	for i := range a {
		for _, k := range []string{"unit", "rank", "group", "class"} {
			if a[i][k] != f[i][k] {
				t.Fatalf("row %d %s: built-in %v, file %v", i, k, a[i][k], f[i][k])
			}
		}
		for _, k := range []string{"egdi", "osi", "tii", "hci", "epi"} {
			if math.Abs(a[i][k].(float64)-f[i][k].(float64)) > 1e-12 {
				t.Fatalf("row %d %s: built-in %v, file %v", i, k, a[i][k], f[i][k])
			}
		}
	}
}

func readSample(t *testing.T, name string) [][]string {
	t.Helper()
	fh, err := os.Open(filepath.Join("..", "..", "data", "sample", name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestProvincialFrameworkOnItsSample(t *testing.T) {
	t.Parallel()
	db := provincesDB(t)
	rows := jsonRows(t, mustRun(t, db, "rank", "--dataset", "provinces", "--year", "2022", "--format", "json"))
	if len(rows) != 31 {
		t.Fatalf("%d provinces, want 31", len(rows))
	}
	// independently: the index is the mean of the five dimension scores; ranks dense
	scores := map[string][]float64{}
	maturity := map[string]float64{}
	for _, r := range readSample(t, "cn-provinces-synthetic.csv") {
		if r[3] != "2022" {
			continue
		}
		v, _ := strconv.ParseFloat(r[5], 64)
		scores[r[0]] = append(scores[r[0]], v)
		if r[4] == "cn_maturity_score" {
			maturity[r[0]] = v
		}
	}
	prev, prevRank := math.Inf(1), 0
	for _, r := range rows {
		s := scores[r["unit"].(string)]
		mean := (s[0] + s[1] + s[2] + s[3] + s[4]) / 5
		if math.Abs(r["index"].(float64)-mean) > 1e-9 {
			t.Errorf("%v: index %v, mean of dimensions %v", r["unit"], r["index"], mean)
		}
		rank := int(r["rank"].(float64))
		rounded := math.Round(mean*100) / 100
		if rounded < prev && rank != prevRank+1 || rounded == prev && rank != prevRank {
			t.Errorf("%v: rank %d after %d is not dense", r["unit"], rank, prevRank)
		}
		prev, prevRank = rounded, rank
		want := "middle"
		if rounded >= 90 {
			want = "very_high"
		} else if rounded >= 80 {
			want = "high"
		}
		if r["band"] != want {
			t.Errorf("%v: band %v, want %s for %v", r["unit"], r["band"], want, rounded)
		}
	}
	// rank by a dimension, named in Chinese
	byNode := jsonRows(t, mustRun(t, db, "rank", "--dataset", "provinces", "--year", "2022", "--node", "在线办理成熟度", "--format", "json"))
	units := make([]string, 0, len(maturity))
	for u := range maturity {
		units = append(units, u)
	}
	sort.SliceStable(units, func(i, j int) bool { return maturity[units[i]] > maturity[units[j]] })
	for i, r := range byNode {
		if r["maturity"] != maturity[r["unit"].(string)] {
			t.Errorf("%v: maturity %v, sample %v", r["unit"], r["maturity"], maturity[r["unit"].(string)])
		}
		if maturity[r["unit"].(string)] != maturity[units[i]] {
			t.Errorf("position %d: %v, want %v", i, r["unit"], units[i])
		}
	}
	zh := mustRun(t, db, "rank", "--dataset", "provinces", "--year", "2022", "--lang", "zh")
	for _, s := range []string{"一体化政务服务能力指数", "在线服务成效度", "非常高", "合成样本"} {
		if !strings.Contains(zh, s) {
			t.Errorf("Chinese ranking lacks %q", s)
		}
	}
	// follow a dimension across years, and compare provinces on the dimensions
	tr := jsonRows(t, mustRun(t, db, "trend", "--dataset", "provinces", "--units", "贵州省", "--node", "maturity", "--format", "json"))
	if len(tr) != 2 || tr[1]["value"] != maturity["520000"] || tr[1]["year"] != 2022.0 {
		t.Errorf("trend of Guizhou's maturity: %v (2022 sample %v)", tr, maturity["520000"])
	}
	cmp := jsonRows(t, mustRun(t, db, "compare", "--dataset", "provinces", "--units", "110000,310000", "--year", "2022", "--format", "json"))
	if len(cmp) != 8 || cmp[2]["node"] != "maturity" || cmp[2]["310000_minus_110000"] != maturity["310000"]-maturity["110000"] {
		t.Errorf("compare on dimensions: %v", cmp)
	}
	// the mean maturity per band, against the bands of the ranking and the sample
	sum, n := map[string]float64{}, map[string]float64{}
	for _, r := range rows {
		sum[r["band"].(string)] += maturity[r["unit"].(string)]
		n[r["band"].(string)]++
	}
	for _, r := range jsonRows(t, mustRun(t, db, "summary", "--dataset", "provinces", "--year", "2022", "--node", "在线办理成熟度", "--format", "json")) {
		k := r["key"].(string)
		if r["count"] != n[k] || math.Abs(r["mean_maturity"].(float64)-sum[k]/n[k]) > 1e-9 {
			t.Errorf("summary %s: %v, want %v units, mean %v", k, r, n[k], sum[k]/n[k])
		}
	}
	if _, err := run(t, db, "rank", "--dataset", "provinces", "--node", "speed"); err == nil || !strings.Contains(err.Error(), `no node "speed"`) {
		t.Errorf("unknown node: %v", err)
	}
}

func TestLOSIFrameworkOnItsSample(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "l.duckdb")
	mustRun(t, db, "import", "indicators", filepath.Join("..", "..", "data", "sample", "losi-synthetic.csv"), "--dataset", "losi", "--synthetic")
	mustRun(t, db, "compute", "--method", "losi-2022", "--dataset", "losi")
	// independently: LOSI is the min-max of the share of the 86 features present
	share := map[string]float64{}
	for _, r := range readSample(t, "losi-synthetic.csv") {
		v, _ := strconv.ParseFloat(r[5], 64)
		share[r[0]] += v / 86
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range share {
		lo, hi = math.Min(lo, s), math.Max(hi, s)
	}
	rows := jsonRows(t, mustRun(t, db, "rank", "--dataset", "losi", "--format", "json"))
	if len(rows) != 40 {
		t.Fatalf("%d cities", len(rows))
	}
	for _, r := range rows {
		want := (share[r["unit"].(string)] - lo) / (hi - lo)
		if math.Abs(r["losi"].(float64)-want) > 1e-9 {
			t.Errorf("%v: LOSI %v, want %v", r["unit"], r["losi"], want)
		}
	}
}

func TestAuditAndWhatifCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "p.duckdb")
	mustRun(t, db, "import", "indicators", filepath.Join("..", "..", "data", "sample", "cn-provinces-synthetic.csv"), "--dataset", "provinces", "--synthetic")
	out := mustRun(t, db, "audit", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022", "--format", "json")
	var a struct {
		Indicators   []map[string]any `json:"indicators"`
		Correlations []map[string]any `json:"correlations"`
		Dimensions   []map[string]any `json:"dimensions"`
		Flags        []string         `json:"flags"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("audit JSON: %v\n%s", err, out)
	}
	if len(a.Indicators) != 5 || len(a.Dimensions) != 2 || len(a.Correlations) != 15 {
		t.Errorf("audit: %d indicators, %d dimensions, %d correlations", len(a.Indicators), len(a.Dimensions), len(a.Correlations))
	}
	if a.Indicators[0]["coverage"] != 1.0 {
		t.Errorf("coverage %v", a.Indicators[0]["coverage"])
	}
	rows := jsonRows(t, mustRun(t, db, "whatif", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022",
		"--set", "weight:maturity=1", "--format", "json"))
	for _, r := range rows {
		// equal up to the order DuckDB's parallel sums add in
		if r["shift"] != 0.0 || math.Abs(r["value_before"].(float64)-r["value_after"].(float64)) > 1e-9 {
			t.Errorf("an unchanged weight moved %v: %v", r["unit"], r)
		}
	}
	rows = jsonRows(t, mustRun(t, db, "whatif", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022",
		"--set", "agg:index=geometric", "--format", "json"))
	if len(rows) != 31 {
		t.Errorf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r["value_after"].(float64) > r["value_before"].(float64)+1e-9 {
			t.Errorf("%v: geometric mean %v above the arithmetic %v", r["unit"], r["value_after"], r["value_before"])
		}
	}
	if _, err := run(t, db, "whatif", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022", "--set", "weight:nowhere=1"); err == nil {
		t.Error("an unknown node was accepted")
	}
}

// The commented example framework parses and computes.
func TestExampleFrameworkComputes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "e.duckdb")
	var b strings.Builder
	b.WriteString("unit,year,indicator,value\n")
	for i, u := range []string{"c1", "c2", "c3", "c4"} {
		x := float64(i + 1)
		for _, kv := range []struct {
			id string
			v  float64
		}{{"items_online", 60 + 10*x}, {"guides_accurate", 80 + 4*x}, {"full_online_share", 20 * x}, {"processing_days", 40 / x}, {"consultations", 3 * x}, {"response_rate", 50 + 10*x}} {
			if u == "c2" && kv.id == "consultations" {
				continue // imputed from its previous value
			}
			b.WriteString(u + ",2024," + kv.id + "," + strconv.FormatFloat(kv.v, 'f', -1, 64) + "\n")
		}
	}
	b.WriteString("c2,2023,consultations,5\n")
	p := filepath.Join(dir, "cities.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	mustRun(t, db, "import", "indicators", p, "--dataset", "cities")
	mustRun(t, db, "compute", "--method", filepath.Join("..", "..", "data", "frameworks", "example.yaml"), "--dataset", "cities", "--year", "2024")
	rows := jsonRows(t, mustRun(t, db, "rank", "--dataset", "cities", "--format", "json"))
	if len(rows) != 4 || rows[0]["unit"] != "c4" {
		t.Errorf("example ranking: %v", rows)
	}
}

// A framework whose root is named like a UN sub-index (TII alone, as a user would write
// it) shows its root in that column too: roots are stored once, in root_values, and the
// panel reads them for the sub-index columns when the names meet.
func TestRootNamedLikeASubIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	own := filepath.Join(dir, "tii-only.yaml")
	os.WriteFile(own, []byte(`id: tii-only
title: {en: TII alone}
universe: member-states
root: tii
nodes:
  - id: tii
    normalise: minmax
    children: [internet_users_pct, fixed_broadband_per100, mobile_broadband_per100, mobile_subs_per100]
indicators:
  - {id: internet_users_pct, normalise: zscore, cap: 120}
  - {id: fixed_broadband_per100, normalise: zscore, cap: 120}
  - {id: mobile_broadband_per100, normalise: zscore, cap: 120}
  - {id: mobile_subs_per100, normalise: zscore, cap: 120}
`), 0o644)
	sample := filepath.Join("..", "..", "data", "sample", "un-synthetic.csv")
	for _, ds := range []string{"un", "own"} {
		mustRun(t, db, "import", "indicators", sample, "--dataset", ds, "--synthetic")
	}
	mustRun(t, db, "compute", "--method", "un-2022", "--dataset", "un", "--year", "2022")
	mustRun(t, db, "compute", "--method", own, "--dataset", "own", "--year", "2022")
	un := jsonRows(t, mustRun(t, db, "rank", "--dataset", "un", "--year", "2022", "--source", "computed", "--format", "json"))
	tii := map[any]float64{}
	for _, r := range un {
		tii[r["unit"]] = r["tii"].(float64)
	}
	rows := jsonRows(t, mustRun(t, db, "rank", "--dataset", "own", "--year", "2022", "--source", "computed", "--format", "json"))
	if len(rows) != 193 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if v, ok := r["tii"].(float64); !ok || math.Abs(v-tii[r["unit"]]) > 1e-12 {
			t.Fatalf("rank: %v has tii %v, un-2022's tii %v", r["unit"], r["tii"], tii[r["unit"]])
		}
	}
	// the export shows the root as tii, with no band column (the framework has none)
	out := filepath.Join(dir, "own.csv")
	mustRun(t, db, "export", "--dataset", "own", "--year", "2022", "--layout", "wide", "--out", out)
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil || len(recs) != 194 {
		t.Fatalf("export: %d lines, %v", len(recs), err)
	}
	if strings.Join(recs[0], ",") != "unit,name,year,tii,rank,source" {
		t.Errorf("export header %v", recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		v, err := strconv.ParseFloat(r[col["tii"]], 64)
		if err != nil || math.Abs(v-tii[r[col["unit"]]]) > 1e-12 || r[col["source"]] != "computed" {
			t.Fatalf("export: %s has tii %q (%s), un-2022's tii %v", r[col["unit"]], r[col["tii"]], r[col["source"]], tii[r[col["unit"]]])
		}
	}
	// and the scores view lists the root once
	if n := count(t, db, "scores WHERE dataset = 'own' AND node = 'tii'"); n != 193 {
		t.Errorf("scores has %d tii rows for the own dataset, want 193", n)
	}
}

// The provincial sample by China's four economic regions: the summary's counts and
// means checked by hand from the sample, the regional chart against the summary, and
// a missing dimension imputed by the mean of its region's other provinces.
func TestProvincesByEconomicRegion(t *testing.T) {
	t.Parallel()
	db := provincesDB(t)
	region := map[string]string{}
	for _, r := range readCSV(t, filepath.Join("..", "..", "data", "groups", "cn-economic-regions.csv")) {
		region[r["unit"]] = r["group"]
	}
	index := map[string]float64{}
	maturity := map[string]float64{}
	for _, r := range readSample(t, "cn-provinces-synthetic.csv") {
		if r[3] != "2022" {
			continue
		}
		v, _ := strconv.ParseFloat(r[5], 64)
		index[r[0]] += v / 5 // equal weights, goalposts 0..100 on a 0..100 scale
		if r[4] == "cn_maturity_score" {
			maturity[r[0]] = v
		}
	}
	sum, n := map[string]float64{}, map[string]float64{}
	for u, v := range index {
		sum[region[u]] += v
		n[region[u]]++
	}
	got := jsonRows(t, mustRun(t, db, "summary", "--dataset", "provinces", "--by", "economic_region", "--year", "2022", "--format", "json"))
	if len(got) != 4 {
		t.Fatalf("%d regions: %v", len(got), got)
	}
	for i, want := range []string{"Eastern", "Central", "Western", "Northeastern"} { // the NBS's order
		r := got[i]
		if r["key"] != want || r["count"] != n[want] || math.Abs(r["mean_index"].(float64)-sum[want]/n[want]) > 1e-9 {
			t.Errorf("%s: %v, want %v units, mean %v", want, r, n[want], sum[want]/n[want])
		}
	}
	if n["Eastern"] != 10 || n["Central"] != 6 || n["Western"] != 12 || n["Northeastern"] != 3 {
		t.Errorf("regions of the 31 divisions: %v", n)
	}
	zh := mustRun(t, db, "summary", "--dataset", "provinces", "--by", "economic_region", "--year", "2022", "--lang", "zh")
	for _, s := range []string{"东部", "中部", "西部", "东北", "一体化政务服务能力指数均值"} {
		if !strings.Contains(zh, s) {
			t.Errorf("Chinese summary lacks %q:\n%s", s, zh)
		}
	}
	// the regional chart draws the summary's means
	dir := t.TempDir()
	data := filepath.Join(dir, "regions.csv")
	mustRun(t, db, "chart", "regions", "--dataset", "provinces", "--by", "economic_region", "--year", "2022", "--lang", "zh", "--out", filepath.Join(dir, "r.png"), "--data", data)
	bars := readCSV(t, data)
	checked := 0
	for _, b := range bars {
		if b["index"] != "index" {
			continue
		}
		for k, en := range map[string]string{"东部": "Eastern", "中部": "Central", "西部": "Western", "东北": "Northeastern"} {
			if b["key"] == k {
				checked++
				if math.Abs(atof(t, b["mean"])-sum[en]/n[en]) > 1e-9 {
					t.Errorf("chart %s: %s, want %v", k, b["mean"], sum[en]/n[en])
				}
			}
		}
	}
	if checked != 4 {
		t.Errorf("%d regions in the chart's data", checked)
	}
	svg := filepath.Join(dir, "r.svg")
	mustRun(t, db, "chart", "regions", "--dataset", "provinces", "--by", "economic_region", "--year", "2022", "--lang", "zh", "--out", svg)
	if b, _ := os.ReadFile(svg); !strings.Contains(string(b), "按经济区域") {
		t.Error("the regional chart does not name the grouping in Chinese")
	}

	// Guizhou's 2022 maturity missing, imputed by the mean of the other western provinces
	wdb := writable(t, "provinces")
	var lines []string
	for _, l := range strings.Split(string(mustRead(t, filepath.Join("..", "..", "data", "sample", "cn-provinces-synthetic.csv"))), "\n") {
		if !strings.HasPrefix(l, "520000,Guizhou,贵州省,2022,cn_maturity_score,") {
			lines = append(lines, l)
		}
	}
	gap := filepath.Join(dir, "gap.csv")
	os.WriteFile(gap, []byte(strings.Join(lines, "\n")), 0o644)
	fw := strings.Replace(string(mustRead(t, filepath.Join("..", "..", "data", "methods", "cn-province-2022.yaml"))),
		"normalise: goalposts}\n  - {id: cn_channels_score",
		"normalise: goalposts}\n  - {id: cn_channels_score", 1)
	fw = strings.Replace(fw, "- {id: cn_maturity_score, label: {en: \"Maturity score (0–100)\", zh: 在线办理成熟度得分}, unit: points, goalposts: [0, 100], normalise: goalposts}",
		"- {id: cn_maturity_score, label: {en: \"Maturity score (0–100)\", zh: 在线办理成熟度得分}, unit: points, goalposts: [0, 100], normalise: goalposts, impute: group-mean, impute_group: economic_region}", 1)
	if !strings.Contains(fw, "impute_group: economic_region") {
		t.Fatal("the framework was not changed")
	}
	fwPath := filepath.Join(dir, "imputed.yaml")
	os.WriteFile(fwPath, []byte(fw), 0o644)
	mustRun(t, wdb, "import", "indicators", gap, "--dataset", "gap")
	mustRun(t, wdb, "compute", "--method", fwPath, "--dataset", "gap", "--year", "2022")
	var west float64
	var nw int
	for u, v := range maturity {
		if region[u] == "Western" && u != "520000" {
			west += v
			nw++
		}
	}
	want := west / float64(nw)
	tr := jsonRows(t, mustRun(t, wdb, "trend", "--dataset", "gap", "--units", "520000", "--node", "maturity", "--format", "json"))
	if len(tr) != 1 || math.Abs(tr[0]["value"].(float64)-want) > 1e-9 {
		t.Errorf("Guizhou's imputed maturity %v, want the mean of the 11 other western provinces %v", tr, want)
	}
	// a unit with no economic region and a gap cannot be imputed: an error naming it
	extra := filepath.Join(dir, "extra.csv")
	os.WriteFile(extra, []byte("unit,year,indicator,value\n999999,2022,cn_effectiveness_score,80\n999999,2022,cn_channels_score,80\n999999,2022,cn_coverage_score,80\n999999,2022,cn_guidance_score,80\n"), 0o644)
	mustRun(t, wdb, "import", "indicators", extra, "--dataset", "gap")
	_, err := run(t, wdb, "compute", "--method", fwPath, "--dataset", "gap", "--year", "2022")
	if err == nil || !strings.Contains(err.Error(), "unit 999999 has no group in economic_region") {
		t.Errorf("a unit without a group: %v", err)
	}
}

// A UN method over units that are not Member States is refused with the way out, and
// group-mean imputation by M49 region of such units names the unit.
func TestUniverseAndRegionOfOwnUnits(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	dir := t.TempDir()
	// the UN's telecommunication indicators for the provinces
	var b strings.Builder
	b.WriteString("unit,year,internet_users_pct,fixed_broadband_per100,mobile_broadband_per100,mobile_subs_per100\n")
	for i, u := range []string{"110000", "310000", "440000", "520000", "650000"} {
		fmt.Fprintf(&b, "%s,2022,%d,%d,%d,%d\n", u, 60+5*i, 30+3*i, 80+4*i, 100+2*i)
	}
	tii := filepath.Join(dir, "tii.csv")
	os.WriteFile(tii, []byte(b.String()), 0o644)
	mustRun(t, db, "import", "indicators", tii, "--dataset", "ptii")
	_, err := run(t, db, "compute", "--method", "un-2022", "--dataset", "ptii")
	if err == nil || !strings.Contains(err.Error(), "universe: member-states") || !strings.Contains(err.Error(), "--universe all") || !strings.Contains(err.Error(), "110000") {
		t.Errorf("un-2022 over provinces: %v", err)
	}
	mustRun(t, db, "compute", "--method", "un-2022", "--dataset", "ptii", "--universe", "all")
	rows := jsonRows(t, mustRun(t, db, "rank", "--dataset", "ptii", "--node", "tii", "--format", "json"))
	if len(rows) != 5 || rows[0]["unit"] != "650000" || rows[0]["tii"] != 1.0 || rows[4]["tii"] != 0.0 {
		t.Errorf("TII of the provinces over every unit: %v", rows)
	}
	csv := filepath.Join(dir, "c.csv")
	os.WriteFile(csv, []byte("unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\nC,2022,y,3\nA,2022,y,1\nB,2022,y,2\n"), 0o644)
	fw := filepath.Join(dir, "f.yaml")
	os.WriteFile(fw, []byte("id: t\nroot: i\nnodes:\n  - {id: i, children: [x, y]}\nindicators:\n  - {id: x, impute: group-mean}\n  - {id: y}\n"), 0o644)
	mustRun(t, db, "import", "indicators", csv, "--dataset", "own")
	_, err = run(t, db, "compute", "--method", fw, "--dataset", "own")
	if err == nil || !strings.Contains(err.Error(), "unit C has no group in region") {
		t.Errorf("group-mean of units without a region: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
