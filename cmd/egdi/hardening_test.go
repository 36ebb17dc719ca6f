package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/egdi/egdi/internal/store"
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

// Files egdi writes leave nothing behind: a user's own NAME.part is never touched, a
// killed egdi's temporary file is cleared by the next write of the same target, an
// interrupted write removes its temporary file, and no file is created under /dev.
func TestNoLeftoverFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := provincesDB(t)
	out := filepath.Join(dir, "p.csv")
	own := out + ".part"
	os.WriteFile(own, []byte("mine"), 0o644)
	stale := filepath.Join(dir, ".p.csv.123456.part")
	os.WriteFile(stale, []byte("left by a killed egdi"), 0o644)
	mustRun(t, db, "export", "--dataset", "provinces", "--out", out)
	if b, _ := os.ReadFile(own); string(b) != "mine" {
		t.Error("the user's own p.csv.part was overwritten")
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale temporary file of egdi's was left")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files in the folder: %v", names)
	}
	if _, err := run(t, db, "export", "--dataset", "provinces", "--out", "/dev/egdi-test.csv"); err == nil || !strings.Contains(err.Error(), "does not create files under /dev") {
		t.Errorf("a new file under /dev: %v", err)
	}
	// interrupted: a large sample being written, then SIGTERM
	big := filepath.Join(dir, "big.csv")
	cmd := exec.Command(os.Args[0], "sample", "bench", "--units", "3000000", "--out", big)
	cmd.Env = append(os.Environ(), "EGDI_TEST_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		parts, _ := filepath.Glob(filepath.Join(dir, ".big.csv.*.part"))
		if len(parts) > 0 {
			if fi, err := os.Stat(parts[0]); err == nil && fi.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the sample never started writing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 143 {
		t.Errorf("interrupted sample: %v, want exit code 143", err)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, ".big.csv.*.part")); len(parts) > 0 {
		t.Errorf("an interrupted write left %v", parts)
	}
	if _, err := os.Stat(big); err == nil {
		t.Error("an interrupted write left a partial big.csv")
	}
}

// A wide CSV is read in one pass whatever its width: 10,000 indicator columns (it
// took minutes and then ran out of memory), every value stored, one checked.
func TestVeryWideCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("unit,year")
	for j := 0; j < 10000; j++ {
		b.WriteString(",i" + strconv.Itoa(j))
	}
	b.WriteString("\n")
	for u := 0; u < 5; u++ {
		b.WriteString("U" + strconv.Itoa(u) + ",2022")
		for j := 0; j < 10000; j++ {
			b.WriteString("," + strconv.Itoa(u*10000+j))
		}
		b.WriteString("\n")
	}
	p := filepath.Join(dir, "wide.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	db := filepath.Join(dir, "w.duckdb")
	mustRun(t, db, "import", "indicators", p, "--dataset", "w")
	h, err := store.Open(db, true)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var n int
	var v float64
	h.QueryRow(`SELECT count(*) FROM indicator_values WHERE dataset = 'w'`).Scan(&n)
	h.QueryRow(`SELECT value FROM indicator_values WHERE dataset = 'w' AND unit = 'U3' AND indicator = 'i9876'`).Scan(&v)
	if n != 50000 || v != 39876 {
		t.Errorf("%d values, U3 i9876 = %v", n, v)
	}
}

// Mistakes get egdi's words, with file, line and column, not DuckDB's: years beyond
// any integer or outside 1990-2100, infinite values, over-long lines, implausible
// shifts and carry-backs, ranks beyond any ranking, indices on a 0-100 scale, control
// characters in a framework's ids. Nothing is written.
func TestClearMessagesForMistakes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "m.duckdb")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	long := "unit,year,indicator,value\n"
	ok := write("ok.csv", long+"A,2022,x,1\n")
	mustRun(t, db, "import", "indicators", ok, "--dataset", "ok")
	before := mustRun(t, db, "datasets", "--format", "json")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", "indicators", write("y.csv", long+"A,99999999999,x,1\n")}, `y.csv:2: column "year": 99999999999 is not a year between 1990 and 2100`},
		{[]string{"import", "indicators", write("old.csv", long+"A,1850,x,1\n")}, `old.csv:2: column "year": 1850 is not a year between 1990 and 2100; years are survey editions (--any-year accepts others)`},
		{[]string{"import", "indicators", write("inf.csv", long+"A,2022,x,1e400\n")}, `inf.csv:2: column "value"`},
		{[]string{"import", "indicators", write("huge.csv", long+"A,2022,x,"+strings.Repeat("9", 3_000_000)+"\n")}, `huge.csv:2: line size over maximum`},
		// text garbage after a good header: the first bad line, at once (200 MB took 64 s, 6 GB)
		{[]string{"import", "indicators", write("garbage.csv", long+strings.Repeat("q9;]x!~ z{*&^%$#@ garbage ~|\n", 200_000))}, `garbage.csv:2: 1 fields where the header has 4; nothing was imported`},
		{[]string{"import", "indicators", write("garbage2.csv", long+"A,2022,x,1\n"+strings.Repeat("q9,]x!~ z{,*&^%$#@ gar,bage ~|\n", 200_000))}, `garbage2.csv:3: column "year": "]x!~ z{" is not a year`},
		// far into the file: the whole file is checked as it streams, the first bad line named
		{[]string{"import", "indicators", write("late.csv", long+strings.Repeat("A,2022,x,1\n", 30_000)+strings.Repeat("q9,]x!~ z{,*&^%$#@ gar,bage ~|\n", 100_000))}, `late.csv:30002: column "year": "]x!~ z{" is not a year`},
		{[]string{"import", "indicators", write("short.csv", long+"A,2022,x,1\nB,2022\n")}, `short.csv:3: 2 fields where the header has 4`},
		{[]string{"import", "indicators", write("text.csv", long+"A,2022,x,1\nB,2022,x,abc\n")}, `text.csv:3: column "value": "abc" is not a number`},
		{[]string{"import", "indicators", ok, "--shift-years", "2147483647"}, "--shift-years 2147483647 is not a plausible shift"},
		{[]string{"import", "indicators", ok, "--year", "2022", "--carry-back", "-3"}, "--carry-back -3: give a number of years from 0"},
		{[]string{"import", "indices", write("r.csv", "Survey Year,Country Name,E-Government Rank,E-Government Index\n2022,Denmark,3000000000,0.97\n")}, `r.csv:2: column "E-Government Rank": rank 3000000000 is beyond any ranking`},
		{[]string{"import", "indices", write("r2.csv", "Survey Year,Country Name,E-Government Rank,E-Government Index\n2022,Denmark,1e20,0.97\n")}, `rank 1e20 is beyond any ranking`},
		{[]string{"import", "indices", write("s.csv", "Survey Year,Country Name,E-Government Rank,E-Government Index\n2022,Denmark,1,97.17\n")}, `s.csv:2: column "E-Government Index": 97.17 is above 1; the UN publishes its indices from 0 to 1 (is this table on a 0-100 scale?`},
		{[]string{"compute", "--dataset", "ok", "--method", write("nul.yaml", "id: \"a\\0b\"\nroot: n\nnodes:\n  - {id: n, children: [x]}\nindicators:\n  - {id: x}\n")}, `the framework's id "a\x00b" holds a control character`},
	}
	for _, c := range cases {
		_, err := run(t, db, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("egdi %s:\n got %v\nwant %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if after := mustRun(t, db, "datasets", "--format", "json"); after != before {
		t.Error("a refused input changed the database")
	}
	mustRun(t, db, "import", "indicators", filepath.Join(dir, "old.csv"), "--any-year", "--dataset", "history")
}

// Long work reports its progress on stderr: piped, a line at each quarter; with -q,
// nothing.
func TestProgressOnDeepFrameworks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	var y strings.Builder
	y.WriteString("id: deep\nroot: n0\nnodes:\n")
	for i := 0; i < 30; i++ {
		child := fmt.Sprintf("n%d", i+1)
		if i == 29 {
			child = "x"
		}
		fmt.Fprintf(&y, "  - {id: n%d, children: [%s]}\n", i, child)
	}
	y.WriteString("indicators:\n  - {id: x, normalise: minmax}\n")
	fw := write(t, dir, "deep.yaml", y.String())
	mustRun(t, db, "import", "indicators", write(t, dir, "x.csv", "unit,year,indicator,value\nCHN,2022,x,1\nIND,2022,x,2\n"))
	for _, quiet := range []bool{false, true} {
		var out, errb bytes.Buffer
		root := newRootCmd(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
		args := []string{"--db", db, "compute", "--method", fw}
		if quiet {
			args = append(args, "-q")
		}
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		has := strings.Contains(errb.String(), "aggregating 30 levels: 30/30 (100%)")
		if has == quiet {
			t.Errorf("quiet %v: stderr %q", quiet, errb.String())
		}
	}
}

// A PNG too large to hold in memory is refused before it is drawn, with the way out.
func TestChartPixelsAreBounded(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	out := filepath.Join(t.TempDir(), "big.png")
	_, err := run(t, db, "chart", "ranking", "--year", "2022", "--size", "200x200cm", "--dpi", "1200", "--out", out)
	if err == nil || !strings.Contains(err.Error(), "megapixels, more than egdi draws") || !strings.Contains(err.Error(), ".svg") {
		t.Fatalf("a 200×200 cm PNG at 1200 dpi: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a file was written")
	}
	mustRun(t, db, "chart", "ranking", "--year", "2022", "--size", "200x200cm", "--out", filepath.Join(t.TempDir(), "big.svg"))
}

// A large file of garbage after good lines is refused at its first bad line by a
// process that stays small (its peak resident memory, from the kernel), and the
// database is left as it was.
func TestGarbageStaysSmall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	mustRun(t, db, "import", "indicators", write(t, dir, "ok.csv", "unit,year,indicator,value\nCHN,2022,x,1\n"))
	var b strings.Builder
	b.WriteString("unit,year,indicator,value\n")
	for i := 0; i < 20_000; i++ {
		b.WriteString("A,2022,x,1\n")
	}
	junk := strings.Repeat("q9,]x!~ z{,*&^%$#@ gar,bage ~|q9,]x!~ z{,*&^%$#@ gar,bage ~|q9,]x!~ z{,*&^%$#@ gar\n", 1000)
	for b.Len() < 60<<20 {
		b.WriteString(junk)
	}
	bad := write(t, dir, "junk.csv", b.String())
	// peak memory (MB) and output of egdi import indicators FILE in a process of its own
	importing := func(file string) (int64, string, error) {
		cmd := exec.Command(os.Args[0], "--db", db, "-q", "import", "indicators", file)
		cmd.Env = append(os.Environ(), "EGDI_TEST_AS_MAIN=1")
		out, err := cmd.CombinedOutput()
		return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10, string(out), err
	}
	base, out, err := importing(write(t, dir, "small.csv", "unit,year,indicator,value\nIND,2022,x,1\n"))
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	start := time.Now()
	peak, out, err := importing(bad)
	if err == nil || !strings.Contains(out, "junk.csv:20002: ") {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("refused 60 MB in %s at %d MB (a two-line import: %d MB)", time.Since(start).Round(time.Millisecond), peak, base)
	if peak > base+200 {
		t.Errorf("peak memory %d MB for 60 MB of garbage, %d MB for two lines", peak, base)
	}
	if n := count(t, db, "indicator_values"); n != 2 {
		t.Errorf("the database holds %d values, want the 2 it had", n)
	}
}
