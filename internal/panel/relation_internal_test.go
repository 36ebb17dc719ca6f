package panel

import (
	"context"
	"path/filepath"
	"reflect"
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
	for _, ds := range []string{"p", "u", "u1"} {
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
		if len(quick.Rows) != len(slow.Rows) || len(quick.Rows) < 60 {
			t.Fatalf("%s: %d rows, the general way %d", ds, len(quick.Rows), len(slow.Rows))
		}
		for i := range quick.Rows {
			a, b := quick.Rows[i], slow.Rows[i]
			if a.Unit.Code != b.Unit.Code || a.Year != b.Year || a.Band != b.Band || a.Class != b.Class || a.Status != b.Status || !reflect.DeepEqual(a.Cells, b.Cells) {
				t.Fatalf("%s row %d: %+v\nthe general way %+v", ds, i, a, b)
			}
		}
	}
}
