package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Append fills the temporary table (created beforehand) with rows through DuckDB's
// appender on c: rows calls add once per row, with a value per column in order (nil
// for NULL; float64, int32, string, bool, lists as slices). Numbers go in as they
// are, exactly, and a few dozen rows take a fraction of a millisecond where a
// statement of VALUES with their literals takes several: the way egdi writes working
// tables from Go.
func Append(ctx context.Context, c *sql.Conn, table string, rows func(add func(values ...any) error) error) error {
	return c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("appending to %s: not a DuckDB connection", table)
		}
		a, err := duckdb.NewAppender(conn, "temp", "main", table)
		if err != nil {
			return fmt.Errorf("appending to %s: %w", table, err)
		}
		n := 0
		add := func(values ...any) error {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			return a.AppendRow(toDriver(values)...)
		}
		if err := rows(add); err != nil {
			a.Close()
			return err
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("appending to %s: %w", table, err)
		}
		return nil
	})
}

// toDriver gives the appender driver values.
func toDriver(values []any) []driver.Value {
	out := make([]driver.Value, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// Unnest is a relation of columns bound as lists, one parameter each: columns are
// "name TYPE", and the caller passes a Go slice per column, in order. Inside a
// transaction, where the appender cannot go, rows written this way plan and bind
// several times faster than rows of VALUES.
func Unnest(columns ...string) string {
	parts := make([]string, len(columns))
	for i, c := range columns {
		name, typ, _ := strings.Cut(c, " ")
		parts[i] = "unnest(?::" + typ + "[]) AS " + name
	}
	return "(SELECT " + strings.Join(parts, ", ") + ")"
}
