package output

import (
	"database/sql"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Float writes numbers exactly as DuckDB's CSV writer does: checked against DuckDB
// itself on values around every power of ten egdi meets and at random.
func TestFloatIsDuckDBs(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	xs := []float64{1, 0.1, 0.25, 1e-5, 0.00012, 123456789.5, 1e21, 1e15, 1e16, 2.5e-7, 0.30000000000000004, 100, 1234567, 0.9717, 97.17, -0.5, -1e-5, 5e-324, math.MaxFloat64}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		xs = append(xs, (rng.Float64()-0.3)*math.Pow(10, float64(rng.IntN(44)-22)))
	}
	if _, err := db.Exec(`CREATE TABLE t (i INTEGER, x DOUBLE)`); err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if _, err := db.Exec(`INSERT INTO t VALUES (?, ?)`, i, x); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "f.csv")
	if _, err := db.Exec(`COPY (SELECT x FROM t ORDER BY i) TO '` + path + `' (FORMAT csv, HEADER false)`); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != len(xs) {
		t.Fatalf("%d lines for %d values", len(lines), len(xs))
	}
	for i, x := range xs {
		if got := Float(x); got != lines[i] {
			t.Errorf("%v: Float %q, DuckDB %q", x, got, lines[i])
		}
	}
}
