package query

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/panel"
)

// SummaryRequest asks for counts and means by band, class or grouping.
type SummaryRequest struct {
	Years []int  // none: every year of the panel
	By    string // band (or group, the UN's word), class, or a grouping (region, economic_region, ...)
	Node  string // the node counted and averaged with its children; "": the root
}

// SummaryRow is one year's count, share and means of one key.
type SummaryRow struct {
	Year   int
	Key    string      // a band or class id, or a group's name
	Group  panel.Group // the group, for a grouping
	Count  int
	Share  float64   // of the year's units with a key
	Means  []float64 // per column; NaN where no unit has a value
	Source string    // of the values averaged: published, computed or mixed
}

// Summary counts and averages a year's assessed units by key.
type Summary struct {
	Panel   *panel.Panel
	By      string // band, class or the grouping's name
	Node    string
	Columns []string
	Rows    []SummaryRow
}

// Summarise counts the units that have a value of the node and a key, per year and key,
// with their share of the year's units with a key and the means of the node and its
// children (Columns) over them.
func Summarise(p *panel.Panel, req SummaryRequest) (*Summary, error) {
	sm, err := NewSummariser(p.Selection, p.Groupings(), req)
	if err != nil {
		return nil, err
	}
	fed := map[int]bool{}
	for _, y := range sm.years {
		if !fed[y] {
			fed[y] = true
			for _, r := range p.Of(y) {
				sm.Add(r)
			}
		}
	}
	s := sm.Summary()
	s.Panel = p
	return s, nil
}

// Summariser makes Summarise's summary of rows met one at a time, for a panel read row
// by row rather than held (panel.Stream): Add gives it each row of the years asked, and
// Summary is then Summarise's over those rows (its Panel nil). Rows added in the
// panel's order give the very same means; in another, the same up to rounding.
type Summariser struct {
	s      *Summary
	years  []int
	k      int   // the node's position among the selection's nodes
	cols   []int // the columns'
	groups map[int]map[string]*summaryAcc
	total  map[int]int
	fw     *framework.Framework
}

type summaryAcc struct {
	row  SummaryRow
	sums []float64
	ns   []int
}

// NewSummariser checks req against the selection and the groupings its units belong
// to (Panel.Groupings, Selection.Groupings) and starts a summary.
func NewSummariser(sel *panel.Selection, groupings []string, req SummaryRequest) (*Summariser, error) {
	node, err := sel.ResolveNode(req.Node)
	if err != nil {
		return nil, err
	}
	by := strings.TrimSpace(req.By)
	if by == "" && !hasBands(sel, false) && len(groupings) > 0 {
		by = groupings[0] // a framework without bands: by the units' first grouping
	}
	switch by {
	case "", "group", "band":
		by = "band"
		if !hasBands(sel, false) {
			return nil, fmt.Errorf("%s has no bands; summarise by a grouping: %s", sel.Framework.ID, strings.Join(groupings, ", "))
		}
	case "class":
		if !hasBands(sel, true) {
			return nil, fmt.Errorf("%s has no rating classes; summarise by band or by a grouping: %s", sel.Framework.ID, strings.Join(groupings, ", "))
		}
	default:
		if !slices.Contains(groupings, by) {
			return nil, fmt.Errorf("cannot summarise by %q; use band (or group), class, or a grouping of these units: %s", req.By, strings.Join(groupings, ", "))
		}
	}
	years := req.Years
	if len(years) == 0 {
		years = sel.YearList()
	}
	for _, y := range years {
		if !slices.Contains(sel.YearList(), y) {
			return nil, fmt.Errorf("no values for %d; years with data: %s", y, yearList(sel.YearList()))
		}
	}
	s := &Summary{By: by, Node: node, Columns: Columns(sel, node)}
	sm := &Summariser{s: s, years: years, k: slices.Index(sel.Nodes, node), groups: map[int]map[string]*summaryAcc{}, total: map[int]int{}, fw: sel.Framework}
	for _, c := range s.Columns {
		sm.cols = append(sm.cols, slices.Index(sel.Nodes, c))
	}
	for _, y := range years {
		sm.groups[y] = map[string]*summaryAcc{}
	}
	return sm, nil
}

// Add counts a row (rows of other years are left out).
func (sm *Summariser) Add(r panel.Row) {
	groups, ok := sm.groups[r.Year]
	k, cols := sm.k, sm.cols
	if !ok || !r.Assessed() || k < 0 || !r.Cells[k].OK() {
		return
	}
	var key string
	var grp panel.Group
	switch sm.s.By {
	case "band":
		key = r.Band
	case "class":
		key = r.Class
	default:
		grp = r.Unit.Groups[sm.s.By]
		key = grp.Name
	}
	if key == "" {
		return
	}
	a := groups[key]
	if a == nil {
		a = &summaryAcc{row: SummaryRow{Year: r.Year, Key: key, Group: grp}, sums: make([]float64, len(cols)), ns: make([]int, len(cols))}
		groups[key] = a
	}
	a.row.Count++
	sm.total[r.Year]++
	for j, i := range cols {
		if i >= 0 && r.Cells[i].OK() {
			a.sums[j] += r.Cells[i].Value
			a.ns[j]++
		}
	}
	switch s := Source(r, cols); {
	case a.row.Source == "":
		a.row.Source = s
	case s != "" && s != a.row.Source:
		a.row.Source = "mixed"
	}
}

// Summary is the summary of the rows added.
func (sm *Summariser) Summary() *Summary {
	s := *sm.s
	s.Rows = nil
	order := keyOrder(sm.fw, s.By)
	for _, y := range sm.years {
		groups := sm.groups[y]
		var keys []string
		for key := range groups {
			keys = append(keys, key)
		}
		sort.Slice(keys, func(i, j int) bool {
			if gi, gj := groups[keys[i]].row.Group.Order, groups[keys[j]].row.Group.Order; gi != gj && gi > 0 && gj > 0 {
				return gi < gj
			}
			oi, oj := slices.Index(order, keys[i]), slices.Index(order, keys[j])
			if oi < 0 {
				oi = len(order)
			}
			if oj < 0 {
				oj = len(order)
			}
			if oi != oj {
				return oi < oj
			}
			return keys[i] < keys[j]
		})
		for _, key := range keys {
			a := groups[key]
			row := a.row
			row.Share = float64(row.Count) / float64(sm.total[y])
			row.Means = nil
			for j := range sm.cols {
				m := math.NaN()
				if a.ns[j] > 0 {
					m = a.sums[j] / float64(a.ns[j])
				}
				row.Means = append(row.Means, m)
			}
			s.Rows = append(s.Rows, row)
		}
	}
	return &s
}

// hasBands reports whether any framework of the selection has bands (or classes).
func hasBands(sel *panel.Selection, classes bool) bool {
	for _, r := range sel.Runs() {
		if (!classes && len(r.Framework.Bands) > 0) || (classes && len(r.Framework.Classes) > 0) {
			return true
		}
	}
	return false
}

// keyOrder is the order of a framework's bands or classes, highest first (none for a
// grouping, whose groups sort by name).
func keyOrder(f *framework.Framework, by string) []string {
	var bs []*framework.Band
	switch by {
	case "band":
		bs = f.Bands
	case "class":
		bs = f.Classes
	}
	var out []string
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}
