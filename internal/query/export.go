package query

import (
	"fmt"
	"slices"
	"strings"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
)

// Layouts of an export.
const (
	Long = "long" // dataset,unit,name,year,node,value,rank,band,source: one row per value
	Wide = "wide" // unit,name,year,<node>...,rank,band,source: one row per unit and year
)

// ExportColumns are the columns of an export of sel in layout.
func ExportColumns(sel *panel.Selection, layout string) []string {
	var cols []string
	if layout == Wide {
		cols = append(append([]string{"unit", "name", "year"}, sel.Nodes...), "rank")
	} else {
		cols = []string{"dataset", "unit", "name", "year", "node", "value", "rank"}
	}
	if len(sel.Framework.Bands) > 0 {
		cols = append(cols, "band")
	}
	if len(sel.Framework.Classes) > 0 {
		cols = append(cols, "class")
	}
	return append(cols, "source")
}

// Export is every node's values of the selection, with their ranks, the root's band
// (and class) and their source, as one SQL statement for a file to be written from (a
// million units' values never pass through Go): the columns ExportColumns names, name
// in English with name_zh beside it, and the ORDER BY of the rows (its columns
// qualified by the alias q). Units listed without values (not assessed) are left out.
func Export(sel *panel.Selection, layout string) (q string, args []any, order string, err error) {
	if layout == "" {
		layout = Long
	}
	if layout != Long && layout != Wide {
		return "", nil, "", fmt.Errorf("unknown --layout %q; use long or wide", layout)
	}
	spec := panel.Spec{}
	if layout == Wide {
		spec.Ranks = []string{sel.Root()} // the root's rank only: a rank per node is the long layout's
	}
	rel, args, err := sel.Relation(spec)
	if err != nil {
		return "", nil, "", err
	}
	runs := sel.Runs()
	// a run's dataset and source, by its position
	runCase := func(col string, f func(*panel.Run) string) string {
		var b strings.Builder
		b.WriteString("CASE " + col)
		for i, r := range runs {
			fmt.Fprintf(&b, " WHEN %d THEN %s", i, store.Quote(f(r)))
		}
		b.WriteString(" END")
		return b.String()
	}
	bands, classes := len(sel.Framework.Bands) > 0, len(sel.Framework.Classes) > 0
	root := slices.Index(sel.Nodes, sel.Root())
	var body string
	if layout == Wide {
		var vals, srcs []string
		for i, n := range sel.Nodes {
			vals = append(vals, fmt.Sprintf("v%d AS %s", i, store.Ident(n)))
			srcs = append(srcs, fmt.Sprintf("s%d", i))
		}
		rank := "NULL::INTEGER"
		if root >= 0 {
			rank = fmt.Sprintf("k%d", root)
		}
		band := ""
		if bands {
			band = ", band"
		}
		if classes {
			band += ", class"
		}
		body = fmt.Sprintf(`SELECT unit, name, name_zh, year, %s, %s AS rank%s, %s AS source FROM r`, strings.Join(vals, ", "), rank, band, mixedSource(srcs, runs))
		order = "q.year, q.rank NULLS LAST, q.unit"
	} else {
		var parts []string
		for i, n := range sel.Nodes {
			band := ""
			if bands {
				band = ", NULL::VARCHAR AS band"
				if i == root {
					band = ", band"
				}
			}
			if classes {
				band += ", NULL::VARCHAR AS class"
				if i == root {
					band = strings.TrimSuffix(band, ", NULL::VARCHAR AS class") + ", class"
				}
			}
			parts = append(parts, fmt.Sprintf(`SELECT %d AS o, %s AS dataset, unit, name, name_zh, year, %s AS node, v%d AS value, k%d AS rank%s, %s AS source
				FROM r WHERE v%d IS NOT NULL`, i, runCase(fmt.Sprintf("s%d", i), func(r *panel.Run) string { return r.Dataset }), store.Quote(n), i, i, band,
				runCase(fmt.Sprintf("s%d", i), func(r *panel.Run) string { return r.Source }), i))
		}
		body = strings.Join(parts, "\nUNION ALL\n")
		order = "q.year, q.o, q.rank NULLS LAST, q.unit"
	}
	materialized := "MATERIALIZED " // the long layout reads r once per node
	if layout == Wide {
		materialized = ""
	}
	q = fmt.Sprintf(`WITH r AS %s(SELECT * FROM (%s) WHERE status IS NULL) %s`, materialized, rel, body)
	return q, args, order, nil
}

// mixedSource is the SQL of a row's source over the run positions in cols: published,
// computed, or mixed.
func mixedSource(cols []string, runs []*panel.Run) string {
	var published []string
	for i, r := range runs {
		if r.Source == panel.Published {
			published = append(published, fmt.Sprint(i))
		}
	}
	var nPub, nAll []string
	for _, c := range cols {
		if len(published) > 0 {
			nPub = append(nPub, fmt.Sprintf("coalesce(%s IN (%s), false)::INTEGER", c, strings.Join(published, ", ")))
		} else {
			nPub = append(nPub, "0")
		}
		nAll = append(nAll, fmt.Sprintf("(%s IS NOT NULL)::INTEGER", c))
	}
	return fmt.Sprintf(`CASE WHEN (%[1]s) = 0 THEN NULL WHEN (%[2]s) = (%[1]s) THEN 'published' WHEN (%[2]s) = 0 THEN 'computed' ELSE 'mixed' END`,
		strings.Join(nAll, " + "), strings.Join(nPub, " + "))
}
