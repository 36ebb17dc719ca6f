package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Change is one what-if setting: kind (weight, norm, agg, impute) of node (or
// indicator) set to value.
type Change struct{ Kind, Node, Value string }

// ParseChange reads "weight:tii=0.5", "norm:osi=rank", "agg:egdi=geometric",
// "impute:x=mean".
func ParseChange(s string) (Change, error) {
	kind, rest, ok := strings.Cut(s, ":")
	node, value, ok2 := strings.Cut(rest, "=")
	if !ok || !ok2 || node == "" || value == "" {
		return Change{}, fmt.Errorf("--set %q: write KIND:NODE=VALUE, e.g. weight:tii=0.5, norm:osi=rank, agg:egdi=geometric, impute:x=mean", s)
	}
	return Change{Kind: kind, Node: node, Value: value}, nil
}

// Apply returns a copy of f with the changes made and validated. A weight is the
// node's weight within its parent (the other children keep theirs; weights are
// normalised within the parent).
func Apply(f *framework.Framework, changes []Change) (*framework.Framework, error) {
	g, err := f.Clone()
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		node, ind := g.Node(c.Node), g.Indicator(c.Node)
		if node == nil && ind == nil {
			return nil, fmt.Errorf("--set %s:%s: %q is neither a node nor an indicator of %s", c.Kind, c.Node, c.Node, f.ID)
		}
		switch c.Kind {
		case "weight":
			w, err := strconv.ParseFloat(c.Value, 64)
			if err != nil || w < 0 || math.IsInf(w, 0) {
				return nil, fmt.Errorf("--set weight:%s=%s: the weight must be a number ≥ 0", c.Node, c.Value)
			}
			found := false
			for _, p := range g.Nodes {
				for i := range p.Children {
					if p.Children[i].ID == c.Node {
						p.Children[i].Weight, found = w, true
					}
				}
			}
			if !found {
				return nil, fmt.Errorf("--set weight:%s: %s is the root; it has no weight", c.Node, c.Node)
			}
		case "norm":
			if node != nil {
				node.Normalise = c.Value
			} else {
				ind.Normalise = c.Value
			}
		case "agg":
			if node == nil {
				return nil, fmt.Errorf("--set agg:%s: %s is an indicator; aggregation belongs to nodes", c.Node, c.Node)
			}
			node.Aggregate = c.Value
		case "impute":
			if ind == nil {
				return nil, fmt.Errorf("--set impute:%s: %s is a node; imputation belongs to indicators", c.Node, c.Node)
			}
			ind.Impute = c.Value
		default:
			return nil, fmt.Errorf("--set %s:%s: unknown setting %q; use weight, norm, agg or impute", c.Kind, c.Node, c.Kind)
		}
	}
	g.ID = f.ID + " (what-if)"
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("the changed framework is not valid: %w", err)
	}
	return g, nil
}

// Shift is one unit's standing before and after the changes.
type Shift struct {
	Unit                  string
	Before, After         float64 // NaN when the unit has no value
	RankBefore, RankAfter int     // 0 when unranked
	Shift                 int     // RankBefore − RankAfter: positive moved up
}

// WhatIf computes f and its changed copy for year and returns every unit's ranks,
// ordered by the new rank.
func WhatIf(ctx context.Context, db *store.DB, f, g *framework.Framework, dataset string, year int) ([]Shift, error) {
	read := func(fw *framework.Framework) (map[string]Shift, error) {
		out := map[string]Shift{}
		_, err := compute.Evaluate(ctx, db, fw, compute.Options{Dataset: dataset, Years: []int{year}}, func(c *sql.Conn) error {
			rows, err := c.QueryContext(ctx, `SELECT u.unit, s.value, s.rank FROM c_standing s JOIN unit_list u USING (unit_key) WHERE s.year = ?`, year)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s Shift
				var v sql.NullFloat64
				var r sql.NullInt64
				if err := rows.Scan(&s.Unit, &v, &r); err != nil {
					return err
				}
				s.Before, s.RankBefore = math.NaN(), int(r.Int64)
				if v.Valid {
					s.Before = v.Float64
				}
				out[s.Unit] = s
			}
			return rows.Err()
		})
		return out, err
	}
	a, err := read(f)
	if err != nil {
		return nil, err
	}
	b, err := read(g)
	if err != nil {
		return nil, err
	}
	var out []Shift
	for u, x := range a {
		s := Shift{Unit: u, Before: x.Before, RankBefore: x.RankBefore, After: math.NaN()}
		if y, ok := b[u]; ok {
			s.After, s.RankAfter = y.Before, y.RankBefore
		}
		if s.RankBefore > 0 && s.RankAfter > 0 {
			s.Shift = s.RankBefore - s.RankAfter
		}
		out = append(out, s)
	}
	for u, y := range b {
		if _, ok := a[u]; !ok {
			out = append(out, Shift{Unit: u, Before: math.NaN(), After: y.Before, RankAfter: y.RankBefore})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := out[i].RankAfter, out[j].RankAfter
		if ri == 0 {
			ri = math.MaxInt
		}
		if rj == 0 {
			rj = math.MaxInt
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].Unit < out[j].Unit
	})
	return out, nil
}
