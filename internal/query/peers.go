package query

import (
	"math"
	"sort"

	"github.com/egdi/egdi/internal/panel"
)

// Peers are the n units whose value of node k is nearest cur's in cur's year (cur
// itself left out), highest value first: the units a profile compares one with.
func Peers(rows []panel.Row, cur panel.Row, k, n int) []panel.Row {
	var same []panel.Row
	for _, r := range rows {
		if r.Year == cur.Year && r.Unit.Code != cur.Unit.Code && r.Cells[k].OK() {
			same = append(same, r)
		}
	}
	sort.SliceStable(same, func(i, j int) bool {
		return math.Abs(same[i].Cells[k].Value-cur.Cells[k].Value) < math.Abs(same[j].Cells[k].Value-cur.Cells[k].Value)
	})
	same = same[:min(n, len(same))]
	sort.SliceStable(same, func(i, j int) bool { return same[i].Cells[k].Value > same[j].Cells[k].Value })
	return same
}
