// Command published builds data/published/un-egov-published.csv, egdi's own tidy table
// of every value the UN published in the E-Government Survey editions 2003–2022, from
// the UN's files (as the E-Government Knowledge Base Data Center exports them, and
// re-exports with ISO3 codes), read by egdi's importer. Run from the project root:
//
//	go run -tags duckdb_arrow ./data/scripts/published ../shared/data/un-egov/*.csv > data/published/un-egov-published.csv
//
// The output is committed and embedded; a test rebuilds it from the same files and
// fails when the two differ.
package main

import (
	"fmt"
	"os"

	"github.com/egdi/egdi/internal/ingest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run -tags duckdb_arrow ./data/scripts/published FILE... > data/published/un-egov-published.csv")
		os.Exit(2)
	}
	if err := ingest.BuildPublishedTable(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "published:", err)
		os.Exit(1)
	}
}
