package serve

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// badRequest is a parameter the dashboard cannot answer, said in the page's language.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badf(lang, en, zh string, a ...any) error {
	return &badRequest{msg: fmt.Sprintf(present.Lang(lang).Tr(en, zh), a...)}
}

func listOr(items []string, lang string) string {
	if len(items) == 0 {
		return present.Lang(lang).Tr("none", "无")
	}
	if len(items) > 12 {
		items = append(items[:12:12], "…")
	}
	return strings.Join(items, ", ")
}

// state is a page's query string, checked: what makes a URL shareable.
type state struct {
	Lang    present.Lang
	Dataset string
	Year    int    // 0 until resolved against the panel
	Node    string // the node id, resolved
	Region  string // a grouping filter (ranking): a region or sub-region, ldc, GROUPING=GROUP
	Band    string // a band id (ranking)
	Units   []string
	Query   url.Values // the request's query as given, for the language switch
}

// parseLang reads lang (en when absent).
func parseLang(q url.Values) (present.Lang, error) {
	l := q.Get("lang")
	if l == "" {
		l = "en"
	}
	if err := present.Lang(l).Check(); err != nil {
		return "en", badf("en", "unknown language %q; use lang=en or lang=zh", "", l)
	}
	return present.Lang(l), nil
}

// resolve checks year and node against the panel; year 0 (absent) is the latest.
func (st *state) resolve(q url.Values, p *panel.Panel) error {
	lang := string(st.Lang)
	years := p.YearList()
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || !slices.Contains(years, n) {
			return badf(lang, "no data for year %q; the years with data are %s", "没有%q年的数据；有数据的年份：%s", y, yearsText(years))
		}
		st.Year = n
	} else if len(years) > 0 {
		st.Year = years[len(years)-1]
	}
	node, err := p.ResolveNode(q.Get("node"))
	if err != nil {
		return badf(lang, "unknown node: %v", "未知节点：%v", err)
	}
	st.Node = node
	if b := q.Get("band"); b != "" {
		if !slices.Contains(present.BandIDs(p.Selection), b) {
			return badf(lang, "unknown band %q; the bands are %s", "未知等级 %q；等级有 %s", b, listOr(present.BandIDs(p.Selection), lang))
		}
		st.Band = b
	}
	if r := q.Get("region"); r != "" {
		flt, err := filterOf(r)
		if err == nil {
			err = flt.Check(query.GroupsOf(p))
		}
		if err != nil {
			return badf(lang, "unknown group: %v", "未知分组：%v", err)
		}
		st.Region = r
	}
	return nil
}

// filterOf reads a region parameter: GROUPING=GROUP, a flag grouping (ldc, lldc,
// sids), or an M49 region or sub-region.
func filterOf(r string) (query.Filter, error) {
	if strings.Contains(r, "=") || query.Flags[r] != "" {
		return query.ParseGroup(r)
	}
	return query.RegionFilter(r), nil
}

// unitOf finds a unit of the panel by code, or by its English or Chinese name.
func unitOf(p *panel.Panel, s, lang string) (*panel.Unit, error) {
	s = strings.TrimSpace(s)
	if u, ok := p.Units[s]; ok {
		return u, nil
	}
	if u, ok := p.Units[strings.ToUpper(s)]; ok {
		return u, nil
	}
	for _, u := range p.Units {
		if strings.EqualFold(u.Name, s) || u.NameZh == s {
			return u, nil
		}
	}
	return nil, badf(lang, "unknown unit %q: no unit of this panel has that code or name", "未知单位 %q：本面板没有此代码或名称的单位", clip(s))
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func yearsText(ys []int) string {
	var out []string
	for _, y := range ys {
		out = append(out, strconv.Itoa(y))
	}
	return strings.Join(out, ", ")
}

// switchLang is the page itself in the other language.
func (st *state) switchLang(path string) string {
	q := url.Values{}
	for k, v := range st.Query {
		q[k] = v
	}
	if st.Lang.ZH() {
		q.Del("lang")
	} else {
		q.Set("lang", "zh")
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// link is path with the state's query (and the changes in kv: key, value, ...),
// leaving out what is empty or the default.
func (st *state) link(path string, kv ...string) string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	if st.Lang != "en" {
		set("lang", string(st.Lang))
	}
	set("dataset", st.Dataset)
	if st.Year != 0 {
		set("year", strconv.Itoa(st.Year))
	}
	set("node", st.Node)
	for i := 0; i+1 < len(kv); i += 2 {
		q.Del(kv[i])
		set(kv[i], kv[i+1])
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
