package compute

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/store"
)

// The row index numbers (year, unit) pairs as a Go map would, through its growth and
// with pairs that come back after others (keys that collide in the table included).
func TestRowIndexAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := newRowIndex(0)
	want := map[yearUnit]int{}
	for i := 0; i < 200000; i++ {
		k := yearUnit{int32(2000 + rng.IntN(5)), uint64(rng.IntN(30000))}
		if i%7 == 0 {
			k.key <<= 40 // keys equal in the low bits, which the table indexes by
		}
		r, added := x.row(k, len(want))
		w, ok := want[k]
		if !ok {
			w = len(want)
			want[k] = w
		}
		if r != w || added == ok {
			t.Fatalf("pair %d %v: row %d (added %v), want %d (added %v)", i, k, r, added, w, !ok)
		}
	}
	if x.used != len(want) {
		t.Fatalf("%d pairs indexed, want %d", x.used, len(want))
	}
}

// A dataset stored in another order (the values of a unit and year scattered among
// others') computes to the same results, to the last bit: the evaluation reads c_raw
// in storage order (or, on a large dataset, as DuckDB's threads come), one row per
// (year, unit) however its values come, and orders the rows by year and unit. Node c
// is a z-score of z-scores, whose means add in row order.
func TestStorageOrderDoesNotChangeResults(t *testing.T) {
	db, dir := newDB(t)
	rng := rand.New(rand.NewPCG(5, 6))
	var lines []string
	for u := 0; u < 400; u++ {
		for y := 2021; y <= 2022; y++ {
			for i := 1; i <= 6; i++ {
				if rng.IntN(20) == 0 {
					continue // some units lack some indicators
				}
				lines = append(lines, fmt.Sprintf("U%03d,%d,i%d,%.4f", u, y, i, rng.NormFloat64()*10+float64(u%17)))
			}
		}
	}
	write := func(name string, ls []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("unit,year,indicator,value\n"+strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	shuffled := append([]string(nil), lines...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	ctx := context.Background()
	for ds, p := range map[string]string{"grouped": write("g.csv", lines), "scattered": write("s.csv", shuffled)} {
		if _, err := ingest.ImportIndicators(ctx, db, []string{p}, ingest.IndicatorOptions{Dataset: ds}); err != nil {
			t.Fatal(err)
		}
	}
	f := fw(t, `id: o
root: index
nodes:
  - {id: index, children: [a, b, c], normalise: minmax}
  - {id: a, children: [i1, i2, i3], aggregate: geometric, normalise: minmax}
  - {id: b, children: [i4, i5, i6], missing: skip, normalise: rank}
  - {id: c, children: [i4, i6], missing: skip, normalise: zscore}
indicators:
  - {id: i1, normalise: minmax}
  - {id: i2, normalise: minmax}
  - {id: i3, normalise: minmax}
  - {id: i4, normalise: zscore}
  - {id: i5, normalise: percentile}
  - {id: i6, normalise: zscore, direction: negative}
bands:
  - {id: high, min: 0.5}
  - {id: low, min: 0}
`)
	// the scattered file must really be stored scattered for the test to mean anything
	var runs int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT year, unit_key, lag(year) OVER () AS py, lag(unit_key) OVER () AS pu
		FROM raw_values v JOIN codes d ON d.id = v.dataset_id WHERE d.code = 'scattered') WHERE py IS DISTINCT FROM year OR pu IS DISTINCT FROM unit_key`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs < 2000 {
		t.Fatalf("the scattered dataset is stored in %d runs of a unit and year; want it scattered", runs)
	}
	got := map[string]map[string]string{}
	for _, ds := range []string{"grouped", "scattered"} {
		res, err := Run(ctx, db, f, Options{Dataset: ds})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 2 || res[1].Units < 300 {
			t.Fatalf("%s: %+v", ds, res)
		}
		got[ds] = map[string]string{}
		rows, err := db.Query(`SELECT s.unit, s.year, s.node, s.value, t.rank, t.band FROM scores s
			LEFT JOIN standings t ON t.dataset = s.dataset AND t.year = s.year AND t.unit = s.unit AND s.node = 'index'
			WHERE s.dataset = ?`, ds)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var unit, node string
			var year int
			var v sql.NullFloat64
			var rank sql.NullInt64
			var band sql.NullString
			if err := rows.Scan(&unit, &year, &node, &v, &rank, &band); err != nil {
				t.Fatal(err)
			}
			got[ds][fmt.Sprint(unit, year, node)] = fmt.Sprintf("%x %v %v", math.Float64bits(v.Float64), rank, band)
		}
		rows.Close()
	}
	if len(got["grouped"]) < 2000 || len(got["grouped"]) != len(got["scattered"]) {
		t.Fatalf("%d values grouped, %d scattered", len(got["grouped"]), len(got["scattered"]))
	}
	for k, v := range got["grouped"] {
		if got["scattered"][k] != v {
			t.Fatalf("%s: grouped %s, scattered %s", k, v, got["scattered"][k])
		}
	}
}

// A computation whose columns would not fit in egdi's memory limit is refused before
// they are read, saying how much it needs and what to do; with a limit that fits it
// computes. Hand count: 5,000 units of one year, 10 indicators and 3 nodes, at 40 bytes
// each per row and 160 for the row, need 3.40 MB.
func TestColumnsBeyondTheMemoryLimitAreRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("unit,year,indicator,value\n")
	for u := 0; u < 5000; u++ {
		for i := 1; i <= 10; i++ {
			fmt.Fprintf(&b, "U%04d,2022,x%d,%d\n", u, i, (u*7+i*13)%101)
		}
	}
	db := setup(t, b.String())
	f := fw(t, `id: m
root: index
nodes:
  - {id: index, children: [a, b]}
  - {id: a, children: [x1, x2, x3, x4, x5]}
  - {id: b, children: [x6, x7, x8, x9, x10]}
indicators:
  - {id: x1}
  - {id: x2}
  - {id: x3}
  - {id: x4}
  - {id: x5}
  - {id: x6}
  - {id: x7}
  - {id: x8}
  - {id: x9}
  - {id: x10}
`)
	t.Setenv("EGDI_MEMORY_LIMIT", "2.5MB")
	_, err := Run(context.Background(), db, f, Options{Dataset: "t"})
	if err == nil || !errors.Is(err, store.ErrResources) || !strings.Contains(err.Error(), "5000 units and years of 10 indicators holds about 3.4 MB") ||
		!strings.Contains(err.Error(), "limit of 2.5MB") || !strings.Contains(err.Error(), "EGDI_MEMORY_LIMIT=1GB") {
		t.Fatalf("3.40 MB of columns under a 2.5MB limit: %v", err)
	}
	var runs int
	if err := db.QueryRow(`SELECT count(*) FROM runs WHERE dataset = 't'`).Scan(&runs); err != nil || runs != 0 {
		t.Fatalf("%d runs recorded (%v)", runs, err)
	}
	t.Setenv("EGDI_MEMORY_LIMIT", "3.5MB")
	res, err := Run(context.Background(), db, f, Options{Dataset: "t"})
	if err != nil || len(res) != 1 || res[0].Units != 5000 {
		t.Fatalf("under a 3.5MB limit: %+v, %v", res, err)
	}
}

// sortRows orders rows as a comparison sort does, by year then key: keys with the high
// bit set, with equal low bits, years in any order, one row and none.
func TestSortRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 2, 1000, 100000} {
		rows := make([]yearUnit, n)
		seen := map[yearUnit]bool{}
		for i := range rows {
			for {
				k := yearUnit{int32(2030 - rng.IntN(7)), rng.Uint64()}
				if i%3 == 0 {
					k.key = k.key<<40 | 0xabc // the same low bits
				}
				if !seen[k] {
					seen[k], rows[i] = true, k
					break
				}
			}
		}
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortFunc(want, func(a, b int32) int {
			if c := cmp.Compare(rows[a].year, rows[b].year); c != 0 {
				return c
			}
			return cmp.Compare(rows[a].key, rows[b].key)
		})
		if got := sortRows(rows); !slices.Equal(got, want) {
			t.Fatalf("%d rows: sorted %v…, want %v…", n, got[:min(5, n)], want[:min(5, n)])
		}
	}
}
