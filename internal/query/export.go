package query

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/egdi/egdi/internal/store"
)

// ExportOptions are the arguments of egdi export.
type ExportOptions struct {
	Request
	Year int // 0: every year
	Out  string
}

// Export writes the panel (unit, name, year, egdi, osi, tii, hci, epi, rank, group,
// class, source, dataset) to a CSV or Parquet file with DuckDB's COPY, the fast path for
// large computed datasets. It returns the number of rows written.
func Export(ctx context.Context, db *store.DB, o ExportOptions) (int64, error) {
	var format string
	switch strings.ToLower(filepath.Ext(o.Out)) {
	case ".csv":
		format = "FORMAT csv, HEADER true"
	case ".parquet":
		format = "FORMAT parquet"
	default:
		return 0, fmt.Errorf("%s: export writes .csv or .parquet files", o.Out)
	}
	var choices []Choice
	if o.Year != 0 {
		c, _, err := yearChoice(ctx, db, o.Request, o.Year)
		if err != nil {
			return 0, err
		}
		choices = []Choice{c}
	} else {
		var err error
		if choices, err = Choose(ctx, db, o.Request); err != nil {
			return 0, err
		}
	}
	tmp := o.Out + ".part"
	sqlText := fmt.Sprintf(`COPY (WITH panel AS (%s)
		SELECT unit, name, year, egdi, osi, tii, hci, epi, rank, grp AS "group", class, source, dataset
		FROM panel ORDER BY year, rank NULLS LAST, unit) TO %s (%s)`, panelSQL(choices), q(tmp), format)
	res, err := db.ExecContext(ctx, sqlText)
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", o.Out, err)
	}
	n, _ := res.RowsAffected()
	return n, renameInto(tmp, o.Out)
}
