package panel

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Spec says what a relation carries.
type Spec struct {
	Nodes     []string // node columns, of the selection's nodes (none: all of them)
	Ranks     []string // nodes whose ranks are needed (none: every node of Nodes)
	Groupings []string // grouping columns
	Units     []string // only these unit codes (none: every unit); ranks are over all units
	Years     []int    // only these years of the selection (none: all; ranks are per year)
}

// Relation is a SELECT of a selection's values, one row per unit and year that some
// run lists, with the columns
//
//	year, unit_key, unit, name, name_zh, kind, status, detail, band, class,
//	v0, k0, s0, v1, k1, s1, ...      per node of spec.Nodes: value, rank, source run
//	g0, gz0, go0, g1, gz1, go1, ...  per grouping: the unit's group in English and
//	                                 Chinese, and its place among the grouping's (0: none)
//
// The source run is the run's position in Selection.Runs(); band and class are the
// root's; status is "not_assessed" or "placeholder" for units listed without values.
// The relation has no order. Its arguments (bound parameters) come with it.
func (s *Selection) Relation(spec Spec) (string, []any, error) {
	nodes := spec.Nodes
	if len(nodes) == 0 {
		nodes = s.Nodes
	}
	for _, n := range nodes {
		if !slices.Contains(s.Nodes, n) {
			return "", nil, fmt.Errorf("the selection has no node %q", n)
		}
	}
	ranks := spec.Ranks
	if len(ranks) == 0 {
		ranks = nodes
	}
	runs := s.Runs()
	pos := map[*Run]int{}
	for i, r := range runs {
		pos[r] = i
	}
	years := s.Years
	if len(spec.Years) > 0 {
		years = nil
		for _, y := range s.Years {
			if slices.Contains(spec.Years, y.Year) {
				years = append(years, y)
			}
		}
	}
	// the selected runs, their priority (higher wins) and their roots among the nodes
	var sel, roots []string
	excluded := false
	for _, y := range years {
		for k, r := range y.Runs {
			ds, ok := s.codes[r.Dataset]
			if !ok {
				ds = -1
			}
			sel = append(sel, fmt.Sprintf("(%d, %d, %d, %d)", pos[r], ds, r.Year, len(y.Runs)-k))
			if i := slices.Index(nodes, r.Root); i >= 0 {
				roots = append(roots, fmt.Sprintf("(%d, %d)", pos[r], i))
			}
			excluded = excluded || r.Excluded > 0
		}
	}
	var nodeRows []string
	for i, n := range nodes {
		if id, ok := s.codes[n]; ok {
			nodeRows = append(nodeRows, fmt.Sprintf("(%d, %d)", i, id))
		}
	}
	values := func(rows []string, cols string, types string) string {
		if len(rows) == 0 {
			return "(SELECT " + types + " WHERE false)"
		}
		return "(SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") t(" + cols + "))"
	}
	// Where one run holds all of a year's values of a node, the values need no
	// resolving; where several do, each (unit, year, node) takes the first run's.
	merge := false
	for _, y := range years {
		for _, n := range nodes {
			if len(contributors(y, n)) > 1 {
				merge = true
			}
		}
	}
	cells := `SELECT s.year, v.unit_key, n.i, v.value, NULL::INTEGER AS rank, NULL::INTEGER AS band_id, NULL::INTEGER AS class_id, s.r, s.p, s.dataset_id
			FROM node_values v JOIN sel s USING (dataset_id, year) JOIN nodes n USING (node_id) WHERE v.value IS NOT NULL
		UNION ALL
		SELECT s.year, v.unit_key, rt.i, v.value, v.rank, v.band_id, v.class_id, s.r, s.p, s.dataset_id
			FROM root_values v JOIN sel s USING (dataset_id, year) JOIN roots rt USING (r) WHERE v.value IS NOT NULL`
	if excluded {
		cells = `SELECT * FROM (` + cells + `) c ANTI JOIN excluded x USING (dataset_id, year, unit_key)`
	}
	best := "cells"
	if merge {
		best = `(SELECT year, unit_key, i, c.value, c.rank, c.band_id, c.class_id, c.r FROM (
			SELECT year, unit_key, i, arg_max({'value': value, 'rank': rank, 'band_id': band_id, 'class_id': class_id, 'r': r}, p) AS c
			FROM cells GROUP BY year, unit_key, i))`
	}
	var pivot []string
	for i := range nodes {
		pivot = append(pivot, fmt.Sprintf("max(value) FILTER (WHERE i = %[1]d) AS v%[1]d, max(rank) FILTER (WHERE i = %[1]d) AS rk%[1]d, max(r) FILTER (WHERE i = %[1]d) AS s%[1]d", i))
	}
	root := slices.Index(nodes, s.Root())
	band, class := "NULL::INTEGER", "NULL::INTEGER"
	if root >= 0 {
		band = fmt.Sprintf("max(band_id) FILTER (WHERE i = %d)", root)
		class = fmt.Sprintf("max(class_id) FILTER (WHERE i = %d)", root)
	}
	pivot = append(pivot, band+" AS band_id", class+" AS class_id")
	var fills []string
	for r := range s.fill {
		if i, ok := pos[r]; ok {
			fills = append(fills, fmt.Sprint(i))
		}
	}
	sort.Strings(fills)
	wide := "wide"
	if len(fills) > 0 {
		// the units are those of the dataset named; the published values fill them in
		wide = `(SELECT * FROM wide SEMI JOIN (SELECT DISTINCT year, unit_key FROM cells WHERE r NOT IN (` + strings.Join(fills, ", ") + `)) USING (year, unit_key))`
	}
	widePivot := `wide AS (SELECT year, unit_key, ` + strings.Join(pivot, ",\n\t\t\t") + ` FROM ` + best + ` GROUP BY year, unit_key)`
	if f, ok := s.fastWideOf(years, nodes, pos); ok && !excluded && len(fills) == 0 && fast {
		widePivot = "wide AS (" + f + ")"
	}
	keyed := `SELECT *, NULL::VARCHAR AS status, NULL::VARCHAR AS detail FROM ` + wide
	if excluded {
		// units listed without values: a status instead (when no other run scores them)
		rootValue := "NULL"
		if root >= 0 {
			rootValue = fmt.Sprintf("w.v%d", root)
		}
		keyed = fmt.Sprintf(`SELECT coalesce(w.year, st.year) AS year, coalesce(w.unit_key, st.unit_key) AS unit_key, w.* EXCLUDE (year, unit_key),
			CASE WHEN %[1]s IS NULL THEN st.reason END AS status, CASE WHEN %[1]s IS NULL THEN st.detail END AS detail
			FROM %[2]s w FULL JOIN (SELECT s.year, x.unit_key, min(x.reason) AS reason, min(x.detail) AS detail
			                       FROM excluded x JOIN sel s USING (dataset_id, year) WHERE s.r NOT IN (%[3]s) GROUP BY ALL) st
			  ON st.year = w.year AND st.unit_key = w.unit_key`, rootValue, wide, strings.Join(append(fills, "-1"), ", "))
	}
	var cols []string
	for i, n := range nodes {
		k := "NULL::INTEGER"
		if slices.Contains(ranks, n) {
			k = s.rankExpr(n, i)
		}
		cols = append(cols, fmt.Sprintf("k.v%[1]d, %[2]s AS k%[1]d, k.s%[1]d", i, k))
	}
	var joins []string
	for j, g := range spec.Groupings {
		cols = append(cols, fmt.Sprintf("g%[1]d.grp AS g%[1]d, g%[1]d.grp_zh AS gz%[1]d, coalesce(g%[1]d.ord, 0) AS go%[1]d", j))
		joins = append(joins, fmt.Sprintf("LEFT JOIN unit_groups g%[1]d ON g%[1]d.unit_key = k.unit_key AND g%[1]d.grouping = %[2]s", j, store.Quote(g)))
	}
	var args []any
	q := fmt.Sprintf(`WITH sel(r, dataset_id, year, p) AS %s,
		nodes AS %s,
		roots AS %s,
		cells AS (%s),
		%s,
		keyed AS (%s)
		SELECT k.year, k.unit_key, u.unit, coalesce(u.name, u.unit) AS name, u.name_zh, coalesce(u.kind, 'custom') AS kind,
		       k.status, k.detail, b.code AS band, c.code AS class, %s
		FROM keyed k JOIN unit_list u USING (unit_key) LEFT JOIN codes b ON b.id = k.band_id LEFT JOIN codes c ON c.id = k.class_id
		%s`,
		values(sel, "r, dataset_id, year, p", "NULL::INTEGER AS r, NULL::INTEGER AS dataset_id, NULL::INTEGER AS year, NULL::INTEGER AS p"),
		values(nodeRows, "i, node_id", "NULL::INTEGER AS i, NULL::INTEGER AS node_id"),
		values(roots, "r, i", "NULL::INTEGER AS r, NULL::INTEGER AS i"),
		cells, widePivot, keyed, strings.Join(cols, ", "), strings.Join(joins, " "))
	if len(spec.Units) > 0 {
		// after the ranks, which are over every unit
		q, args = "SELECT * FROM ("+q+") WHERE unit IN (SELECT unnest(?::VARCHAR[]))", append(args, spec.Units)
	}
	return q, args, nil
}

// fast lets Relation take fastWide where it can (a test compares it with the general way).
var fast = true

// fastWide is the wide table of a selection of one run a year, all with the same root:
// the root's values (with their stored rank, band and class) joined to a pivot of the
// other nodes' values, with no resolving of sources. It is what a large computed
// dataset is, and several times cheaper than grouping every value by unit. ok is false
// for other selections.
func (s *Selection) fastWide(nodes []string, pos map[*Run]int) (q string, ok bool) {
	return s.fastWideOf(s.Years, nodes, pos)
}

// fastWideOf is fastWide of some of the selection's years.
func (s *Selection) fastWideOf(years []Year, nodes []string, pos map[*Run]int) (q string, ok bool) {
	if len(years) == 0 {
		return "", false
	}
	root := -2
	for _, y := range years {
		if len(y.Runs) != 1 {
			return "", false
		}
		i := slices.Index(nodes, y.Runs[0].Root)
		if root != -2 && i != root {
			return "", false
		}
		root = i
	}
	var src strings.Builder // the run of each year, by position
	src.WriteString("CASE year")
	for _, y := range years {
		fmt.Fprintf(&src, " WHEN %d THEN %d", y.Year, pos[y.Runs[0]])
	}
	src.WriteString(" END")
	// Two parts: the root's values (with their rank, band and class) and the other
	// nodes', read from the runs' lists in one scan, joined on the unit (and year).
	oneYear := len(years) == 1
	key, keyCols := "year, unit_key", "v.year, v.unit_key"
	if oneYear {
		key, keyCols = "unit_key", "v.unit_key"
	}
	// the runs as predicates on the stored values (which DuckDB pushes into the scans)
	var which []string
	for _, y := range years {
		ds, ok := s.codes[y.Runs[0].Dataset]
		if !ok {
			ds = -1
		}
		which = append(which, fmt.Sprintf("(v.dataset_id = %d AND v.year = %d)", ds, y.Year))
	}
	runs := "(" + strings.Join(which, " OR ") + ")"
	var parts, cols, listed, present []string
	band, class := "NULL::INTEGER", "NULL::INTEGER"
	for i, n := range nodes {
		if i == root {
			parts = append(parts, fmt.Sprintf(`(SELECT %s, v.value AS v%d, v.rank AS rk%d, v.band_id, v.class_id FROM root_values v
				WHERE %s AND v.value IS NOT NULL)`, keyCols, i, i, runs))
			band, class = "band_id", "class_id"
		} else {
			listed = append(listed, fmt.Sprintf("%s AS v%d, NULL::INTEGER AS rk%d", listValue(years, n), i, i))
			present = append(present, fmt.Sprintf("v%d IS NOT NULL", i))
		}
		cols = append(cols, fmt.Sprintf("v%[1]d, rk%[1]d, CASE WHEN v%[1]d IS NOT NULL THEN %[2]s END AS s%[1]d", i, src.String()))
	}
	if len(listed) > 0 {
		// the other nodes in one scan of the runs' lists, the units with any of them
		parts = append(parts, fmt.Sprintf(`(SELECT * FROM (SELECT %s, %s FROM node_lists v WHERE %s) WHERE %s)`,
			keyCols, strings.Join(listed, ", "), runs, strings.Join(present, " OR ")))
	}
	year := "year"
	if oneYear {
		year = fmt.Sprintf("%d AS year", years[0].Year)
	}
	from := parts[0] + " p0"
	for i, p := range parts[1:] {
		from += fmt.Sprintf(" FULL JOIN %s p%d USING (%s)", p, i+1, key)
	}
	return fmt.Sprintf(`SELECT %s, unit_key, %s, %s AS band_id, %s AS class_id FROM %s`, year, strings.Join(cols, ", "), band, class, from), true
}

// listValue is the SQL of node's value in a row v of node_lists of one of years (each
// of one run): the element at the node's place in the lists of the year's run, NULL
// where the run has none.
func listValue(years []Year, node string) string {
	at := func(y Year) string {
		if k := y.Runs[0].Ords[node]; k > 0 {
			return fmt.Sprintf("v.value[%d]", k)
		}
		return "NULL::DOUBLE"
	}
	same := true
	for _, y := range years {
		same = same && at(y) == at(years[0])
	}
	if same {
		return at(years[0])
	}
	var b strings.Builder
	b.WriteString("CASE v.year")
	for _, y := range years {
		fmt.Fprintf(&b, " WHEN %d THEN %s", y.Year, at(y))
	}
	b.WriteString(" END")
	return b.String()
}

// contributors are the runs of a year that hold values of node.
func contributors(y Year, node string) []*Run {
	var out []*Run
	for _, r := range y.Runs {
		if r.Has(node) {
			out = append(out, r)
		}
	}
	return out
}

// storedRanks reports whether a year's ranks of node are the ones its run stored: one
// run holds all its values, and node is that run's root.
func storedRanks(y Year, node string) bool {
	c := contributors(y, node)
	return len(c) == 1 && c[0].Root == node
}

// rankExpr is the rank of node (column v<i>) within its year: the stored rank where
// storedRanks, else the framework's rule on the value rounded to the year's digits,
// among the units with a value.
func (s *Selection) rankExpr(node string, i int) string {
	var stored []string
	digits := map[int]bool{}
	dense, competition := false, false
	for _, y := range s.Years {
		if storedRanks(y, node) {
			stored = append(stored, fmt.Sprint(y.Year))
		}
		digits[y.Digits] = true
		if y.Ranking == framework.RankDense {
			dense = true
		} else {
			competition = true
		}
	}
	if len(stored) == len(s.Years) {
		return fmt.Sprintf("k.rk%d", i)
	}
	d := fmt.Sprint(s.Years[0].Digits)
	if len(digits) > 1 {
		var b strings.Builder
		b.WriteString("CASE k.year")
		for _, y := range s.Years {
			fmt.Fprintf(&b, " WHEN %d THEN %d", y.Year, y.Digits)
		}
		b.WriteString(" END")
		d = b.String()
	}
	w := fmt.Sprintf("OVER (PARTITION BY k.year ORDER BY round(k.v%d, %s) DESC NULLS LAST)", i, d)
	fn := "rank() " + w
	switch {
	case dense && !competition:
		fn = "dense_rank() " + w
	case dense:
		var ys []string
		for _, y := range s.Years {
			if y.Ranking == framework.RankDense {
				ys = append(ys, fmt.Sprint(y.Year))
			}
		}
		fn = fmt.Sprintf("CASE WHEN k.year IN (%s) THEN dense_rank() %s ELSE rank() %s END", strings.Join(ys, ", "), w, w)
	}
	expr := fmt.Sprintf("CASE WHEN k.v%d IS NULL THEN NULL ELSE %s END", i, fn)
	if len(stored) > 0 {
		expr = fmt.Sprintf("CASE WHEN k.year IN (%s) THEN k.rk%d ELSE %s END", strings.Join(stored, ", "), i, expr)
	}
	return expr
}
