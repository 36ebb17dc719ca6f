package report

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/store"
)

// Databases the tests read, each built once.
var (
	dbOnce  = map[string]*sync.Once{}
	dbPath  = map[string]string{}
	dbErr   = map[string]error{}
	dbMu    sync.Mutex
	dbDir   string
	dbBuild = map[string]func(ctx context.Context, db *store.DB) error{
		// the published panel 2003–2022, the synthetic UN sample computed under un-2022
		// (the published values filling in), and the provincial sample with its economic
		// regions under cn-province-2022 (dense ranks, Chinese bands and groups)
		"demo": func(ctx context.Context, db *store.DB) error {
			pub, done, err := ingest.BuiltinPublishedFile()
			if err != nil {
				return err
			}
			defer done()
			if _, err := ingest.ImportIndices(ctx, db, []string{pub}, ingest.IndexOptions{}); err != nil {
				return err
			}
			sample := filepath.Join("..", "..", "data", "sample")
			if _, err := ingest.ImportIndicators(ctx, db, []string{filepath.Join(sample, "un-synthetic.csv")}, ingest.IndicatorOptions{Dataset: "un-sample", Synthetic: true}); err != nil {
				return err
			}
			if err := computeWith(ctx, db, "un-2022", "un-sample"); err != nil {
				return err
			}
			if _, err := ingest.ImportIndicators(ctx, db, []string{filepath.Join(sample, "cn-provinces-synthetic.csv")}, ingest.IndicatorOptions{Dataset: "provinces", Synthetic: true}); err != nil {
				return err
			}
			regions, done2, err := ingest.BuiltinGroupingFile("cn-economic-regions")
			if err != nil {
				return err
			}
			defer done2()
			if _, err := ingest.ImportGroups(ctx, db, []string{regions}); err != nil {
				return err
			}
			return computeWith(ctx, db, "cn-province-2022", "provinces")
		},
		"units20000": func(ctx context.Context, db *store.DB) error { return manyUnits(ctx, db, 20000) },
		"units40000": func(ctx context.Context, db *store.DB) error { return manyUnits(ctx, db, 40000) },
	}
)

func computeWith(ctx context.Context, db *store.DB, method, dataset string) error {
	f, err := framework.Load(method)
	if err != nil {
		return err
	}
	_, err = compute.Run(ctx, db, f, compute.Options{Dataset: dataset})
	return err
}

// manyFramework is a small index with bands over two indicators.
const manyFramework = `id: many
title: {en: Many units}
root: index
nodes:
  - {id: index, children: [a, b]}
  - {id: a, normalise: minmax, children: [x1]}
  - {id: b, normalise: minmax, children: [x2]}
indicators:
  - {id: x1, normalise: zscore}
  - {id: x2, normalise: zscore}
bands:
  - {id: very_high, min: 0.75}
  - {id: high, min: 0.5}
  - {id: middle, min: 0.25}
  - {id: low, min: 0}
`

// manyUnits is a dataset of n units over two years, computed.
func manyUnits(ctx context.Context, db *store.DB, n int) error {
	dir, err := os.MkdirTemp(dbDir, "many")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("unit,year,indicator,value\n")
	for i := 0; i < n; i++ {
		for _, y := range []int{2022, 2024} {
			for k, ind := range []string{"x1", "x2"} {
				v := math.Mod(float64(i)*0.6180339887+float64(y)*0.1+float64(k)*0.37, 1) * 100
				fmt.Fprintf(&b, "U%06d,%d,%s,%.3f\n", i, y, ind, v)
			}
		}
	}
	csv, yaml := filepath.Join(dir, "many.csv"), filepath.Join(dir, "many.yaml")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(yaml, []byte(manyFramework), 0o644); err != nil {
		return err
	}
	if _, err := ingest.ImportIndicators(ctx, db, []string{csv}, ingest.IndicatorOptions{Dataset: "many"}); err != nil {
		return err
	}
	f, err := framework.Load(yaml)
	if err != nil {
		return err
	}
	_, err = compute.Run(ctx, db, f, compute.Options{Dataset: "many"})
	return err
}

// testDB opens database name (built on first use) for reading.
func testDB(t *testing.T, name string) *store.DB {
	t.Helper()
	dbMu.Lock()
	if dbDir == "" {
		d, err := os.MkdirTemp("", "egdi-report-test")
		if err != nil {
			dbMu.Unlock()
			t.Fatal(err)
		}
		dbDir = d
	}
	once := dbOnce[name]
	if once == nil {
		once = &sync.Once{}
		dbOnce[name] = once
	}
	dbMu.Unlock()
	once.Do(func() {
		path := filepath.Join(dbDir, name+".duckdb")
		db, err := store.Open(path, false)
		if err == nil {
			err = dbBuild[name](context.Background(), db)
			if cerr := db.Close(); err == nil {
				err = cerr
			}
		}
		dbMu.Lock()
		dbPath[name], dbErr[name] = path, err
		dbMu.Unlock()
	})
	dbMu.Lock()
	path, err := dbPath[name], dbErr[name]
	dbMu.Unlock()
	if err != nil {
		t.Fatalf("building database %s: %v", name, err)
	}
	db, err := store.Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	os.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	code := m.Run()
	if dbDir != "" {
		os.RemoveAll(dbDir)
	}
	os.Exit(code)
}

// written is a report in every format: the bytes of HTML, Markdown (with its charts'
// files), CSV and JSON, and the cells of the workbook.
type written struct {
	html, md, csv, json []byte
	charts              map[string][]byte
	sheets              map[string][][]string
}

func writeAll(t *testing.T, r *Report) written {
	t.Helper()
	dir := t.TempDir()
	var w written
	for _, f := range Formats {
		path := filepath.Join(dir, "r."+f)
		if err := Write(r, f, path, nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch f {
		case "html":
			w.html = b
		case "md":
			w.md = b
		case "csv":
			w.csv = b
		case "json":
			w.json = b
		case "xlsx":
			x, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			w.sheets = map[string][][]string{}
			for _, s := range x.GetSheetList() {
				rows, err := x.GetRows(s)
				if err != nil {
					t.Fatal(err)
				}
				// the column widths, then the cells
				var widths []string
				for j := range 12 {
					col, _ := excelize.ColumnNumberToName(j + 1)
					w, _ := x.GetColWidth(s, col)
					widths = append(widths, fmt.Sprintf("%.2f", w))
				}
				w.sheets[s] = append([][]string{widths}, rows...)
			}
			x.Close()
		}
	}
	w.charts = map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join(dir, "r_files", "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		w.charts[filepath.Base(f)] = b
	}
	return w
}

var longNumber = regexp.MustCompile(`\d+\.\d{13,}`)

// roundNumbers writes the numbers of more than 12 decimals in b to 12.
func roundNumbers(b []byte) []byte {
	return longNumber.ReplaceAllFunc(b, func(m []byte) []byte {
		v, _ := strconv.ParseFloat(string(m), 64)
		return []byte(strconv.FormatFloat(v, 'f', 12, 64))
	})
}

// firstDiff shows where two outputs part.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n  panel:    %q\n  streamed: %q", i, a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// A ranking read row by row (as one of more than PageRows units is) is the ranking built
// from the panel: the same bytes in HTML (charts included), Markdown, CSV and JSON,
// and the same cells in Excel, for the UN's panel (placeholders, units not assessed,
// rating classes, the first edition without a previous one), a node below the root,
// a computed dataset the published values fill in, and provinces with dense ranks and
// a grouping of their own, in English and Chinese.
func TestStreamedRankingIsThePanelRanking(t *testing.T) {
	ctx := context.Background()
	db := testDB(t, "demo")
	cases := []struct {
		name string
		req  panel.Request
		o    Options
	}{
		{"published 2022", panel.Request{}, Options{Year: 2022, Charts: true}},
		{"published 2012 zh", panel.Request{}, Options{Year: 2012, Lang: "zh"}},
		{"published 2003", panel.Request{}, Options{Year: 2003}},
		{"published osi 2020", panel.Request{}, Options{Year: 2020, Node: "osi"}},
		{"computed sample", panel.Request{Dataset: "un-sample"}, Options{}},
		{"provinces zh", panel.Request{Dataset: "provinces"}, Options{Lang: "zh", Charts: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sel, err := panel.Select(ctx, db, c.req)
			if err != nil {
				t.Fatal(err)
			}
			p, err := panel.Load(ctx, db, sel)
			if err != nil {
				t.Fatal(err)
			}
			o := c.o
			held, err := Build(p, "ranking", o)
			if err != nil {
				t.Fatal(err)
			}
			streamed, err := buildStream(ctx, db, sel, o)
			if err != nil {
				t.Fatal(err)
			}
			if streamed.Main().stream == nil || held.Main().stream != nil {
				t.Fatal("the streamed report's table is not streamed")
			}
			a, b := writeAll(t, held), writeAll(t, streamed)
			if o.Node != "" {
				// the means by group of a node below the root are summed in the order
				// of its ranking, not of the root's: equal to 12 digits
				a.html, b.html = roundNumbers(a.html), roundNumbers(b.html)
				a.json, b.json = roundNumbers(a.json), roundNumbers(b.json)
			}
			for _, f := range []struct {
				name string
				a, b []byte
			}{{"HTML", a.html, b.html}, {"Markdown", a.md, b.md}, {"CSV", a.csv, b.csv}, {"JSON", a.json, b.json}} {
				if !bytes.Equal(f.a, f.b) {
					t.Errorf("%s differs %s", f.name, firstDiff(f.a, f.b))
				}
			}
			if (o.Charts && len(a.charts) == 0) || fmt.Sprint(a.charts) != fmt.Sprint(b.charts) {
				t.Errorf("Markdown charts differ: %d and %d files", len(a.charts), len(b.charts))
			}
			if fmt.Sprint(a.sheets) != fmt.Sprint(b.sheets) {
				for s := range a.sheets {
					if fmt.Sprint(a.sheets[s]) != fmt.Sprint(b.sheets[s]) {
						t.Errorf("XLSX sheet %s differs", s)
					}
				}
			}
		})
	}
}

// A ranking of 20,000 units shows PageRows rows in HTML and Markdown, with the note,
// and every row in CSV, JSON and Excel, each as often as the ranking has units; the
// progress of writing them is reported to the end.
func TestLongRankingIsPagedAndWrittenWhole(t *testing.T) {
	ctx := context.Background()
	db := testDB(t, "units20000")
	sel, err := panel.Select(ctx, db, panel.Request{Dataset: "many"})
	if err != nil {
		t.Fatal(err)
	}
	var last [2]int
	calls := 0
	phase := ""
	r, err := BuildFrom(ctx, db, sel, "ranking", Options{Progress: func(what string, done, total int) {
		if what != phase {
			if what != Writing && !(what == Reading && phase == "") {
				t.Errorf("progress of %q after %q", what, phase)
			}
			phase, last = what, [2]int{}
		}
		if done < last[0] && total == last[1] {
			t.Errorf("%s: progress went back from %d to %d", what, last[0], done)
		}
		last, calls = [2]int{done, total}, calls+1
	}})
	if phase != Reading || last != [2]int{20000, 20000} || calls < 2 {
		t.Errorf("reading: progress %q heard %d times, last %v", phase, calls, last)
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Main().stream == nil {
		t.Fatal("a ranking of 20,000 units is not read row by row")
	}
	dir := t.TempDir()
	for _, f := range Formats {
		calls, last = 0, [2]int{}
		path := filepath.Join(dir, "r."+f)
		if err := Write(r, f, path, nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		note := "This table has 20000 rows; the page shows the first 5000."
		switch f {
		case "html":
			if n := strings.Count(s, "<td>U0"); n != PageRows || !strings.Contains(s, note) {
				t.Errorf("HTML shows %d units (note: %v), want %d", n, strings.Contains(s, note), PageRows)
			}
			if !strings.Contains(s, ">U005000<") || strings.Contains(s, ">U005001<") {
				t.Error("HTML: not the first rows")
			}
		case "md":
			// each row has the unit's code twice: as its code and as its name
			if n := strings.Count(s, "| U0") / 2; n != PageRows || !strings.Contains(s, note) {
				t.Errorf("Markdown shows %d units, want %d (note: %v)", n, PageRows, strings.Contains(s, note))
			}
		case "csv":
			if n := strings.Count(s, "\n"); n != 20001 || !strings.HasPrefix(s, "rank,unit,name,index,a,b,band,rank_change\n1,") {
				t.Errorf("CSV has %d lines, want 20000 and a header:\n%.200s", n, s)
			}
		case "json":
			if n := strings.Count(s, `"unit": "U0`); n != 20000 {
				t.Errorf("JSON has %d units, want 20000", n)
			}
		case "xlsx":
			// the sheet's XML (excelize reads 20,000 rows slowly): a row per unit after
			// the header, text as text
			z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			zf, err := z.Open("xl/worksheets/sheet1.xml")
			if err != nil {
				t.Fatal(err)
			}
			sheet, _ := io.ReadAll(zf)
			zf.Close()
			x := string(sheet)
			if n := strings.Count(x, "<row "); n != 20001 || !strings.Contains(x, `<c r="B20001" s="`) || strings.Contains(x, `r="A20002"`) {
				t.Errorf("XLSX: %d rows, want 20001", n)
			}
			if !regexp.MustCompile(`<c r="B2" s="\d+" t="inlineStr"><is><t>U0`).MatchString(x) {
				t.Errorf("XLSX: the first unit's code is not text: %.300s", x[strings.Index(x, `<c r="B2"`):])
			}
		}
		if f == "csv" || f == "json" || f == "xlsx" {
			if calls < 2 || last != [2]int{20000, 20000} {
				t.Errorf("%s: progress heard %d times, last %v", f, calls, last)
			}
		}
	}
}

// peakHeap is the most heap fn holds beyond what was held before it, sampled every
// millisecond with the collector kept close behind.
func peakHeap(fn func() error) (uint64, error) {
	old := debug.SetGCPercent(20)
	defer debug.SetGCPercent(old)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base, peak := m.HeapAlloc, m.HeapAlloc
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	err := fn()
	close(stop)
	<-done
	return peak - base, err
}

// The HTML of a ranking of 40,000 units holds no more memory than that of 20,000: its
// rows are read one at a time and only a page of them is kept, where the same report
// built from the panel holds every unit (which the measure tells apart).
func TestLongRankingMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 60,000 units")
	}
	ctx := context.Background()
	dir := t.TempDir()
	var streamed, held [2]uint64
	for i, name := range []string{"units20000", "units40000"} {
		db := testDB(t, name)
		sel, err := panel.Select(ctx, db, panel.Request{Dataset: "many"})
		if err != nil {
			t.Fatal(err)
		}
		o := Options{}
		path := filepath.Join(dir, name+".html")
		if streamed[i], err = peakHeap(func() error {
			r, err := BuildFrom(ctx, db, sel, "ranking", o)
			if err != nil {
				return err
			}
			return Write(r, "html", path, nil)
		}); err != nil {
			t.Fatal(err)
		}
		if held[i], err = peakHeap(func() error {
			p, err := panel.Load(ctx, db, sel)
			if err != nil {
				return err
			}
			r, err := Build(p, "ranking", o)
			if err != nil {
				return err
			}
			return Write(r, "html", path, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	t.Logf("peak heap of the HTML: read row by row %.1f MB (20,000 units), %.1f MB (40,000); from the panel %.1f and %.1f MB",
		mb(streamed[0]), mb(streamed[1]), mb(held[0]), mb(held[1]))
	if held[1] < held[0]*13/10 {
		t.Fatalf("the measure does not see the panel's memory grow with its units (%.1f, %.1f MB)", mb(held[0]), mb(held[1]))
	}
	if streamed[1] > streamed[0]*6/5+(1<<20) {
		t.Errorf("reading row by row, twice the units held %.1f MB against %.1f: not bounded", mb(streamed[1]), mb(streamed[0]))
	}
}

// streamOf is table t with its rows given as a stream, as BuildFrom gives a long one.
func streamOf(t *Table) *Table {
	s := *t
	rows := t.Rows
	s.Rows = nil
	rs := &rowStream{width: make([]int, len(t.Columns)), each: func(fn func(row []any) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}}
	for _, r := range rows {
		rs.add(&s, r)
	}
	s.stream = rs
	return &s
}

// Every writer writes a table's rows streamed as it writes them held: the same bytes
// in HTML, Markdown, CSV and JSON (text that JSON escapes, missing values, both
// languages), the same cells and number formats in Excel.
func TestStreamedTablesAreWrittenAsHeld(t *testing.T) {
	cols := []Column{{Key: "rank", Label: "Rank", Kind: "int"}, {Key: "unit", Label: "Code", Kind: "text"}, {Key: "name", Label: "名称", Kind: "text"},
		{Key: "egdi", Label: "EGDI", Kind: "float", Digits: 4}, {Key: "rank_change", Label: "Change", Kind: "signed"}}
	var rows [][]any
	for i := 1; i <= 40; i++ {
		var ch any = i%7 - 3
		if i%5 == 0 {
			ch = nil
		}
		rows = append(rows, []any{i, fmt.Sprintf("U%03d", i), []string{"<b>&\"quoted\"</b>", "=SUM(A1)", "北京市", "Côte d'Ivoire\u2028"}[i%4], 1 / float64(i), ch})
	}
	// the widest cells last: a column is as wide as its widest cell, wherever it is
	rows = append(rows, []any{1000041, "U041", "Saint Vincent and the Grenadines", 1234.5, -123456}, []any{nil, "X", "none", math.NaN(), nil})
	for _, lang := range []string{"en", "zh"} {
		held := &Report{Kind: "ranking", Lang: present.Lang(lang), Title: "T <&>", Meta: []Field{{"Sources", "s"}}, Blocks: []Block{
			{Heading: "Key facts", Text: []string{"a", "b"}},
			{Heading: "Ranking", Table: &Table{Sheet: "Ranking", Columns: cols, Rows: rows, Sortable: true}},
			{Heading: "Groups", Table: &Table{Sheet: "Groups", Columns: cols[:2], Rows: [][]any{{1, "a"}}}},
			{Heading: "Empty", Table: &Table{Sheet: "Empty", Columns: cols[:2]}}}}
		streamed := *held
		streamed.Blocks = slices.Clone(held.Blocks)
		streamed.Blocks[1].Table = streamOf(held.Blocks[1].Table)
		streamed.Blocks[3].Table = streamOf(held.Blocks[3].Table)
		a, b := writeAll(t, held), writeAll(t, &streamed)
		for _, f := range []struct {
			name string
			a, b []byte
		}{{"HTML", a.html, b.html}, {"Markdown", a.md, b.md}, {"CSV", a.csv, b.csv}, {"JSON", a.json, b.json}} {
			if !bytes.Equal(f.a, f.b) {
				t.Errorf("%s %s differs %s", lang, f.name, firstDiff(f.a, f.b))
			}
		}
		if fmt.Sprint(a.sheets) != fmt.Sprint(b.sheets) {
			t.Errorf("%s XLSX differs:\n%v\n%v", lang, a.sheets["Ranking"], b.sheets["Ranking"])
		}
	}
}

// A table longer than an Excel sheet is refused before anything is written, saying
// the limit and where the whole table goes.
func TestXLSXRefusesTablesLongerThanASheet(t *testing.T) {
	tb := &Table{Sheet: "Ranking", Columns: []Column{{Key: "unit", Label: "Code", Kind: "text"}}, stream: &rowStream{n: SheetRows, width: []int{1},
		each: func(func([]any) error) error { t.Error("rows read for a table Excel cannot hold"); return nil }}}
	r := &Report{Kind: "ranking", Lang: "en", Title: "Long", Blocks: []Block{{Heading: "Ranking", Table: tb}}}
	path := filepath.Join(t.TempDir(), "long.xlsx")
	err := Write(r, "xlsx", path, nil)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "1048576 rows") || !strings.Contains(err.Error(), "1048575 below its header") || !strings.Contains(err.Error(), "--format csv or json") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a file was written")
	}
	tb.stream.n = SheetRows - 1 // a full sheet is fine
	if err := sheetLimit(r); err != nil {
		t.Error(err)
	}
}
