package query

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
)

// Filter keeps the units whose group in one of Groupings is Group: its English name in
// any case, or its Chinese label. An empty Group keeps the members of a flag grouping
// (ldc, lldc, sids).
type Filter struct {
	Groupings []string
	Group     string
}

// Flags are the M49 groupings that flag Member States, with the name of their members'
// group (the other Member States are "Other Member States"; see unit_groups).
var Flags = map[string]string{
	"ldc":  "Least developed countries",
	"lldc": "Landlocked developing countries",
	"sids": "Small island developing States",
}

// ParseGroup reads a --group value: GROUPING=GROUP, or a flag grouping alone (ldc).
func ParseGroup(s string) (Filter, error) {
	g, v, ok := strings.Cut(s, "=")
	g, v = strings.TrimSpace(g), strings.TrimSpace(v)
	if g == "" || (ok && v == "") {
		return Filter{}, fmt.Errorf("--group %q: write GROUPING=GROUP, like region=Asia or economic_region=东部 (or ldc, lldc, sids alone)", s)
	}
	if !ok {
		if _, flag := Flags[g]; !flag {
			return Filter{}, fmt.Errorf("--group %q: name the group too, like %s=NAME (only ldc, lldc and sids stand alone)", s, g)
		}
		v = Flags[g]
	}
	return Filter{Groupings: []string{g}, Group: v}, nil
}

// RegionFilter is --region X: the units of the M49 region or sub-region X.
func RegionFilter(x string) Filter {
	return Filter{Groupings: []string{"region", "subregion"}, Group: strings.TrimSpace(x)}
}

// keeps reports whether the filter keeps unit u.
func (f Filter) keeps(u *panel.Unit) bool {
	for _, g := range f.Groupings {
		if grp, ok := u.Groups[g]; ok && (strings.EqualFold(grp.Name, f.Group) || (grp.Zh != "" && grp.Zh == f.Group)) {
			return true
		}
	}
	return false
}

// Groups is, per grouping, the groups units are in: what a filter is checked against.
type Groups map[string]map[string]panel.Group

// GroupsOf are the groups of the panel's units.
func GroupsOf(p *panel.Panel) Groups {
	out := Groups{}
	for _, u := range p.Units {
		for g, grp := range u.Groups {
			if out[g] == nil {
				out[g] = map[string]panel.Group{}
			}
			out[g][grp.Name] = grp
		}
	}
	return out
}

// GroupsIn are the groups of every unit in the database (for checks without a panel).
func GroupsIn(ctx context.Context, db *store.DB) (Groups, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT grouping, grp, grp_zh FROM unit_groups`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := Groups{}
	for rows.Next() {
		var g, name string
		var zh sql.NullString
		if err := rows.Scan(&g, &name, &zh); err != nil {
			return nil, err
		}
		if out[g] == nil {
			out[g] = map[string]panel.Group{}
		}
		out[g][name] = panel.Group{Name: name, Zh: zh.String}
	}
	return out, rows.Err()
}

// Check refuses a filter that no group passes, naming the groupings or groups there are.
func (f Filter) Check(gs Groups) error {
	known := false
	var names []string
	for _, g := range f.Groupings {
		for _, grp := range gs[g] {
			known = true
			if strings.EqualFold(grp.Name, f.Group) || (grp.Zh != "" && grp.Zh == f.Group) {
				return nil
			}
			names = append(names, grp.Name)
		}
	}
	region := slices.Equal(f.Groupings, []string{"region", "subregion"})
	switch {
	case region && !known:
		return fmt.Errorf("unknown region %q: these units have no M49 region (regions are known for UN Member States; filter your own units with --group, see egdi datasets)", f.Group)
	case region:
		return fmt.Errorf("unknown region %q; use an M49 region (Africa, Americas, Asia, Europe, Oceania) or sub-region (e.g. Eastern Asia)", f.Group)
	case !known:
		var all []string
		for g := range gs {
			all = append(all, g)
		}
		sort.Strings(all)
		return fmt.Errorf("no unit has a group in %s; the groupings there are: %s (egdi import groups adds your own)", strings.Join(f.Groupings, " or "), strings.Join(all, ", "))
	}
	sort.Strings(names)
	return fmt.Errorf("no unit is in group %q of %s; its groups: %s", f.Group, strings.Join(f.Groupings, " or "), strings.Join(names, ", "))
}

// RankRequest asks for one year's ranking of a node.
type RankRequest struct {
	Year    int    // 0: the panel's latest year
	Node    string // id or label; "": the root
	Filters []Filter
	Top     int // 0: every unit
}

// Ranking is a year's units ordered by a node's rank.
type Ranking struct {
	Panel   *panel.Panel
	Year    int
	Node    string   // the node ranked
	Columns []string // the nodes shown, in order
	Rows    []panel.Row
	// NotAssessed are the units the year lists without values (not assessed, or
	// placeholders), which no ranking, count or mean includes.
	NotAssessed []panel.Row
}

// Columns are the nodes a ranking of node shows: for the UN's index, EGDI and the
// published components whatever the node; otherwise the node and its child nodes.
func Columns(sel *panel.Selection, node string) []string {
	if sel.UN() {
		return append([]string{sel.Root()}, store.PublishedComponents...)
	}
	out := []string{node}
	if n := sel.Framework.Node(node); n != nil {
		for _, c := range n.Children {
			if slices.Contains(sel.Nodes, c.ID) {
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// yearOf resolves a requested year against the panel (0: its latest).
func yearOf(p *panel.Panel, year int) (int, error) {
	ys := p.YearList()
	if year == 0 {
		return ys[len(ys)-1], nil
	}
	if !slices.Contains(ys, year) {
		return 0, fmt.Errorf("no values for %d; years with data: %s", year, yearList(ys))
	}
	return year, nil
}

func yearList(ys []int) string {
	var s []string
	for _, y := range ys {
		s = append(s, fmt.Sprint(y))
	}
	return strings.Join(s, ", ")
}

// Rank orders a year's assessed units by a node's rank (unranked last, ties by code).
func Rank(p *panel.Panel, req RankRequest) (*Ranking, error) {
	node, err := p.ResolveNode(req.Node)
	if err != nil {
		return nil, err
	}
	year, err := yearOf(p, req.Year)
	if err != nil {
		return nil, err
	}
	gs := GroupsOf(p)
	for _, f := range req.Filters {
		if err := f.Check(gs); err != nil {
			return nil, err
		}
	}
	r := &Ranking{Panel: p, Year: year, Node: node, Columns: Columns(p.Selection, node)}
	k, cols := p.Node(node), idx(p, r.Columns)
	for _, row := range p.Of(year) {
		if !row.Assessed() {
			r.NotAssessed = append(r.NotAssessed, row)
			continue
		}
		if !keep(row, req.Filters) || !anyValue(row, cols) {
			continue
		}
		r.Rows = append(r.Rows, row)
	}
	sort.SliceStable(r.Rows, func(i, j int) bool { return panel.ByRank(r.Rows[i], r.Rows[j], k) })
	if req.Top > 0 && len(r.Rows) > req.Top {
		r.Rows = r.Rows[:req.Top]
	}
	return r, nil
}

func keep(row panel.Row, fs []Filter) bool {
	for _, f := range fs {
		if !f.keeps(row.Unit) {
			return false
		}
	}
	return true
}

func anyValue(row panel.Row, cols []int) bool {
	for _, i := range cols {
		if i >= 0 && row.Cells[i].OK() {
			return true
		}
	}
	return false
}

// idx are the positions of nodes among the panel's (-1 for a node it lacks).
func idx(p *panel.Panel, nodes []string) []int {
	out := make([]int, len(nodes))
	for i, n := range nodes {
		out[i] = p.Node(n)
	}
	return out
}

// Source says where a row's values among nodes come from: "published", "computed", or
// "mixed" when some come from each ("" when it has none).
func Source(row panel.Row, cols []int) string {
	src := ""
	for _, i := range cols {
		if i < 0 || !row.Cells[i].OK() {
			continue
		}
		s := row.Cells[i].Run.Source
		if src == "" {
			src = s
		} else if src != s {
			return "mixed"
		}
	}
	return src
}

// RankOrder is the ORDER BY of RankSQL's rows, Rank's order, with its columns
// qualified by alias (a table alias, or "").
func RankOrder(alias string) string {
	if alias != "" {
		alias += "."
	}
	return alias + "rank NULLS LAST, " + alias + "unit"
}

// RankSQL is the ranking Rank makes, as one SQL statement over the database, for
// output that streams (the CSV of a million units): the columns unit, name, name_zh,
// year, then per node of Columns its value v0, v1, ..., then rank, band, class and
// source. Sorted by RankOrder, the rows are those of Rank in its order.
func RankSQL(sel *panel.Selection, req RankRequest) (q string, args []any, cols []string, err error) {
	node, err := sel.ResolveNode(req.Node)
	if err != nil {
		return "", nil, nil, err
	}
	year := req.Year
	ys := sel.YearList()
	if year == 0 {
		year = ys[len(ys)-1]
	}
	if !slices.Contains(ys, year) {
		return "", nil, nil, fmt.Errorf("no values for %d; years with data: %s", year, yearList(ys))
	}
	cols = Columns(sel, node)
	var present []string // the columns the selection has
	for _, c := range cols {
		if slices.Contains(sel.Nodes, c) {
			present = append(present, c)
		}
	}
	if !slices.Contains(present, node) {
		present = append(present, node)
	}
	var groupings []string
	for _, f := range req.Filters {
		for _, g := range f.Groupings {
			if !slices.Contains(groupings, g) {
				groupings = append(groupings, g)
			}
		}
	}
	rel, args, err := sel.Relation(panel.Spec{Nodes: present, Ranks: []string{node}, Groupings: groupings})
	if err != nil {
		return "", nil, nil, err
	}
	var sel2, anyV, srcs []string
	for _, c := range cols {
		i := slices.Index(present, c)
		if i < 0 {
			sel2 = append(sel2, "NULL::DOUBLE")
			continue
		}
		sel2 = append(sel2, fmt.Sprintf("v%d", i))
		anyV = append(anyV, fmt.Sprintf("v%d IS NOT NULL", i))
		srcs = append(srcs, fmt.Sprintf("s%d", i))
	}
	var vals []string
	for i, s := range sel2 {
		vals = append(vals, fmt.Sprintf("%s AS v%d", s, i))
	}
	where := []string{fmt.Sprintf("year = %d", year), "status IS NULL", "(" + strings.Join(anyV, " OR ") + ")"}
	for _, f := range req.Filters {
		var or []string
		for _, g := range f.Groupings {
			j := slices.Index(groupings, g)
			or = append(or, fmt.Sprintf("lower(g%d) = lower(?) OR gz%d = ?", j, j))
			args = append(args, f.Group, f.Group)
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	k := slices.Index(present, node)
	source := mixedSource(srcs, sel.Runs())
	limit := ""
	if req.Top > 0 {
		limit = fmt.Sprintf(" LIMIT %d", req.Top)
	}
	q = fmt.Sprintf(`SELECT unit, name, name_zh, year, %s, k%d AS rank, band, class, %s AS source
		FROM (%s) WHERE %s`,
		strings.Join(vals, ", "), k, source, rel, strings.Join(where, " AND "))
	if limit != "" {
		q += " ORDER BY " + RankOrder("") + limit
	}
	return q, args, cols, nil
}
