package ingest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// A Parquet file with a column named file_row_number (DuckDB's own name for record
// numbers) imports, its records still numbered in messages.
func TestParquetColumnNamedFileRowNumber(t *testing.T) {
	dir := t.TempDir()
	c, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	good, bad := filepath.Join(dir, "good.parquet"), filepath.Join(dir, "bad.parquet")
	for p, v := range map[string]string{good: "'8'", bad: "'n/a'"} {
		if _, err := c.Exec(`COPY (SELECT * FROM (VALUES ('CHN', 2022, '1', '7'), ('IND', 2022, '2', ` + v + `)) t(unit, year, a, file_row_number)) TO '` + p + `' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
	}
	db := xlsxDB(t)
	if _, err := ImportIndicators(context.Background(), db, []string{good}, IndicatorOptions{Dataset: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := values(t, db); n != 4 {
		t.Errorf("%d values, want 4", n)
	}
	_, err = ImportIndicators(context.Background(), db, []string{bad}, IndicatorOptions{Dataset: "y"})
	if err == nil || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("a bad value: %v, want an error naming record 2", err)
	}
}
