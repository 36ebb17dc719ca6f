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
	node, err := p.ResolveNode(req.Node)
	if err != nil {
		return nil, err
	}
	by := strings.TrimSpace(req.By)
	if by == "" && !hasBands(p, false) && len(p.Groupings()) > 0 {
		by = p.Groupings()[0] // a framework without bands: by the units' first grouping
	}
	switch by {
	case "", "group", "band":
		by = "band"
		if !hasBands(p, false) {
			return nil, fmt.Errorf("%s has no bands; summarise by a grouping: %s", p.Framework.ID, strings.Join(p.Groupings(), ", "))
		}
	case "class":
		if !hasBands(p, true) {
			return nil, fmt.Errorf("%s has no rating classes; summarise by band or by a grouping: %s", p.Framework.ID, strings.Join(p.Groupings(), ", "))
		}
	default:
		if !slices.Contains(p.Groupings(), by) {
			return nil, fmt.Errorf("cannot summarise by %q; use band (or group), class, or a grouping of these units: %s", req.By, strings.Join(p.Groupings(), ", "))
		}
	}
	years := req.Years
	if len(years) == 0 {
		years = p.YearList()
	}
	for _, y := range years {
		if !slices.Contains(p.YearList(), y) {
			return nil, fmt.Errorf("no values for %d; years with data: %s", y, yearList(p.YearList()))
		}
	}
	s := &Summary{Panel: p, By: by, Node: node, Columns: Columns(p.Selection, node)}
	k, cols := p.Node(node), idx(p, s.Columns)
	type acc struct {
		row  SummaryRow
		sums []float64
		ns   []int
	}
	for _, y := range years {
		groups := map[string]*acc{}
		total := 0
		for _, r := range p.Of(y) {
			if !r.Assessed() || k < 0 || !r.Cells[k].OK() {
				continue
			}
			var key string
			var grp panel.Group
			switch by {
			case "band":
				key = r.Band
			case "class":
				key = r.Class
			default:
				grp = r.Unit.Groups[by]
				key = grp.Name
			}
			if key == "" {
				continue
			}
			a := groups[key]
			if a == nil {
				a = &acc{row: SummaryRow{Year: y, Key: key, Group: grp}, sums: make([]float64, len(cols)), ns: make([]int, len(cols))}
				groups[key] = a
			}
			a.row.Count++
			total++
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
		var keys []string
		for key := range groups {
			keys = append(keys, key)
		}
		order := keyOrder(p.Framework, by)
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
			a.row.Share = float64(a.row.Count) / float64(total)
			for j := range cols {
				m := math.NaN()
				if a.ns[j] > 0 {
					m = a.sums[j] / float64(a.ns[j])
				}
				a.row.Means = append(a.row.Means, m)
			}
			s.Rows = append(s.Rows, a.row)
		}
	}
	return s, nil
}

// hasBands reports whether any framework of the panel has bands (or classes).
func hasBands(p *panel.Panel, classes bool) bool {
	for _, r := range p.Runs() {
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
