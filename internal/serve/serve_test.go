package serve

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egdi/egdi/data"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
)

// newTestServer is a dashboard over a file that is no database: enough for what
// happens before a page reads data.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.duckdb")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{DB: p})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8765": true, "localhost:80": true, "[::1]:9000": true,
		"0.0.0.0:8765": false, ":8765": false, "192.168.1.2:80": false, "example.org:80": false, "nonsense": false,
	} {
		if got := Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestWorldMapCoversMemberStates: every one of the 193 Member States has a shape.
func TestWorldMapCoversMemberStates(t *testing.T) {
	g, err := loadGeography()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range g.world {
		if s.ISO3 != "" {
			if have[s.ISO3] {
				t.Errorf("%s has two shapes", s.ISO3)
			}
			have[s.ISO3] = true
		}
		if !strings.HasPrefix(s.Path, "M") || !strings.HasSuffix(s.Path, "Z") {
			t.Errorf("%s (%s): path %.30q is not closed SVG path data", s.ISO3, s.Name, s.Path)
		}
	}
	f, err := data.FS.Open("refdata/countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		if !have[r[0]] {
			t.Errorf("Member State %s (%s) has no shape on the map", r[0], r[2])
		}
	}
	if len(recs)-1 != 193 || len(g.tiles) != 31 {
		t.Errorf("%d Member States (want 193), %d provincial tiles (want 31)", len(recs)-1, len(g.tiles))
	}
	seen := map[tile]string{}
	for code, tl := range g.tiles {
		if other, ok := seen[tl]; ok {
			t.Errorf("tiles %s and %s share the place %v", code, other, tl)
		}
		seen[tl] = code
	}
}

func TestQueryStringLimit(t *testing.T) {
	s := newTestServer(t)
	for _, c := range []struct {
		target string
		code   int
	}{
		{"/ranking?x=" + strings.Repeat("a", 10<<10), http.StatusRequestURITooLong},
		{"/static/app.js", http.StatusOK},
		{"/static/cjk.ttf", http.StatusOK},
		{"/static/server.go", http.StatusNotFound},
		{"/ranking?lang=fr", http.StatusBadRequest},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", c.target, nil))
		if w.Code != c.code {
			t.Errorf("%.40s: %d, want %d", c.target, w.Code, c.code)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%.40s: no content security policy", c.target)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/ranking", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", w.Code)
	}
}

// TestEscaping: a unit name with markup or control characters stays text.
func TestEscaping(t *testing.T) {
	s := newTestServer(t)
	evil := "<script>alert(1)</script>\x07\"'&"
	tb := tableOf(&output.Table{Columns: []string{"unit", "name", "egdi"}, Rows: [][]any{{"X1", evil, 0.5}}}, "ranking", "en",
		func(code string) string { return "/unit/" + code })
	p := &page{Lang: "en", Title: evil, Body: &rankingBody{Table: tb}, Sources: []string{evil}}
	s.chrome(p, &state{Lang: "en"}, "/ranking", "ranking")
	var b bytes.Buffer
	if err := s.pages["ranking"].ExecuteTemplate(&b, "layout", p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>alert") {
		t.Errorf("markup in a name reached the page unescaped")
	}
	if n := strings.Count(out, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 3 {
		t.Errorf("the name is shown escaped %d times, want title, cell and source", n)
	}
	w := httptest.NewRecorder()
	s.fail(w, present.Lang("zh"), 400, "请求有误（400）", evil)
	if w.Code != 400 || strings.Contains(w.Body.String(), "<script>alert") || !strings.Contains(w.Body.String(), `lang="zh-Hans"`) {
		t.Errorf("error page: %d, escaped %v", w.Code, !strings.Contains(w.Body.String(), "<script>alert"))
	}
}

func TestRamp(t *testing.T) {
	if got := ramp(0, 0, 1); got != "#c6dbef" {
		t.Errorf("ramp at the low end: %s", got)
	}
	if got := ramp(1, 0, 1); got != "#08306b" {
		t.Errorf("ramp at the high end: %s", got)
	}
	if got := ramp(5, 0, 1); got != "#08306b" {
		t.Errorf("ramp beyond the high end: %s", got)
	}
}
