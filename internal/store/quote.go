package store

import "strings"

// Quote is s as an SQL string literal: the one quoting helper of egdi, for the
// statements that cannot take s as a bound parameter (a table expression of names, a
// CASE over codes, DDL).
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
