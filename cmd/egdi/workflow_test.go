package main

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// csvRecords reads a CSV file's records.
func csvRecords(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// readCSV reads a CSV file into rows of column → text.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	recs := csvRecords(t, path)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

// The README's workflow: the published tables, the ITU series, TII alone computed for
// 2022. Every command then shows the published EGDI with its ranks and groups, the
// computed TII beside the published OSI and HCI, and says so.
func TestReadmeWorkflow(t *testing.T) {
	t.Parallel()
	db := prepared(t, "workflow")
	dir := t.TempDir()
	rows := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	if len(rows) != 193 {
		t.Fatalf("rank --year 2022: %d rows, want 193", len(rows))
	}
	if rows[0]["unit"] != "DNK" || rows[0]["rank"] != 1.0 {
		t.Errorf("first: %v ranked %v, want Denmark first", rows[0]["unit"], rows[0]["rank"])
	}
	pub := map[string]map[string]any{}
	for _, r := range jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--source", "published", "--format", "json")) {
		pub[r["unit"].(string)] = r
	}
	comp := map[string]float64{}
	for _, r := range jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--dataset", "itu", "--source", "computed", "--node", "tii", "--format", "json")) {
		if v, ok := r["tii"].(float64); ok {
			comp[r["unit"].(string)] = v
		}
	}
	if len(comp) < 185 {
		t.Fatalf("%d computed TII values", len(comp))
	}
	groups := map[string]int{}
	byUnit := map[string]map[string]any{}
	for _, r := range rows {
		u := r["unit"].(string)
		byUnit[u] = r
		groups[r["group"].(string)]++
		for _, k := range []string{"egdi", "osi", "hci", "epi", "rank", "group", "class"} {
			if r[k] != pub[u][k] {
				t.Errorf("%s %s = %v, published %v", u, k, r[k], pub[u][k])
			}
		}
		want, computed := comp[u]
		if !computed {
			want = pub[u]["tii"].(float64)
		}
		if r["tii"] != want {
			t.Errorf("%s tii = %v, want %v (computed: %v)", u, r["tii"], want, computed)
		}
		if src := map[bool]string{true: "mixed", false: "published"}[computed]; r["source"] != src {
			t.Errorf("%s source %v, want %s", u, r["source"], src)
		}
	}
	if groups["very_high"] != 60 || groups["high"] != 73 || groups["middle"] != 53 || groups["low"] != 7 {
		t.Errorf("group counts %v, want 60/73/53/7", groups)
	}
	for _, s := range jsonRows(t, mustRun(t, db, "summary", "--year", "2022", "--format", "json")) {
		if s["count"] != float64(groups[s["key"].(string)]) {
			t.Errorf("summary %v: %v, ranking %d", s["key"], s["count"], groups[s["key"].(string)])
		}
	}
	text := mustRun(t, db, "rank", "--year", "2022", "--top", "3")
	if !strings.Contains(text, "EGDI, OSI, HCI, EPI: UN E-Government Survey 2022 (published); TII: computed by egdi (un-2022, dataset itu") {
		t.Errorf("the ranking does not say which values are computed:\n%s", text)
	}

	// the charts show the same numbers
	data := filepath.Join(dir, "ranking.csv")
	mustRun(t, db, "chart", "ranking", "--year", "2022", "--top", "20", "--out", filepath.Join(dir, "ranking.png"), "--data", data)
	bars := readCSV(t, data)
	if len(bars) != 20 {
		t.Fatalf("%d bars", len(bars))
	}
	for i, b := range bars {
		if b["unit"] != rows[i]["unit"] || atof(t, b["rank"]) != rows[i]["rank"] || atof(t, b["value"]) != rows[i]["egdi"] {
			t.Errorf("bar %d: %v, rank says %v %v %v", i, b, rows[i]["unit"], rows[i]["rank"], rows[i]["egdi"])
		}
	}
	mustRun(t, db, "chart", "components", "--units", "CHN,KOR,JPN", "--year", "2022", "--out", filepath.Join(dir, "c.svg"), "--data", data)
	comps := readCSV(t, data)
	if len(comps) != 9 {
		t.Fatalf("%d component bars, want 3 units x OSI, TII, HCI", len(comps))
	}
	for _, c := range comps {
		if atof(t, c["value"]) != byUnit[c["unit"]][c["index"]] {
			t.Errorf("%s %s: chart %s, rank %v", c["unit"], c["index"], c["value"], byUnit[c["unit"]][c["index"]])
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "c.svg"))
	if !strings.Contains(string(svg), "TII: computed by egdi") {
		t.Error("the components chart does not say TII is computed")
	}

	// and so do the reports
	r := readReport(t, db, "ranking", "--year", "2022")
	ranking := r.table(t, 0)
	if len(ranking) != 193 {
		t.Fatalf("report ranking: %d rows", len(ranking))
	}
	for i, x := range ranking {
		if x["unit"] != rows[i]["unit"] || x["rank"] != rows[i]["rank"] || x["egdi"] != rows[i]["egdi"] || x["tii"] != rows[i]["tii"] {
			t.Errorf("report row %d: %v %v %v %v, rank %v %v %v %v", i, x["unit"], x["rank"], x["egdi"], x["tii"], rows[i]["unit"], rows[i]["rank"], rows[i]["egdi"], rows[i]["tii"])
		}
	}
	if !strings.Contains(r.Meta["Sources"], "TII: computed by egdi") {
		t.Errorf("report sources: %q", r.Meta["Sources"])
	}
	tr := readReport(t, db, "transitions", "--from", "2018", "--to", "2022")
	if s := strings.Join(tr.Blocks[0].Text, " "); !strings.Contains(s, "Of the 193 countries ranked in both 2018 and 2022") {
		t.Errorf("transitions: %s", s)
	}
	g18 := map[string]string{}
	for _, x := range jsonRows(t, mustRun(t, db, "rank", "--year", "2018", "--format", "json")) {
		g18[x["unit"].(string)] = x["group"].(string)
	}
	order := map[string]int{"very_high": 0, "high": 1, "middle": 2, "low": 3}
	up := 0
	for _, x := range rows {
		if order[x["group"].(string)] < order[g18[x["unit"].(string)]] {
			up++
		}
	}
	if got := len(tr.table(t, 1)); got != up {
		t.Errorf("transitions: %d moved up, %d from the rankings", got, up)
	}
	cmp := readReport(t, db, "compare", "--units", "CHN,KOR,JPN", "--year", "2022")
	table := cmp.table(t, 0)
	for _, x := range table {
		switch x["index"] {
		case "Rank":
			for _, u := range []string{"CHN", "KOR", "JPN"} {
				if x[strings.ToLower(u)] != byUnit[u]["rank"] {
					t.Errorf("compare rank of %s: %v, ranking %v", u, x[strings.ToLower(u)], byUnit[u]["rank"])
				}
			}
		case "TII", "EGDI":
			for _, u := range []string{"CHN", "KOR", "JPN"} {
				want := byUnit[u][strings.ToLower(x["index"].(string))].(float64)
				if got := x[strings.ToLower(u)].(float64); math.Abs(got-want) > 0 {
					t.Errorf("compare %s of %s: %v, ranking %v", x["index"], u, got, want)
				}
			}
		}
	}
}
