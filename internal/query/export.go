package query

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// ExportRequest names the file and layout of an export.
type ExportRequest struct {
	Out    string // .csv, .parquet or .json
	Layout string // Long (default) or Wide
	Lang   string // the language of unit names: en (default) or zh
}

// exportFormat is DuckDB's COPY format for the file's extension.
func exportFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "FORMAT csv, HEADER true", nil
	case ".parquet":
		return "FORMAT parquet", nil
	case ".json":
		return "FORMAT json, ARRAY true", nil
	}
	return "", fmt.Errorf("%s: export writes .csv, .parquet or .json files", path)
}

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

// Export writes every node's values of the selection, with their ranks, the root's band
// (and class) and their source, to a CSV, Parquet or JSON file with DuckDB's COPY, the
// fast path for large datasets; the file appears whole or not at all. Units listed
// without values (not assessed) are left out. It returns the number of rows written.
func Export(ctx context.Context, db *store.DB, sel *panel.Selection, req ExportRequest) (int64, error) {
	format, err := exportFormat(req.Out)
	if err != nil {
		return 0, err
	}
	layout := req.Layout
	if layout == "" {
		layout = Long
	}
	if layout != Long && layout != Wide {
		return 0, fmt.Errorf("unknown --layout %q; use long or wide", req.Layout)
	}
	spec := panel.Spec{}
	if layout == Wide {
		spec.Ranks = []string{sel.Root()} // the root's rank only: a rank per node is the long layout's
	}
	rel, args, err := sel.Relation(spec)
	if err != nil {
		return 0, err
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
	name := "name"
	if req.Lang == "zh" {
		name = "CASE WHEN name_zh IS NOT NULL AND name_zh <> '' THEN name_zh ELSE name END"
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
		source := mixedSource(srcs, runs)
		body = fmt.Sprintf(`SELECT unit, %s AS name, year, %s, %s AS rank%s, %s AS source FROM r
			ORDER BY year, rank NULLS LAST, unit`, name, strings.Join(vals, ", "), rank, band, source)
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
			parts = append(parts, fmt.Sprintf(`SELECT %d AS o, %s AS dataset, unit, %s AS name, year, %s AS node, v%d AS value, k%d AS rank%s, %s AS source
				FROM r WHERE v%d IS NOT NULL`, i, runCase(fmt.Sprintf("s%d", i), func(r *panel.Run) string { return r.Dataset }), name, store.Quote(n), i, i, band,
				runCase(fmt.Sprintf("s%d", i), func(r *panel.Run) string { return r.Source }), i))
		}
		body = `SELECT * EXCLUDE (o) FROM (` + strings.Join(parts, "\nUNION ALL\n") + `) ORDER BY year, o, rank NULLS LAST, unit`
	}
	tmp := req.Out + ".part"
	materialized := "MATERIALIZED " // the long layout reads r once per node
	if layout == Wide {
		materialized = ""
	}
	q := fmt.Sprintf(`COPY (WITH r AS %s(SELECT * FROM (%s) WHERE status IS NULL) %s) TO %s (%s)`, materialized, rel, body, store.Quote(tmp), format)
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("export to %s: %w", req.Out, err)
	}
	n, _ := res.RowsAffected()
	if err := os.Rename(tmp, req.Out); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("export to %s: %w", req.Out, err)
	}
	return n, nil
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
