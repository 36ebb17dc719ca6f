package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// childNodes are the child nodes of node in the selection (EGDI: OSI, TII, HCI).
func (b *builder) childNodes(node string) []string {
	var out []string
	if n := b.sel.Framework.Node(node); n != nil {
		for _, c := range n.Children {
			if b.p.Node(c.ID) >= 0 {
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// profile: one unit's history on the node and its children, its children against its
// region (or group of its own), its band and all units, its strongest and weakest
// child, and its peers.
func (b *builder) profile() error {
	if b.o.Unit == "" {
		return fmt.Errorf("profile: name the unit, like --unit CHN")
	}
	unit := b.o.Unit
	cols := query.Columns(b.sel, b.node)
	var hist []panel.Row
	for _, r := range b.p.Rows {
		if r.Unit.Code == unit && r.Assessed() && r.Cells[b.p.Node(b.node)].OK() {
			hist = append(hist, r)
		}
	}
	if len(hist) == 0 {
		return fmt.Errorf("%s has no %s values in the database (years with data: %s)", unit, b.short(b.node), yearsText(b.p.YearList()))
	}
	cur := hist[len(hist)-1]
	if b.o.Year != 0 {
		found := false
		for _, r := range hist {
			if r.Year == b.o.Year {
				cur, found = r, true
			}
		}
		if !found {
			return fmt.Errorf("%s has no values for %d", unit, b.o.Year)
		}
	}
	var years []int
	for _, r := range hist {
		years = append(years, r.Year)
	}
	b.meta(years, cols)
	name := present.Name(cur.Unit, b.lang)
	digits := present.Digits(b.sel, cur.Year)
	k := b.p.Node(b.node)
	if b.sel.UN() && b.node == b.sel.Root() {
		b.r.Title = fmt.Sprintf(b.tr("E-government profile: %s", "电子政务概况：%s"), name)
	} else {
		b.r.Title = fmt.Sprintf(b.tr("%s: profile of %s", "%[2]s：%[1]s概况"), present.NodeName(b.sel, b.node, b.lang), name)
	}
	b.synthetic(years, cols)

	// who the unit is
	var about []string
	if reg, ok := cur.Unit.Groups["region"]; ok {
		sub := cur.Unit.Groups["subregion"]
		s := fmt.Sprintf(b.tr("%s (%s) is in %s, %s.", "%s（%s）位于%s（%s）。"), name, unit, reg.In(string(b.lang)), sub.In(string(b.lang)))
		var flags []string
		for _, f := range []struct{ g, en, zh string }{{"ldc", "a least developed country", "最不发达国家"}, {"lldc", "a landlocked developing country", "内陆发展中国家"}, {"sids", "a small island developing State", "小岛屿发展中国家"}} {
			if cur.Unit.Groups[f.g].Name == query.Flags[f.g] {
				flags = append(flags, b.tr(f.en, f.zh))
			}
		}
		if len(flags) > 0 {
			s += fmt.Sprintf(b.tr(" It is %s.", "属于%s。"), b.lang.List(flags))
		}
		about = append(about, s)
	}
	banded := b.banded() || b.sel.UN()

	// history
	ht := &Table{Sheet: b.tr("History", "历年"), Sortable: true, Columns: append(append([]Column{
		{Key: "year", Label: b.tr("Year", "年份"), Kind: "int"}}, b.valueColumns(cols, digits)...),
		Column{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"})}
	if banded {
		ht.Columns = append(ht.Columns, Column{Key: present.BandKey(b.sel), Label: b.tr("Group", "组别"), Kind: "text"})
	}
	for _, r := range hist {
		row := []any{r.Year}
		for _, c := range cols {
			if i := b.p.Node(c); i >= 0 {
				row = append(row, num(value(r.Cells[i])))
			} else {
				row = append(row, nil)
			}
		}
		row = append(row, rankOf(r.Cells[k]))
		if banded {
			var band any
			if r.Band != "" {
				band = b.bandLabel(r.Band)
			}
			row = append(row, band)
		}
		ht.Rows = append(ht.Rows, row)
	}
	if first := hist[0]; first.Year != cur.Year && first.Cells[k].Rank > 0 && cur.Cells[k].Rank > 0 {
		about = append(about, fmt.Sprintf(b.tr("Its %[1]s went from %[2]s (rank %[3]d) in %[4]d to %[5]s (rank %[6]d) in %[7]d.",
			"其%[1]s从%[4]d年的%[2]s（第%[3]d位）变为%[7]d年的%[5]s（第%[6]d位）。"),
			b.short(b.node), b.fmtNum(first.Cells[k].Value, digits), first.Cells[k].Rank, first.Year,
			b.fmtNum(cur.Cells[k].Value, digits), cur.Cells[k].Rank, cur.Year))
	}

	// the node and its children against the unit's region (or group), band and all units
	grouping := b.grouping()
	myGroup := cur.Unit.Groups[grouping]
	rows := cols
	inGroup, inBand, all := make([]acc, len(rows)), make([]acc, len(rows)), make([]acc, len(rows))
	var same []panel.Row
	for _, r := range b.p.Of(cur.Year) {
		if !r.Assessed() {
			continue
		}
		same = append(same, r)
		for j, c := range rows {
			i := b.p.Node(c)
			if i < 0 {
				continue
			}
			v := value(r.Cells[i])
			all[j].add(v)
			if grouping != "" && myGroup.Name != "" && r.Unit.Groups[grouping].Name == myGroup.Name {
				inGroup[j].add(v)
			}
			if cur.Band != "" && r.Band == cur.Band {
				inBand[j].add(v)
			}
		}
	}
	groupLabel := fmt.Sprintf(b.tr("%s mean", "%s均值"), myGroup.In(string(b.lang)))
	bandLabel := fmt.Sprintf(b.tr("%s group mean", "%s组均值"), b.bandLabel(cur.Band))
	allLabel := b.tr("World mean", "全球均值")
	minusLabel := b.tr("Difference from world", "与全球均值之差")
	if !b.sel.UN() {
		allLabel, minusLabel = b.tr("Mean of all units", "全部地区均值"), b.tr("Difference from all", "与全部均值之差")
	}
	ct := &Table{Sheet: b.tr("Components", "分项指数"), Columns: []Column{{Key: "index", Label: b.tr("Index", "指数"), Kind: "text"},
		{Key: "value", Label: name, Kind: "float", Digits: digits}}}
	if !b.sel.UN() {
		ct.Sheet, ct.Columns[0] = b.tr("Dimensions", "维度"), Column{Key: "node", Label: b.tr("Dimension", "维度"), Kind: "text"}
	}
	showGroup, showBand := myGroup.Name != "", cur.Band != ""
	if showGroup {
		ct.Columns = append(ct.Columns, Column{Key: "region_mean", Label: groupLabel, Kind: "float", Digits: digits})
	}
	if showBand {
		ct.Columns = append(ct.Columns, Column{Key: "group_mean", Label: bandLabel, Kind: "float", Digits: digits})
	}
	ct.Columns = append(ct.Columns, Column{Key: "world_mean", Label: allLabel, Kind: "float", Digits: digits},
		Column{Key: "minus_world", Label: minusLabel, Kind: "float", Digits: digits})
	mine := map[string]float64{}
	for j, c := range rows {
		v := math.NaN()
		if i := b.p.Node(c); i >= 0 {
			v = value(cur.Cells[i])
		}
		mine[c] = v
		row := []any{b.short(c), num(v)}
		if showGroup {
			row = append(row, num(inGroup[j].mean()))
		}
		if showBand {
			row = append(row, num(inBand[j].mean()))
		}
		ct.Rows = append(ct.Rows, append(row, num(all[j].mean()), num(v-all[j].mean())))
	}
	// strongest and weakest child
	kids := b.childNodes(b.node)
	var scored []string
	for _, c := range kids {
		if !math.IsNaN(mine[c]) {
			scored = append(scored, c)
		}
	}
	sort.SliceStable(scored, func(i, j int) bool { return mine[scored[i]] > mine[scored[j]] })
	var compText []string
	if len(scored) >= 2 {
		best, worst := scored[0], scored[len(scored)-1]
		mean := func(c string) float64 {
			for j, x := range rows {
				if x == c {
					return all[j].mean()
				}
			}
			return math.NaN()
		}
		what := b.tr("component", "分项指数")
		if !b.sel.UN() {
			what = b.tr("dimension", "维度")
		}
		compText = append(compText, fmt.Sprintf(b.tr("In %d its strongest %s is %s (%s; %s %s) and its weakest %s (%s; %s %s).",
			"%d年，其最强的%s是%s（%s，%s%s），最弱的是%s（%s，%s%s）。"),
			cur.Year, what, b.short(best), b.fmtNum(mine[best], digits), b.tr("mean", "均值"), b.fmtNum(mean(best), digits),
			b.short(worst), b.fmtNum(mine[worst], digits), b.tr("mean", "均值"), b.fmtNum(mean(worst), digits)))
		if b.sel.UN() {
			compText[0] = fmt.Sprintf(b.tr("In %d its strongest component is %s (%s; world mean %s) and its weakest %s (%s; world mean %s).",
				"%d年，其最强的分项指数是%s（%s，全球均值%s），最弱的是%s（%s，全球均值%s）。"),
				cur.Year, b.short(best), b.fmtNum(mine[best], digits), b.fmtNum(mean(best), digits),
				b.short(worst), b.fmtNum(mine[worst], digits), b.fmtNum(mean(worst), digits))
		}
	}

	// peers: the nearest values of the node in the same year
	unitWord, _ := b.unitWord()
	pt := &Table{Sheet: b.tr("Peers", "相近"), Columns: []Column{
		{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: unitWord, Kind: "text"},
		{Key: b.node, Label: b.short(b.node), Kind: "float", Digits: digits},
		{Key: "difference", Label: fmt.Sprintf(b.tr("Difference from %s", "与%s之差"), name), Kind: "float", Digits: digits}}}
	for _, r := range query.Peers(same, cur, k, 6) {
		pt.Rows = append(pt.Rows, []any{rankOf(r.Cells[k]), r.Unit.Code, present.Name(r.Unit, b.lang), r.Cells[k].Value, r.Cells[k].Value - cur.Cells[k].Value})
	}

	if len(about) > 0 {
		b.r.Blocks = append(b.r.Blocks, Block{Heading: b.tr("Overview", "概况"), Text: about})
	}
	hb := Block{Heading: b.tr("Across years", "历年表现"), Table: ht}
	if b.sel.UN() {
		hb.Heading = b.tr("Across editions", "历年表现")
	}
	cb := Block{Heading: fmt.Sprintf(b.tr("Components in %d", "%d年分项指数"), cur.Year), Text: compText, Table: ct}
	if !b.sel.UN() {
		cb.Heading = fmt.Sprintf(b.tr("Dimensions in %d", "%d年各维度"), cur.Year)
	}
	if b.o.Charts {
		for _, spec := range []struct {
			name string
			o    chart.Options
		}{{"trend-" + b.node, chart.Options{Units: []string{unit}}}, {"trend-rank", chart.Options{Units: []string{unit}, Rank: true}}} {
			ch, err := b.figure(spec.name, "trend", spec.o)
			if err != nil {
				return err
			}
			hb.Charts = append(hb.Charts, ch)
		}
		if len(kids) > 0 {
			ch, err := b.figure("components-history", "components", chart.Options{Units: []string{unit}})
			if err != nil {
				return err
			}
			hb.Charts = append(hb.Charts, ch)
		}
		var cats []string
		var series []chart.BarSeries
		for col := 1; col < len(ct.Columns)-1; col++ {
			s := chart.BarSeries{Label: ct.Columns[col].Label}
			for j := range rows {
				if rows[j] == "epi" && b.sel.UN() {
					continue // supplementary, not part of EGDI
				}
				v, ok := ct.Rows[j][col].(float64)
				if !ok {
					v = math.NaN()
				}
				s.Values = append(s.Values, v)
			}
			series = append(series, s)
		}
		for _, c := range rows {
			if c == "epi" && b.sel.UN() {
				continue
			}
			cats = append(cats, b.short(c))
		}
		title := fmt.Sprintf(b.tr("%s against its region, group and the world, %d", "%s与所在区域、组别及全球均值比较，%d年"), name, cur.Year)
		if !b.sel.UN() {
			title = fmt.Sprintf(b.tr("%s against its group and all units, %d", "%s与所在组及全部地区比较，%d年"), name, cur.Year)
		}
		fig, err := chart.Bars(chart.BarsSpec{Lang: b.lang, Title: title, YLabel: b.tr("Value", "数值") + present.Range(b.sel, b.lang),
			Categories: cats, Series: series, Source: present.Sources(b.p, []int{cur.Year}, cols, b.lang)})
		if err != nil {
			return err
		}
		cb.Charts = append(cb.Charts, Chart{Name: "components-vs-means", Figure: fig})
	}
	peersHeading := fmt.Sprintf(b.tr("Peers in %d (nearest %s)", "%d年%s相近的%s"), cur.Year, b.short(b.node), unitWord)
	if !b.lang.ZH() {
		peersHeading = fmt.Sprintf("Peers in %d (nearest %s)", cur.Year, b.short(b.node))
	}
	b.r.Blocks = append(b.r.Blocks, hb, cb, Block{Heading: peersHeading, Table: pt})
	return nil
}
