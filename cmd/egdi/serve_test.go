package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egdi/egdi/internal/serve"
)

// dashboard serves db on a random loopback port for the test.
func dashboard(t *testing.T, db string) string {
	t.Helper()
	s, err := serve.New(serve.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func getOK(t *testing.T, url string) string {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, code, errorText(body))
	}
	return body
}

var (
	rowRe   = regexp.MustCompile(`(?s)<tr data-unit="([^"]*)">(.*?)</tr>`)
	cellRe  = regexp.MustCompile(`(?s)<td[^>]*data-sort="([^"]*)"[^>]*>(.*?)</td>`)
	tableRe = regexp.MustCompile(`(?s)<table id="([a-z]+)".*?</table>`)
	errRe   = regexp.MustCompile(`(?s)<p class="error" id="error">(.*?)</p>`)
)

func errorText(body string) string {
	if m := errRe.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// pageRows are the rows of a page's table id: per row, the sort values of its cells.
func pageTable(t *testing.T, body, id string) [][]string {
	t.Helper()
	for _, m := range tableRe.FindAllStringSubmatch(body, -1) {
		if m[1] != id {
			continue
		}
		var out [][]string
		for _, tr := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(m[0], -1) {
			var cells []string
			for _, c := range cellRe.FindAllStringSubmatch(tr[1], -1) {
				cells = append(cells, html.UnescapeString(c[1]))
			}
			if len(cells) > 0 {
				out = append(out, cells)
			}
		}
		return out
	}
	t.Fatalf("no table %q in the page", id)
	return nil
}

func pageNum(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// rankedRows are a ranking page's rows by unit: the unit's values as data-sort holds them.
func rankedRows(body string) map[string][]string {
	out := map[string][]string{}
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		var cells []string
		for _, c := range cellRe.FindAllStringSubmatch(m[2], -1) {
			cells = append(cells, html.UnescapeString(c[1]))
		}
		out[m[1]] = cells
	}
	return out
}

func TestServePublishedPanel(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	base := dashboard(t, db)

	// the ranking equals egdi rank: every state, its EGDI, components and rank
	want := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	got := rankedRows(getOK(t, base+"/ranking?year=2022"))
	if len(got) != len(want) || len(want) != 193 {
		t.Fatalf("ranking 2022: %d rows on the page, egdi rank has %d (want 193)", len(got), len(want))
	}
	for _, w := range want {
		code := w["unit"].(string)
		row := got[code]
		if row == nil {
			t.Fatalf("%s missing from the page", code)
		}
		// unit, name, year, egdi, osi, tii, hci, epi, rank, group, class, source, change
		for i, k := range []string{"egdi", "osi", "tii", "hci", "epi", "rank"} {
			if pageNum(t, row[3+i]) != w[k].(float64) {
				t.Errorf("%s %s: page %s, egdi rank %v", code, k, row[3+i], w[k])
			}
		}
	}
	if r := got["CHN"]; r[len(r)-1] != "2" { // 45th in 2020, 43rd in 2022
		t.Errorf("CHN rank change since 2020: %q, want 2", r[len(r)-1])
	}

	// filtered to Africa: egdi rank --region Africa
	want = jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--region", "Africa", "--format", "json"))
	got = rankedRows(getOK(t, base+"/ranking?year=2022&region=Africa"))
	if len(got) != len(want) || len(want) != 54 {
		t.Errorf("Africa: %d rows, egdi rank has %d (want 54)", len(got), len(want))
	}
	for _, w := range want {
		if got[w["unit"].(string)] == nil {
			t.Errorf("Africa: %s missing", w["unit"])
		}
	}
	// by band and by a flag grouping
	got = rankedRows(getOK(t, base+"/ranking?year=2022&band=very_high"))
	if len(got) != 60 {
		t.Errorf("very high group 2022: %d rows, want 60", len(got))
	}
	want = jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--group", "ldc", "--format", "json"))
	if got = rankedRows(getOK(t, base+"/ranking?year=2022&region=ldc")); len(got) != len(want) {
		t.Errorf("LDCs: %d rows, egdi rank has %d", len(got), len(want))
	}

	// the CSV download is egdi rank's CSV
	csv := getOK(t, base+"/ranking.csv?year=2022&node=osi")
	if cli := mustRun(t, db, "rank", "--year", "2022", "--node", "osi", "--format", "csv"); csv != cli {
		t.Errorf("ranking.csv differs from egdi rank --format csv:\n%.300s\n---\n%.300s", csv, cli)
	}
	if code, body := get(t, base+"/ranking.xlsx?year=2022&region=Africa"); code != 200 {
		t.Errorf("ranking.xlsx filtered to Africa: %d", code)
	} else {
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) != 1+54 {
			t.Errorf("the filtered workbook has %d rows, want a header and Africa's 54", len(rows))
		}
	}
	if code, _ := get(t, base+"/ranking.xlsx?year=2022"); code != 200 {
		t.Errorf("ranking.xlsx: %d", code)
	}

	// the unit page's history equals egdi trend, node by node
	for _, node := range []string{"egdi", "osi"} {
		want := jsonRows(t, mustRun(t, db, "trend", "--units", "CHN", "--node", node, "--format", "json"))
		rows := pageTable(t, getOK(t, base+"/unit/CHN?node="+node), "history")
		if len(rows) != len(want) {
			t.Fatalf("CHN %s history: %d rows, egdi trend %d", node, len(rows), len(want))
		}
		for i, w := range want {
			if pageNum(t, rows[i][2]) != w["year"].(float64) || pageNum(t, rows[i][3]) != w["value"].(float64) || pageNum(t, rows[i][4]) != w["rank"].(float64) {
				t.Errorf("CHN %s history row %d: page %v, egdi trend %v", node, i, rows[i][:5], w)
			}
		}
	}
	// peers: the six nearest EGDI values of 2022, from egdi rank
	ranked := jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--format", "json"))
	var chn float64
	for _, r := range ranked {
		if r["unit"] == "CHN" {
			chn = r["egdi"].(float64)
		}
	}
	var others []map[string]any
	for _, r := range ranked {
		if r["unit"] != "CHN" {
			others = append(others, r)
		}
	}
	sort.SliceStable(others, func(i, j int) bool {
		return math.Abs(others[i]["egdi"].(float64)-chn) < math.Abs(others[j]["egdi"].(float64)-chn)
	})
	near := map[string]bool{}
	for _, r := range others[:6] {
		near[r["unit"].(string)] = true
	}
	peerRows := pageTable(t, getOK(t, base+"/unit/CHN?year=2022"), "peers")
	if len(peerRows) != 6 {
		t.Fatalf("%d peers", len(peerRows))
	}
	for _, r := range peerRows {
		if !near[r[1]] {
			t.Errorf("peer %v is not among the six nearest EGDI values (%v)", r, near)
		}
	}
	comp := pageTable(t, getOK(t, base+"/unit/CHN?year=2022"), "components")
	if len(comp) != 3 || comp[0][0] != "OSI" || pageNum(t, comp[0][1]) != 0.8876 {
		t.Errorf("CHN components 2022: %v", comp)
	}

	// the comparison equals egdi compare
	want = jsonRows(t, mustRun(t, db, "compare", "--units", "CHN,KOR,JPN", "--year", "2022", "--format", "json"))
	rows := pageTable(t, getOK(t, base+"/compare?units=CHN,KOR,JPN&year=2022"), "comparison")
	if len(rows) != len(want) {
		t.Fatalf("compare: %d rows, egdi compare %d", len(rows), len(want))
	}
	for i, w := range want[:6] {
		for j, k := range []string{"chn", "kor", "jpn", "kor_minus_chn", "jpn_minus_chn"} {
			if pageNum(t, rows[i][1+j]) != w[k].(float64) {
				t.Errorf("compare %s %s: page %s, egdi compare %v", w["index"], k, rows[i][1+j], w[k])
			}
		}
	}

	// the map: every Member State with a value drawn and linked, coloured by its group
	m := getOK(t, base+"/?year=2022")
	if n := strings.Count(m, `<a href="/unit/`); n < 193 {
		t.Errorf("map: %d linked shapes, want the 193 Member States", n)
	}
	if !strings.Contains(m, `data-unit="DNK"><path`) || !strings.Contains(m, `fill="#08306b"><title>Denmark — EGDI 0.9717, rank 1 · Very high</title>`) {
		t.Errorf("map: Denmark is not drawn in the very high colour with its values")
	}
	zh := getOK(t, base+"/ranking?year=2022&lang=zh")
	for _, s := range []string{"排名", "地图", "中国", "联合国"} {
		if !strings.Contains(zh, s) {
			t.Errorf("ranking in Chinese lacks %q", s)
		}
	}
	for _, p := range []string{"/", "/ranking", "/unit/CHN", "/compare?units=CHN,KOR", "/?lang=zh"} {
		if b := getOK(t, base+p); !strings.Contains(b, "Source: UN E-Government Survey") && !strings.Contains(b, "来源") {
			t.Errorf("%s says no source", p)
		}
	}
}

func TestServeBadRequests(t *testing.T) {
	t.Parallel()
	base := dashboard(t, publishedDB(t))
	for _, c := range []struct {
		path string
		code int
		says string
	}{
		{"/unit/XXX", 400, `unknown unit "XXX"`},
		{"/unit/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 400, "unknown unit"},
		{"/ranking?year=1800", 400, `no data for year "1800"`},
		{"/ranking?year=abc", 400, "no data for year"},
		{"/?node=maturity", 400, "unknown node"},
		{"/ranking?node=maturity&lang=zh", 400, "未知节点"},
		{"/unit/XXX?lang=zh", 400, "未知单位"},
		{"/ranking?dataset=nope", 400, `unknown dataset "nope"`},
		{"/ranking?region=Atlantis", 400, "unknown group"},
		{"/ranking?band=best", 400, `unknown band "best"`},
		{"/ranking?lang=fr", 400, "unknown language"},
		{"/compare?units=CHN", 400, "2 to 12 units"},
		{"/ranking?x=" + strings.Repeat("a", 10<<10), 414, "query string has"},
		{"/nothing", 404, ""},
	} {
		code, body := get(t, base+c.path)
		if code != c.code || !strings.Contains(errorText(body), c.says) {
			t.Errorf("%.60s: %d %q, want %d saying %q", c.path, code, errorText(body), c.code, c.says)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "goroutine") {
			t.Errorf("%.60s: unescaped input or a stack trace in the page", c.path)
		}
	}
}

func TestServeProvinces(t *testing.T) {
	t.Parallel()
	db := provincesDB(t)
	base := dashboard(t, db)
	want := jsonRows(t, mustRun(t, db, "rank", "--format", "json"))
	got := rankedRows(getOK(t, base+"/ranking"))
	if len(got) != 31 || len(want) != 31 {
		t.Fatalf("provinces: %d rows on the page, egdi rank %d, want 31", len(got), len(want))
	}
	for _, w := range want {
		row := got[w["unit"].(string)]
		if row == nil || pageNum(t, row[3]) != w["index"].(float64) {
			t.Errorf("%s: page %v, egdi rank %v", w["unit"], row, w)
		}
	}
	m := getOK(t, base+"/?lang=zh")
	if n := strings.Count(m, "<rect "); n != 31 {
		t.Errorf("tile grid: %d tiles, want 31", n)
	}
	if !strings.Contains(m, "合成样本") {
		t.Errorf("the provincial sample is not flagged synthetic")
	}
	u := getOK(t, base+"/unit/110000?lang=zh")
	if !strings.Contains(u, "北京") || !strings.Contains(u, `id="components"`) {
		t.Errorf("Beijing's page lacks its name or its dimensions")
	}
	if code, body := get(t, base+"/?node=osi"); code != 400 || !strings.Contains(errorText(body), "unknown node") {
		t.Errorf("a UN node over the provinces: %d %q", code, errorText(body))
	}
	getOK(t, base+"/compare?units=110000,310000")
}

// TestServeSpeed logs each page's time to first byte over the 193-country panel
// (a measurement, not an assertion: the target is 100 ms).
func TestServeSpeed(t *testing.T) {
	base := dashboard(t, publishedDB(t))
	getOK(t, base+"/") // reads the panel
	for _, p := range []string{"/", "/ranking?year=2022", "/ranking?year=2022&region=Africa", "/unit/CHN", "/compare?units=CHN,KOR,JPN,SGP", "/?lang=zh&node=osi", "/ranking.csv"} {
		best := time.Hour
		for range 3 {
			start := time.Now()
			resp, err := http.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			ttfb := time.Since(start)
			resp.Body.Close()
			best = min(best, ttfb)
		}
		t.Logf("%-36s %6.1f ms to first byte", p, float64(best.Microseconds())/1000)
		if best > 100*time.Millisecond {
			t.Logf("  (over the 100 ms target)")
		}
	}
}

// TestServeWhileWriting: the dashboard holds no lock between reads, so egdi can import
// and compute into the database it serves; the next page sees the new dataset.
func TestServeWhileWriting(t *testing.T) {
	t.Parallel()
	db := writable(t, "published")
	base := dashboard(t, db)
	getOK(t, base+"/ranking")
	if code, body := get(t, base+"/ranking?dataset=provinces"); code != 400 || !strings.Contains(errorText(body), `unknown dataset "provinces"`) {
		t.Fatalf("before the import: %d %q", code, errorText(body))
	}
	recipes["provinces"](t, db) // import, group and compute while the server runs
	if got := rankedRows(getOK(t, base+"/ranking?dataset=provinces")); len(got) != 31 {
		t.Errorf("after the computation: %d provinces ranked, want 31", len(got))
	}
	// a stored uncertainty run gives the unit page its rank interval
	if b := getOK(t, base+"/unit/110000?dataset=provinces"); !strings.Contains(b, "No uncertainty run is stored") {
		t.Errorf("Beijing's page shows an interval before any uncertainty run")
	}
	var run struct{ Units []map[string]any }
	out := mustRun(t, db, "uncertainty", "--method", "cn-province-2022", "--dataset", "provinces", "--year", "2022",
		"--samples", "200", "--seed", "7", "--vary", "weights:*=±25%", "--format", "json")
	if err := json.Unmarshal([]byte(out), &run); err != nil || len(run.Units) != 31 {
		t.Fatalf("egdi uncertainty --format json: %v, %d units", err, len(run.Units))
	}
	found := false
	for _, r := range run.Units {
		if r["unit"] != "110000" {
			continue
		}
		found = true
		want := fmt.Sprintf("median %.0f, 5–95%%: %.0f–%.0f", r["median_rank"], r["p05_rank"], r["p95_rank"])
		if b := getOK(t, base+"/unit/110000?dataset=provinces"); !strings.Contains(b, want) {
			t.Errorf("Beijing's rank interval: want %q in\n%s", want, regexp.MustCompile(`(?s)<p id="interval">.*?</p>`).FindString(b))
		}
	}
	if !found {
		t.Errorf("egdi uncertainty has no row for 110000")
	}
	if got := rankedRows(getOK(t, base+"/ranking?year=2022")); len(got) != 193 {
		t.Errorf("the UN panel after the write: %d rows", len(got))
	}
}

// While another process holds the database for writing, a page that needs to read it
// afresh says so (503, in words), and works again once the writer is done.
func TestServeWhileAnotherWrites(t *testing.T) {
	t.Parallel()
	db := writable(t, "published")
	base := dashboard(t, db)
	getOK(t, base+"/ranking")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "EGDI_TEST_HOLD_DB="+db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("the writer: %q", line)
	}
	code, body := get(t, base+"/ranking")
	stdin.Close()
	cmd.Wait()
	if code != 503 || !strings.Contains(errorText(body), "is writing to the database; reload in a moment") {
		t.Errorf("while another process writes: %d %q", code, errorText(body))
	}
	if got := rankedRows(getOK(t, base+"/ranking?year=2022")); len(got) != 193 {
		t.Errorf("after the writer: %d rows", len(got))
	}
}
