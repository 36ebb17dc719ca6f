package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// call is one report of an import's progress.
type call struct {
	what        string
	done, total int
}

// recorded imports files with a progress callback and returns its reports.
func recorded(t *testing.T, importing func(ctx context.Context) error) ([]call, error) {
	t.Helper()
	var mu sync.Mutex
	var calls []call
	ctx := WithProgress(context.Background(), func(what string, done, total int) {
		mu.Lock()
		calls = append(calls, call{what, done, total})
		mu.Unlock()
	})
	err := importing(ctx)
	return calls, err
}

// phases checks that calls go through the phases in order, each step by step from 1 to
// its total (the last one reached when complete), and returns the totals.
func phases(t *testing.T, calls []call, want []string, complete bool) []int {
	t.Helper()
	var got []string
	var totals []int
	for i, c := range calls {
		if len(got) == 0 || got[len(got)-1] != c.what {
			if i > 0 && calls[i-1].done != calls[i-1].total {
				t.Errorf("%s ended at %d/%d before %s began", calls[i-1].what, calls[i-1].done, calls[i-1].total, c.what)
			}
			got = append(got, c.what)
			totals = append(totals, c.total)
			if c.done != 1 {
				t.Errorf("%s starts at %d/%d: %v", c.what, c.done, c.total, calls)
			}
		} else if prev := calls[i-1]; c.done != prev.done+1 || c.total != prev.total {
			t.Errorf("%s goes from %d/%d to %d/%d: %v", c.what, prev.done, prev.total, c.done, c.total, calls)
		}
		if c.done > c.total {
			t.Errorf("%s: %d of %d", c.what, c.done, c.total)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("phases %v, want %v: %v", got, want, calls)
	}
	if last := calls[len(calls)-1]; complete && last.done != last.total {
		t.Errorf("the import ended at %s %d/%d", last.what, last.done, last.total)
	}
	return totals
}

// An import reports its validation and its storing as steps, in that order, each done
// to its last step: the statements DuckDB runs (the validation of each file, the checks
// of the files together; the codes, each write, the import's record and the commit).
// A file that fails validation stops there, and nothing is reported stored.
func TestImportReportsItsPhases(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := "unit,year,indicator,value\n"
	a := file("a.csv", long+"CHN,2022,x,1\nIND,2022,x,2\nCHN,2022,y,3\n")
	b := file("b.csv", long+"JPN,2022,x,4\nKOR,2021,y,5\n")
	db := xlsxDB(t)
	imp := func(files []string, opt IndicatorOptions) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := ImportIndicators(ctx, db, files, opt)
			return err
		}
	}
	// one file: 6 steps of its own, the unit keys; a new dataset stores the codes, 4
	// statements, the record and the commit
	calls, err := recorded(t, imp([]string{a}, IndicatorOptions{Dataset: "d"}))
	if err != nil {
		t.Fatal(err)
	}
	if totals := phases(t, calls, []string{Validating, Storing}, true); fmt.Sprint(totals) != "[7 7]" {
		t.Errorf("steps %v, want [7 7]", totals)
	}
	// two files, one with names, into a dataset that has values: the check across the
	// files; the old values deleted and the names updated first
	named := file("n.csv", "unit,name,year,indicator,value\nP1,Province one,2022,x,1\n")
	calls, err = recorded(t, imp([]string{b, named}, IndicatorOptions{Dataset: "d"}))
	if err != nil {
		t.Fatal(err)
	}
	if totals := phases(t, calls, []string{Validating, Storing}, true); fmt.Sprint(totals) != "[14 9]" {
		t.Errorf("steps %v, want [14 9]", totals)
	}
	// --year with --carry-back regroups the values kept: one more step
	calls, err = recorded(t, imp([]string{b}, IndicatorOptions{Dataset: "c", OnlyYear: 2022, CarryBack: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if totals := phases(t, calls, []string{Validating, Storing}, true); fmt.Sprint(totals) != "[8 7]" {
		t.Errorf("steps %v, want [8 7]", totals)
	}
	// a duplicate: validation stops at its check, nothing is stored
	dup := file("dup.csv", long+"CHN,2022,x,1\nCHN,2022,x,2\n")
	calls, err = recorded(t, imp([]string{dup}, IndicatorOptions{Dataset: "e"}))
	if err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("a duplicate: %v", err)
	}
	phases(t, calls, []string{Validating}, false)
	if last := calls[len(calls)-1]; last.done != 5 {
		t.Errorf("a duplicate stops validation at %d/%d, want the duplicates check, 5", last.done, last.total)
	}
}
