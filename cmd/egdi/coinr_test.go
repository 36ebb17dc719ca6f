package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// egdi import coinr of COINr's ASEM inputs and compute with data/frameworks/asem.yaml
// give COINr's scores for every aggregate of every unit (to 1e-9) and its ranks.
func TestCOINrASEMFromTheCommandLine(t *testing.T) {
	t.Parallel()
	dir := filepath.Dir(shared(t, "coinr-asem/ASEM_iData.csv"))
	db := filepath.Join(t.TempDir(), "asem.duckdb")
	fwOut := filepath.Join(t.TempDir(), "asem-draft.yaml")
	mustRun(t, db, "import", "coinr", "--idata", filepath.Join(dir, "ASEM_iData.csv"), "--imeta", filepath.Join(dir, "ASEM_iMeta.csv"),
		"--dataset", "asem", "--framework-out", fwOut)
	mustRun(t, db, "compute", "--method", filepath.Join("..", "..", "data", "frameworks", "asem.yaml"), "--dataset", "asem")
	fh, err := os.Open(filepath.Join(dir, "coinr_scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string][2]float64{} // node → unit → score, rank
	for _, r := range recs[1:] {
		s, _ := strconv.ParseFloat(r[3], 64)
		k, _ := strconv.ParseFloat(r[4], 64)
		if want[r[1]] == nil {
			want[r[1]] = map[string][2]float64{}
		}
		want[r[1]][r[0]] = [2]float64{s, k}
	}
	if len(want) != 11 {
		t.Fatalf("%d aggregates in coinr_scores.csv", len(want))
	}
	n := 0
	for node, units := range want {
		rows := jsonRows(t, mustRun(t, db, "rank", "--dataset", "asem", "--node", node, "--format", "json"))
		if len(rows) != 51 {
			t.Errorf("%s: %d units ranked", node, len(rows))
		}
		for _, r := range rows {
			w := units[r["unit"].(string)]
			if v := r[node].(float64); math.Abs(v-w[0]) > 1e-9 {
				t.Errorf("%s %s = %v, COINr %v", node, r["unit"], v, w[0])
			}
			if r["rank"].(float64) != w[1] {
				t.Errorf("%s %s rank %v, COINr %v", node, r["unit"], r["rank"], w[1])
			}
			n++
		}
	}
	if n != 561 {
		t.Errorf("%d scores compared, want 561", n)
	}
	// the draft framework computes (COINr's default steps, no imputation: units with
	// missing indicators get no index) and the groupings came in
	mustRun(t, filepath.Join(t.TempDir(), "copy.duckdb"), "import", "coinr", "--idata", filepath.Join(dir, "ASEM_iData.csv"), "--imeta", filepath.Join(dir, "ASEM_iMeta.csv"), "--dataset", "draft")
	draft, _ := os.ReadFile(fwOut)
	for _, s := range []string{"root: Index", "denominate: {by: Population, missing: drop}", "direction: negative", "- {id: Conn, weight: 1}"} {
		if !strings.Contains(string(draft), s) {
			t.Errorf("the draft framework lacks %q", s)
		}
	}
	// the audit: the treatment table (15 indicators winsorised, as COINr's), each
	// unit's data availability, the 65 imputed values, and no indicator flagged for
	// skewness the treatment rightly left alone (FemLab is skewed only before imputation)
	var audit struct {
		Treatment []map[string]any `json:"treatment"`
		Units     []map[string]any `json:"units"`
		Imputed   []map[string]any `json:"imputed"`
		Flags     []string         `json:"flags"`
		Corr      []map[string]any `json:"correlations"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "audit", "--method", filepath.Join("..", "..", "data", "frameworks", "asem.yaml"), "--dataset", "asem", "--year", "2018", "--format", "json")), &audit); err != nil {
		t.Fatal(err)
	}
	wins := 0
	for _, r := range audit.Treatment {
		if r["winsorised"].(float64) > 0 {
			wins++
		}
	}
	if wins != 15 || len(audit.Units) != 51 || len(audit.Imputed) != 65 || audit.Imputed[0]["method"] != "group-mean" {
		t.Errorf("audit: %d winsorised, %d units, %d imputed", wins, len(audit.Units), len(audit.Imputed))
	}
	for _, u := range audit.Units {
		if u["unit"] == "BRN" && math.Abs(u["share"].(float64)-39.0/49) > 1e-12 {
			t.Errorf("Brunei's availability %v, want 39 of 49", u)
		}
	}
	for _, fl := range audit.Flags {
		if strings.Contains(fl, "FemLab") && strings.Contains(fl, "skewness") {
			t.Errorf("FemLab flagged: %s", fl)
		}
	}
	if len(audit.Corr) == 0 || audit.Corr[0]["rho"] == nil || audit.Corr[0]["p"] == nil {
		t.Errorf("correlations without Spearman or p-values: %v", audit.Corr[:1])
	}
	summary := jsonRows(t, mustRun(t, db, "summary", "--dataset", "asem", "--by", "EurAsia_group", "--format", "json"))
	if len(summary) != 2 || summary[0]["count"].(float64)+summary[1]["count"].(float64) != 51 {
		t.Errorf("summary by EurAsia_group: %v", summary)
	}
}

// A broken coin is refused with the file, row and column, and nothing is written.
func TestCOINrBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	meta := "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n" +
		"1,a,A,1,1,,,pop,P,Indicator\n1,b,B,-1,1,,,,P,Indicator\n2,P,Pillar,,1,,,,,Aggregate\n,pop,Population,,,,,,,Denominator\n,grp,Group,,,,,,,Group\n"
	data := "uName,uCode,grp,Time,pop,a,b\nAlpha,AA,x,2020,10,1,2\nBeta,BB,y,2020,20,3,4\n"
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	db := filepath.Join(dir, "c.duckdb")
	mustRun(t, db, "import", "coinr", "--idata", write("ok-data.csv", data), "--imeta", write("ok-meta.csv", meta), "--dataset", "ok")
	before := mustRun(t, db, "datasets", "--format", "json")
	cases := []struct{ data, meta, want string }{
		{strings.Replace(data, "Beta,BB,y,2020,20,3,4", "Beta,BB,y,2020,20,three,4", 1), meta, "d.csv: line 3, column a: \"three\" is not a number (unit BB)"},
		{strings.Replace(data, ",b\n", ",c\n", 1), meta, "d.csv: iData has no column b, which iMeta"},
		{data, strings.Replace(meta, "1,b,B,-1,1,,,,P,Indicator", "1,b,B,2,1,,,,P,Indicator", 1), "m.csv: line 3, column Direction: Direction \"2\" of b is not 1 or -1"},
		{data, strings.Replace(meta, "1,b,B,-1,1,,,,P,Indicator", "1,b,B,-1,1,,,,Q,Indicator", 1), "m.csv: line 3, column Parent: b's Parent \"Q\" is not an aggregate of iMeta"},
		{data, strings.Replace(meta, "1,a,A,1,1,,,pop,P,Indicator", "1,a,A,1,1,,,gdp,P,Indicator", 1), "m.csv: line 2, column Denominator: a's Denominator \"gdp\" is not a row of Type Denominator"},
		{data, strings.Replace(meta, "1,b,B,-1,1,", "1,b,B,-1,heavy,", 1), "m.csv: line 3, column Weight: Weight \"heavy\" of b is not a number"},
		{strings.Replace(data, "Beta,BB,y,2020", "Beta,AA,y,2020", 1), meta, "d.csv: line 3: unit AA, time 2020 is also on line 2"},
		{data, strings.Replace(meta, "Indicator\n1,b", "Widget\n1,b", 1), "m.csv: line 2, column Type: Type \"Widget\""},
	}
	for _, c := range cases {
		_, err := run(t, db, "import", "coinr", "--idata", write("d.csv", c.data), "--imeta", write("m.csv", c.meta), "--dataset", "bad")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	if after := mustRun(t, db, "datasets", "--format", "json"); after != before {
		t.Error("a refused coin changed the database")
	}
}
