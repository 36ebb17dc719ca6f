package query

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/store"
)

// RunFramework returns the framework a computed (dataset, year) was computed with, as
// recorded with the run.
func RunFramework(ctx context.Context, db *store.DB, dataset string, year int) (*framework.Framework, error) {
	var js string
	err := db.QueryRowContext(ctx, `SELECT framework_json FROM runs WHERE dataset = ? AND year = ?`, dataset, year).Scan(&js)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("no computation of dataset %q for %d", dataset, year)
	}
	if err != nil {
		return nil, err
	}
	var f framework.Framework
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		return nil, fmt.Errorf("the recorded framework of %s %d: %w", dataset, year, err)
	}
	return &f, nil
}

// frameworkNode decides whether a query runs on a framework's own nodes: for computed
// data with a framework other than the UN's, or when --node names one. It returns the
// framework and the node (the root unless named), or a nil framework for the UN path.
func frameworkNode(ctx context.Context, db *store.DB, c Choice, name string) (*framework.Framework, string, error) {
	if c.Source != Computed {
		if name != "" {
			return nil, "", fmt.Errorf("--node needs computed values; %d is published data (use --index for the UN indices)", c.Year)
		}
		return nil, "", nil
	}
	f, err := RunFramework(ctx, db, c.Dataset, c.Year)
	if err != nil {
		return nil, "", err
	}
	if name == "" && f.Root == "egdi" {
		return nil, "", nil
	}
	if name == "" {
		return f, f.Root, nil
	}
	node, err := ResolveNode(f, name)
	return f, node, err
}

// ResolveNode finds a node of f by id or by its English or Chinese label.
func ResolveNode(f *framework.Framework, name string) (string, error) {
	for _, n := range f.Nodes {
		if n.ID == name || strings.EqualFold(n.Label.En, name) || (n.Label.Zh != "" && n.Label.Zh == name) {
			return n.ID, nil
		}
	}
	var ids []string
	for _, n := range f.Nodes {
		l := n.ID
		if n.Label.Zh != "" {
			l += " (" + n.Label.Zh + ")"
		}
		ids = append(ids, l)
	}
	return "", fmt.Errorf("%s has no node %q; its nodes: %s", f.ID, name, strings.Join(ids, ", "))
}

// nodeRank ranks the units of a computed year by one node of its framework: the node's
// value, its child nodes' values, the rank (by the framework's ranking rule on the value
// rounded to its digits) and, for the root, the band.
func nodeRank(ctx context.Context, db *store.DB, c Choice, f *framework.Framework, node string, o RankOptions) (*output.Table, error) {
	n := f.Node(node)
	cols := []string{node}
	for _, ch := range n.Children {
		if f.Node(ch.ID) != nil {
			cols = append(cols, ch.ID)
		}
	}
	rank := "rank()"
	if f.Ranking == framework.RankDense {
		rank = "dense_rank()"
	}
	var sel []string
	for _, id := range cols {
		sel = append(sel, fmt.Sprintf("max(value) FILTER (WHERE node = %s)", q(id)))
	}
	limit := ""
	if o.Top > 0 {
		limit = fmt.Sprintf("LIMIT %d", o.Top)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`WITH p AS (
			SELECT unit, %s FROM scores WHERE dataset = ? AND year = ? GROUP BY unit),
		r AS (SELECT p.*, CASE WHEN v0 IS NULL THEN NULL ELSE %s OVER (ORDER BY round(v0, %d) DESC NULLS LAST) END AS rk FROM p)
		SELECT r.*, st.band, u.name, u.name_zh FROM r LEFT JOIN standings st ON st.dataset = ? AND st.year = ? AND st.unit = r.unit AND ? 
		JOIN units u ON u.unit = r.unit ORDER BY rk NULLS LAST, u.name %s`,
		strings.Join(aliased(sel), ", "), rank, f.Digits, limit), c.Dataset, c.Year, c.Dataset, c.Year, node == f.Root)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &output.Table{Columns: append(append([]string{"unit", "name", "year"}, cols...), "rank", "group"), Digits: f.Digits}
	lang := string(o.Lang)
	for rows.Next() {
		var unit string
		vals := make([]sql.NullFloat64, len(cols))
		var rk sql.NullInt64
		var band, name, nameZh sql.NullString
		dest := []any{&unit}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		dest = append(dest, &rk, &band, &name, &nameZh)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := []any{unit, nameIn(name, nameZh, o.Lang), c.Year}
		for _, v := range vals {
			row = append(row, nf(v))
		}
		var grp any
		if band.Valid {
			grp = band.String
			if o.Format == "table" || o.Format == "" {
				grp = bandLabel(f, band.String, lang)
			}
		}
		t.Rows = append(t.Rows, append(row, ni(rk), grp))
	}
	if lang == "zh" || f.Root != "egdi" {
		t.Headers = make([]string, len(t.Columns))
		for i, col := range t.Columns {
			if f.Node(col) != nil {
				t.Headers[i] = f.LabelOf(col, lang)
			} else if lang == "zh" {
				t.Headers[i] = o.Lang.headers([]string{col})[0]
			} else {
				t.Headers[i] = col
			}
		}
	}
	t.Notes = Notes([]Choice{c}, o.Lang)
	return t, rows.Err()
}

func aliased(sel []string) []string {
	out := make([]string, len(sel))
	for i, s := range sel {
		out[i] = fmt.Sprintf("%s AS v%d", s, i)
	}
	return out
}

// bandLabel names a band of f in lang.
func bandLabel(f *framework.Framework, id, lang string) string {
	for _, b := range f.Bands {
		if b.ID == id {
			if l := b.Label.In(lang); l != "" {
				return l
			}
		}
	}
	return GroupLabel(id, Lang(lang))
}

// computedNode keeps the computed years of choices and resolves a node of the
// framework of the latest of them.
func computedNode(ctx context.Context, db *store.DB, choices []Choice, name string) ([]Choice, *framework.Framework, string, error) {
	var comp []Choice
	for _, c := range choices {
		if c.Source == Computed {
			comp = append(comp, c)
		}
	}
	if len(comp) == 0 {
		return nil, nil, "", fmt.Errorf("--node needs computed values; compute the dataset first")
	}
	last := comp[len(comp)-1]
	f, err := RunFramework(ctx, db, last.Dataset, last.Year)
	if err != nil {
		return nil, nil, "", err
	}
	node, err := ResolveNode(f, name)
	return comp, f, node, err
}

// nodeTrend follows units on one node of a computed dataset's framework across its
// years: unit,name,year,value,rank (rank by the framework's rule on the rounded value).
func nodeTrend(ctx context.Context, db *store.DB, choices []Choice, units []string, nodeName string, o TrendOptions) (*output.Table, error) {
	comp, f, node, err := computedNode(ctx, db, choices, nodeName)
	if err != nil {
		return nil, err
	}
	rank := "rank()"
	if f.Ranking == framework.RankDense {
		rank = "dense_rank()"
	}
	t := &output.Table{Columns: []string{"unit", "name", "year", "value", "rank"}, Digits: f.Digits}
	for _, u := range units {
		for _, c := range comp {
			var name, nameZh sql.NullString
			var v sql.NullFloat64
			var r sql.NullInt64
			err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT x.value, x.r, u.name, u.name_zh FROM (
				SELECT s.unit, s.value, %s OVER (ORDER BY round(s.value, %d) DESC) AS r FROM scores s
				WHERE s.dataset = ? AND s.year = ? AND s.node = ?) x JOIN units u ON u.unit = x.unit WHERE x.unit = ?`, rank, f.Digits),
				c.Dataset, c.Year, node, u).Scan(&v, &r, &name, &nameZh)
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return nil, err
			}
			t.Rows = append(t.Rows, []any{u, nameIn(name, nameZh, o.Lang), c.Year, nf(v), ni(r)})
		}
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("no %s values for %s", node, strings.Join(units, ", "))
	}
	t.Headers = o.Lang.headers(t.Columns)
	if t.Headers != nil {
		t.Headers[3] = f.LabelOf(node, string(o.Lang))
	}
	t.Notes = Notes(comp, o.Lang)
	return t, nil
}

// nodeCompare sets units side by side on the root of a computed year's framework and
// its child nodes: one row per node, one column per unit, then the differences from the
// first unit.
func nodeCompare(ctx context.Context, db *store.DB, c Choice, f *framework.Framework, node string, units []string, o CompareOptions) (*output.Table, error) {
	nodes := []string{node}
	for _, ch := range f.Node(node).Children {
		if f.Node(ch.ID) != nil {
			nodes = append(nodes, ch.ID)
		}
	}
	got, err := NodeValues(ctx, db, c.Dataset, c.Year)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if _, ok := got[u][node]; !ok {
			return nil, fmt.Errorf("%s has no %s value for %d", u, node, c.Year)
		}
	}
	t := &output.Table{Columns: []string{"node"}, Digits: f.Digits}
	for _, u := range units {
		t.Columns = append(t.Columns, strings.ToLower(u))
	}
	for _, u := range units[1:] {
		t.Columns = append(t.Columns, strings.ToLower(u)+"_minus_"+strings.ToLower(units[0]))
	}
	for _, n := range nodes {
		label := n
		if o.Format == "table" || o.Format == "" {
			label = f.LabelOf(n, string(o.Lang))
		}
		row := []any{label}
		for _, u := range units {
			v, ok := got[u][n]
			if ok {
				row = append(row, v)
			} else {
				row = append(row, nil)
			}
		}
		for _, u := range units[1:] {
			a, ok1 := got[u][n]
			b, ok2 := got[units[0]][n]
			if ok1 && ok2 {
				row = append(row, a-b)
			} else {
				row = append(row, nil)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	// the text table names the units
	name := map[string]string{}
	for _, u := range units {
		var n, z sql.NullString
		db.QueryRowContext(ctx, `SELECT name, name_zh FROM units WHERE unit = ?`, u).Scan(&n, &z)
		name[u] = nameIn(n, z, o.Lang)
		if name[u] == "" {
			name[u] = u
		}
	}
	t.Headers = []string{map[bool]string{true: "指标", false: "node"}[o.Lang == "zh"]}
	for _, u := range units {
		t.Headers = append(t.Headers, name[u])
	}
	for _, u := range units[1:] {
		t.Headers = append(t.Headers, name[u]+" − "+name[units[0]])
	}
	t.Notes = Notes([]Choice{c}, o.Lang)
	return t, nil
}

// nodeSummary counts units per key (group, region, ...) and averages one node of the
// framework of a computed dataset: year,key,count,share,mean_<node>.
func nodeSummary(ctx context.Context, db *store.DB, choices []Choice, key, order string, o SummaryOptions) (*output.Table, error) {
	comp, f, node, err := computedNode(ctx, db, choices, o.Node)
	if err != nil {
		return nil, err
	}
	var sets []string
	for _, c := range comp {
		sets = append(sets, fmt.Sprintf("(dataset = %s AND year = %d)", q(c.Dataset), c.Year))
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`WITH panel AS (%s),
		n AS (SELECT unit, year, value AS nv FROM scores WHERE node = %s AND (%s))
		SELECT year, %s AS key, count(*) AS n, count(*) / sum(count(*)) OVER (PARTITION BY year) AS share, avg(nv), max(egdi)
		FROM panel JOIN n USING (unit, year) GROUP BY year, %s HAVING %s IS NOT NULL ORDER BY year, %s`,
		panelSQL(comp), q(node), strings.Join(sets, " OR "), key, key, key, order))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &output.Table{Columns: []string{"year", "key", "count", "share", "mean_" + node}, Digits: f.Digits}
	for rows.Next() {
		var year int
		var k sql.NullString
		var n int64
		var share float64
		var m, top sql.NullFloat64
		if err := rows.Scan(&year, &k, &n, &share, &m, &top); err != nil {
			return nil, err
		}
		var keyOut any = k.String
		if o.By == "group" && (o.Format == "table" || o.Format == "") {
			keyOut = bandLabel(f, k.String, string(o.Lang))
		}
		t.Rows = append(t.Rows, []any{year, keyOut, n, share, nf(m)})
	}
	t.Headers = o.Lang.headers(t.Columns)
	if t.Headers != nil {
		t.Headers[4] = f.LabelOf(node, string(o.Lang)) + "均值"
	}
	t.Notes = Notes(comp, o.Lang)
	return t, rows.Err()
}

// NodeValues returns every unit's node values for a computed (dataset, year).
func NodeValues(ctx context.Context, db *store.DB, dataset string, year int) (map[string]map[string]float64, error) {
	rows, err := db.QueryContext(ctx, `SELECT unit, node, value FROM scores WHERE dataset = ? AND year = ? AND value IS NOT NULL`, dataset, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]float64{}
	for rows.Next() {
		var u, n string
		var v float64
		if err := rows.Scan(&u, &n, &v); err != nil {
			return nil, err
		}
		if out[u] == nil {
			out[u] = map[string]float64{}
		}
		out[u][n] = v
	}
	return out, rows.Err()
}
