package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type reportJSON struct {
	Title  string            `json:"title"`
	Meta   map[string]string `json:"meta"`
	Blocks []struct {
		Heading string   `json:"heading"`
		Text    []string `json:"text"`
		Table   *struct {
			Name string           `json:"name"`
			Rows []map[string]any `json:"rows"`
		} `json:"table"`
	} `json:"blocks"`
}

func readReport(t *testing.T, db string, args ...string) reportJSON {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.json")
	mustRun(t, db, append(append([]string{"report"}, args...), "--out", out)...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r reportJSON
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	return r
}

func (r reportJSON) table(t *testing.T, i int) []map[string]any {
	t.Helper()
	n := 0
	for _, b := range r.Blocks {
		if b.Table != nil {
			if n == i {
				return b.Table.Rows
			}
			n++
		}
	}
	t.Fatalf("report has no table %d", i)
	return nil
}

func TestRankingReport2022(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	r := readReport(t, db, "ranking", "--year", "2022")
	rows := r.table(t, 0)
	want := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	if len(rows) != 193 || len(want) != 193 {
		t.Fatalf("%d report rows, %d rank rows; want 193", len(rows), len(want))
	}
	for i := range rows {
		if rows[i]["unit"] != want[i]["unit"] || rows[i]["rank"] != want[i]["rank"] || rows[i]["egdi"] != want[i]["egdi"] {
			t.Fatalf("row %d: report %v %v %v, rank %v %v %v", i, rows[i]["unit"], rows[i]["rank"], rows[i]["egdi"], want[i]["unit"], want[i]["rank"], want[i]["egdi"])
		}
	}
	// rank change since 2020 (the previous edition), checked for China: 45th, then 43rd
	for _, row := range rows {
		if row["unit"] == "CHN" && row["rank_change"] != float64(45-43) {
			t.Errorf("China's rank change = %v, want 2", row["rank_change"])
		}
	}
	groups := r.table(t, 1)
	for i, n := range []float64{60, 73, 53, 7} {
		if groups[i]["count"] != n {
			t.Errorf("group %v: %v countries, want %v", groups[i]["group"], groups[i]["count"], n)
		}
	}
	facts := strings.Join(r.Blocks[0].Text, " ")
	for _, s := range []string{"Denmark ranks first in 2022 with an EGDI of 0.9717", "60 (31.1%) are in the very high group, against 57 in 2020", "Europe (0.8305)"} {
		if !strings.Contains(facts, s) {
			t.Errorf("narrative lacks %q:\n%s", s, facts)
		}
	}
	for _, k := range []string{"Sources", "Methodology", "Engine", "Generated"} {
		if r.Meta[k] == "" {
			t.Errorf("report does not state %s", k)
		}
	}
}

func TestProfileReportShowsPublishedHistory(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	r := readReport(t, db, "profile", "--unit", "CHN")
	hist := r.table(t, 0)
	want := jsonRows(t, mustRun(t, db, "trend", "--units", "CHN", "--format", "json"))
	if len(hist) != len(want) || len(want) != 11 {
		t.Fatalf("%d history rows, trend has %d (want the 11 editions in the panel)", len(hist), len(want))
	}
	for i := range hist {
		if hist[i]["year"] != want[i]["year"] || hist[i]["egdi"] != want[i]["value"] || hist[i]["rank"] != want[i]["rank"] {
			t.Errorf("%v: report %v/%v, published %v/%v", want[i]["year"], hist[i]["egdi"], hist[i]["rank"], want[i]["value"], want[i]["rank"])
		}
	}
	// components against the world: the world mean is the summary's mean
	comp := r.table(t, 1)
	sum := jsonRows(t, mustRun(t, db, "summary", "--year", "2022", "--by", "group", "--format", "json"))
	var n, total float64
	for _, s := range sum {
		n += s["count"].(float64)
		total += s["count"].(float64) * s["mean_osi"].(float64)
	}
	if got := comp[1]["world_mean"].(float64); math.Abs(got-total/n) > 1e-9 {
		t.Errorf("world OSI mean %v, summary gives %v", got, total/n)
	}
	// Markdown writes its charts beside it
	dir := t.TempDir()
	mustRun(t, db, "report", "profile", "--unit", "China", "--out", filepath.Join(dir, "china.md"))
	md, _ := os.ReadFile(filepath.Join(dir, "china.md"))
	for _, f := range []string{"trend-egdi.png", "trend-rank.png", "components-history.png", "components-vs-means.png"} {
		if !strings.Contains(string(md), "(china_files/"+f+")") {
			t.Errorf("Markdown does not reference %s", f)
		}
		if _, err := os.Stat(filepath.Join(dir, "china_files", f)); err != nil {
			t.Errorf("chart file: %v", err)
		}
	}
}

func TestCompareAndTransitionsReports(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	r := readReport(t, db, "compare", "--units", "CHN,KOR,JPN,SGP", "--year", "2022")
	rows := r.table(t, 0)
	cmp := jsonRows(t, mustRun(t, db, "compare", "--units", "CHN,KOR,JPN,SGP", "--year", "2022", "--format", "json"))
	for i := 0; i < 5; i++ {
		for _, k := range []string{"chn", "kor", "kor_minus_chn", "sgp_minus_chn"} {
			if rows[i][k] != cmp[i][k] {
				t.Errorf("%v %s: report %v, compare %v", cmp[i]["index"], k, rows[i][k], cmp[i][k])
			}
		}
	}
	r = readReport(t, db, "transitions", "--from", "2018", "--to", "2022")
	matrix, up, down := r.table(t, 0), r.table(t, 1), r.table(t, 2)
	var sum, diag float64
	for i, row := range matrix {
		for j, g := range []string{"very_high", "high", "middle", "low"} {
			sum += row[g].(float64)
			if i == j {
				diag += row[g].(float64)
			}
		}
	}
	if int(sum) != int(diag)+len(up)+len(down) {
		t.Errorf("matrix total %v ≠ stayed %v + up %d + down %d", sum, diag, len(up), len(down))
	}
	// independently: count group changes from the two rankings
	g18 := map[string]string{}
	for _, x := range jsonRows(t, mustRun(t, db, "rank", "--year", "2018", "--format", "json")) {
		g18[x["unit"].(string)] = x["group"].(string)
	}
	order := map[string]int{"very_high": 0, "high": 1, "middle": 2, "low": 3}
	nUp := 0
	for _, x := range jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json")) {
		if g, ok := g18[x["unit"].(string)]; ok && order[x["group"].(string)] < order[g] {
			nUp++
		}
	}
	if nUp != len(up) {
		t.Errorf("%d moved up in the report, %d from the rankings", len(up), nUp)
	}
}

func TestRankingReportXLSX(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	out := filepath.Join(t.TempDir(), "r.xlsx")
	mustRun(t, db, "report", "ranking", "--year", "2022", "--out", out)
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if sheets[0] != "Ranking" || len(sheets) < 4 {
		t.Fatalf("sheets %v: the ranking must come first", sheets)
	}
	want := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	rows, _ := x.GetRows("Ranking", excelize.Options{RawCellValue: true})
	if len(rows) != 194 {
		t.Fatalf("%d rows, want a header and 193", len(rows))
	}
	for i, w := range want {
		r := rows[i+1]
		if r[0] != fmt.Sprint(w["rank"]) || r[1] != w["unit"] || r[2] != w["name"] || r[3] != fmt.Sprint(w["egdi"]) {
			t.Fatalf("row %d = %v, rank says %v %v %v %v", i+1, r[:4], w["rank"], w["unit"], w["name"], w["egdi"])
		}
	}
	panes, _ := x.GetPanes("Ranking")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v", panes)
	}
	st, _ := x.GetCellStyle("Ranking", "D2")
	style, _ := x.GetStyle(st)
	if style.CustomNumFmt == nil || *style.CustomNumFmt != "0.0000" {
		t.Errorf("EGDI number format %v, want 0.0000", style.CustomNumFmt)
	}
	shown, _ := x.GetCellValue("Ranking", "D2")
	if shown != "0.9717" {
		t.Errorf("EGDI shown as %q", shown)
	}
}

// chromiumPath finds Debian's chromium, or skips.
func chromiumPath(t *testing.T) string {
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skip("skipping: chromium not installed (apt-get install chromium); .ci/run installs it")
	return ""
}

// chromiumOwnHosts are the browser's own background services, not the page's requests.
var chromiumOwnHosts = regexp.MustCompile(`(^|\.)(google\.com|googleapis\.com|gvt1\.com)(:\d+)?$`)

// TestHTMLReportInChromium opens the English and Chinese ranking reports in headless
// Chromium behind a recording proxy: no console messages, no requests by the page, and
// a screenshot of the first page (kept under reports/test/ for a person to look at).
func TestHTMLReportInChromium(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	browser := chromiumPath(t)
	dir := t.TempDir()
	for _, lang := range []string{"en", "zh"} {
		page := filepath.Join(dir, "ranking-"+lang+".html")
		mustRun(t, db, "report", "ranking", "--year", "2022", "--lang", lang, "--out", page)
		html, _ := os.ReadFile(page)
		if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//|url\((["']?)https?:|@import`).Find(html); m != nil {
			t.Errorf("%s refers to an external resource: %s", lang, m)
		}

		shot := filepath.Join(dir, "shot-"+lang+".png")
		openInChromium(t, browser, page, shot)
		keepScreenshot(shot, "ranking-"+lang+"-firstpage.png")
	}
}

// openInChromium opens page in headless Chromium behind a recording proxy and saves a
// screenshot of its first screen to shot: the page may log nothing to the console and
// request nothing.
func openInChromium(t *testing.T, browser, page, shot string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var requests []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			requests = append(requests, strings.TrimSpace(line))
			mu.Unlock()
			c.Close()
		}
	}()
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--enable-logging=stderr", "--v=0", "--proxy-server="+ln.Addr().String(), "--proxy-bypass-list=<-loopback>",
		"--window-size=1200,1600", "--screenshot="+shot, "file://"+page)
	out, err := cmd.CombinedOutput()
	ln.Close()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, ":CONSOLE") {
			t.Errorf("%s: console message: %s", filepath.Base(page), l)
		}
	}
	mu.Lock()
	for _, r := range requests {
		f := strings.Fields(r)
		if len(f) < 2 {
			continue
		}
		host := f[1]
		if i := strings.Index(host, "://"); i >= 0 {
			host = strings.SplitN(host[i+3:], "/", 2)[0]
		}
		if !chromiumOwnHosts.MatchString(host) {
			t.Errorf("%s: the page made a network request: %s", filepath.Base(page), r)
		}
	}
	mu.Unlock()
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10000 {
		t.Errorf("%s: no screenshot: %v", filepath.Base(page), err)
	}
}

// A report writer's own design: egdi's templates written out, the header given an
// institution's name and logo, the accent colour changed, and the ranking report
// written with them shows all of it (screenshot under reports/test/).
func TestReportWithATemplateOfOnesOwn(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	dir := t.TempDir()
	design := filepath.Join(dir, "design")
	mustRun(t, db, "report", "templates", "--out", design)
	page, _ := os.ReadFile(filepath.Join(design, "report.html.tmpl"))
	edited := strings.Replace(string(page), "<header>\n", `<header>
<p class="inst"><img src="{{asset "logo.svg"}}" alt="" width="48" height="48"> Institute of Digital Government Studies</p>
`, 1)
	edited = strings.Replace(edited, "<footer>\n", "<footer>\n<p>© Institute of Digital Government Studies</p>\n", 1)
	os.WriteFile(filepath.Join(design, "report.html.tmpl"), []byte(edited), 0o644)
	os.WriteFile(filepath.Join(design, "logo.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><circle cx="24" cy="24" r="22" fill="#8a0b4f"/></svg>`), 0o644)
	css, _ := os.ReadFile(filepath.Join(design, "style.css"))
	css = append(bytes.Replace(css, []byte("--accent: #0b4f8a"), []byte("--accent: #8a0b4f"), 1),
		[]byte("\n.inst { font-weight: 600; color: var(--accent); display: flex; align-items: center; gap: .5rem; }\nh1 { color: var(--accent); }\n")...)
	os.WriteFile(filepath.Join(design, "style.css"), css, 0o644)

	out := filepath.Join(dir, "ranking.html")
	mustRun(t, db, "report", "ranking", "--year", "2022", "--template", design, "--out", out)
	b, _ := os.ReadFile(out)
	html := string(b)
	for _, s := range []string{"Institute of Digital Government Studies</p>", "© Institute of Digital Government Studies", "--accent: #8a0b4f", "h1 { color: var(--accent); }", "data:image/svg&#43;xml;base64,", "Denmark"} {
		if !strings.Contains(html, s) {
			t.Errorf("the report lacks %q", s)
		}
	}
	// the Markdown layout is the folder's copy of egdi's, unedited
	md := filepath.Join(dir, "ranking.md")
	mustRun(t, db, "report", "ranking", "--year", "2022", "--template", design, "--out", md)
	if b, _ := os.ReadFile(md); !strings.HasPrefix(string(b), "# E-Government Development Index (EGDI): ranking 2022\n\n- **Sources:**") {
		t.Errorf("Markdown report: %.80s", b)
	}
	browser := chromiumPath(t)
	shot := filepath.Join(dir, "shot.png")
	openInChromium(t, browser, out, shot)
	keepScreenshot(shot, "ranking-own-template-firstpage.png")
}

// keepScreenshot copies a screenshot under reports/test/ for a person to look at.
func keepScreenshot(shot, name string) {
	keep := filepath.Join("..", "..", "reports", "test")
	if os.MkdirAll(keep, 0o755) == nil {
		b, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(keep, name), b, 0o644)
	}
}

func TestReportReproducibleAndBadRequests(t *testing.T) {
	db := publishedDB(t)
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.html")
	mustRun(t, db, "report", "compare", "--units", "CHN,KOR", "--year", "2022", "--out", a)
	mustRun(t, db, "report", "compare", "--units", "CHN,KOR", "--year", "2022", "--out", b)
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if string(x) != string(y) {
		t.Error("the same report twice differs")
	}
	if !strings.Contains(string(x), "2023-11-14 22:13 UTC") {
		t.Error("SOURCE_DATE_EPOCH not used for the generation time")
	}
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "profile", "--unit", "Atlantis", "--out", filepath.Join(bad, "p.html")}, `unknown unit "Atlantis"`},
		{[]string{"report", "ranking", "--year", "2021", "--out", filepath.Join(bad, "r.html")}, "no values for 2021"},
		{[]string{"report", "ranking", "--out", filepath.Join(bad, "r.pdf")}, "cannot tell the report format"},
		{[]string{"report", "summary", "--out", filepath.Join(bad, "r.html")}, `unknown report "summary"`},
		{[]string{"report", "compare", "--units", "CHN", "--out", filepath.Join(bad, "c.html")}, "at least two units"},
	} {
		if _, err := run(t, db, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("egdi %s: err = %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if ents, _ := os.ReadDir(bad); len(ents) > 0 {
		t.Errorf("refused reports left %d files", len(ents))
	}
}

// A ranking report of the provincial framework shows its index, dimensions and bands.
func TestProvincialRankingReport(t *testing.T) {
	t.Parallel()
	db := provincesDB(t)
	r := readReport(t, db, "ranking", "--dataset", "provinces", "--year", "2022")
	rows := r.table(t, 0)
	want := jsonRows(t, mustRun(t, db, "rank", "--dataset", "provinces", "--year", "2022", "--format", "json"))
	if len(rows) != 31 {
		t.Fatalf("%d rows", len(rows))
	}
	n := map[string]float64{}
	for i, row := range rows {
		if row["unit"] != want[i]["unit"] || row["index"] != want[i]["index"] || row["maturity"] != want[i]["maturity"] {
			t.Errorf("row %d: %v, rank says %v", i, row, want[i])
		}
		if _, has := row["class"]; has {
			t.Error("an empty rating class column")
		}
		n[want[i]["band"].(string)]++
	}
	groups := r.table(t, 1)
	if len(groups) != 3 || groups[0]["count"] != n["very_high"] || groups[2]["count"] != n["middle"] {
		t.Errorf("bands %v, ranking counts %v", groups, n)
	}
	if !strings.Contains(r.Title, "Online government service capability index") || !strings.Contains(strings.Join(r.Blocks[0].Text, " "), "units ranked") {
		t.Errorf("title %q, facts %v", r.Title, r.Blocks[0].Text)
	}
}

// Profiles and comparisons of provinces use the framework's index and dimensions.
func TestProvincialProfileAndCompareReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := provincesDB(t)
	r := readReport(t, db, "profile", "--dataset", "provinces", "--unit", "北京市")
	hist := r.table(t, 0)
	trend := jsonRows(t, mustRun(t, db, "trend", "--dataset", "provinces", "--units", "110000", "--format", "json"))
	if len(hist) != 2 || len(trend) != 2 {
		t.Fatalf("%d history rows, %d trend rows", len(hist), len(trend))
	}
	for i := range hist {
		if hist[i]["index"] != trend[i]["value"] || hist[i]["rank"] != trend[i]["rank"] {
			t.Errorf("%v: profile %v/%v, trend %v/%v", trend[i]["year"], hist[i]["index"], hist[i]["rank"], trend[i]["value"], trend[i]["rank"])
		}
	}
	c := readReport(t, db, "compare", "--dataset", "provinces", "--units", "110000,310000", "--year", "2022")
	cmp := jsonRows(t, mustRun(t, db, "compare", "--dataset", "provinces", "--units", "110000,310000", "--year", "2022", "--format", "json"))
	rows := c.table(t, 0)
	for i := range rows {
		if rows[i]["310000_minus_110000"] != cmp[i]["310000_minus_110000"] {
			t.Errorf("row %d: report %v, compare %v", i, rows[i], cmp[i])
		}
	}
	for _, f := range []string{"p.html", "c.html"} {
		args := []string{"report", "profile", "--dataset", "provinces", "--unit", "110000", "--lang", "zh"}
		if f == "c.html" {
			args = []string{"report", "compare", "--dataset", "provinces", "--units", "110000,310000", "--lang", "zh"}
		}
		mustRun(t, db, append(args, "--out", filepath.Join(dir, f))...)
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if !strings.Contains(string(b), "在线办理成熟度") {
			t.Errorf("%s lacks the dimension names", f)
		}
	}
}
