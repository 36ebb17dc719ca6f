package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/egdi/egdi/internal/store"
)

const goodLong = "unit,year,indicator,value\nCHN,2022,internet_users_pct,73.1\nIND,2022,internet_users_pct,43\n"

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func count(t *testing.T, db, table string) int {
	t.Helper()
	c, err := sql.Open("duckdb", db+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantCount checks the number of rows of a table or view (with a WHERE clause).
func wantCount(t *testing.T, db, table string, want int) {
	t.Helper()
	if n := count(t, db, table); n != want {
		t.Errorf("%s: %d rows, want %d", table, n, want)
	}
}

// manyIndicators is a long CSV of 130 indicators (three words of 64 bits) of one unit
// in 2020 and 2022.
func manyIndicators() string {
	var b strings.Builder
	b.WriteString("unit,year,indicator,value\n")
	for y := 2020; y <= 2022; y += 2 {
		for i := 1; i <= 130; i++ {
			fmt.Fprintf(&b, "AAA,%d,k%03d,%d\n", y, i, i)
		}
	}
	return b.String()
}

// The duplicate check works on bit masks of the file's indicators, 64 to a word: a
// file with more indicators than one word, and the same indicators in two years, is
// not a duplicate.
func TestManyIndicatorsAreNotDuplicates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	mustRun(t, db, "import", "indicators", write(t, dir, "many.csv", manyIndicators()))
	if n := count(t, db, "indicator_values"); n != 260 {
		t.Fatalf("imported %d values, want 260", n)
	}
}

// Every bad file is refused with a message naming where the problem is, and the
// database keeps exactly what it had (the good file imported first).
func TestBadIndicatorFilesAreRefusedAndChangeNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	mustRun(t, db, "import", "indicators", write(t, dir, "good.csv", goodLong))
	before := count(t, db, "indicator_values")
	many := manyIndicators()
	cases := []struct {
		name, body string
		want       []string
	}{
		{"nonnumeric.csv", "unit,year,indicator,value\nCHN,2022,internet_users_pct,73.1\nIND,2022,internet_users_pct,abc\n",
			[]string{"nonnumeric.csv:3", `column "value"`, `"abc" is not a number`}},
		// the duplicate's indicator is in the second 64-bit word of the check's masks
		{"many-dup.csv", many + "AAA,2022,k066,1\n",
			[]string{"many-dup.csv:262", "duplicate value for unit AAA, year 2022, indicator k066", "first given at line 197"}},
		{"nan.csv", "unit,year,indicator,value\nCHN,2022,internet_users_pct,NaN\n",
			[]string{"nan.csv:2", "not a finite number"}},
		{"inf.csv", "unit,year,fixed_tel_per100\nCHN,2022,1\nIND,2022,inf\n",
			[]string{"inf.csv:3", `column "fixed_tel_per100"`, "not a finite number"}},
		{"negative.csv", "unit,year,indicator,value\nCHN,2022,fixed_broadband_per100,-3\n",
			[]string{"negative.csv:2", "cannot be negative"}},
		{"duplicate.csv", "unit,year,indicator,value\nCHN,2022,internet_users_pct,1\nIND,2022,internet_users_pct,2\nCHN,2022,internet_users_pct,3\n",
			[]string{"duplicate.csv:4", "duplicate value for unit CHN, year 2022, indicator internet_users_pct", "first given at line 2"}},
		{"missingcol.csv", "unit,indicator,value\nCHN,internet_users_pct,1\n",
			[]string{"missingcol.csv", "missing column year"}},
		{"empty.csv", "", []string{"empty.csv", "empty"}},
		{"headeronly.csv", "unit,year,indicator,value\n", []string{"headeronly.csv", "no data rows"}},
		{"latin1.csv", "unit,year,indicator,value,name\nBJ,2022,x,1,P\xe9kin\n", []string{"latin1.csv:2", "not UTF-8"}},
		{"utf16.csv", "\xff\xfeu\x00n\x00i\x00t\x00", []string{"utf16.csv", "UTF-16"}},
		{"badyear.csv", "unit,year,indicator,value\nCHN,twenty,internet_users_pct,1\n", []string{"badyear.csv:2", `"twenty" is not a year`}},
		{"ragged.csv", "unit,year,indicator,value\nCHN,2022,internet_users_pct,1,extra\n", []string{"ragged.csv"}},
		{"over100.csv", "unit,year,indicator,value\nCHN,2022,internet_users_pct,130\n", []string{"over100.csv:2", "above its maximum 100"}},
		{"report.docx", "x", []string{"report.docx", "unknown file type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, db, "import", "indicators", write(t, dir, c.name, c.body))
			if err == nil {
				t.Fatalf("%s was imported; want an error", c.name)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := count(t, db, "indicator_values"); n != before {
				t.Errorf("the database changed: %d values, had %d", n, before)
			}
		})
	}
	// Two files, the second bad: the first is not half-imported either.
	_, err := run(t, db, "import", "indicators", write(t, dir, "ok2.csv", "unit,year,indicator,value\nJPN,2022,internet_users_pct,90\n"),
		write(t, dir, "bad2.csv", "unit,year,indicator,value\nKOR,2022,internet_users_pct,x\n"))
	if err == nil || count(t, db, "indicator_values") != before {
		t.Errorf("a failed two-file import changed the database (err %v)", err)
	}
}

func TestBadPublishedTablesAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	cases := []struct {
		name, body string
		want       []string
	}{
		{"unknown-2022.csv", "Country Name,E-Government Index,E-Government Rank\nDenmark,0.97,1\nAtlantis,0.5,2\n",
			[]string{"unknown-2022.csv:3", `column "Country Name"`, `unknown country name "Atlantis"`}},
		{"dup-2022.csv", "country-code,e-gov-index\nDNK,0.9\nDNK,0.8\n", []string{"dup-2022.csv:3", "appears twice"}},
		{"noyear.csv", "country-code,e-gov-index\nDNK,0.9\n", []string{"no survey year", "--year"}},
		{"text-2022.csv", "country-code,e-gov-index\nDNK,high\n", []string{"text-2022.csv:2", `"high" is not a number`}},
		{"noegdi-2022.csv", "country-code,rank\nDNK,1\n", []string{"missing column", "EGDI"}},
	}
	for _, c := range cases {
		_, err := run(t, db, "import", "indices", write(t, dir, c.name, c.body))
		if err == nil {
			t.Errorf("%s was imported; want an error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
	// --map and --year make an unusual table importable; accents and spacing still match.
	p := write(t, dir, "other.csv", "Economy,Score,Position\n Côte d’Ivoire ,0.4,1\nTURKEY,0.7,2\n")
	mustRun(t, db, "import", "indices", p, "--year", "2024", "--map", "Economy=name,Score=egdi,Position=rank")
	if n := count(t, db, "published"); n != 2 {
		t.Errorf("mapped import stored %d rows, want 2", n)
	}
}

func TestWideXLSXAndParquetImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	// A Parquet file written by DuckDB itself, wide layout, custom units with names.
	pq := filepath.Join(dir, "prov.parquet")
	c, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(`COPY (SELECT * FROM (VALUES ('110000', '北京市', 2022, 95.5, 3.0), ('310000', '上海市', 2022, 97.0, NULL))
		t(unit, name, year, a, b)) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	c.Close()
	mustRun(t, db, "import", "indicators", pq, "--dataset", "prov")
	if n := count(t, db, "indicator_values"); n != 3 {
		t.Errorf("parquet wide import stored %d values, want 3 (a blank is missing, not zero)", n)
	}
	// A Parquet file with a text value where a number belongs names the record.
	bad := filepath.Join(dir, "bad.parquet")
	c, _ = sql.Open("duckdb", "")
	c.Exec(`COPY (SELECT * FROM (VALUES ('110000', 2022, 'x1', '1'), ('310000', 2022, 'x1', 'n/a')) t(unit, year, indicator, value)) TO '` + bad + `' (FORMAT parquet)`)
	c.Close()
	if _, err := run(t, db, "import", "indicators", bad); err == nil || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("bad parquet: %v, want an error naming record 2", err)
	}
}

// A second process that wants to write the database while another holds it gets a
// clear message and exit code 3, not a crash.
func TestSecondWriterGetsDatabaseInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.duckdb")
	db, err := store.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cmd := exec.Command(os.Args[0], "--db", path, "import", "indicators", write(t, dir, "x.csv", goodLong))
	cmd.Env = append(os.Environ(), "EGDI_TEST_AS_MAIN=1")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 3 {
		t.Fatalf("second writer: err %v, output %s; want exit code 3", err, out)
	}
	if !strings.Contains(string(out), "database in use") || !strings.Contains(string(out), "another process") {
		t.Errorf("second writer's message is unclear: %s", out)
	}
}

// An empty selection says what is missing: a source or a dataset.
func TestEmptySelectionsSayWhatIsMissing(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "d.duckdb")
	mustRun(t, db, "import", "indicators", filepath.Join("..", "..", "data", "sample", "un-synthetic.csv"), "--dataset", "s", "--synthetic")
	mustRun(t, db, "compute", "--method", "un-2022", "--dataset", "s", "--year", "2022")
	for args, want := range map[string]string{
		"rank --source published":    "no published values",
		"rank --dataset nosuch":      `no computed values for dataset "nosuch"`,
		"summary --source published": "no published values",
	} {
		_, err := run(t, db, strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("egdi %s: %v, want %q", args, err, want)
		}
	}
}

// Member State codes in lower or mixed case attach to the country; other codes keep
// their case.
func TestISO3CodesInAnyCaseAttachToTheCountry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	mustRun(t, db, "import", "indicators", write(t, dir, "case.csv",
		"unit,year,indicator,value\nchn,2022,internet_users_pct,73.1\nInd,2022,internet_users_pct,43\nabc,2022,internet_users_pct,5\n"))
	wantCount(t, db, "indicator_values WHERE unit IN ('CHN', 'IND', 'abc')", 3)
	wantCount(t, db, "units WHERE kind = 'custom'", 1) // abc
}

// A new unit code whose key another code already has is refused, naming both, and
// nothing is imported. (A real 64-bit collision cannot be written down; the stand-in
// is a unit stored under the key of the code the file brings.)
func TestUnitKeyCollisionIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.duckdb")
	db, err := store.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO unit_list (unit_key, unit) VALUES (` + store.UnitKey("'S1'") + `, 'ZZ9')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = run(t, path, "import", "indicators", write(t, dir, "s.csv", "unit,year,indicator,value\nS1,2022,x1,1\nS2,2022,x1,2\n"))
	if err == nil || !strings.Contains(err.Error(), `"S1" and "ZZ9"`) {
		t.Fatalf("import of S1: %v, want the collision of S1 and ZZ9", err)
	}
	wantCount(t, path, "raw_values", 0)
	wantCount(t, path, "units WHERE kind = 'custom'", 1) // ZZ9
}

// Codes padded with spaces are trimmed: they attach to the same unit and indicator as
// the bare codes, a padded and a bare copy of one key are duplicates, and a code of
// spaces alone is blank.
func TestPaddedCodesAreTrimmed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	mustRun(t, db, "import", "indicators", write(t, dir, "pad.csv",
		"unit,year,indicator,value\n CHN ,2022, internet_users_pct ,73.1\nIND ,2022,internet_users_pct,43\n"))
	wantCount(t, db, "indicator_values WHERE unit IN ('CHN', 'IND') AND indicator = 'internet_users_pct'", 2)
	wantCount(t, db, "units WHERE kind = 'custom'", 0)
	for name, body := range map[string]string{
		"dup.csv":   "unit,year,indicator,value\n CHN ,2022, internet_users_pct ,73.1\nCHN,2022,internet_users_pct,43\n",
		"blank.csv": "unit,year,indicator,value\n   ,2022,internet_users_pct,73.1\n",
	} {
		want := map[string]string{"dup.csv": "dup.csv:3", "blank.csv": "blank.csv:2"}[name]
		if _, err := run(t, db, "import", "indicators", write(t, dir, name, body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error at %s", name, err, want)
		}
	}
	wantCount(t, db, "indicator_values", 2) // nothing from the refused imports
}

// Groupings: long, wide (with Chinese labels) and Parquet files import; a bad file is
// refused with the file and line, and nothing is written.
func TestImportGroups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "g.duckdb")
	wide := write(t, dir, "wide.csv", "unit,name,income,income_zh\nchn,,Upper middle,中等偏上\nIND,,Lower middle,中等偏下\nP1,Province One,High,高\nP2,,,\n")
	mustRun(t, db, "import", "groups", wide)
	wantCount(t, db, "unit_groups WHERE grouping = 'income'", 3)
	wantCount(t, db, "unit_groups WHERE grouping = 'income' AND grp_zh = '中等偏上' AND unit_key = hash('CHN')", 1)
	wantCount(t, db, "units WHERE unit = 'P1' AND name = 'Province One'", 1)
	pq := filepath.Join(dir, "g.parquet")
	c, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(`COPY (SELECT * FROM (VALUES ('CHN', 'bloc', 'A'), ('KOR', 'bloc', 'A'), ('USA', 'bloc', 'B')) t(unit, grouping, "group")) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	c.Close()
	mustRun(t, db, "import", "groups", pq)
	wantCount(t, db, "unit_groups WHERE grouping = 'bloc'", 3)
	// importing a grouping again replaces it
	mustRun(t, db, "import", "groups", write(t, dir, "again.csv", "unit,grouping,group\nJPN,bloc,A\n"))
	wantCount(t, db, "unit_groups WHERE grouping = 'bloc'", 1)
	before := count(t, db, "groupings")
	for name, c := range map[string]struct{ body, want string }{
		"no-unit.csv":  {"code_x,income\nCHN,High\n", "no unit column"},
		"twice.csv":    {"unit,grouping,group\nCHN,g,A\nCHN,g,B\n", "twice.csv:3: unit CHN is given a group in g twice"},
		"builtin.csv":  {"unit,region\nCHN,Asia\n", `grouping "region" is egdi's own`},
		"comma.csv":    {"unit,grouping,group\nCHN,\"a,b\",A\n", "no '=', ','"},
		"empty.csv":    {"unit,grouping,group\n", "no unit is given a group"},
		"no-code.csv":  {"unit,grouping,group\n,g,A\n", "no-code.csv:2"},
		"stray-zh.csv": {"unit,zone,tier_zh\nCHN,A,甲\n", `labels a grouping "tier"`},
	} {
		_, err := run(t, db, "import", "groups", write(t, dir, name, c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if n := count(t, db, "groupings"); n != before {
		t.Errorf("refused files changed the groupings: %d rows, had %d", n, before)
	}
}

// A path names one file: a file literally named *.csv is read alone, not every CSV
// beside it, and its own checksum is recorded.
func TestAPathIsNotAPattern(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("unit,year,indicator,value\nA,2020,x,1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("unit,year,indicator,value\nB,2020,x,2\n"), 0o644)
	star := filepath.Join(dir, "*.csv")
	os.WriteFile(star, []byte("unit,year,indicator,value\nS,2020,x,3\n"), 0o644)
	db := filepath.Join(dir, "g.duckdb")
	mustRun(t, db, "import", "indicators", star, "--dataset", "g")
	out := mustRun(t, db, "datasets", "--format", "json")
	if !strings.Contains(out, `"units": 1`) || !strings.Contains(out, `"values": 1`) {
		t.Errorf("a file named *.csv read its neighbours too:\n%s", out)
	}
	sum := sha256.Sum256([]byte("unit,year,indicator,value\nS,2020,x,3\n"))
	var got string
	dbh, err := store.Open(db, true)
	if err != nil {
		t.Fatal(err)
	}
	defer dbh.Close()
	if err := dbh.QueryRow(`SELECT sha256 FROM imports WHERE file LIKE '%*.csv'`).Scan(&got); err != nil || got != hex.EncodeToString(sum[:]) {
		t.Errorf("checksum recorded %q (%v), want the file's own", got, err)
	}
}
