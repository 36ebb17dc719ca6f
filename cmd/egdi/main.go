// Command egdi is the E-Government Development Index engine: it imports survey
// indicators and published UN tables into an embedded DuckDB database, computes OSI,
// TII, HCI, EPI and the EGDI as each survey edition did, and answers ranking, summary,
// trend and comparison questions. This package only wires commands to internal/.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/egdi/egdi/internal/store"
)

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "egdi:", err)
		code := 1
		if errors.Is(err, store.ErrInUse) {
			code = 3
		}
		os.Exit(code)
	}
}
