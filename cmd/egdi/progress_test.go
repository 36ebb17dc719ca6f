package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// An import says on stderr which phase it is in: piped, a line at each quarter of the
// validation, then of the storing, each to 100%; with -q, nothing at all.
func TestImportProgressPhases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := write(t, dir, "x.csv", "unit,year,indicator,value\nCHN,2022,x,1\nIND,2022,x,2\n")
	for _, quiet := range []bool{false, true} {
		var out, errb bytes.Buffer
		root := newRootCmd(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
		args := []string{"--db", filepath.Join(dir, "p.duckdb"), "import", "indicators", in}
		if quiet {
			args = append(args, "-q")
		}
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		if quiet {
			if errb.Len() > 0 {
				t.Errorf("-q wrote on stderr: %q", errb.String())
			}
			continue
		}
		var phases []string
		for _, l := range strings.Split(errb.String(), "\n") {
			if what, _, ok := strings.Cut(l, ": "); ok && (what == "validating" || what == "storing") {
				phases = append(phases, what+" "+strings.Fields(l)[2])
			}
		}
		want := "validating (25%) validating (50%) validating (75%) validating (100%) storing (25%) storing (50%) storing (75%) storing (100%)"
		if strings.Join(phases, " ") != want {
			t.Errorf("progress lines %q, want %q; stderr:\n%s", strings.Join(phases, " "), want, errb.String())
		}
	}
}
