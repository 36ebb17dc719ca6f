package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/store"
)

// TestMain lets the test binary act as the egdi command, so tests can start a second
// process (see TestSecondWriterGetsDatabaseInUse), and removes the prepared databases
// the tests shared.
func TestMain(m *testing.M) {
	if os.Getenv("EGDI_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	if path := os.Getenv("EGDI_TEST_HOLD_DB"); path != "" {
		holdDatabase(path)
		os.Exit(0)
	}
	code := m.Run()
	removePrepared()
	os.Exit(code)
}

// holdDatabase is a writer that changes the database and keeps it open until its
// standard input closes, as a long import holds it (see TestServeWhileAnotherWrites).
func holdDatabase(path string) {
	db, err := store.Open(path, false)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS held (x INTEGER); INSERT INTO held VALUES (1); CHECKPOINT`); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
}

// shared returns the path of a file under ../shared/data, skipping the test when the
// folder is absent (a user's fresh clone without the shared data).
func shared(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: real data not found at %s (tests against published UN data need ../shared/data beside the project)", p)
	}
	return p
}

// run executes egdi with args against db and returns stdout.
func run(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	if isPrepared(db) && len(args) > 0 && (args[0] == "import" || args[0] == "compute" || args[0] == "demo") {
		t.Fatalf("egdi %s would write to the shared prepared database %s; use writable(t, name)", strings.Join(args, " "), db)
	}
	var out, errb bytes.Buffer
	root := newRootCmd(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	root.SetArgs(append([]string{"--db", db, "-q"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, err := run(t, db, args...)
	if err != nil {
		t.Fatalf("egdi %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func jsonRows(t *testing.T, s string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		t.Fatalf("not a JSON array of objects: %v\n%s", err, s)
	}
	return rows
}

func TestPublishedGroupCounts(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	want := map[string][4]float64{"2016": {29, 65, 67, 32}, "2018": {40, 71, 66, 16}, "2022": {60, 73, 53, 7}}
	for year, counts := range want {
		rows := jsonRows(t, mustRun(t, db, "summary", "--year", year, "--by", "group", "--format", "json"))
		got := map[string]float64{}
		for _, r := range rows {
			got[r["key"].(string)] = r["count"].(float64)
		}
		for i, g := range []string{"very_high", "high", "middle", "low"} {
			if got[g] != counts[i] {
				t.Errorf("%s %s: %v countries, want %v", year, g, got[g], counts[i])
			}
		}
	}
}

func TestPublishedRanks2022And2003(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	rows := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	if len(rows) != 193 {
		t.Fatalf("2022: %d rows, want 193", len(rows))
	}
	rank := map[string]float64{}
	for _, r := range rows {
		rank[r["unit"].(string)] = r["rank"].(float64)
	}
	for u, want := range map[string]float64{"DNK": 1, "ISL": 5, "SWE": 5, "AUS": 7} {
		if rank[u] != want {
			t.Errorf("2022 rank of %s = %v, want %v", u, rank[u], want)
		}
	}
	if rows[0]["group"] != "very_high" || rows[0]["class"] != "VH" {
		t.Errorf("Denmark 2022: group %v class %v, want very_high VH", rows[0]["group"], rows[0]["class"])
	}
	// 2003: 191 states ranked, 18 of them tied at 174 with EGDI 0 (placeholders); with
	// Montenegro and South Sudan (listed without scores) they are not assessed
	rows = jsonRows(t, mustRun(t, db, "rank", "--year", "2003", "--format", "json"))
	if len(rows) != 173 {
		t.Errorf("2003: %d states ranked, want 173", len(rows))
	}
	for _, r := range rows {
		if u := r["unit"]; u == "MNE" || u == "SSD" || u == "IRQ" || u == "TUV" {
			t.Errorf("2003: %s listed, but it was not assessed", u)
		}
		if r["class"] != nil {
			t.Errorf("2003 has no rating classes, got %v for %v", r["class"], r["unit"])
		}
		if r["rank"].(float64) > 173 || r["egdi"].(float64) == 0 {
			t.Errorf("2003: %v ranked %v with EGDI %v", r["unit"], r["rank"], r["egdi"])
		}
	}
	text := mustRun(t, db, "rank", "--year", "2003")
	if !strings.Contains(text, "Not assessed in 2003 (20, left out of ranks, counts and means; 18 of them ranked with EGDI 0, a placeholder)") || !strings.Contains(text, "Iraq") {
		t.Errorf("the 2003 ranking does not list the states not assessed:\n%s", text[len(text)-600:])
	}
	out, _ := run(t, db, "check", "--year", "2003", "--format", "csv") // exits non-zero: 2003 has real errors
	for _, u := range []string{"MNE,Montenegro,not_assessed", "SSD,South Sudan,not_assessed", "IRQ,Iraq,placeholder"} {
		if !strings.Contains(out, u) {
			t.Errorf("check 2003 does not list %s", u)
		}
	}
	// and every other command leaves them out alike
	n := 0.0
	for _, r := range jsonRows(t, mustRun(t, db, "summary", "--year", "2003", "--by", "region", "--format", "json")) {
		n += r["count"].(float64)
	}
	if n != 173 {
		t.Errorf("2003 summary by region counts %v states, want 173", n)
	}
	if tr := jsonRows(t, mustRun(t, db, "trend", "--units", "IRQ", "--format", "json")); tr[0]["year"] == 2003.0 {
		t.Errorf("Iraq's trend starts with its 2003 placeholder: %v", tr[0])
	}
}

func TestCheckFlagsLibya2012AndNothingFrom2014(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	out, err := run(t, db, "check", "--year", "2012", "--format", "json")
	if err == nil {
		t.Error("check 2012 found no errors; Libya's EGDI does not match its components")
	}
	found := false
	for _, r := range jsonRows(t, out) {
		if r["unit"] == "LBY" && r["check"] == "egdi_mismatch" {
			found = true
		}
	}
	if !found {
		t.Errorf("check 2012 did not flag Libya:\n%s", out)
	}
	for _, y := range []string{"2014", "2016", "2018", "2022"} {
		out := mustRun(t, db, "check", "--year", y, "--format", "json")
		for _, r := range jsonRows(t, out) {
			if r["check"] == "egdi_mismatch" || r["check"] == "rank_mismatch" {
				t.Errorf("%s: unexpected %v for %v: %v", y, r["check"], r["unit"], r["detail"])
			}
		}
	}
}

func TestHistoricalNamesAndReimportReplaces(t *testing.T) {
	t.Parallel()
	db := writable(t, "published")
	// Türkiye (2022 file) and Turkey (2018 file) are one unit across editions.
	rows := jsonRows(t, mustRun(t, db, "trend", "--units", "Turkey", "--format", "json"))
	years := map[float64]bool{}
	for _, r := range rows {
		years[r["year"].(float64)] = true
	}
	if !years[2018] || !years[2022] || !years[2003] {
		t.Errorf("Türkiye's trend misses editions: %v", years)
	}
	// Re-importing an edition replaces it rather than adding to it.
	mustRun(t, db, "import", "indices", shared(t, "un-egov/EGOV_DATA_2022.csv"))
	rows = jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	if len(rows) != 193 {
		t.Errorf("after re-import 2022 has %d rows, want 193", len(rows))
	}
}

func TestTII2022FromITUSeries(t *testing.T) {
	t.Parallel()
	db := prepared(t, "workflow") // the published editions, and TII 2022 computed from the ITU series
	comp := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--source", "computed", "--dataset", "itu", "--node", "tii", "--format", "json"))
	pub := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--source", "published", "--format", "json"))
	published := map[string]float64{}
	for _, r := range pub {
		published[r["unit"].(string)] = r["tii"].(float64)
	}
	var xs, ys []float64
	for _, r := range comp {
		if r["tii"] == nil || r["egdi"] != nil {
			if r["egdi"] != nil {
				t.Errorf("%v has an EGDI without OSI and HCI data", r["unit"])
			}
			continue
		}
		if p, ok := published[r["unit"].(string)]; ok {
			xs = append(xs, r["tii"].(float64))
			ys = append(ys, p)
		}
	}
	mae, corr := maeCorr(xs, ys)
	t.Logf("TII 2022 from ITU data: %d countries, MAE %.4f, r %.4f", len(xs), mae, corr)
	if len(xs) < 180 {
		t.Errorf("only %d countries got a TII", len(xs))
	}
	if mae > 0.025 || corr < 0.99 {
		t.Errorf("TII 2022: MAE %.4f (want ≤ 0.025), correlation %.4f (want ≥ 0.99)", mae, corr)
	}
}

// The published panel egdi ships reads exactly as the UN's files do: every edition's
// ranking, every value and status, and the same checks. The shipped values are the
// files' to the last published digit; only the re-exports' binary noise
// (0.9462299999999999 for 0.94623) is gone, so numbers are compared to 1e-9.
func TestBuiltinPanelIsTheUNFiles(t *testing.T) {
	t.Parallel()
	files := filepath.Join(t.TempDir(), "files.duckdb")
	importUNFiles(t, files)
	builtin := publishedDB(t)
	for _, y := range []string{"2003", "2004", "2005", "2008", "2010", "2012", "2014", "2016", "2018", "2020", "2022"} {
		for _, c := range []struct {
			args []string
			cols int // the columns compared (0: all)
		}{
			{[]string{"rank", "--year", y, "--format", "csv"}, 0},
			{[]string{"export", "--year", y, "--layout", "long", "--format", "csv", "--out", "-"}, 0},
			{[]string{"check", "--year", y, "--format", "csv"}, 5}, // the detail quotes the values
		} {
			a, errA := run(t, files, c.args...)
			b, errB := run(t, builtin, c.args...)
			if (errA == nil) != (errB == nil) {
				t.Errorf("egdi %s: %v from the UN's files, %v from the shipped panel", strings.Join(c.args, " "), errA, errB)
			}
			if d := csvDiff(t, a, b, c.cols); d != "" {
				t.Errorf("egdi %s: the shipped panel differs from the UN's files: %s", strings.Join(c.args, " "), d)
			}
		}
	}
	a, b := mustRun(t, files, "rank", "--year", "2003"), mustRun(t, builtin, "rank", "--year", "2003")
	if a != b || !strings.Contains(a, "Not assessed in 2003 (20") {
		t.Errorf("the 2003 ranking as text differs or lists no states not assessed")
	}
}

// csvDiff describes the first difference of two CSV texts in their first cols columns
// (0: all), numbers compared to 1e-9; "" when there is none.
func csvDiff(t *testing.T, a, b string, cols int) string {
	t.Helper()
	ra, errA := csv.NewReader(strings.NewReader(a)).ReadAll()
	rb, errB := csv.NewReader(strings.NewReader(b)).ReadAll()
	if errA != nil || errB != nil {
		return fmt.Sprintf("not CSV: %v %v", errA, errB)
	}
	if len(ra) != len(rb) {
		return fmt.Sprintf("%d rows against %d", len(ra), len(rb))
	}
	for i := range ra {
		n := len(ra[i])
		if cols > 0 && cols < n {
			n = cols
		}
		if len(rb[i]) < n {
			return fmt.Sprintf("row %d: %v against %v", i+1, ra[i], rb[i])
		}
		for j := 0; j < n; j++ {
			x, y := ra[i][j], rb[i][j]
			fx, e1 := strconv.ParseFloat(x, 64)
			fy, e2 := strconv.ParseFloat(y, 64)
			if x != y && (e1 != nil || e2 != nil || math.Abs(fx-fy) > 1e-9) {
				return fmt.Sprintf("row %d column %d: %q against %q", i+1, j+1, x, y)
			}
		}
	}
	return ""
}
