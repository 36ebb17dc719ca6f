package report

import (
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/panel/paneltest"
)

// Reports take a panel, not a database: the hand panel's ranking report has its ranks,
// rank changes and band counts worked out on paper.
func TestRankingReportOfAHandPanel(t *testing.T) {
	t.Parallel()
	p := paneltest.New()
	r, err := Build(p, "ranking", Options{Year: 2022})
	if err != nil {
		t.Fatal(err)
	}
	main := r.Main()
	change := map[string]any{}
	for _, row := range main.Rows {
		change[row[1].(string)] = row[len(row)-1]
	}
	// 2020: U2 1, U1 2, U3 3, U4 4; 2022: U1 1, U2 2, U3 2, U4 4
	for u, want := range map[string]int{"U1": 1, "U2": -1, "U3": 1, "U4": 0} {
		if change[u] != want {
			t.Errorf("%s rank change %v, want %d", u, change[u], want)
		}
	}
	bands := r.Tables()[1]
	if bands.Rows[0][1] != 3 || bands.Rows[1][1] != 1 || bands.Rows[0][3] != 2 {
		t.Errorf("bands %v", bands.Rows)
	}
	facts := strings.Join(r.Blocks[0].Text, " ")
	for _, s := range []string{"Alpha ranks first in 2022 with a score of 80.00", "Of the 4 units ranked, 3 (75.0%) are in the high group, against 2 in 2020"} {
		if !strings.Contains(facts, s) {
			t.Errorf("facts lack %q: %s", s, facts)
		}
	}
	if _, err := Build(p, "transitions", Options{Node: "a"}); err == nil || !strings.Contains(err.Error(), "only the root") {
		t.Errorf("transitions of a dimension: %v", err)
	}
}
