package panel

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/store"
)

// Unit is a unit of a panel: its code, names and groups.
type Unit struct {
	Code, Name, NameZh string
	Kind               string // "country" (a Member State) or "custom"
	Groups             map[string]Group
}

// NameIn is the unit's name in lang ("en" or "zh"), falling back to English.
func (u *Unit) NameIn(lang string) string {
	if lang == "zh" && u.NameZh != "" {
		return u.NameZh
	}
	return u.Name
}

// Group is a unit's group in a grouping, with its Chinese label when it has one and
// its place among the grouping's groups (0: none; groups without one sort by name).
type Group struct {
	Name, Zh string
	Order    int
}

// In is the group's label in lang.
func (g Group) In(lang string) string {
	if lang == "zh" && g.Zh != "" {
		return g.Zh
	}
	return g.Name
}

// Cell is one node's value in a row, its rank within the year and the run it comes
// from; a missing value is NaN with rank 0 and no run.
type Cell struct {
	Value float64
	Rank  int
	Run   *Run
}

// OK reports whether the cell has a value.
func (c Cell) OK() bool { return c.Run != nil && !math.IsNaN(c.Value) }

// Row is one unit in one year.
type Row struct {
	Unit   *Unit
	Year   int
	Status string // "" (assessed), "not_assessed" or "placeholder": listed without values
	Detail string
	Band   string // the root's band and class ids ("" when none)
	Class  string
	Cells  []Cell // per node of the panel's Nodes
}

// Assessed reports whether the row is scored (not listed as not assessed).
func (r Row) Assessed() bool { return r.Status == "" }

// Panel is a selection read into memory: every listed unit in every selected year.
type Panel struct {
	*Selection
	Units map[string]*Unit
	// Rows are ordered by year, then by the root's rank (unranked last), then by code.
	Rows []Row
	// Labels name the groupings of one's own that have names ("economic region").
	Labels map[string]Group
}

// Node is the position of node id among the panel's nodes, or -1.
func (p *Panel) Node(id string) int {
	for i, n := range p.Nodes {
		if n == id {
			return i
		}
	}
	return -1
}

// Of lists the rows of year, in the panel's order.
func (p *Panel) Of(year int) []Row {
	var out []Row
	for _, r := range p.Rows {
		if r.Year == year {
			out = append(out, r)
		}
	}
	return out
}

// Find returns unit's row of year.
func (p *Panel) Find(unit string, year int) (Row, bool) {
	for _, r := range p.Rows {
		if r.Year == year && r.Unit.Code == unit {
			return r, true
		}
	}
	return Row{}, false
}

// Contributions counts, for node in year, the values each run gave.
func (p *Panel) Contributions(year int, node string) map[*Run]int {
	i := p.Node(node)
	out := map[*Run]int{}
	if i < 0 {
		return out
	}
	for _, r := range p.Rows {
		if r.Year == year && r.Cells[i].OK() {
			out[r.Cells[i].Run]++
		}
	}
	return out
}

// Load reads the selection (its units, or every unit when none are named) into memory,
// with every node's value and rank.
func Load(ctx context.Context, db *store.DB, sel *Selection, units ...string) (*Panel, error) {
	q, args, err := sel.Relation(Spec{Units: units})
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the panel: %w", err)
	}
	defer rows.Close()
	p := &Panel{Selection: sel, Units: map[string]*Unit{}}
	dec := newDecoder(sel, nil, false)
	dec.units = p.Units
	for rows.Next() {
		r, err := dec.scan(rows)
		if err != nil {
			return nil, err
		}
		p.Rows = append(p.Rows, r.Row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := p.loadGroups(ctx, db); err != nil {
		return nil, err
	}
	root := p.Node(sel.Root())
	sort.SliceStable(p.Rows, func(i, j int) bool {
		a, b := p.Rows[i], p.Rows[j]
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		return ByRank(a, b, root)
	})
	return p, nil
}

// ByRank orders rows by the rank of node k (unranked last; k < 0: none), then by code:
// ties in the order of their codes, whatever the language of the names.
func ByRank(a, b Row, k int) bool {
	if k >= 0 {
		ra, rb := a.Cells[k].Rank, b.Cells[k].Rank
		if (ra > 0) != (rb > 0) {
			return ra > 0
		}
		if ra != rb {
			return ra < rb
		}
	}
	return a.Unit.Code < b.Unit.Code
}

// loadGroups gives the panel's units their groups in every grouping.
func (p *Panel) loadGroups(ctx context.Context, db *store.DB) error {
	codes := make([]string, 0, len(p.Units))
	for c := range p.Units {
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return nil
	}
	// IN (SELECT unnest(...)) is a hash join; list_contains scanned the list for every
	// unit, which over a million units took a quarter of an hour
	rows, err := db.QueryContext(ctx, `SELECT u.unit, g.grouping, g.grp, g.grp_zh, coalesce(g.ord, 0) FROM unit_groups g JOIN unit_list u USING (unit_key)
		WHERE u.unit IN (SELECT unnest(?::VARCHAR[]))`, codes)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var unit, grouping, grp string
		var zh sql.NullString
		var ord int
		if err := rows.Scan(&unit, &grouping, &grp, &zh, &ord); err != nil {
			return err
		}
		p.Units[unit].Groups[grouping] = Group{Name: grp, Zh: zh.String, Order: ord}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	p.Labels, err = Labels(ctx, db)
	return err
}

// Labels are the names of the groupings of one's own that have them (Panel.Labels).
func Labels(ctx context.Context, db *store.DB) (map[string]Group, error) {
	out := map[string]Group{}
	labels, err := db.QueryContext(ctx, `SELECT grouping, coalesce(label, grouping), label_zh FROM grouping_labels`)
	if err != nil {
		return nil, err
	}
	defer labels.Close()
	for labels.Next() {
		var g, l string
		var zh sql.NullString
		if err := labels.Scan(&g, &l, &zh); err != nil {
			return nil, err
		}
		out[g] = Group{Name: l, Zh: zh.String}
	}
	return out, labels.Err()
}

// Groupings lists the groupings the panel's units belong to: the M49 ones first (when
// Member States are among them), then the others, sorted.
func (p *Panel) Groupings() []string {
	seen := map[string]bool{}
	for _, u := range p.Units {
		for g := range u.Groups {
			seen[g] = true
		}
	}
	return groupingOrder(seen)
}

// Groupings are the groupings the selection's units belong to, in the order of
// Panel.Groupings, read from the database without loading the panel.
func (s *Selection) Groupings(ctx context.Context, db *store.DB) ([]string, error) {
	rel, args, err := s.Relation(Spec{Ranks: []string{s.Root()}})
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT grouping FROM unit_groups WHERE unit_key IN (SELECT unit_key FROM (`+rel+`))`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		seen[g] = true
	}
	return groupingOrder(seen), rows.Err()
}

// groupingOrder lists groupings: the M49 ones first, then the others, sorted.
func groupingOrder(seen map[string]bool) []string {
	var out []string
	for _, g := range M49Groupings {
		if seen[g] {
			out = append(out, g)
			delete(seen, g)
		}
	}
	var rest []string
	for g := range seen {
		rest = append(rest, g)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// M49Groupings are the groupings every Member State has, from the UN's M49 standard.
var M49Groupings = []string{"region", "subregion", "ldc", "lldc", "sids"}

// ResolveNode finds a node of the selection by id or by its English (any case) or
// Chinese label; "" is the root. A node of another dataset's framework is named in the
// error, with the --dataset that reads it.
func (s *Selection) ResolveNode(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return s.Root(), nil
	}
	frameworks := []*Run{}
	for _, r := range s.Runs() {
		frameworks = append(frameworks, r)
	}
	for _, r := range frameworks {
		for _, n := range r.Framework.Nodes {
			if n.ID == name || strings.EqualFold(n.Label.En, name) || (n.Label.Zh != "" && n.Label.Zh == name) {
				if containsString(s.Nodes, n.ID) {
					return n.ID, nil
				}
			}
		}
	}
	for _, r := range s.all {
		for _, n := range r.Framework.Nodes {
			if n.ID == name || strings.EqualFold(n.Label.En, name) || (n.Label.Zh != "" && n.Label.Zh == name) {
				return "", fmt.Errorf("%q is a node of %s, which dataset %s is computed with; add --dataset %s", name, r.Framework.ID, r.Dataset, r.Dataset)
			}
		}
	}
	var ids []string
	for _, id := range s.Nodes {
		l := id
		if n := s.Framework.Node(id); n != nil && n.Label.Zh != "" {
			l += " (" + n.Label.Zh + ")"
		}
		ids = append(ids, l)
	}
	return "", fmt.Errorf("%s has no node %q; its nodes: %s", s.Framework.ID, name, strings.Join(ids, ", "))
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
