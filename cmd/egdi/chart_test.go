package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
)

// buildChart draws a chart straight from the package, to read the data behind it: of
// the default selection, or of the dataset given first.
func buildChart(t *testing.T, db, kind string, o chart.Options, dataset ...string) *chart.Figure {
	t.Helper()
	s, err := store.Open(db, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req := panel.Request{}
	if len(dataset) > 0 {
		req.Dataset = dataset[0]
	}
	p, err := load(context.Background(), s, req)
	if err != nil {
		t.Fatal(err)
	}
	f, err := chart.Build(p, kind, o)
	if err != nil {
		t.Fatalf("chart %s: %v", kind, err)
	}
	return f
}

// col returns the values of column name in t.
func col(t *testing.T, tb *output.Table, name string) []any {
	t.Helper()
	for j, c := range tb.Columns {
		if c == name {
			var out []any
			for _, r := range tb.Rows {
				out = append(out, r[j])
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, tb.Columns)
	return nil
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestChartKindsOnPublishedPanel draws every kind in the three formats from the real
// published panel, checks the series labels in the SVG, and compares the data behind
// each chart with the engine's query commands.
func TestChartKindsOnPublishedPanel(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	dir := t.TempDir()
	cases := []struct {
		kind   string
		args   []string
		labels []string // must appear in the SVG
	}{
		{"trend", []string{"--units", "CHN,KOR,IND"}, []string{"China", "Republic of Korea", "India", "Survey edition"}},
		{"groups", []string{"--year", "2016,2018,2022"}, []string{"Very high", "High", "Middle", "Low", "2016", "2022"}},
		{"ranking", []string{"--year", "2022", "--top", "20", "--highlight", "CHN"}, []string{"1  Denmark", "43  China", "0.9717"}},
		{"regions", []string{"--year", "2022"}, []string{"Europe", "Africa", "OSI", "TII", "HCI"}},
		{"components", []string{"--units", "CHN,KOR,JPN", "--year", "2022"}, []string{"China", "Japan", "OSI", "HCI"}},
		{"scatter", []string{"--year", "2022", "--x", "tii", "--y", "osi", "--units", "CHN"}, []string{"Pearson r", "Asia", "China"}},
		{"distribution", []string{"--year", "2022"}, []string{"Africa", "Oceania", "n = 54"}},
		{"movers", []string{"--from", "2018", "--to", "2022"}, []string{"Moved up", "Moved down", "China (65 to 43)"}},
	}
	for i, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			// every kind as SVG (its labels are read there); PNG and PDF are drawn by the
			// same code for every kind, so three kinds suffice for them
			exts := []string{"svg"}
			if i%3 == 0 {
				exts = []string{"png", "svg", "pdf"}
			}
			for _, ext := range exts {
				out := filepath.Join(dir, c.kind+"."+ext)
				mustRun(t, db, append([]string{"chart", c.kind, "--out", out}, c.args...)...)
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				switch ext {
				case "png":
					img, err := png.Decode(bytes.NewReader(b))
					if err != nil || img.Bounds().Dx() < 1000 {
						t.Errorf("PNG: %v, bounds %v", err, img)
					}
				case "pdf":
					if !bytes.HasPrefix(b, []byte("%PDF-")) {
						t.Errorf("not a PDF")
					}
				case "svg":
					s := string(b)
					for _, l := range append(c.labels, "Source: UN E-Government Survey") {
						if !strings.Contains(s, ">"+l) && !strings.Contains(s, l) {
							t.Errorf("SVG lacks %q", l)
						}
					}
				}
			}
		})
	}

	t.Run("trend data", func(t *testing.T) {
		f := buildChart(t, db, "trend", chart.Options{Units: []string{"CHN", "KOR"}})
		want := jsonRows(t, mustRun(t, db, "trend", "--units", "CHN,KOR", "--format", "json"))
		if len(f.Data.Rows) != len(want) {
			t.Fatalf("%d points, trend has %d", len(f.Data.Rows), len(want))
		}
		for i, r := range f.Data.Rows {
			if r[0] != want[i]["unit"] || num(r[2]) != want[i]["year"] || !near(num(r[3]), want[i]["value"].(float64)) {
				t.Errorf("point %d = %v, trend says %v", i, r, want[i])
			}
		}
		// rank on an inverted axis: the data are the published ranks
		f = buildChart(t, db, "trend", chart.Options{Units: []string{"CHN"}, Rank: true})
		want = jsonRows(t, mustRun(t, db, "trend", "--units", "CHN", "--format", "json"))
		for i, r := range f.Data.Rows {
			if num(r[3]) != want[i]["rank"] {
				t.Errorf("rank point %d = %v, trend says %v", i, r[3], want[i]["rank"])
			}
		}
	})

	t.Run("groups data", func(t *testing.T) {
		f := buildChart(t, db, "groups", chart.Options{Years: []int{2016, 2018, 2022}})
		for _, y := range []string{"2016", "2018", "2022"} {
			sum := jsonRows(t, mustRun(t, db, "summary", "--year", y, "--by", "group", "--format", "json"))
			for _, s := range sum {
				found := false
				for _, r := range f.Data.Rows {
					if fmt.Sprint(r[0]) == y && r[1] == s["key"] {
						found = true
						if num(r[2]) != s["count"] || !near(num(r[3]), s["share"].(float64)) {
							t.Errorf("%s %s: chart %v/%v, summary %v/%v", y, s["key"], r[2], r[3], s["count"], s["share"])
						}
					}
				}
				if !found {
					t.Errorf("%s %s missing from the chart", y, s["key"])
				}
			}
		}
	})

	t.Run("ranking data", func(t *testing.T) {
		f := buildChart(t, db, "ranking", chart.Options{Years: []int{2022}, Top: 20})
		want := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--top", "20", "--format", "json"))
		if len(f.Data.Rows) != 20 {
			t.Fatalf("%d bars, want 20", len(f.Data.Rows))
		}
		for i, r := range f.Data.Rows {
			if num(r[0]) != want[i]["rank"] || r[1] != want[i]["unit"] || !near(num(r[3]), want[i]["egdi"].(float64)) || r[4] != want[i]["group"] {
				t.Errorf("bar %d = %v, rank says %v", i, r, want[i])
			}
		}
		// by another index: the same order and ranks as egdi rank --index osi
		f = buildChart(t, db, "ranking", chart.Options{Years: []int{2022}, Top: 10, Node: "osi"})
		want = jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--node", "osi", "--top", "10", "--format", "json"))
		for i, r := range f.Data.Rows {
			if num(r[0]) != want[i]["rank"] || r[1] != want[i]["unit"] {
				t.Errorf("OSI bar %d = %v, rank says %v %v", i, r[:2], want[i]["rank"], want[i]["unit"])
			}
		}
	})

	t.Run("regions data", func(t *testing.T) {
		f := buildChart(t, db, "regions", chart.Options{Years: []int{2022}})
		sum := jsonRows(t, mustRun(t, db, "summary", "--year", "2022", "--by", "region", "--format", "json"))
		checked := 0
		for _, s := range sum {
			for _, r := range f.Data.Rows {
				if r[1] == s["key"] {
					checked++
					if num(r[2]) != s["count"] || !near(num(r[4]), s["mean_"+r[3].(string)].(float64)) {
						t.Errorf("%v %v: chart n=%v mean=%v, summary %v", r[1], r[3], r[2], r[4], s)
					}
				}
			}
		}
		if checked != 5*4 {
			t.Errorf("checked %d region means, want 20", checked)
		}
	})

	t.Run("components and scatter data", func(t *testing.T) {
		rank := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
		by := map[string]map[string]any{}
		for _, r := range rank {
			by[r["unit"].(string)] = r
		}
		f := buildChart(t, db, "components", chart.Options{Units: []string{"CHN", "KOR"}, Years: []int{2022}})
		if len(f.Data.Rows) != 6 {
			t.Fatalf("%d bars, want 6", len(f.Data.Rows))
		}
		for _, r := range f.Data.Rows {
			if !near(num(r[4]), by[r[0].(string)][r[3].(string)].(float64)) {
				t.Errorf("%v %v = %v, rank says %v", r[0], r[3], r[4], by[r[0].(string)][r[3].(string)])
			}
		}
		f = buildChart(t, db, "scatter", chart.Options{Years: []int{2022}, X: "tii", Y: "osi"})
		if len(f.Data.Rows) != 193 {
			t.Fatalf("%d points, want 193", len(f.Data.Rows))
		}
		var xs, ys []float64
		for _, r := range f.Data.Rows {
			u := by[r[0].(string)]
			if !near(num(r[3]), u["tii"].(float64)) || !near(num(r[4]), u["osi"].(float64)) {
				t.Errorf("%v: (%v, %v), rank says (%v, %v)", r[0], r[3], r[4], u["tii"], u["osi"])
			}
			xs, ys = append(xs, u["tii"].(float64)), append(ys, u["osi"].(float64))
		}
		// Pearson r by the textbook formula, independent of gonum
		var mx, my float64
		for i := range xs {
			mx, my = mx+xs[i]/float64(len(xs)), my+ys[i]/float64(len(ys))
		}
		var sxy, sxx, syy float64
		for i := range xs {
			sxy += (xs[i] - mx) * (ys[i] - my)
			sxx += (xs[i] - mx) * (xs[i] - mx)
			syy += (ys[i] - my) * (ys[i] - my)
		}
		if r := sxy / math.Sqrt(sxx*syy); math.Abs(r-f.Correlation()) > 1e-12 {
			t.Errorf("chart r = %v, hand r = %v", f.Correlation(), r)
		}
		if !strings.Contains(strings.Join(f.Labels(), "|"), fmt.Sprintf("r = %.3f", f.Correlation())) {
			t.Errorf("legend does not state r: %v", f.Labels())
		}
	})

	t.Run("distribution data", func(t *testing.T) {
		sum := jsonRows(t, mustRun(t, db, "summary", "--year", "2022", "--by", "region", "--format", "json"))
		f := buildChart(t, db, "distribution", chart.Options{Years: []int{2022}})
		for _, s := range sum {
			for _, r := range f.Data.Rows {
				if r[0] == s["key"] {
					if num(r[1]) != s["count"] {
						t.Errorf("%v: n = %v, summary %v", r[0], r[1], s["count"])
					}
					if !(num(r[2]) <= num(r[3]) && num(r[3]) <= num(r[4]) && num(r[4]) <= num(r[5]) && num(r[5]) <= num(r[6])) {
						t.Errorf("%v: box not ordered: %v", r[0], r)
					}
				}
			}
		}
		rank := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
		bins := make([]int, 20)
		for _, r := range rank {
			bins[min(int(r["egdi"].(float64)*20), 19)]++
		}
		f = buildChart(t, db, "distribution", chart.Options{Years: []int{2022}, Style: "hist"})
		for i, r := range f.Data.Rows {
			if num(r[2]) != float64(bins[i]) {
				t.Errorf("bin %v–%v: %v, counted %d", r[0], r[1], r[2], bins[i])
			}
		}
	})

	t.Run("movers data", func(t *testing.T) {
		r18 := jsonRows(t, mustRun(t, db, "rank", "--year", "2018", "--format", "json"))
		r22 := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
		was := map[string]float64{}
		for _, r := range r18 {
			was[r["unit"].(string)] = r["rank"].(float64)
		}
		var changes []float64
		for _, r := range r22 {
			if w, ok := was[r["unit"].(string)]; ok {
				changes = append(changes, w-r["rank"].(float64))
			}
		}
		sort.Float64s(changes)
		f := buildChart(t, db, "movers", chart.Options{From: 2018, To: 2022, Top: 5})
		ch := col(t, f.Data, "change")
		if len(ch) != 10 {
			t.Fatalf("%d bars, want 5 gains and 5 losses", len(ch))
		}
		for i := 0; i < 5; i++ {
			if num(ch[i]) != changes[len(changes)-1-i] {
				t.Errorf("gain %d = %v, want %v", i, ch[i], changes[len(changes)-1-i])
			}
		}
		if num(ch[9]) != changes[0] {
			t.Errorf("largest loss = %v, want %v", ch[9], changes[0])
		}
	})

	t.Run("deterministic SVG", func(t *testing.T) {
		a, b := filepath.Join(dir, "a.svg"), filepath.Join(dir, "b.svg")
		for _, p := range []string{a, b} {
			mustRun(t, db, "chart", "groups", "--lang", "zh", "--out", p)
		}
		x, _ := os.ReadFile(a)
		y, _ := os.ReadFile(b)
		if !bytes.Equal(x, y) {
			t.Error("the same chart twice gave different SVG bytes")
		}
	})

	t.Run("data file", func(t *testing.T) {
		csvPath := filepath.Join(dir, "rank.csv")
		mustRun(t, db, "chart", "ranking", "--year", "2022", "--top", "3", "--out", filepath.Join(dir, "r.png"), "--data", csvPath)
		b, _ := os.ReadFile(csvPath)
		if !strings.HasPrefix(string(b), "rank,unit,name,value,group\n1,DNK,Denmark,0.9717") {
			t.Errorf("data file:\n%s", b)
		}
	})
}

// inkShare is the share of dark pixels in the top band of an image (the title area).
func inkShare(t *testing.T, img image.Image, band float64) float64 {
	t.Helper()
	b := img.Bounds()
	h := int(float64(b.Dy()) * band)
	dark, all := 0, 0
	for y := b.Min.Y; y < b.Min.Y+h; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				dark++
			}
			all++
		}
	}
	return float64(dark) / float64(all)
}

// TestChineseChartsDrawGlyphs proves Chinese renders in all three formats without
// installed fonts: the SVG carries the Chinese labels and the font, the PNG title area
// has as much ink as real characters need (a font without CJK glyphs would draw
// nothing or empty boxes there, and is refused), and the PDF, rasterised by poppler
// when it is installed, shows the same.
func TestChineseChartsDrawGlyphs(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	dir := t.TempDir()
	args := []string{"chart", "ranking", "--year", "2022", "--top", "10", "--lang", "zh", "--title", "电子政务发展指数排名前十的国家"}
	for _, ext := range []string{"svg", "png", "pdf"} {
		mustRun(t, db, append(args, "--out", filepath.Join(dir, "zh."+ext))...)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "zh.svg"))
	for _, s := range []string{"电子政务发展指数排名前十的国家", "1  丹麦", "非常高", "来源：联合国电子政务调查报告", "@font-face", "egdi CJK Sans"} {
		if !strings.Contains(string(svg), s) {
			t.Errorf("SVG lacks %q", s)
		}
	}
	f, _ := os.Open(filepath.Join(dir, "zh.png"))
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	zh := inkShare(t, img, 0.06)

	// The same title in Latin letters of similar length for scale, and the refusal of a
	// font that cannot draw the characters.
	mustRun(t, db, "chart", "ranking", "--year", "2022", "--top", "10", "--title", "EGDI TOP TEN", "--out", filepath.Join(dir, "en.png"))
	f, _ = os.Open(filepath.Join(dir, "en.png"))
	enImg, _ := png.Decode(f)
	f.Close()
	en := inkShare(t, enImg, 0.06)
	t.Logf("title ink: Chinese %.4f, Latin %.4f", zh, en)
	if zh < 0.02 || zh < en {
		t.Errorf("Chinese title ink %.4f (Latin title %.4f): glyphs not drawn", zh, en)
	}
	liberation := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	if _, err := os.Stat(liberation); err == nil {
		_, err := run(t, db, append(args, "--font", liberation, "--out", filepath.Join(dir, "bad.png"))...)
		if err == nil || !strings.Contains(err.Error(), "cannot draw") {
			t.Errorf("a font without CJK glyphs: err = %v", err)
		}
	}

	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Log("pdftoppm not installed: PDF glyphs checked by size only")
		return
	}
	out := filepath.Join(dir, "pdfpage")
	if b, err := exec.Command("pdftoppm", "-r", "100", "-png", "-singlefile", filepath.Join(dir, "zh.pdf"), out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	f, _ = os.Open(out + ".png")
	pdfImg, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ink := inkShare(t, pdfImg, 0.06); ink < 0.02 {
		t.Errorf("PDF title ink %.4f: glyphs not drawn", ink)
	}
}

// TestChartBadRequests: clear errors and no file (not even a partial one).
func TestChartBadRequests(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "c.png")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"chart", "trend", "--units", "XYZ", "--out", out}, `unknown unit "XYZ"`},
		{[]string{"chart", "ranking", "--year", "2021", "--out", out}, "no values for 2021"},
		{[]string{"chart", "pie", "--out", out}, `unknown chart "pie"`},
		{[]string{"chart", "trend", "--units", "CHN", "--out", filepath.Join(dir, "c.gif")}, "cannot draw .gif files"},
		{[]string{"chart", "trend", "--units", "CHN", "--out", filepath.Join(dir, "no", "such", "dir.png")}, "cannot write"},
		{[]string{"chart", "trend", "--units", "CHN"}, "--out"},
		{[]string{"chart", "trend", "--units", "CHN", "--width", "wide", "--out", out}, "not a length"},
		{[]string{"chart", "trend", "--units", "CHN", "--size", "2x2cm", "--out", out}, "too small"},
		{[]string{"chart", "components", "--units", "SSD", "--year", "2003", "--out", out}, "SSD has no values for 2003"},
	}
	for _, c := range cases {
		_, err := run(t, db, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("egdi %s: err = %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		t.Errorf("a refused chart left %s behind", e.Name())
	}
}

// TestDemoWritesCharts: make demo builds the database from the published panel egdi
// ships (no ../shared needed) and the synthetic samples; its UN tables and charts are
// the real figures, the synthetic ones say so, and the charts land under the chosen
// folder.
func TestDemoWritesCharts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.duckdb")
	out := mustRun(t, db, "demo", "--charts", filepath.Join(dir, "charts"))
	for _, s := range []string{"as published", "DNK   Denmark", "CHN   China  2003  0.4159    74", "SYNTHETIC SAMPLE"} {
		if !strings.Contains(out, s) {
			t.Errorf("demo output lacks %q:\n%s", s, out)
		}
	}
	top := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--top", "3", "--format", "json"))
	if len(top) != 3 || top[0]["unit"] != "DNK" || top[1]["unit"] != "FIN" || top[2]["unit"] != "KOR" || top[0]["egdi"] != 0.9717 || top[0]["source"] != "published" {
		t.Errorf("rank --year 2022 --top 3 after the demo: %v", top)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil || len(ents) != 15 {
		t.Fatalf("demo charts: %v, %d files", err, len(ents))
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "charts", "groups-zh.svg"))
	if !strings.Contains(string(svg), "联合国电子政务调查报告 2003、") || strings.Contains(string(svg), "合成样本") {
		t.Error("the Chinese groups chart of the demo does not draw the published panel")
	}
	html, _ := os.ReadFile(filepath.Join(dir, "charts", "ranking-2022.html"))
	if !strings.Contains(string(html), "Denmark") || strings.Contains(string(html), "SYNTHETIC") {
		t.Error("the demo's ranking report is not the published 2022 ranking")
	}
}

// Charts of a framework other than the UN's name its index and bands and use its scale.
func TestChartsOfTheProvincialFramework(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := provincesDB(t)
	out := filepath.Join(dir, "r.svg")
	mustRun(t, db, "chart", "ranking", "--dataset", "provinces", "--year", "2022", "--top", "31", "--lang", "zh", "--out", out)
	b, _ := os.ReadFile(out)
	for _, s := range []string{"一体化政务服务能力指数", "非常高", "（0–100）", "合成样本"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("provincial ranking chart lacks %q", s)
		}
	}
	f := buildChart(t, db, "ranking", chart.Options{Years: []int{2022}, Top: 31}, "provinces")
	want := jsonRows(t, mustRun(t, db, "rank", "--dataset", "provinces", "--year", "2022", "--format", "json"))
	for i, r := range f.Data.Rows {
		if r[1] != want[i]["unit"] || num(r[0]) != want[i]["rank"] || !near(num(r[3]), want[i]["index"].(float64)) {
			t.Errorf("bar %d = %v, rank says %v", i, r, want[i])
		}
	}
	// the components of the provincial index are its five dimensions
	f = buildChart(t, db, "components", chart.Options{Units: []string{"110000", "310000"}, Years: []int{2022}}, "provinces")
	cmp := jsonRows(t, mustRun(t, db, "compare", "--dataset", "provinces", "--units", "110000,310000", "--year", "2022", "--format", "json"))
	if len(f.Data.Rows) != 10 {
		t.Fatalf("%d bars, want 2 units x 5 dimensions", len(f.Data.Rows))
	}
	for _, r := range f.Data.Rows {
		for _, c := range cmp {
			if c["node"] == r[3] && !near(num(r[4]), c[r[0].(string)].(float64)) {
				t.Errorf("%v %v = %v, compare says %v", r[0], r[3], r[4], c[r[0].(string)])
			}
		}
	}
}
