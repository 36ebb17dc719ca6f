package store

import (
	"math"
	"strconv"
	"strings"
)

// Quote is s as an SQL string literal: the one quoting helper of egdi, for the
// statements that cannot take s as a bound parameter (a table expression of names, a
// CASE over codes, DDL, a COPY's file name).
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Ident is s as an SQL identifier (a column named by a node or a file's header).
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// File is the SQL literal of a file DuckDB reads (read_csv, read_parquet): its path
// with the characters DuckDB would take for a pattern (*, ?, [) made literal, so that a
// path names one file even when it looks like a glob. Expanding patterns is the
// shell's job.
func File(path string) string {
	var b strings.Builder
	for _, r := range path {
		switch r {
		case '*', '?', '[':
			b.WriteString("[" + string(r) + "]")
		default:
			b.WriteRune(r)
		}
	}
	return Quote(b.String())
}

// Double is x as an SQL DOUBLE literal, exactly: a cast of its shortest decimal text
// from a string. A bare literal such as 0.9330211076422393::DOUBLE is read as a
// DECIMAL first, and about one value in sixteen comes out one bit off. NaN and
// infinities are NULL.
func Double(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "NULL::DOUBLE"
	}
	return "'" + strconv.FormatFloat(x, 'g', -1, 64) + "'::DOUBLE"
}
