package serve

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/egdi/egdi/data"
	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
)

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.handle(s.mapPage))
	m.HandleFunc("GET /ranking", s.handle(s.rankingPage))
	m.HandleFunc("GET /ranking.csv", s.handle(s.rankingCSV))
	m.HandleFunc("GET /ranking.xlsx", s.handle(s.rankingXLSX))
	m.HandleFunc("GET /unit/{code}", s.handle(s.unitPage))
	m.HandleFunc("GET /compare", s.handle(s.comparePage))
	m.HandleFunc("GET /static/{file}", s.static)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		lang, _ := parseLang(r.URL.Query())
		s.fail(w, lang, http.StatusNotFound, lang.Tr("There is no such page", "没有这个页面"), lang.Tr("Try the map, the ranking or the comparison.", "请从地图、排名或比较页开始。"))
	})
	s.mux = m
}

// ServeHTTP checks the request before any page sees it: a query string longer than
// MaxQuery is refused (414), every answer carries a policy that allows no request to
// anything but this server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if len(r.URL.RawQuery) > MaxQuery {
		s.fail(w, "en", http.StatusRequestURITooLong, "Query string too long (414)",
			fmt.Sprintf("The query string has %d bytes; the dashboard takes at most %d. 查询字符串过长（%d 字节，最多 %d）。", len(r.URL.RawQuery), MaxQuery, len(r.URL.RawQuery), MaxQuery))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the dashboard only reads: GET", http.StatusMethodNotAllowed)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// handler renders a page into a buffer, so that an error becomes its own page and
// never half of another.
type handler func(w http.ResponseWriter, r *http.Request, lang present.Lang) error

func (s *Server) handle(fn handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang, err := parseLang(r.URL.Query())
		defer func() {
			if v := recover(); v != nil {
				s.log.Printf("%s: panic: %v", r.URL.Path, v)
				s.fail(w, lang, http.StatusInternalServerError, lang.Tr("Something went wrong", "出错了"), lang.Tr("The dashboard could not draw this page; the server's log says why.", "无法生成此页面；原因见服务器日志。"))
			}
		}()
		if err == nil {
			err = fn(w, r, lang)
		}
		if err == nil {
			return
		}
		var bad *badRequest
		switch {
		case errors.As(err, &bad):
			s.fail(w, lang, http.StatusBadRequest, lang.Tr("Bad request (400)", "请求有误（400）"), bad.msg)
		case errors.Is(err, errBusy):
			w.Header().Set("Retry-After", "2")
			s.fail(w, lang, http.StatusServiceUnavailable, lang.Tr("The database is being written", "数据库正在写入"),
				lang.Tr("Another egdi process is writing to the database; reload in a moment.", "另一个 egdi 进程正在写入数据库；请稍后刷新。"))
		default:
			s.log.Printf("%s: %v", r.URL.Path, err)
			s.fail(w, lang, http.StatusInternalServerError, lang.Tr("Something went wrong", "出错了"), err.Error())
		}
	}
}

func (s *Server) fail(w http.ResponseWriter, lang present.Lang, code int, title, msg string) {
	p := &page{Lang: lang, Title: title, Body: msg}
	s.chrome(p, &state{Lang: lang}, "/", "")
	var b bytes.Buffer
	if err := s.pages["error"].ExecuteTemplate(&b, "layout", p); err != nil {
		http.Error(w, msg, code)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

func (s *Server) render(w http.ResponseWriter, name string, p *page) error {
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
	return nil
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "cjk.ttf" {
		// egdi's subset of WenQuanYi Micro Hei, so Chinese pages read on machines without
		// a Chinese font (the browser fetches it only for the characters it lacks)
		b, err := data.FS.ReadFile("fonts/egdi-cjk.ttf")
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "font/ttf")
		w.Header().Set("Cache-Control", "max-age=86400")
		w.Write(b)
		return
	}
	types := map[string]string{"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
	ct, ok := types[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "max-age=300")
	w.Write(b)
}

// chrome fills in the navigation and the language switch.
func (s *Server) chrome(p *page, st *state, path, active string) {
	l := st.Lang
	p.Active = active
	p.Nav = []navItem{
		{"map", l.Tr("Map", "地图"), st.link("/")},
		{"ranking", l.Tr("Ranking", "排名"), st.link("/ranking")},
		{"compare", l.Tr("Compare", "比较"), st.link("/compare")},
	}
	p.LangLink, p.LangLabel = st.switchLang(path), l.Tr("中文", "English")
}

// controls are the selectors every page has: dataset, year and node.
func (s *Server) controls(v *view, st *state) []control {
	l := st.Lang
	p := v.p
	ds := control{Name: "dataset", Label: l.Tr("Data", "数据")}
	def := l.Tr("default (published UN values)", "默认（联合国公布值）")
	if fb := p.Fallback(); fb != "" && st.Dataset == "" {
		def = fmt.Sprintf(l.Tr("default (%s)", "默认（%s）"), fb)
	}
	ds.Options = append(ds.Options, option{Value: "", Label: def, Selected: st.Dataset == ""})
	for _, d := range v.datasets {
		ds.Options = append(ds.Options, option{Value: d, Label: d, Selected: st.Dataset == d})
	}
	yr := control{Name: "year", Label: l.Tr("Year", "年份")}
	years := p.YearList()
	for i := len(years) - 1; i >= 0; i-- {
		y := years[i]
		yr.Options = append(yr.Options, option{Value: fmt.Sprint(y), Label: fmt.Sprint(y), Selected: y == st.Year})
	}
	nd := control{Name: "node", Label: l.Tr("Index", "指数")}
	for _, n := range p.Nodes {
		nd.Options = append(nd.Options, option{Value: n, Label: present.NodeShort(p.Selection, n, l), Selected: n == st.Node})
	}
	return []control{ds, yr, nd}
}

// begin reads the state every page shares: language, dataset, year and node.
func (s *Server) begin(r *http.Request, lang present.Lang) (*view, *state, error) {
	q := r.URL.Query()
	st := &state{Lang: lang, Dataset: q.Get("dataset"), Query: q}
	v, err := s.panelOf(r.Context(), st.Dataset, string(lang))
	if err != nil {
		return nil, nil, err
	}
	if err := st.resolve(q, v.p); err != nil {
		return nil, nil, err
	}
	return v, st, nil
}

// bandColors are the survey's group colours, dark to light, as internal/chart draws
// them; a framework's bands take them highest first.
var bandColors = chart.GroupPalette()

const noData = "#e4e4e4"

// ramp is a value's colour between the lightest and the darkest band colour.
func ramp(v, lo, hi float64) string {
	t := 0.5
	if hi > lo {
		t = (v - lo) / (hi - lo)
	}
	t = math.Max(0, math.Min(1, t))
	a, b := hexRGB(bandColors[len(bandColors)-1]), hexRGB(bandColors[0])
	return fmt.Sprintf("#%02x%02x%02x", int(a[0]+(b[0]-a[0])*t), int(a[1]+(b[1]-a[1])*t), int(a[2]+(b[2]-a[2])*t))
}

// hexRGB is a #rrggbb colour's channels.
func hexRGB(s string) [3]float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		c[i] = float64(v)
	}
	return c
}

func bandColor(sel *panel.Selection, band string) string {
	if i := slices.Index(present.BandIDs(sel), band); i >= 0 && i < len(bandColors) {
		return bandColors[i]
	}
	if i := slices.Index(present.BandIDs(sel), band); i >= 0 {
		return bandColors[len(bandColors)-1]
	}
	return noData
}

func fmtValue(v float64, digits int) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.*f", digits, v)
}
