package panel_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
)

func shared(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: real data not found at %s", p)
	}
	return p
}

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "p.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// After the README's workflow (the published 2018 and 2022 tables, then TII alone
// computed from ITU series), 2022 reads as the published EGDI with its ranks and
// groups, the computed TII beside the published OSI and HCI.
func TestValueByValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t)
	if _, err := ingest.ImportIndices(ctx, db, []string{shared(t, "un-egov/egdi-2018.csv"), shared(t, "un-egov/EGOV_DATA_2022.csv")}, ingest.IndexOptions{}); err != nil {
		t.Fatal(err)
	}
	files := []string{
		shared(t, "raw/ITU_individuals_using_internet.csv"),
		shared(t, "raw/ITU_active_mobile_broadband_subscriptions.csv"),
		shared(t, "raw/ITU_fixed_broadband_subscriptions.csv"),
		shared(t, "raw/OWID_mobile-cellular-subscriptions-per-100-people.csv"),
	}
	if _, err := ingest.ImportIndicators(ctx, db, files, ingest.IndicatorOptions{Dataset: "itu", ShiftYears: 2, OnlyYear: 2022, CarryBack: 5}); err != nil {
		t.Fatal(err)
	}
	f, _ := framework.Load("un-2022")
	if _, err := compute.Run(ctx, db, f, compute.Options{Dataset: "itu", Years: []int{2022}}); err != nil {
		t.Fatal(err)
	}
	sel, err := panel.Select(ctx, db, panel.Request{Years: []int{2022}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Years) != 1 || len(sel.Years[0].Runs) != 2 || sel.Years[0].Runs[0].Source != panel.Computed {
		t.Fatalf("2022 runs: %+v", sel.Years)
	}
	p, err := panel.Load(ctx, db, sel)
	if err != nil {
		t.Fatal(err)
	}
	egdi, tii, osi := p.Node("egdi"), p.Node("tii"), p.Node("osi")
	rows := p.Of(2022)
	if len(rows) != 193 {
		t.Fatalf("%d rows, want 193", len(rows))
	}
	if rows[0].Unit.Code != "DNK" || rows[0].Cells[egdi].Rank != 1 || rows[0].Band != "very_high" {
		t.Errorf("first row %s rank %d band %s", rows[0].Unit.Code, rows[0].Cells[egdi].Rank, rows[0].Band)
	}
	count := map[string]int{}
	computed := 0
	for _, r := range rows {
		count[r.Band]++
		if r.Cells[egdi].Run.Source != panel.Published || r.Cells[osi].Run.Source != panel.Published {
			t.Errorf("%s: EGDI or OSI not the published value", r.Unit.Code)
		}
		if r.Cells[tii].Run.Source == panel.Computed {
			computed++
		}
	}
	if count["very_high"] != 60 || count["high"] != 73 || count["middle"] != 53 || count["low"] != 7 {
		t.Errorf("group counts %v, want 60/73/53/7", count)
	}
	if computed < 180 {
		t.Errorf("%d computed TII values, want the ITU-based ones (at least 180)", computed)
	}
	// the TII ranks are taken afresh over the resolved values: competition ranks on
	// the values rounded to 4 decimals, checked by brute force
	for _, a := range rows {
		want := 1
		for _, b := range rows {
			if round4(b.Cells[tii].Value) > round4(a.Cells[tii].Value) {
				want++
			}
		}
		if a.Cells[tii].Rank != want {
			t.Errorf("%s: TII rank %d, want %d", a.Unit.Code, a.Cells[tii].Rank, want)
		}
	}
	// the published selection alone still has the published TII
	pub, err := panel.Select(ctx, db, panel.Request{Source: panel.Published, Years: []int{2022}})
	if err != nil {
		t.Fatal(err)
	}
	pp, err := panel.Load(ctx, db, pub, "CHN")
	if err != nil {
		t.Fatal(err)
	}
	if len(pp.Rows) != 1 || pp.Rows[0].Cells[pp.Node("tii")].Run.Source != panel.Published || math.Abs(pp.Rows[0].Cells[pp.Node("egdi")].Value-0.8119) > 1e-12 {
		t.Errorf("published China 2022: %+v", pp.Rows)
	}
	if pp.Rows[0].Cells[pp.Node("egdi")].Rank != 43 {
		t.Errorf("China's 2022 rank %d, want 43 (ranks are over every unit, not just the ones loaded)", pp.Rows[0].Cells[pp.Node("egdi")].Rank)
	}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
