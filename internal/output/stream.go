package output

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/egdi/egdi/internal/store"
)

// Execer runs a statement (a *sql.DB, a connection or a transaction).
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// StreamCSV writes the rows of query as CSV to w through DuckDB's COPY, for tables too
// long to pass through Go row by row (a ranking of a million units): DuckDB writes a
// temporary file, which is copied to w and removed. Numbers read as Write writes them
// (Float); text columns named in safe are protected from spreadsheet formula
// evaluation as SafeCell does. order is the ORDER BY of the rows, its columns
// qualified by the alias q (the query).
func StreamCSV(ctx context.Context, db Execer, query string, args []any, columns, safe []string, order string, w io.Writer) error {
	f, err := os.CreateTemp("", "egdi-*.csv")
	if err != nil {
		return err
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	var cols []string
	for _, c := range columns {
		expr := store.Ident(c)
		for _, s := range safe {
			if s == c {
				// SafeCell: a leading =, +, -, @, tab or carriage return gets a quote
				expr = fmt.Sprintf(`CASE WHEN left(%[1]s, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || %[1]s ELSE %[1]s END`, store.Ident(c))
			}
		}
		cols = append(cols, expr+" AS "+store.Ident(c))
	}
	if order != "" {
		order = " ORDER BY " + order
	}
	q := fmt.Sprintf(`COPY (SELECT %s FROM (%s) q%s) TO %s (FORMAT csv, HEADER true)`, strings.Join(cols, ", "), query, order, store.Quote(path))
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	return err
}
