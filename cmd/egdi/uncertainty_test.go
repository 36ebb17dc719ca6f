package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/uncertainty"
)

var provUA = []string{"uncertainty", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022"}

// sqlRows runs q on db (read only) and returns its rows as text (NULL as "").
func sqlRows(t *testing.T, db, q string, args ...any) [][]string {
	t.Helper()
	d, err := store.Open(db, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	return out
}

// Same seed, same output, byte for byte, whatever the number of workers; another seed
// gives other draws.
func TestUncertaintySameSeedSameBytes(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	args := append(append([]string{}, provUA...), "--samples", "3000", "--seed", "7",
		"--vary", "weights:*=±30%", "--vary", "agg:index=arithmetic,geometric")
	var outs []string
	for _, w := range []string{"1", "2", "4"} {
		for _, format := range []string{"table", "json"} {
			outs = append(outs, mustRun(t, db, append(args, "--workers", w, "--format", format)...))
		}
	}
	for i := 2; i < len(outs); i++ {
		if outs[i] != outs[i%2] {
			t.Fatalf("output %d differs with another number of workers:\n%s\n---\n%s", i, outs[i], outs[i%2])
		}
	}
	other := mustRun(t, db, append(args, "--seed", "8")...)
	if other == outs[0] {
		t.Fatal("seed 8 gave seed 7's output")
	}
	if !strings.Contains(outs[0], "3000 replications") || !strings.Contains(outs[0], "seed 7") {
		t.Errorf("the table does not say what was run:\n%s", outs[0])
	}
}

// The JSON object, a Saltelli design's size, and the stored replications: every
// replication's parameters and ranks, queryable with SQL, agree with what was printed;
// --out writes them too.
func TestUncertaintyStoresEveryReplication(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	out := filepath.Join(t.TempDir(), "draws.csv")
	js := mustRun(t, db, append(append([]string{}, provUA...), "--samples", "200", "--sobol", "--seed", "3",
		"--vary", "weight:effectiveness=0.5..2", "--vary", "drop:index", "--vary", "agg:index=arithmetic,geometric",
		"--format", "json", "--out", out)...)
	var r struct {
		Samples, Evaluations int
		Seed                 uint64
		Inputs               []string
		Units                []map[string]any
		Sobol                []map[string]any
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if r.Samples != 200 || r.Evaluations != 200*(3+2) || r.Seed != 3 || len(r.Inputs) != 3 || len(r.Units) != 31 || len(r.Sobol) != 3 {
		t.Fatalf("samples %d, evaluations %d (want N·(k+2) = 1000), seed %d, %d inputs, %d units, %d Sobol rows", r.Samples, r.Evaluations, r.Seed, len(r.Inputs), len(r.Units), len(r.Sobol))
	}
	if r.Sobol[1]["factor"] != "drop:index" {
		t.Errorf("factor %v: the --vary text as given", r.Sobol[1]["factor"])
	}
	for _, s := range r.Sobol {
		for _, k := range []string{"first", "first_lo", "first_hi", "total", "total_lo", "total_hi"} {
			if _, ok := s[k].(float64); !ok {
				t.Errorf("sobol %v: %s is %v", s["factor"], k, s[k])
			}
		}
	}
	// the stored ranks give the printed means
	rows := sqlRows(t, db, `SELECT unit, avg(rank), count(*) FROM uncertainty_unit_ranks WHERE ua_id = 1 GROUP BY unit ORDER BY unit`)
	if len(rows) != 31 {
		t.Fatalf("%d units stored", len(rows))
	}
	mean := map[string]float64{}
	for _, u := range r.Units {
		mean[u["unit"].(string)] = u["mean_rank"].(float64)
	}
	for _, row := range rows {
		got, _ := strconv.ParseFloat(row[1], 64)
		if row[2] != "1000" || math.Abs(got-mean[row[0]]) > 1e-9 {
			t.Errorf("unit %s: %s stored ranks, mean %v; printed mean %v", row[0], row[2], got, mean[row[0]])
		}
	}
	// the drawn parameters: the weight within its range, the noisy weights within ±20%, the choices
	got := sqlRows(t, db, `SELECT min(value), max(value), count(*) FROM uncertainty_drawn WHERE ua_id = 1 AND input = 'weight:effectiveness=0.5..2'`)[0]
	lo, _ := strconv.ParseFloat(got[0], 64)
	hi, _ := strconv.ParseFloat(got[1], 64)
	if lo < 0.5 || hi > 2 || hi-lo < 1.4 || got[2] != "1000" {
		t.Errorf("weight draws from %v to %v (%s)", lo, hi, got[2])
	}
	got = sqlRows(t, db, `SELECT string_agg(DISTINCT choice, ',' ORDER BY choice) FROM uncertainty_drawn WHERE ua_id = 1 AND input = 'drop:index'`)[0]
	if got[0] != "channels,coverage,effectiveness,guidance,maturity,none" {
		t.Errorf("children left out: %v", got)
	}
	got = sqlRows(t, db, `SELECT string_agg(DISTINCT choice, ',' ORDER BY choice) FROM uncertainty_drawn WHERE ua_id = 1 AND input = 'agg:index=arithmetic,geometric'`)[0]
	if got[0] != "arithmetic,geometric" {
		t.Errorf("choices drawn: %v", got)
	}
	run := sqlRows(t, db, `SELECT method, dataset, year, seed, samples, evaluations, sobol, len(inputs), inputs_checksum <> '', engine_version <> '' FROM uncertainty_runs`)
	if len(run) != 1 || strings.Join(run[0], "|") != "cn-province-2022|provinces|2022|3|200|1000|true|3|true|true" {
		t.Errorf("run record %v", run)
	}
	// --out: one row per replication and unit, with a column per parameter
	recs := csvRecords(t, out)
	if len(recs) != 1+1000*31 || recs[0][0] != "replication" || recs[0][3] != "weight:effectiveness=0.5..2" || len(recs[0]) != 3+3 {
		t.Fatalf("%d rows; header %v", len(recs), recs[0])
	}
	// and Parquet: the same rows, the ranks as numbers
	pq := filepath.Join(t.TempDir(), "draws.parquet")
	mustRun(t, db, append(append([]string{}, provUA...), "--samples", "200", "--sobol", "--seed", "3",
		"--vary", "weight:effectiveness=0.5..2", "--vary", "drop:index", "--vary", "agg:index=arithmetic,geometric", "--out", pq)...)
	c, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	var gz float64
	if err := c.QueryRow(`SELECT count(*), avg(rank) FILTER (unit = '520000') FROM read_parquet('`+pq+`')`).Scan(&n, &gz); err != nil {
		t.Fatal(err)
	}
	if n != 1000*31 || math.Abs(gz-mean["520000"]) > 1e-12 {
		t.Errorf("parquet: %d rows, Guizhou's mean rank %v (printed %v)", n, gz, mean["520000"])
	}
}

// An input that cannot take effect is refused before anything runs, with the reason,
// and nothing is stored.
func TestUncertaintyRefusesWhatCannotTakeEffect(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	for _, c := range []struct {
		vary []string
		want string
	}{
		{[]string{"weight:nowhere=0..1"}, `"nowhere" is neither a node nor an indicator`},
		{[]string{"weight:index=0..1"}, "is the root; it has no weight"},
		{[]string{"weight:cn_maturity_score=0..1"}, "has one child"},
		{[]string{"weights:maturity=±10%"}, "has one child"},
		{[]string{"impute:*=mean,median"}, "no missing value in 2022"},
		{[]string{"winsorise:*=max_points:1..5"}, "no indicator of cn-province-2022 is winsorised"},
		{[]string{"norm:cn_maturity_score=target,minmax"}, "has no target"},
		{[]string{"norm:index=goalposts,minmax"}, "a node is normalised by one of"},
		{[]string{"agg:index=arithmetic"}, "at least two choices"},
		{[]string{"agg:index=arithmetic,arithmetic"}, "distinct"},
		{[]string{"agg:index=arithmetic,median"}, "not an aggregation"},
		{[]string{"drop:maturity"}, "has one child"},
		{[]string{"weights:index=±150%"}, "0 < P < 100"},
		{[]string{"weight:effectiveness=2..1"}, "LO < HI"},
		{[]string{"weights:*=±10%", "weight:effectiveness=0..1"}, "both set the weight of effectiveness in index"},
		{[]string{"norm:*=zscore,minmax"}, ""}, // accepted: checked below to show the refusals are specific
	} {
		args := append(append([]string{}, provUA...), "--samples", "10")
		for _, v := range c.vary {
			args = append(args, "--vary", v)
		}
		_, err := run(t, db, args...)
		if c.want == "" {
			if err != nil {
				t.Errorf("%v refused: %v", c.vary, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error saying %q", c.vary, err, c.want)
		}
	}
	if n := sqlRows(t, db, `SELECT count(*) FROM uncertainty_runs`)[0][0]; n != "1" {
		t.Errorf("%s runs stored; only the accepted one should be", n)
	}
	for _, c := range [][]string{
		{"--samples", "10", "--per-unit", "--vary", "weights:*=±10%"},
		{"--samples", "0", "--vary", "weights:*=±10%"},
		{"--samples", "10", "--vary", "weights:*=±10%", "--out", "x.xlsx"},
		{"--samples", "10"},
	} {
		if _, err := run(t, db, append(append([]string{}, provUA...), c...)...); err == nil {
			t.Errorf("%v accepted", c)
		}
	}
}

// Interrupted (the context cancelled, as Ctrl-C does), nothing is stored and the exit
// says so.
func TestUncertaintyInterruptedStoresNothing(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var outb, errb strings.Builder
	root := newRootCmd(&ioStreams{In: strings.NewReader(""), Out: &outb, ErrOut: &errb})
	root.SetArgs(append([]string{"--db", db, "-q"}, append(append([]string{}, provUA...), "--samples", "100000", "--vary", "weights:*=±10%")...))
	err := root.ExecuteContext(ctx)
	if err == nil {
		t.Fatal("a cancelled run succeeded")
	}
	if n := sqlRows(t, db, `SELECT count(*) FROM uncertainty_runs`)[0][0]; n != "0" {
		t.Errorf("%s runs stored after an interruption", n)
	}
	if !errors.Is(interrupted(context.Canceled), errInterrupted) {
		t.Error("an interruption is not reported as one (exit 130)")
	}
}

// sensitivity drop equals computing the framework without the child: with complete
// data, a weight of 0 (egdi whatif) leaves it out.
func TestSensitivityDropEqualsWhatifWithoutTheChild(t *testing.T) {
	t.Parallel()
	db := provincesDB(t)
	var got struct {
		Children []struct {
			Child        string
			MeanAbsShift float64 `json:"mean_abs_shift"`
		}
		Units []struct {
			Unit    string
			Without map[string]any `json:"rank_without"`
		}
	}
	js := mustRun(t, db, "sensitivity", "drop", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022", "--node", "index", "--format", "json")
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Children) != 5 || len(got.Units) != 31 {
		t.Fatalf("%d children, %d units", len(got.Children), len(got.Units))
	}
	for _, c := range got.Children {
		rows := jsonRows(t, mustRun(t, db, "whatif", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022", "--set", "weight:"+c.Child+"=0", "--format", "json"))
		after := map[string]float64{}
		sum := 0.0
		for _, r := range rows {
			after[r["unit"].(string)] = r["rank_after"].(float64)
			sum += math.Abs(r["shift"].(float64))
		}
		for _, u := range got.Units {
			if u.Without[c.Child].(float64) != after[u.Unit] {
				t.Errorf("without %s, %s ranks %v; whatif %v", c.Child, u.Unit, u.Without[c.Child], after[u.Unit])
			}
		}
		if math.Abs(sum/31-c.MeanAbsShift) > 1e-12 {
			t.Errorf("without %s: mean shift %v, whatif's %v", c.Child, c.MeanAbsShift, sum/31)
		}
	}
}

// A stored run reads back as it was printed.
func TestUncertaintyReadsBack(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	js := mustRun(t, db, append(append([]string{}, provUA...), "--samples", "300", "--sobol", "--vary", "weights:*=±25%", "--vary", "agg:index=arithmetic,geometric", "--format", "json")...)
	var want struct {
		Units []map[string]any
		Sobol []map[string]any
	}
	if err := json.Unmarshal([]byte(js), &want); err != nil {
		t.Fatal(err)
	}
	d, err := store.Open(db, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := uncertainty.ReadRun(context.Background(), d, uncertainty.Which{Method: "cn-province-2022"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Samples != 300 || s.Evaluations != 1200 || len(s.Units) != 31 || len(s.Indices) != 2 || len(s.Bands) != 3 {
		t.Fatalf("%+v", s)
	}
	for i, u := range s.Units {
		w := want.Units[i]
		if u.Code != w["unit"] || u.Mean != w["mean_rank"] || u.P95 != w["p95_rank"] || float64(u.NominalRank) != w["nominal_rank"] {
			t.Errorf("unit %d: %+v, printed %v", i, u, w)
		}
	}
	for i, x := range s.Indices {
		if x.Factor != want.Sobol[i]["factor"] || x.Total != want.Sobol[i]["total"] {
			t.Errorf("index %d: %+v, printed %v", i, x, want.Sobol[i])
		}
	}
	if _, err := uncertainty.ReadRun(context.Background(), d, uncertainty.Which{Method: "un-2022"}); !errors.Is(err, uncertainty.ErrNoRun) {
		t.Errorf("a run of another method: %v", err)
	}
}

// --per-unit adds each unit's rank as an output of the Sobol analysis: k indices per
// unit beside the k of the mean shift; a unit whose rank never moves has no variance.
func TestUncertaintyPerUnitSobol(t *testing.T) {
	t.Parallel()
	db := writable(t, "provinces")
	js := mustRun(t, db, append(append([]string{}, provUA...), "--samples", "200", "--sobol", "--per-unit",
		"--vary", "weights:index=±25%", "--vary", "agg:index=arithmetic,geometric", "--format", "json")...)
	var r struct {
		Sobol []struct {
			Factor, Unit string
			Total        *float64
		}
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Sobol) != 2*(1+31) {
		t.Fatalf("%d Sobol rows, want 2 × (1 + 31)", len(r.Sobol))
	}
	units := map[string]bool{}
	for _, s := range r.Sobol[2:] {
		units[s.Unit] = true
	}
	if len(units) != 31 || r.Sobol[0].Unit != "" {
		t.Errorf("%d units among the per-unit rows; the first row's unit %q", len(units), r.Sobol[0].Unit)
	}
	// Guizhou (520000) keeps rank 1 in every replication: no variance, no index
	for _, s := range r.Sobol {
		if s.Unit == "520000" && s.Total != nil {
			t.Errorf("a unit of constant rank has a total index %v", *s.Total)
		}
	}
}
