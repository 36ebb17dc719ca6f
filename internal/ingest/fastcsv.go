package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"

	"github.com/egdi/egdi/internal/store"
)

// stageLongCSV stages a long CSV file (unit, year, indicator, value) in one typed,
// parallel scan into table, and defines the view stage over it with the columns the
// validation expects. Cells DuckDB cannot convert are collected in a rejects table
// rather than failing the scan (which would abort the import's transaction), and the
// first is reported with its line and column.
func stageLongCSV(ctx context.Context, tx querier, path, table string, l *layout, opt IndicatorOptions) error {
	delim, err := Sniff(path)
	if err != nil {
		return err
	}
	cols := make([]string, len(l.header))
	for i := range l.header {
		t := "VARCHAR"
		if i == l.year || i == l.value {
			t = "DOUBLE"
		}
		cols[i] = fmt.Sprintf("'c%d': '%s'", i, t)
	}
	c := func(i int) string { return fmt.Sprintf("c%d", i) }
	name, nameZh := "NULL::VARCHAR", "NULL::VARCHAR"
	if l.name >= 0 {
		name = c(l.name)
	}
	if l.nameZh >= 0 {
		nameZh = c(l.nameZh)
	}
	extra := ""
	if l.name >= 0 || l.nameZh >= 0 {
		extra = fmt.Sprintf(", %s AS name, %s AS name_zh", name, nameZh)
	}
	for _, t := range []string{"egdi_rejects", "egdi_reject_scans"} {
		if err := dropTemp(ctx, tx, t); err != nil {
			return err
		}
	}
	done := store.Step("stage (typed scan)")
	// Blank values are missing data points, not zeros: they are not staged. Codes are
	// staged as they are; the pass that finds the indicators (importOne) tells whether
	// any has spaces at either end, and only then are they trimmed.
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		SELECT %s AS unit, %s AS indicator, %s AS year, %s AS value%s
		FROM read_csv(%s, header = true, auto_detect = false, delim = %s, quote = '"', escape = '"',
		              columns = {%s}, strict_mode = true,
		              store_rejects = true, rejects_table = 'egdi_rejects', rejects_scan = 'egdi_reject_scans', rejects_limit = 10)
		WHERE %s IS NOT NULL`,
		sqlIdent(table), c(l.unit), c(l.indicator), c(l.year), c(l.value), extra,
		store.File(path), sqlString(string(delim)), strings.Join(cols, ", "), c(l.value)))
	done()
	if err != nil {
		return fmt.Errorf("%s: %s", path, duckMessage(err))
	}
	var line, colIdx sql.NullInt64
	var colName, errType, csvLine, msg sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT line, column_idx, column_name, error_type, csv_line, error_message
		FROM egdi_rejects ORDER BY line LIMIT 1`).Scan(&line, &colIdx, &colName, &errType, &csvLine, &msg)
	switch {
	case err == nil:
		return rejectError(path, delim, l, line.Int64, int(colIdx.Int64), colName.String, errType.String, csvLine.String, msg.String)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	for _, t := range []string{"egdi_rejects", "egdi_reject_scans"} {
		if err := dropTemp(ctx, tx, t); err != nil {
			return err
		}
	}
	nameCols := "NULL::VARCHAR AS name, NULL::VARCHAR AS name_zh"
	if extra != "" {
		nameCols = "name, name_zh"
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP VIEW stage AS
		SELECT NULL::BIGINT AS rec, unit, %s, indicator, %d AS col,
		       TRY_CAST(TRY_CAST(year AS BIGINT) + %[3]d AS INTEGER) AS year, value,
		       CASE WHEN year IS NULL OR year <> trunc(year) OR TRY_CAST(TRY_CAST(year AS BIGINT) + %[3]d AS INTEGER) IS NULL %[5]s
		            THEN coalesce(CAST(year AS VARCHAR), '') END AS bad_year,
		       NULL::VARCHAR AS bad_value
		FROM %[4]s`, nameCols, l.value, opt.ShiftYears, sqlIdent(table), shiftedRange(opt, l)))
	return err
}

// rejectError words the first cell (or line) DuckDB could not read.
func rejectError(path string, delim rune, l *layout, line int64, colIdx int, colName, errType, csvLine, msg string) error {
	raw := ""
	r := csv.NewReader(strings.NewReader(csvLine))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = delim, -1, true
	if rec, err := r.Read(); err == nil && colIdx >= 1 && colIdx <= len(rec) {
		raw = strings.TrimSpace(rec[colIdx-1])
	}
	col := ""
	if colIdx >= 1 && colIdx <= len(l.header) {
		col = fmt.Sprintf(": column %q", l.header[colIdx-1])
	}
	what := ""
	switch {
	case errType == "CAST" && colIdx-1 == l.value:
		what = fmt.Sprintf("%q is not a number", raw)
	case errType == "CAST" && colIdx-1 == l.year:
		what = fmt.Sprintf("%q is not a year", raw)
	case errType == "TOO MANY COLUMNS":
		what, col = fmt.Sprintf("the line has more columns than the header's %d", len(l.header)), ""
	case errType == "MISSING COLUMNS":
		what, col = fmt.Sprintf("the line has fewer columns than the header's %d", len(l.header)), ""
	case errType == "INVALID UNICODE":
		what, col = "the file is not UTF-8 (perhaps GBK or Latin-1); save it as CSV UTF-8", ""
	default:
		what = strings.ToLower(errType) + ": " + msg
		if colName == "" {
			col = ""
		}
	}
	return fmt.Errorf("%s:%d%s: %s; nothing was imported", path, line, col, what)
}

// shiftedRange is the condition (after OR) of a staged year, shifted, outside the
// plausible ones; "" with AnyYear.
func shiftedRange(opt IndicatorOptions, l *layout) string {
	if yearRange(opt, l) == "" {
		return ""
	}
	return fmt.Sprintf("OR year + %d < %d OR year + %d > %d", opt.ShiftYears, minYear, opt.ShiftYears, maxYear)
}
