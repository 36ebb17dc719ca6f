package query

import (
	"fmt"
	"math"
	"strings"

	"github.com/egdi/egdi/internal/panel"
)

// TrendRequest follows units on a node across years.
type TrendRequest struct {
	Units    []string // unit codes (panel.ResolveUnits), in the order to list them
	Node     string   // "": the root
	From, To int      // 0: no bound
}

// Point is a unit's value of the node in one year, with its rank that year and, for
// the root, its band and class; Change is the difference from the unit's previous
// point, CAGR the compound annual growth rate since its first point in the range,
// (v / v₀)^(1 / (year − year₀)) − 1 (NaN for the first point, or a first value ≤ 0).
type Point struct {
	Unit         *panel.Unit
	Year         int
	Cell         panel.Cell
	Band, Class  string
	Change, CAGR float64
}

// Trend is a node's values of some units across years.
type Trend struct {
	Panel  *panel.Panel
	Node   string
	Years  []int // the years of the panel between From and To
	Points []Point
}

// Follow lists each unit's values of the node, year by year, where it has one.
func Follow(p *panel.Panel, req TrendRequest) (*Trend, error) {
	node, err := p.ResolveNode(req.Node)
	if err != nil {
		return nil, err
	}
	t := &Trend{Panel: p, Node: node}
	for _, y := range p.YearList() {
		if (req.From == 0 || y >= req.From) && (req.To == 0 || y <= req.To) {
			t.Years = append(t.Years, y)
		}
	}
	if len(t.Years) == 0 {
		return nil, fmt.Errorf("no values between %d and %d; years with data: %s", req.From, req.To, yearList(p.YearList()))
	}
	k := p.Node(node)
	for _, u := range req.Units {
		var first, prev *Point
		for _, y := range t.Years {
			r, ok := p.Find(u, y)
			if !ok || !r.Assessed() || !r.Cells[k].OK() {
				continue
			}
			pt := Point{Unit: r.Unit, Year: y, Cell: r.Cells[k], Band: r.Band, Class: r.Class, Change: math.NaN(), CAGR: math.NaN()}
			if prev != nil {
				pt.Change = pt.Cell.Value - prev.Cell.Value
			}
			if first != nil && first.Cell.Value > 0 && pt.Cell.Value >= 0 {
				pt.CAGR = math.Pow(pt.Cell.Value/first.Cell.Value, 1/float64(y-first.Year)) - 1
			}
			t.Points = append(t.Points, pt)
			prev = &t.Points[len(t.Points)-1]
			if first == nil {
				first = prev
			}
		}
	}
	if len(t.Points) == 0 {
		return nil, fmt.Errorf("no %s values for %s in %s", node, strings.Join(req.Units, ", "), yearList(t.Years))
	}
	return t, nil
}

// CompareRequest sets units side by side in one year.
type CompareRequest struct {
	Units []string // unit codes, at least two; the first is the base of the differences
	Year  int      // 0: the panel's latest
	Node  string   // compared with its children ("": the root)
}

// Comparison is units' rows of one year, on a node and its children.
type Comparison struct {
	Panel *panel.Panel
	Year  int
	Node  string
	Nodes []string    // the node and its children (the UN's index: EGDI and its components)
	Rows  []panel.Row // per unit, in the order asked
}

// Compare sets the units' values of the node and its children side by side.
func Compare(p *panel.Panel, req CompareRequest) (*Comparison, error) {
	if len(req.Units) < 2 {
		return nil, fmt.Errorf("compare needs at least two units, like --units CHN,KOR")
	}
	node, err := p.ResolveNode(req.Node)
	if err != nil {
		return nil, err
	}
	year, err := yearOf(p, req.Year)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Panel: p, Year: year, Node: node, Nodes: Columns(p.Selection, node)}
	for _, u := range req.Units {
		r, ok := p.Find(u, year)
		if !ok || !r.Assessed() || !anyValue(r, idx(p, c.Nodes)) {
			return nil, fmt.Errorf("%s has no values for %d", u, year)
		}
		c.Rows = append(c.Rows, r)
	}
	return c, nil
}
