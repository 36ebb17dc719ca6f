package serve

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/report"
)

// mapBody is the map page: shapes (a world map) or tiles (a grid), coloured.
type mapBody struct {
	Shapes  []mapShape
	Tiles   []mapShape
	Width   int
	Height  int
	Legend  []legendItem
	Missing []mapShape // units with values the map cannot place
	Table   *htable
}

type mapShape struct {
	Code, Path, Fill, Title, Href, Label string
	Ink                                  string // the label's colour on Fill
	X, Y                                 int
}

type legendItem struct{ Color, Label string }

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request, lang present.Lang) error {
	v, st, err := s.begin(r, lang)
	if err != nil {
		return err
	}
	p := v.p
	rk, err := query.Rank(p, query.RankRequest{Year: st.Year, Node: st.Node})
	if err != nil {
		return badf(string(lang), "%v", "%v", err)
	}
	k := p.Node(st.Node)
	digits := present.Digits(p.Selection, st.Year)
	byBand := st.Node == p.Root() && len(present.BandIDs(p.Selection)) > 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range rk.Rows {
		if c := row.Cells[k]; c.OK() {
			lo, hi = math.Min(lo, c.Value), math.Max(hi, c.Value)
		}
	}
	short := present.NodeShort(p.Selection, st.Node, lang)
	type info struct{ fill, title string }
	units := map[string]info{}
	for _, row := range rk.Rows {
		c := row.Cells[k]
		if !c.OK() {
			continue
		}
		fill := ramp(c.Value, lo, hi)
		if byBand {
			fill = bandColor(p.Selection, row.Band)
		}
		title := fmt.Sprintf("%s — %s %s", present.Name(row.Unit, lang), short, fmtValue(c.Value, digits))
		if c.Rank > 0 {
			title += fmt.Sprintf(lang.Tr(", rank %d", "，第%d位"), c.Rank)
		}
		if byBand && row.Band != "" {
			title += " · " + present.BandLabel(p.Selection, row.Band, lang)
		}
		units[row.Unit.Code] = info{fill, title}
	}
	body := &mapBody{}
	placed := map[string]bool{}
	countries := false
	for _, u := range p.Units {
		if u.Kind == "country" {
			countries = true
			break
		}
	}
	if countries {
		body.Width, body.Height = 1000, 480
		for _, sh := range s.geo.world {
			ms := mapShape{Code: sh.ISO3, Path: sh.Path, Fill: noData, Title: sh.Name}
			if u, ok := p.Units[sh.ISO3]; ok {
				ms.Title = present.Name(u, lang) + " — " + lang.Tr("no value", "无数值")
				ms.Href = st.link("/unit/" + sh.ISO3)
			}
			if in, ok := units[sh.ISO3]; ok {
				ms.Fill, ms.Title = in.fill, in.title
				placed[sh.ISO3] = true
			}
			body.Shapes = append(body.Shapes, ms)
		}
	} else {
		minC, minR, maxC, maxR := 1<<30, 1<<30, 0, 0
		for code, t := range s.geo.tiles {
			if _, ok := p.Units[code]; ok {
				minC, minR, maxC, maxR = min(minC, t.Col), min(minR, t.Row), max(maxC, t.Col), max(maxR, t.Row)
			}
		}
		for code, t := range s.geo.tiles {
			u, ok := p.Units[code]
			if !ok {
				continue
			}
			ms := mapShape{Code: code, Fill: noData, Title: present.Name(u, lang), Href: st.link("/unit/" + code),
				X: (t.Col - minC) * 76, Y: (t.Row - minR) * 62, Label: tileLabel(u, lang)}
			if in, ok := units[code]; ok {
				ms.Fill, ms.Title = in.fill, in.title
				placed[code] = true
			}
			ms.Ink = inkOn(ms.Fill)
			body.Tiles = append(body.Tiles, ms)
		}
		if len(body.Tiles) > 0 {
			body.Width, body.Height = (maxC-minC+1)*76, (maxR-minR+1)*62
		}
	}
	for _, row := range rk.Rows {
		if _, ok := units[row.Unit.Code]; ok && !placed[row.Unit.Code] {
			body.Missing = append(body.Missing, mapShape{Code: row.Unit.Code, Title: units[row.Unit.Code].title, Href: st.link("/unit/" + row.Unit.Code), Fill: units[row.Unit.Code].fill})
		}
	}
	if byBand {
		for _, b := range present.BandIDs(p.Selection) {
			body.Legend = append(body.Legend, legendItem{bandColor(p.Selection, b), present.BandLabel(p.Selection, b, lang)})
		}
	} else if lo <= hi {
		body.Legend = []legendItem{{ramp(lo, lo, hi), fmtValue(lo, digits)}, {ramp((lo+hi)/2, lo, hi), fmtValue((lo+hi)/2, digits)}, {ramp(hi, lo, hi), fmtValue(hi, digits)}}
	}
	body.Legend = append(body.Legend, legendItem{noData, lang.Tr("no value", "无数值")})
	pg := &page{Lang: lang, Body: body, Action: "/", Synthetic: p.Synthetic(),
		Title:   fmt.Sprintf(lang.Tr("%s, %d", "%[2]d年%[1]s"), present.NodeName(p.Selection, st.Node, lang), st.Year),
		Sources: present.Sources(p, []int{st.Year}, []string{st.Node}, lang)}
	s.chrome(pg, st, "/", "map")
	pg.Controls = s.controls(v, st)
	return s.render(w, "map", pg)
}

// inkOn is the colour text is legible in on fill ("#rrggbb"): white on dark blues.
func inkOn(fill string) string {
	var r, g, b int
	if _, err := fmt.Sscanf(fill, "#%02x%02x%02x", &r, &g, &b); err == nil && 0.299*float64(r)+0.587*float64(g)+0.114*float64(b) < 128 {
		return "#ffffff"
	}
	return "#111111"
}

// tileLabel is a tile's short text: a province's name without its suffix, or its code.
func tileLabel(u *panel.Unit, lang present.Lang) string {
	if lang.ZH() && u.NameZh != "" {
		n := u.NameZh
		for _, suf := range []string{"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"} {
			if strings.HasSuffix(n, suf) && len([]rune(n)) > len([]rune(suf))+1 {
				return strings.TrimSuffix(n, suf)
			}
		}
		return n
	}
	n := u.Name
	if r := []rune(n); len(r) > 9 {
		n = string(r[:8]) + "."
	}
	return n
}

// ranked is a year's ranking of the state's node, filtered by its region and band.
func (s *Server) ranked(p *panel.Panel, st *state) (*query.Ranking, error) {
	req := query.RankRequest{Year: st.Year, Node: st.Node}
	if st.Region != "" {
		flt, err := filterOf(st.Region)
		if err != nil {
			return nil, badf(string(st.Lang), "%v", "%v", err)
		}
		req.Filters = append(req.Filters, flt)
	}
	rk, err := query.Rank(p, req)
	if err != nil {
		return nil, badf(string(st.Lang), "%v", "%v", err)
	}
	if st.Band != "" {
		var rows []panel.Row
		for _, row := range rk.Rows {
			if row.Band == st.Band {
				rows = append(rows, row)
			}
		}
		rk.Rows = rows
	}
	return rk, nil
}

type rankingBody struct {
	Table        *htable
	CSV, XLSX    string
	Count        int
	PreviousYear int
}

func (s *Server) rankingPage(w http.ResponseWriter, r *http.Request, lang present.Lang) error {
	v, st, err := s.begin(r, lang)
	if err != nil {
		return err
	}
	p := v.p
	rk, err := s.ranked(p, st)
	if err != nil {
		return err
	}
	t := tableOf(present.Ranking(rk, lang, "table"), "ranking", lang, func(code string) string { return st.link("/unit/" + code) })
	body := &rankingBody{Table: t, Count: len(rk.Rows),
		CSV:  st.link("/ranking.csv", "region", st.Region, "band", st.Band),
		XLSX: st.link("/ranking.xlsx", "region", st.Region, "band", st.Band)}
	// the rank change since the previous edition, beside the rank
	years := p.YearList()
	for i, y := range years {
		if y == st.Year && i > 0 {
			body.PreviousYear = years[i-1]
		}
	}
	if body.PreviousYear != 0 {
		prev, err := query.Rank(p, query.RankRequest{Year: body.PreviousYear, Node: st.Node})
		if err == nil {
			k := p.Node(st.Node)
			before := map[string]int{}
			for _, row := range prev.Rows {
				before[row.Unit.Code] = row.Cells[k].Rank
			}
			t.Headers = append(t.Headers, hcol{Label: fmt.Sprintf(lang.Tr("Change since %d", "较%d年变化"), body.PreviousYear), Num: true})
			for i, row := range rk.Rows {
				c := hcell{Text: "–", Num: true}
				if b, now := before[row.Unit.Code], row.Cells[k].Rank; b > 0 && now > 0 {
					d := b - now
					c.Sort = fmt.Sprint(d)
					switch {
					case d > 0:
						c.Text = fmt.Sprintf("▲ %d", d)
					case d < 0:
						c.Text = fmt.Sprintf("▼ %d", -d)
					default:
						c.Text = "="
					}
				}
				t.Rows[i].Cells = append(t.Rows[i].Cells, c)
			}
		}
	}
	pg := &page{Lang: lang, Body: body, Action: "/ranking", Synthetic: p.Synthetic(),
		Title: fmt.Sprintf(lang.Tr("Ranking by %s, %d", "%[2]d年%[1]s排名"), present.NodeName(p.Selection, st.Node, lang), st.Year)}
	s.chrome(pg, st, "/ranking", "ranking")
	pg.Controls = append(s.controls(v, st), s.filterControls(p, st)...)
	return s.render(w, "ranking", pg)
}

// filterControls are the ranking's grouping and band selectors.
func (s *Server) filterControls(p *panel.Panel, st *state) []control {
	l := st.Lang
	gc := control{Name: "region", Label: l.Tr("Group", "分组")}
	gc.Options = append(gc.Options, option{Value: "", Label: l.Tr("all", "全部"), Selected: st.Region == ""})
	gs := query.GroupsOf(p)
	for _, g := range p.Groupings() {
		if query.Flags[g] != "" {
			gc.Options = append(gc.Options, option{Value: g, Label: present.GroupingName(p, g, l), Selected: st.Region == g})
			continue
		}
		var names []string
		for n := range gs[g] {
			names = append(names, n)
		}
		sortGroups(names, gs[g])
		for _, n := range names {
			val := g + "=" + n
			if g == "region" || g == "subregion" {
				val = n
			}
			label := gs[g][n].In(string(l))
			if g == "subregion" {
				label = "– " + label
			} else if g != "region" {
				label = present.GroupingName(p, g, l) + ": " + label
			}
			gc.Options = append(gc.Options, option{Value: val, Label: label, Selected: st.Region == val})
		}
	}
	out := []control{gc}
	if bands := present.BandIDs(p.Selection); len(bands) > 0 {
		bc := control{Name: "band", Label: present.BandWord(p.Selection, l)}
		bc.Options = append(bc.Options, option{Value: "", Label: l.Tr("all", "全部"), Selected: st.Band == ""})
		for _, b := range bands {
			bc.Options = append(bc.Options, option{Value: b, Label: present.BandLabel(p.Selection, b, l), Selected: st.Band == b})
		}
		out = append(out, bc)
	}
	return out
}

func sortGroups(names []string, gs map[string]panel.Group) {
	less := func(a, b string) bool {
		ga, gb := gs[a], gs[b]
		if ga.Order != gb.Order && ga.Order != 0 && gb.Order != 0 {
			return ga.Order < gb.Order
		}
		return a < b
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && less(names[j], names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
}

func (s *Server) rankingCSV(w http.ResponseWriter, r *http.Request, lang present.Lang) error {
	v, st, err := s.begin(r, lang)
	if err != nil {
		return err
	}
	rk, err := s.ranked(v.p, st)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := output.Write(&b, present.Ranking(rk, lang, "csv"), "csv"); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ranking-%d.csv"`, st.Year))
	w.Write(b.Bytes())
	return nil
}

func (s *Server) rankingXLSX(w http.ResponseWriter, r *http.Request, lang present.Lang) error {
	v, st, err := s.begin(r, lang)
	if err != nil {
		return err
	}
	if st.Region != "" || st.Band != "" {
		// filtered: the rows shown, as the CSV has them, on one sheet
		rk, err := s.ranked(v.p, st)
		if err != nil {
			return err
		}
		b, err := report.XLSX(sheetOf(present.Ranking(rk, lang, "csv"), lang.Tr("Ranking", "排名")))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ranking-%d-filtered.xlsx"`, st.Year))
		w.Write(b)
		return nil
	}
	rep, err := report.Build(v.p, "ranking", report.Options{Lang: lang, Node: st.Node, Year: st.Year})
	if err != nil {
		return badf(string(lang), "%v", "%v", err)
	}
	b, err := report.XLSX(rep)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ranking-%d.xlsx"`, st.Year))
	w.Write(b)
	return nil
}

// sheetOf is a table as a one-sheet workbook's report: its columns typed by their
// values (whole numbers, decimals at the table's digits, text).
func sheetOf(t *output.Table, sheet string) *report.Report {
	rt := &report.Table{Sheet: sheet}
	for j, c := range t.Columns {
		kind := "text"
	typed:
		for _, r := range t.Rows {
			switch r[j].(type) {
			case nil:
				continue
			case int, int64:
				kind = "int"
			case float64:
				kind = "float"
			}
			break typed
		}
		label := c
		if j < len(t.Headers) {
			label = t.Headers[j]
		}
		rt.Columns = append(rt.Columns, report.Column{Key: c, Label: label, Kind: kind, Digits: max(t.Digits, 4)})
	}
	for _, r := range t.Rows {
		rt.Rows = append(rt.Rows, r)
	}
	return &report.Report{Kind: "ranking", Title: sheet, Blocks: []report.Block{{Table: rt}}}
}

type unitBody struct {
	Code, Name, About string
	Trend             *figure
	History           *htable
	Components        *htable
	ComponentsChart   *figure
	Interval          *interval
	IntervalNote      string
	Peers             *htable
}

type interval struct {
	Nominal      int
	Median       string
	P05, P95     string
	Samples, Run int
	Method       string
}

func (s *Server) unitPage(w http.ResponseWriter, r *http.Request, lang present.Lang) error {
	v, st, err := s.begin(r, lang)
	if err != nil {
		return err
	}
	p := v.p
	u, err := unitOf(p, r.PathValue("code"), string(lang))
	if err != nil {
		return err
	}
	tr, err := query.Follow(p, query.TrendRequest{Units: []string{u.Code}, Node: st.Node})
	if err != nil {
		return badf(string(lang), "%v", "%v", err)
	}
	body := &unitBody{Code: u.Code, Name: present.Name(u, lang)}
	body.History = tableOf(present.Trend(tr, lang, "table"), "history", lang, nil)
	if len(tr.Points) > 1 {
		body.Trend, err = figureOf(chart.Build(p, "trend", chart.Options{Lang: lang, Node: st.Node, Units: []string{u.Code}}))
		if err != nil {
			return err
		}
	}
	var groups []string
	for _, g := range []string{"region", "subregion"} {
		if gr, ok := u.Groups[g]; ok {
			groups = append(groups, gr.In(string(lang)))
		}
	}
	body.About = strings.Join(groups, " · ")
	// components against the unit's region (or first grouping) and all units
	row, ok := p.Find(u.Code, st.Year)
	digits := present.Digits(p.Selection, st.Year)
	children := childNodes(p, st.Node)
	if ok && row.Assessed() && len(children) > 0 {
		grouping := ""
		for _, g := range p.Groupings() {
			if _, has := u.Groups[g]; has && query.Flags[g] == "" {
				grouping = g
				break
			}
		}
		mine := u.Groups[grouping]
		region := mine.In(string(lang))
		t := &htable{ID: "components", Headers: []hcol{{Label: lang.Tr("Component", "分项")}, {Label: present.Name(u, lang), Num: true}}}
		if grouping != "" {
			t.Headers = append(t.Headers, hcol{Label: fmt.Sprintf(lang.Tr("%s mean", "%s均值"), region), Num: true})
		}
		t.Headers = append(t.Headers, hcol{Label: fmt.Sprintf(lang.Tr("Mean of all %s", "全部%s均值"), present.UnitsWord(p.Selection, lang)), Num: true})
		spec := chart.BarsSpec{Lang: lang, Title: fmt.Sprintf(lang.Tr("%s: components, %d", "%[1]s：%[2]d年分项"), present.Name(u, lang), st.Year),
			Digits: digits, Source: present.Sources(p, []int{st.Year}, children, lang)}
		series := []chart.BarSeries{{Label: present.Name(u, lang)}}
		if grouping != "" {
			series = append(series, chart.BarSeries{Label: region})
		}
		series = append(series, chart.BarSeries{Label: lang.Tr("All", "全部")})
		for _, c := range children {
			i := p.Node(c)
			all, reg := meanOf(p, st.Year, i, "", panel.Group{}), meanOf(p, st.Year, i, grouping, mine)
			short := present.NodeShort(p.Selection, c, lang)
			cells := []hcell{{Text: short, Sort: short}, numCell(row.Cells[i].Value, digits)}
			vals := []float64{row.Cells[i].Value}
			if grouping != "" {
				cells, vals = append(cells, numCell(reg, digits)), append(vals, reg)
			}
			cells, vals = append(cells, numCell(all, digits)), append(vals, all)
			t.Rows = append(t.Rows, hrow{Cells: cells})
			spec.Categories = append(spec.Categories, present.NodeShort(p.Selection, c, lang))
			for j := range series {
				series[j].Values = append(series[j].Values, vals[j])
			}
		}
		spec.Series = series
		t.Notes = spec.Source
		body.Components = t
		if body.ComponentsChart, err = figureOf(chart.Bars(spec)); err != nil {
			return err
		}
	}
	// peers: the units nearest it on the node that year, as the profile report lists them
	if k := p.Node(st.Node); ok && k >= 0 && row.Cells[k].OK() {
		t := &htable{ID: "peers", Headers: []hcol{{Label: lang.Tr("Rank", "排名"), Num: true}, {Label: lang.Tr("Code", "代码")},
			{Label: lang.Tr("Name", "名称")}, {Label: present.NodeShort(p.Selection, st.Node, lang), Num: true},
			{Label: fmt.Sprintf(lang.Tr("Difference from %s", "与%s之差"), present.Name(u, lang)), Num: true}}}
		for _, pr := range query.Peers(p.Rows, row, k, 6) {
			rank := hcell{Text: "–", Num: true}
			if pr.Cells[k].Rank > 0 {
				rank = hcell{Text: fmt.Sprint(pr.Cells[k].Rank), Sort: fmt.Sprint(pr.Cells[k].Rank), Num: true}
			}
			href := st.link("/unit/" + pr.Unit.Code)
			t.Rows = append(t.Rows, hrow{Unit: pr.Unit.Code, Cells: []hcell{rank, {Text: pr.Unit.Code, Sort: pr.Unit.Code, Href: href},
				{Text: present.Name(pr.Unit, lang), Sort: present.Name(pr.Unit, lang), Href: href},
				numCell(pr.Cells[k].Value, digits), numCell(pr.Cells[k].Value-row.Cells[k].Value, digits)}})
		}
		t.Notes = present.Sources(p, []int{st.Year}, []string{st.Node}, lang)
		body.Peers = t
	}
	// the rank interval of a stored uncertainty run of this dataset and year
	ds := st.Dataset
	for _, y := range p.Years {
		if y.Year == st.Year && len(y.Runs) > 0 && ds == "" && y.Runs[0].Source == panel.Computed {
			ds = y.Runs[0].Dataset
		}
	}
	if ds != "" && st.Node == p.Root() {
		run, err := s.storedRun(r.Context(), ds, st.Year)
		if err != nil {
			s.log.Printf("uncertainty run of %s %d: %v", ds, st.Year, err)
		}
		if run != nil {
			for _, us := range run.Units {
				if us.Code == u.Code {
					body.Interval = &interval{Nominal: us.NominalRank, Median: fmtValue(us.Median, 0), P05: fmtValue(us.P05, 0), P95: fmtValue(us.P95, 0),
						Samples: run.Samples, Run: run.ID, Method: run.Method}
				}
			}
		}
	}
	if body.Interval == nil {
		body.IntervalNote = lang.Tr("No uncertainty run is stored for these values (egdi uncertainty stores one).", "这些数值没有已存储的不确定性分析（可用 egdi uncertainty 生成）。")
	}
	pg := &page{Lang: lang, Body: body, Action: "/unit/" + u.Code, Synthetic: p.Synthetic(),
		Title: fmt.Sprintf(lang.Tr("%s: %s", "%s：%s"), present.Name(u, lang), present.NodeName(p.Selection, st.Node, lang))}
	s.chrome(pg, st, "/unit/"+u.Code, "")
	pg.Controls = s.controls(v, st)
	return s.render(w, "unit", pg)
}

func numCell(v float64, digits int) hcell {
	if math.IsNaN(v) {
		return hcell{Text: "–", Num: true}
	}
	return hcell{Text: fmtValue(v, digits), Sort: fmt.Sprint(v), Num: true}
}

// childNodes are the child nodes of node the panel holds (EGDI: OSI, TII, HCI).
func childNodes(p *panel.Panel, node string) []string {
	var out []string
	if n := p.Framework.Node(node); n != nil {
		for _, c := range n.Children {
			if p.Node(c.ID) >= 0 {
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// meanOf is the mean of node k over year's assessed units (of group g in grouping,
// when one is given).
func meanOf(p *panel.Panel, year, k int, grouping string, g panel.Group) float64 {
	sum, n := 0.0, 0
	for _, r := range p.Of(year) {
		if !r.Assessed() || !r.Cells[k].OK() {
			continue
		}
		if grouping != "" && r.Unit.Groups[grouping].Name != g.Name {
			continue
		}
		sum += r.Cells[k].Value
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

type compareBody struct {
	Units string
	Table *htable
	Chart *figure
}

func (s *Server) comparePage(w http.ResponseWriter, r *http.Request, lang present.Lang) error {
	v, st, err := s.begin(r, lang)
	if err != nil {
		return err
	}
	p := v.p
	q := r.URL.Query()
	raw := q.Get("units")
	body := &compareBody{Units: raw}
	pg := &page{Lang: lang, Body: body, Action: "/compare", Synthetic: p.Synthetic(),
		Title: fmt.Sprintf(lang.Tr("Comparison, %d", "%d年比较"), st.Year)}
	s.chrome(pg, st, "/compare", "compare")
	pg.Controls = s.controls(v, st)
	pg.Hidden = nil
	if strings.TrimSpace(raw) == "" {
		return s.render(w, "compare", pg)
	}
	var units []string
	for _, x := range strings.Split(raw, ",") {
		if strings.TrimSpace(x) == "" {
			continue
		}
		u, err := unitOf(p, x, string(lang))
		if err != nil {
			return err
		}
		units = append(units, u.Code)
	}
	if len(units) < 2 || len(units) > 12 {
		return badf(string(lang), "compare takes 2 to 12 units, like units=CHN,KOR,JPN (got %d)", "比较需要 2 至 12 个单位，例如 units=CHN,KOR,JPN（现有 %d 个）", len(units))
	}
	c, err := query.Compare(p, query.CompareRequest{Units: units, Year: st.Year, Node: st.Node})
	if err != nil {
		return badf(string(lang), "%v", "%v", err)
	}
	body.Table = tableOf(present.Comparison(c, lang, "table"), "comparison", lang, nil)
	body.Units = strings.Join(units, ",")
	if len(childNodes(p, st.Node)) > 0 {
		if body.Chart, err = figureOf(chart.Build(p, "components", chart.Options{Lang: lang, Node: st.Node, Units: units, Years: []int{st.Year}})); err != nil {
			s.log.Printf("compare chart: %v", err)
		}
	}
	pg.Title = fmt.Sprintf(lang.Tr("%s compared, %d", "%[2]d年比较：%[1]s"), lang.List(names(p, units, lang)), st.Year)
	return s.render(w, "compare", pg)
}

func names(p *panel.Panel, codes []string, lang present.Lang) []string {
	var out []string
	for _, c := range codes {
		out = append(out, present.Name(p.Units[c], lang))
	}
	return out
}
