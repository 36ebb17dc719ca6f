package store

import "strings"

// Quote is s as an SQL string literal: the one quoting helper of egdi, for the
// statements that cannot take s as a bound parameter (a table expression of names, a
// CASE over codes, DDL, a COPY's file name).
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Ident is s as an SQL identifier (a column named by a node or a file's header).
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
