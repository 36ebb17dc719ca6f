package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/output"
)

// The streamed CSV of a ranking (DuckDB writes it) is byte for byte the CSV the same
// ranking gives through Go's writer: the JSON rows written as CSV.
func TestStreamedRankingCSVIsTheTable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		db   string
		args []string
	}{
		{"workflow", []string{"--year", "2022"}},
		{"workflow", []string{"--year", "2022", "--node", "tii", "--lang", "zh", "--top", "40"}},
		{"workflow", []string{"--year", "2003", "--region", "Africa"}},
		{"workflow", []string{"--year", "2018", "--group", "ldc"}},
		{"provinces", []string{"--dataset", "provinces", "--year", "2022"}},
		{"provinces", []string{"--dataset", "provinces", "--node", "maturity", "--group", "economic_region=西部", "--lang", "zh"}},
	} {
		db := prepared(t, c.db)
		streamed := mustRun(t, db, append([]string{"rank", "--format", "csv"}, c.args...)...)
		rows := mustRun(t, db, append([]string{"rank", "--format", "json"}, c.args...)...)
		// the JSON rows, through the Go CSV writer, in their columns' order
		header := strings.SplitN(streamed, "\n", 2)[0]
		cols := strings.Split(header, ",")
		dec := json.NewDecoder(strings.NewReader(rows))
		dec.UseNumber()
		var objs []map[string]any
		if err := dec.Decode(&objs); err != nil {
			t.Fatal(err)
		}
		tb := &output.Table{Columns: cols}
		for _, o := range objs {
			var r []any
			for _, k := range cols {
				v := o[k]
				if n, ok := v.(json.Number); ok {
					// rank and year are integers, every other number a value
					if k == "rank" || k == "year" {
						i, _ := n.Int64()
						v = i
					} else {
						f, _ := n.Float64()
						v = f
					}
				}
				r = append(r, v)
			}
			tb.Rows = append(tb.Rows, r)
		}
		var b bytes.Buffer
		if err := output.Write(&b, tb, "csv"); err != nil {
			t.Fatal(err)
		}
		want := b.String()
		if streamed != want {
			sl, wl := strings.Split(streamed, "\n"), strings.Split(want, "\n")
			for i := range min(len(sl), len(wl)) {
				if sl[i] != wl[i] {
					t.Errorf("rank %v: line %d\nstreamed %s\ntable    %s", c.args, i+1, sl[i], wl[i])
					break
				}
			}
			if len(sl) != len(wl) {
				t.Errorf("rank %v: %d lines streamed, %d in the table", c.args, len(sl), len(wl))
			}
		}
	}
}

// export --layout long of a three-level framework holds every node's value of every
// unit and year, with the rank rank --node gives it.
func TestExportLongHoldsEveryNode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "e.duckdb")
	fw := filepath.Join("..", "..", "data", "frameworks", "example.yaml")
	var b strings.Builder
	b.WriteString("unit,year,indicator,value\n")
	for _, y := range []int{2023, 2024} {
		for i := 1; i <= 12; i++ {
			x := float64(i) + float64(y-2023)*0.5
			for _, kv := range []struct {
				id string
				v  float64
			}{{"items_online", 40 + 4*x}, {"guides_accurate", 70 + 2*x}, {"full_online_share", 5 * x}, {"processing_days", 60 / x},
				{"consultations", 2 * x * x}, {"response_rate", 40 + 3*x + float64(i%4)}} {
				fmt.Fprintf(&b, "c%02d,%d,%s,%v\n", i, y, kv.id, kv.v)
			}
		}
	}
	csv := filepath.Join(dir, "c.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	mustRun(t, db, "import", "indicators", csv, "--dataset", "cities")
	mustRun(t, db, "compute", "--method", fw, "--dataset", "cities")
	out := filepath.Join(dir, "long.csv")
	mustRun(t, db, "export", "--dataset", "cities", "--out", out)
	long := readCSV(t, out)
	nodes := []string{"index", "services", "participation", "coverage", "transactions"}
	got := map[string]map[string]string{}
	for _, r := range long {
		got[r["year"]+"/"+r["unit"]+"/"+r["node"]] = r
		if r["dataset"] != "cities" || r["source"] != "computed" {
			t.Errorf("row %v", r)
		}
		if (r["band"] != "") != (r["node"] == "index") {
			t.Errorf("%s %s: band %q (only the root has bands)", r["unit"], r["node"], r["band"])
		}
	}
	values := 0 // the values rank --node shows (the geometric mean of services has none for a negative z-score)
	for _, y := range []string{"2023", "2024"} {
		for _, n := range nodes {
			for _, r := range jsonRows(t, mustRun(t, db, "rank", "--dataset", "cities", "--year", y, "--node", n, "--format", "json")) {
				if r[n] == nil {
					if _, ok := got[y+"/"+r["unit"].(string)+"/"+n]; ok {
						t.Errorf("%s %s %s exported without a value in the ranking", y, r["unit"], n)
					}
					continue
				}
				values++
				e, ok := got[y+"/"+r["unit"].(string)+"/"+n]
				if !ok {
					t.Fatalf("%s %s %s not exported", y, r["unit"], n)
				}
				v, _ := strconv.ParseFloat(e["value"], 64)
				rk, _ := strconv.Atoi(e["rank"])
				if math.Abs(v-r[n].(float64)) > 0 || float64(rk) != r["rank"] {
					t.Errorf("%s %s %s: export %s (rank %s), rank %v (rank %v)", y, r["unit"], n, e["value"], e["rank"], r[n], r["rank"])
				}
			}
		}
	}
	if values != len(long) || values < 110 {
		t.Errorf("%d rows exported, %d values ranked", len(long), values)
	}
	// the wide layout: one row per unit and year, a column per node
	wide := filepath.Join(dir, "wide.csv")
	mustRun(t, db, "export", "--dataset", "cities", "--layout", "wide", "--out", wide)
	w := readCSV(t, wide)
	if len(w) != 24 {
		t.Fatalf("%d wide rows", len(w))
	}
	for _, r := range w {
		for _, n := range nodes {
			if r[n] != got[r["year"]+"/"+r["unit"]+"/"+n]["value"] {
				t.Errorf("wide %s %s %s = %s, long %s", r["year"], r["unit"], n, r[n], got[r["year"]+"/"+r["unit"]+"/"+n]["value"])
			}
		}
	}
}

// egdi datasets says what is there: datasets, published editions with their unassessed
// states and placeholders, groupings and runs.
func TestDatasetsSaysWhatIsThere(t *testing.T) {
	t.Parallel()
	var c struct {
		Datasets  []map[string]any `json:"datasets"`
		Published []struct {
			Year         int      `json:"year"`
			Listed       int      `json:"listed"`
			Scored       int      `json:"scored"`
			NotAssessed  []string `json:"not_assessed"`
			Placeholders []string `json:"placeholders"`
		} `json:"published"`
		Groupings []map[string]any `json:"groupings"`
		Runs      []map[string]any `json:"runs"`
	}
	out := mustRun(t, prepared(t, "workflow"), "datasets", "--format", "json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(c.Datasets) != 1 || c.Datasets[0]["dataset"] != "itu" || c.Datasets[0]["synthetic"] != false {
		t.Errorf("datasets %v", c.Datasets)
	}
	if len(c.Published) != 11 {
		t.Fatalf("%d published editions", len(c.Published))
	}
	for _, e := range c.Published {
		want := map[int][2]int{2003: {2, 18}, 2004: {2, 13}, 2005: {2, 12}, 2008: {1, 10}, 2010: {1, 9}, 2012: {0, 3}}[e.Year]
		if len(e.NotAssessed) != want[0] || len(e.Placeholders) != want[1] || e.Listed != 193 || e.Scored != 193-want[0]-want[1] {
			t.Errorf("%d: %d listed, %d scored, not assessed %v, placeholders %v; want %v", e.Year, e.Listed, e.Scored, e.NotAssessed, e.Placeholders, want)
		}
	}
	last := c.Runs[len(c.Runs)-1]
	nodes := last["nodes"].(map[string]any)
	if last["dataset"] != "itu" || last["method"] != "un-2022" || last["source"] != "computed" || nodes["tii"] == nil || nodes["egdi"] != nil || last["inputs_checksum"] == "" {
		t.Errorf("the ITU run: %v", last)
	}
	if len(c.Groupings) != 5 || c.Groupings[0]["grouping"] != "region" {
		t.Errorf("groupings %v", c.Groupings)
	}
	text := mustRun(t, prepared(t, "provinces"), "datasets", "--lang", "zh")
	for _, s := range []string{"原始指标数据集", "economic_region", "cn-province-2022", "运行"} {
		if !strings.Contains(text, s) {
			t.Errorf("datasets --lang zh lacks %q:\n%s", s, text)
		}
	}
}

// A command of commands given an unknown one fails (with a suggestion) instead of
// printing its help and succeeding.
func TestUnknownSubcommandIsAnError(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "u.duckdb")
	for args, want := range map[string]string{
		"import groupz":  `unknown command "groupz" for "egdi import"; did you mean groups?`,
		"import":         "egdi import needs a command: coinr, groups, indicators, indices",
		"chart rankin":   `unknown chart "rankin"; did you mean ranking?`,
		"report rankng":  `unknown report "rankng"`,
		"frobnicate":     `unknown command "frobnicate" for "egdi"`,
		"rank extra arg": `unknown command "extra" for "egdi rank"`,
	} {
		var out, errb bytes.Buffer
		code := execute(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, append([]string{"--db", db}, strings.Fields(args)...))
		if code == 0 || !strings.Contains(errb.String(), want) {
			t.Errorf("egdi %s: exit %d, stderr %q, want %q", args, code, errb.String(), want)
		}
	}
}
