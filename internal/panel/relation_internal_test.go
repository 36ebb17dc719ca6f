package panel

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/store"
)

// The shortcut for one run a year (fastWide) reads exactly what the general way of
// resolving values reads: every value, rank, band, class and source.
func TestFastWideIsTheGeneralWay(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "f.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sample := filepath.Join("..", "..", "data", "sample")
	if _, err := ingest.ImportIndicators(ctx, db, []string{filepath.Join(sample, "cn-provinces-synthetic.csv")}, ingest.IndicatorOptions{Dataset: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.ImportIndicators(ctx, db, []string{filepath.Join(sample, "un-synthetic.csv")}, ingest.IndicatorOptions{Dataset: "u"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.ImportIndicators(ctx, db, []string{filepath.Join(sample, "un-synthetic.csv")}, ingest.IndicatorOptions{Dataset: "u1"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, dataset string
		years           []int
	}{{"cn-province-2022", "p", nil}, {"un-2022", "u", nil}, {"un-2022", "u1", []int{2022}}} {
		f, _ := framework.Load(c.method)
		if _, err := compute.Run(ctx, db, f, compute.Options{Dataset: c.dataset, Years: c.years}); err != nil {
			t.Fatal(err)
		}
	}
	// two years computed by two frameworks of one root whose nodes are in other places
	// of their lists (a, b; then b, a, c), c in the second only
	csv := filepath.Join(t.TempDir(), "m.csv")
	var rows strings.Builder
	rows.WriteString("unit,year,indicator,value\n")
	for u := 1; u <= 30; u++ {
		for _, y := range []int{2020, 2022} {
			for i := 1; i <= 3; i++ {
				fmt.Fprintf(&rows, "U%02d,%d,i%d,%d\n", u, y, i, (u*7+i*13+y)%29)
			}
		}
	}
	if err := os.WriteFile(csv, []byte(rows.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.ImportIndicators(ctx, db, []string{csv}, ingest.IndicatorOptions{Dataset: "m"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		yaml string
		year int
	}{
		{"id: m1\nroot: idx\nnodes:\n  - {id: idx, children: [a, b]}\n  - {id: a, children: [i1]}\n  - {id: b, children: [i2]}\nindicators:\n  - {id: i1, normalise: minmax}\n  - {id: i2, normalise: minmax}\n", 2020},
		{"id: m2\nroot: idx\nnodes:\n  - {id: idx, children: [b, a, c]}\n  - {id: b, children: [i2]}\n  - {id: a, children: [i1]}\n  - {id: c, children: [i3]}\nindicators:\n  - {id: i1, normalise: minmax}\n  - {id: i2, normalise: minmax}\n  - {id: i3, normalise: minmax}\n", 2022},
	} {
		f, err := framework.Parse([]byte(c.yaml), "m.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := compute.Run(ctx, db, f, compute.Options{Dataset: "m", Years: []int{c.year}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ds := range []string{"p", "u", "u1", "m"} {
		sel, err := Select(ctx, db, Request{Dataset: ds})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := sel.fastWide(sel.Nodes, map[*Run]int{}); !ok {
			t.Fatalf("%s: no shortcut for one run a year", ds)
		}
		quick, err := Load(ctx, db, sel)
		if err != nil {
			t.Fatal(err)
		}
		fast = false
		slow, err := Load(ctx, db, sel)
		fast = true
		if err != nil {
			t.Fatal(err)
		}
		if len(quick.Rows) != len(slow.Rows) || len(quick.Rows) < 60 || len(quick.Rows[0].Cells) < 3 {
			t.Fatalf("%s: %d rows, the general way %d", ds, len(quick.Rows), len(slow.Rows))
		}
		for i := range quick.Rows {
			a, b := quick.Rows[i], slow.Rows[i]
			if a.Unit.Code != b.Unit.Code || a.Year != b.Year || a.Band != b.Band || a.Class != b.Class || a.Status != b.Status || !sameCells(a.Cells, b.Cells) {
				t.Fatalf("%s row %d: %+v\nthe general way %+v", ds, i, a, b)
			}
		}
	}
}

// sameCells compares cells field by field, a NaN (no value) equal to a NaN.
func sameCells(a, b []Cell) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Rank != y.Rank || x.Run != y.Run || (x.Value != y.Value && !(math.IsNaN(x.Value) && math.IsNaN(y.Value))) {
			return false
		}
	}
	return true
}
