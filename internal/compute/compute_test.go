package compute

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/store"
)

// newDB opens a new database in a folder of its own, closed when the test ends, and
// returns the folder too.
func newDB(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	dir := tb.TempDir()
	db, err := store.Open(filepath.Join(dir, "t.duckdb"), false)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, dir
}

// setup opens a fresh database holding the long CSV text as dataset "t".
func setup(t *testing.T, csv string) *store.DB {
	t.Helper()
	db, dir := newDB(t)
	p := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.ImportIndicators(context.Background(), db, []string{p}, ingest.IndicatorOptions{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	return db
}

func fw(t *testing.T, yaml string) *framework.Framework {
	t.Helper()
	f, err := framework.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// values returns node values by unit for one year.
func values(t *testing.T, db *store.DB, node string) map[string]float64 {
	t.Helper()
	rows, err := db.Query(`SELECT unit, value FROM scores WHERE dataset = 't' AND year = 2022 AND node = ?`, node)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var u string
		var v float64
		rows.Scan(&u, &v)
		out[u] = v
	}
	return out
}

const twoIndicators = `
id: hand
root: idx
nodes:
  - {id: idx, children: [sub]}
  - {id: sub, normalise: minmax, children: [x, y]}
indicators:
  - {id: x, normalise: zscore}
  - {id: y, normalise: zscore}
bands:
  - {id: top, min: 0.5}
  - {id: rest, min: 0}
`

const abc = `unit,year,indicator,value
A,2022,x,1
B,2022,x,2
C,2022,x,3
A,2022,y,10
B,2022,y,10
C,2022,y,40
`

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("%s = %.15f, want %.15f", what, got, want)
	}
}

func TestZScoreMeanMinMaxByHand(t *testing.T) {
	t.Parallel()
	db := setup(t, abc)
	if _, err := Run(context.Background(), db, fw(t, twoIndicators), Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	// x z-scores: ∓√1.5, 0; y z-scores: −1/√2, −1/√2, √2. Means: A −(√1.5+1/√2)/2,
	// B −1/(2√2), C (√1.5+√2)/2; min-max gives A 0, C 1 and B = 2 − √3.
	v := values(t, db, "sub")
	near(t, "A", v["A"], 0)
	near(t, "B", v["B"], 2-math.Sqrt(3))
	near(t, "C", v["C"], 1)
	// The root has no normalisation: it equals its single child.
	near(t, "root B", values(t, db, "idx")["B"], 2-math.Sqrt(3))
}

func TestCapAndWeights(t *testing.T) {
	t.Parallel()
	db := setup(t, abc)
	f := fw(t, `
id: hand
root: sub
nodes:
  - {id: sub, normalise: minmax, children: [{id: x, weight: 3/4}, {id: y, weight: 1/4}]}
indicators:
  - {id: x, normalise: zscore, cap: 2.5}
  - {id: y, normalise: zscore}
`)
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	// x capped: 1, 2, 2.5 → z over those; weighted 3:1 with y's z; min-max.
	zx := zscores([]float64{1, 2, 2.5})
	zy := zscores([]float64{10, 10, 40})
	m := make([]float64, 3)
	for i := range m {
		m[i] = 0.75*zx[i] + 0.25*zy[i]
	}
	want := minmax(m)
	v := values(t, db, "sub")
	near(t, "A", v["A"], want[0])
	near(t, "B", v["B"], want[1])
	near(t, "C", v["C"], want[2])
	near(t, "B (literal)", v["B"], 0.5152093531569251)
}

func TestUnitMissingOneIndicatorGetsNoComposite(t *testing.T) {
	t.Parallel()
	db := setup(t, abc+"D,2022,x,5\n")
	if _, err := Run(context.Background(), db, fw(t, twoIndicators), Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	v := values(t, db, "sub")
	if _, ok := v["D"]; ok {
		t.Errorf("D lacks y but got a composite %v", v["D"])
	}
	if len(v) != 3 {
		t.Errorf("got %d composites, want 3", len(v))
	}
	// D's x still counts in the z-score of x (it is a real observation).
	near(t, "B", v["B"], 0.19464814536946023)
}

func TestZeroVarianceAndTiesAndBands(t *testing.T) {
	t.Parallel()
	db := setup(t, `unit,year,indicator,value
A,2022,x,1
B,2022,x,1
C,2022,x,3
A,2022,y,7
B,2022,y,7
C,2022,y,7
`)
	if _, err := Run(context.Background(), db, fw(t, twoIndicators), Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	// y has no spread: its z-score is 0 for all, so sub follows x alone.
	v := values(t, db, "sub")
	near(t, "A", v["A"], 0)
	near(t, "C", v["C"], 1)
	rows, err := db.Query(`SELECT unit, rank, band FROM standings WHERE dataset = 't' ORDER BY unit`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := ""
	for rows.Next() {
		var u, b string
		var r int
		rows.Scan(&u, &r, &b)
		got += u + ":" + string(rune('0'+r)) + ":" + b + " "
	}
	// A and B tie at 0: both rank 2 (competition ranking), no rank 3.
	if want := "A:2:rest B:2:rest C:1:top "; got != want {
		t.Errorf("standings %q, want %q", got, want)
	}
}

func TestAllEqualMinMaxIsMidpoint(t *testing.T) {
	t.Parallel()
	db := setup(t, "unit,year,indicator,value\nA,2022,x,4\nB,2022,x,4\n")
	f := fw(t, "id: m\nroot: n\nnodes:\n  - {id: n, normalise: minmax, children: [x]}\nindicators:\n  - {id: x}\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	near(t, "A", values(t, db, "n")["A"], 0.5)
}

func TestDenseRankingAndNegativeDirection(t *testing.T) {
	t.Parallel()
	db := setup(t, "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,1\nC,2022,x,3\nD,2022,x,2\n")
	f := fw(t, "id: m\nroot: n\nranking: dense\nnodes:\n  - {id: n, normalise: minmax, children: [x]}\nindicators:\n  - {id: x, direction: negative}\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	v := values(t, db, "n")
	// Lower is better: 1 → 1, 3 → 0, 2 → 0.5.
	near(t, "A", v["A"], 1)
	near(t, "C", v["C"], 0)
	near(t, "D", v["D"], 0.5)
	var rc, rd int
	db.QueryRow(`SELECT rank FROM standings WHERE unit = 'C'`).Scan(&rc)
	db.QueryRow(`SELECT rank FROM standings WHERE unit = 'D'`).Scan(&rd)
	if rd != 2 || rc != 3 {
		t.Errorf("dense ranks D=%d C=%d, want 2 and 3 (A and B share 1)", rd, rc)
	}
}

func TestGoalposts(t *testing.T) {
	t.Parallel()
	db := setup(t, "unit,year,indicator,value\nA,2022,x,50\nB,2022,x,120\nC,2022,x,-5\n")
	f := fw(t, "id: m\nroot: n\nscale: 100\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x, normalise: goalposts, goalposts: [0, 100]}\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	v := values(t, db, "n")
	near(t, "A", v["A"], 50)
	near(t, "B (clamped)", v["B"], 100)
	near(t, "C (clamped)", v["C"], 0)
}

func zscores(x []float64) []float64 {
	mu, ss := 0.0, 0.0
	for _, v := range x {
		mu += v
	}
	mu /= float64(len(x))
	for _, v := range x {
		ss += (v - mu) * (v - mu)
	}
	sd := math.Sqrt(ss / float64(len(x)))
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = (v - mu) / sd
	}
	return out
}

func minmax(x []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = (v - lo) / (hi - lo)
	}
	return out
}

// The inputs' checksum identifies the values computed from, whatever their order or
// database: the same rows in another order give the same checksum; a changed value, two
// units' values swapped, or two indicators', give another. Imputed values are not inputs.
func TestInputsChecksum(t *testing.T) {
	t.Parallel()
	sum := func(csv, yaml string) YearResult {
		t.Helper()
		res, err := Run(context.Background(), setup(t, csv), fw(t, yaml), Options{Dataset: "t"})
		if err != nil || len(res) != 1 {
			t.Fatalf("%v, %v", res, err)
		}
		return res[0]
	}
	base := sum(abc, twoIndicators)
	reordered := sum(`unit,year,indicator,value
C,2022,y,40
B,2022,x,2
A,2022,y,10
C,2022,x,3
A,2022,x,1
B,2022,y,10
`, twoIndicators)
	if base.Checksum != reordered.Checksum || base.Inputs != 6 {
		t.Errorf("same rows: %s (%d inputs) and %s", base.Checksum, base.Inputs, reordered.Checksum)
	}
	changed := sum(strings.Replace(abc, "C,2022,y,40", "C,2022,y,41", 1), twoIndicators)
	swapped := sum(strings.NewReplacer("A,2022,x,1", "A,2022,x,2", "B,2022,x,2", "B,2022,x,1").Replace(abc), twoIndicators)
	moved := sum(strings.NewReplacer("A,2022,x,1", "A,2022,y,1", "A,2022,y,10", "A,2022,x,10").Replace(abc), twoIndicators)
	columns := sum(strings.NewReplacer(",x,", ",y,", ",y,", ",x,").Replace(abc), twoIndicators)
	for what, r := range map[string]YearResult{"a changed value": changed, "swapped units": swapped, "swapped indicators": moved,
		"indicators swapped for every unit": columns} {
		if r.Checksum == base.Checksum {
			t.Errorf("%s: checksum unchanged (%s)", what, r.Checksum)
		}
	}
	// A mean imputation fills B's missing y: the inputs are the five stored values.
	imputing := strings.Replace(twoIndicators, "{id: y, normalise: zscore}", "{id: y, normalise: zscore, impute: mean}", 1)
	five := strings.Replace(abc, "B,2022,y,10\n", "", 1)
	a, b := sum(five, imputing), sum(five, twoIndicators)
	if a.Imputed != 1 || a.Inputs != 5 || a.Checksum != b.Checksum {
		t.Errorf("imputed: %d imputed, %d inputs, checksum %s; without imputation %s", a.Imputed, a.Inputs, a.Checksum, b.Checksum)
	}
}

// The inputs' checksum, taken in Go as the values are read, is the one DuckDB gives by
// the formula runs were checksummed with before (in SQL over c_raw), so that runs
// stored then still match their data: per year, the xor over indicators of
// hash(xor(hash(id), the xor over stored values of hash(xor(unit_key, hash(value))))),
// and the count of stored values; over two years, a denominated indicator, a value of
// −0 and an imputed one (not an input), and a year the screen empties.
func TestInputsChecksumIsDuckDBs(t *testing.T) {
	t.Parallel()
	db := setup(t, `unit,year,indicator,value
A,2021,x,1
B,2021,x,-0
C,2021,x,3
A,2021,y,10.5
C,2021,y,40
A,2021,pop,2
B,2021,pop,4
C,2021,pop,8
A,2021,z,1
B,2021,z,2
C,2021,z,3
A,2022,x,1
B,2022,x,2
C,2022,x,7
A,2022,y,11
B,2022,y,12
C,2022,y,41
A,2022,pop,2
B,2022,pop,4
C,2022,pop,8
A,2022,z,5
B,2022,z,5
C,2022,z,6
D,2023,x,5
D,2023,pop,1
`)
	f := fw(t, `id: sums
root: idx
screen: {min_coverage: 0.6}
nodes:
  - {id: idx, children: [x, y, z]}
indicators:
  - {id: x, denominate: {by: pop, scale: 100}}
  - {id: y, impute: mean}
  - {id: z}
`)
	var want map[int]string
	res, err := Evaluate(context.Background(), db, f, Options{Dataset: "t"}, func(c *sql.Conn) error {
		rows, err := c.QueryContext(context.Background(), `SELECT year, bit_xor(CASE WHEN inputs > 0 THEN hash(xor(hash(p.id), s.checksum)) ELSE 0::UBIGINT END), sum(inputs)
			FROM (SELECT year, node_id, count(*) FILTER (NOT imputed) AS inputs,
					bit_xor(hash(xor(unit_key, hash(value)))) FILTER (NOT imputed) AS checksum
				FROM c_raw GROUP BY year, node_id) s JOIN c_leaf p USING (node_id) GROUP BY year`)
		if err != nil {
			return err
		}
		defer rows.Close()
		want = map[int]string{}
		for rows.Next() {
			var y int
			var h uint64
			var n int64
			if err := rows.Scan(&y, &h, &n); err != nil {
				return err
			}
			want[y] = fmt.Sprintf("%016x-%d", h, n)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || len(want) != 2 {
		t.Fatalf("%d years computed, %d checksummed in SQL: %+v", len(res), len(want), res)
	}
	for _, r := range res {
		w, ok := want[r.Year]
		if !ok {
			w = "0000000000000000-0" // 2023: D was screened out, no value is left
			if len(r.Screened) != 1 || r.Units != 0 {
				t.Errorf("2023: %+v", r)
			}
		}
		if r.Checksum != w {
			t.Errorf("%d: checksum %s, DuckDB's %s", r.Year, r.Checksum, w)
		}
	}
	if res[0].Imputed != 1 || res[0].Inputs != 8 || res[1].Inputs != 9 {
		t.Errorf("inputs: %+v", res)
	}
}
