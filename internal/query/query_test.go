package query

import (
	"math"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/panel/paneltest"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }

// Rankings of the hand panel: by the root (competition ranks, a tie at 2 listed by
// code), by a dimension, within a group; unknown groups are refused with the groups
// there are.
func TestRankByHand(t *testing.T) {
	t.Parallel()
	p := paneltest.New()
	r, err := Rank(p, RankRequest{Year: 2022})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range r.Rows {
		got = append(got, row.Unit.Code+":"+string(rune('0'+row.Cells[0].Rank)))
	}
	if strings.Join(got, " ") != "U1:1 U2:2 U3:2 U4:4" {
		t.Errorf("ranking by idx: %v", got)
	}
	if strings.Join(r.Columns, ",") != "idx,a,b" {
		t.Errorf("columns %v: the node and its children", r.Columns)
	}
	r, _ = Rank(p, RankRequest{Year: 2022, Node: "Access"}) // by label
	got = nil
	for _, row := range r.Rows {
		got = append(got, row.Unit.Code)
	}
	if strings.Join(got, " ") != "U1 U3 U2 U4" || r.Node != "a" || strings.Join(r.Columns, ",") != "a" {
		t.Errorf("ranking by a: %v (node %s, columns %v)", got, r.Node, r.Columns)
	}
	f, _ := ParseGroup("zone=南")
	r, err = Rank(p, RankRequest{Year: 2022, Filters: []Filter{f}, Top: 1})
	if err != nil || len(r.Rows) != 1 || r.Rows[0].Unit.Code != "U3" {
		t.Errorf("the South's first: %v %v", r, err)
	}
	f, _ = ParseGroup("zone=East")
	if _, err := Rank(p, RankRequest{Filters: []Filter{f}}); err == nil || !strings.Contains(err.Error(), "its groups: North, South") {
		t.Errorf("an unknown group: %v", err)
	}
	if _, err := ParseGroup("zone"); err == nil {
		t.Error("a grouping without a group was taken")
	}
	if _, err := Rank(p, RankRequest{Year: 2021}); err == nil || !strings.Contains(err.Error(), "years with data: 2020, 2022") {
		t.Errorf("a year without data: %v", err)
	}
}

// Counts, shares and means by band and by zone, worked out on paper.
func TestSummariseByHand(t *testing.T) {
	t.Parallel()
	p := paneltest.New()
	s, err := Summarise(p, SummaryRequest{Years: []int{2022}, By: "band"})
	if err != nil {
		t.Fatal(err)
	}
	want := []SummaryRow{
		{Year: 2022, Key: "high", Count: 3, Share: 0.75, Means: []float64{200.0 / 3, 205.0 / 3, 65}},
		{Year: 2022, Key: "low", Count: 1, Share: 0.25, Means: []float64{20, 20, math.NaN()}},
	}
	check := func(what string, got []SummaryRow, want []SummaryRow) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Key != w.Key || g.Count != w.Count || !near(g.Share, w.Share) || g.Source != "computed" {
				t.Errorf("%s row %d: %+v, want %+v", what, i, g, w)
			}
			for j := range w.Means {
				if !near(g.Means[j], w.Means[j]) {
					t.Errorf("%s %s mean %d: %v, want %v", what, g.Key, j, g.Means[j], w.Means[j])
				}
			}
		}
	}
	check("by band", s.Rows, want)
	s, err = Summarise(p, SummaryRequest{Years: []int{2022}, By: "zone"})
	if err != nil {
		t.Fatal(err)
	}
	check("by zone", s.Rows, []SummaryRow{
		{Key: "North", Count: 2, Share: 0.5, Means: []float64{70, 70, 70}},
		{Key: "South", Count: 2, Share: 0.5, Means: []float64{40, 42.5, 55}},
	})
	if _, err := Summarise(p, SummaryRequest{By: "class"}); err == nil || !strings.Contains(err.Error(), "no rating classes") {
		t.Errorf("by class: %v", err)
	}
	if _, err := Summarise(p, SummaryRequest{By: "region"}); err == nil || !strings.Contains(err.Error(), "zone") {
		t.Errorf("by a grouping the units lack: %v", err)
	}
}

// A unit's path, and units side by side.
func TestFollowAndCompareByHand(t *testing.T) {
	t.Parallel()
	p := paneltest.New()
	tr, err := Follow(p, TrendRequest{Units: []string{"U2"}})
	if err != nil || len(tr.Points) != 2 {
		t.Fatalf("%v %v", tr, err)
	}
	if tr.Points[0].Year != 2020 || tr.Points[0].Cell.Value != 75 || tr.Points[0].Cell.Rank != 1 || tr.Points[1].Cell.Rank != 2 || tr.Points[1].Band != "high" {
		t.Errorf("U2's path: %+v", tr.Points)
	}
	// 75 in 2020 to 60 in 2022: a change of −15, and (60/75)^(1/2) − 1 a year
	if !math.IsNaN(tr.Points[0].Change) || !math.IsNaN(tr.Points[0].CAGR) || tr.Points[1].Change != -15 || math.Abs(tr.Points[1].CAGR-(math.Sqrt(0.8)-1)) > 1e-15 {
		t.Errorf("U2's change and growth: %+v", tr.Points)
	}
	if _, err := Follow(p, TrendRequest{Units: []string{"U4"}, Node: "b", From: 2021}); err == nil {
		t.Error("U4 has no b in 2022, yet a trend came back")
	}
	c, err := Compare(p, CompareRequest{Units: []string{"U1", "U4"}, Year: 2022})
	if err != nil || strings.Join(c.Nodes, ",") != "idx,a,b" || c.Rows[1].Cells[2].OK() {
		t.Errorf("compare: %+v %v", c, err)
	}
	if _, err := Compare(p, CompareRequest{Units: []string{"U1"}}); err == nil {
		t.Error("compare of one unit")
	}
}
