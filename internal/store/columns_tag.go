//go:build !duckdb_arrow

package store

// egdi reads and writes large columns through duckdb-go's Arrow interface (columns.go),
// which duckdb-go compiles only with the build tag duckdb_arrow. The Makefile sets it
// (GOFLAGS); a go command of your own needs it too, e.g. go test -tags duckdb_arrow ./...
var _ = buildWithTag_duckdb_arrow_eg_make_or_GOFLAGS_tags_duckdb_arrow
