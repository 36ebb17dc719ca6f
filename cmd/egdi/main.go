// Command egdi is the E-Government Development Index engine: it imports survey
// indicators and published UN tables into an embedded DuckDB database, computes OSI,
// TII, HCI, EPI and the EGDI as each survey edition did (and indices of one's own),
// and answers ranking, summary, trend and comparison questions with tables, charts and
// reports. This package only wires commands to internal/: each command has an Options
// struct with its I/O streams and a run function, as in the GitHub CLI.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/egdi/egdi/internal/store"
)

func main() {
	os.Exit(execute(newIO(), os.Args[1:]))
}

// execute runs egdi with args and returns the exit code: 0, 1 for a failure, 3 when
// the database is held by another process.
func execute(io *ioStreams, args []string) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		err = store.Explain(err, root.Flag("db").Value.String())
		fmt.Fprintln(io.ErrOut, "egdi:", err)
		if errors.Is(err, store.ErrInUse) {
			return 3
		}
		if errors.Is(err, errInterrupted) {
			return 130
		}
		return 1
	}
	return 0
}
