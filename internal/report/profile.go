package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/query"
)

var components = []string{"osi", "tii", "hci"}

func (b *builder) profile() error {
	if b.o.Unit == "" {
		return fmt.Errorf("profile: name the unit, like --unit CHN")
	}
	units, err := query.ResolveUnits(b.ctx, b.db, []string{b.o.Unit})
	if err != nil {
		return err
	}
	unit := units[0]
	rows, choices, err := query.Panel(b.ctx, b.db, b.o.Request, nil, b.o.Lang)
	if err != nil {
		return err
	}
	var hist []query.Row
	for _, r := range rows {
		if r.Unit == unit {
			hist = append(hist, r)
		}
	}
	if len(hist) == 0 {
		return fmt.Errorf("%s has no index values in the database (years with data: %s)", unit, yearsOf(choices))
	}
	// the year of the comparison: --year, else the unit's latest
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
	var used []query.Choice
	digits := 4
	for _, c := range choices {
		for _, r := range hist {
			if r.Year == c.Year {
				used = append(used, c)
				if c.Year == cur.Year {
					digits = digitsOf(c)
				}
			}
		}
	}
	b.meta(used)
	for _, c := range used {
		if c.Year == cur.Year {
			if err := b.frameworkOf(c); err != nil {
				return err
			}
		}
	}
	if b.fw != nil {
		return b.nodeProfile(unit, cur, hist, rows, used, digits)
	}
	b.r.Title = fmt.Sprintf(b.tr("E-government profile: %s", "电子政务概况：%s"), cur.Name)
	synthetic := false
	for _, c := range used {
		synthetic = synthetic || c.Synthetic
	}
	if synthetic {
		b.r.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}

	// who the unit is
	var about []string
	if cur.Region != "" {
		s := fmt.Sprintf(b.tr("%s (%s) is in %s, %s.", "%s（%s）属于%s%s。"), cur.Name, unit, cur.Region, cur.Subregion)
		if b.zh() {
			s = fmt.Sprintf("%s（%s）位于%s（%s）。", cur.Name, unit, cur.Region, cur.Subregion)
		}
		var flags []string
		for _, f := range []struct {
			on     bool
			en, zh string
		}{{cur.LDC, "a least developed country", "最不发达国家"}, {cur.LLDC, "a landlocked developing country", "内陆发展中国家"}, {cur.SIDS, "a small island developing State", "小岛屿发展中国家"}} {
			if f.on {
				flags = append(flags, b.tr(f.en, f.zh))
			}
		}
		if len(flags) > 0 {
			s += fmt.Sprintf(b.tr(" It is %s.", "属于%s。"), b.list(flags))
		}
		about = append(about, s)
	}

	// history
	ht := &Table{Sheet: b.tr("History", "历年"), Sortable: true, Columns: append(append([]Column{
		{Key: "year", Label: b.tr("Year", "年份"), Kind: "int"}}, b.indexColumns(digits)...),
		Column{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		Column{Key: "group", Label: b.tr("Group", "组别"), Kind: "text"})}
	for _, r := range hist {
		row := []any{r.Year}
		for _, v := range r.Values {
			row = append(row, num(v))
		}
		ht.Rows = append(ht.Rows, append(row, b.rankGroup(r)...))
	}
	first := hist[0]
	if first.Year != cur.Year && first.Rank > 0 && cur.Rank > 0 {
		about = append(about, fmt.Sprintf(b.tr("Its EGDI went from %s (rank %d) in %d to %s (rank %d) in %d.",
			"其EGDI从%[3]d年的%[1]s（第%[2]d位）变为%[6]d年的%[4]s（第%[5]d位）。"),
			b.fmtNum(first.Values[0], digits), first.Rank, first.Year, b.fmtNum(cur.Values[0], digits), cur.Rank, cur.Year))
	}

	// components against region, group and world in the current year
	var region, group, world [5]acc
	var same []query.Row
	for _, r := range rows {
		if r.Year != cur.Year {
			continue
		}
		same = append(same, r)
		for i, v := range r.Values {
			world[i].add(v)
			if r.Region != "" && r.Region == cur.Region {
				region[i].add(v)
			}
			if r.Group != "" && r.Group == cur.Group {
				group[i].add(v)
			}
		}
	}
	regLabel := fmt.Sprintf(b.tr("%s mean", "%s均值"), cur.Region)
	grpLabel := fmt.Sprintf(b.tr("%s group mean", "%s组均值"), b.groupName(cur.Group))
	ct := &Table{Sheet: b.tr("Components", "分项指数"), Columns: []Column{
		{Key: "index", Label: b.tr("Index", "指数"), Kind: "text"},
		{Key: "value", Label: cur.Name, Kind: "float", Digits: digits},
		{Key: "region_mean", Label: regLabel, Kind: "float", Digits: digits},
		{Key: "group_mean", Label: grpLabel, Kind: "float", Digits: digits},
		{Key: "world_mean", Label: b.tr("World mean", "全球均值"), Kind: "float", Digits: digits},
		{Key: "minus_world", Label: b.tr("Difference from world", "与全球均值之差"), Kind: "float", Digits: digits}}}
	for i, idx := range query.Indices {
		ct.Rows = append(ct.Rows, []any{strings.ToUpper(idx), num(cur.Values[i]), num(region[i].mean()), num(group[i].mean()),
			num(world[i].mean()), num(cur.Values[i] - world[i].mean())})
	}
	best, worst := "", ""
	for i, idx := range components {
		v := cur.Values[i+1]
		if math.IsNaN(v) {
			continue
		}
		if best == "" || v > cur.Values[indexOf(best)] {
			best = idx
		}
		if worst == "" || v < cur.Values[indexOf(worst)] {
			worst = idx
		}
	}
	var compText []string
	if best != "" && best != worst {
		bi, wi := indexOf(best), indexOf(worst)
		compText = append(compText, fmt.Sprintf(b.tr("In %d its strongest component is %s (%s; world mean %s) and its weakest %s (%s; world mean %s).",
			"%d年，其最强的分项指数是%s（%s，全球均值%s），最弱的是%s（%s，全球均值%s）。"),
			cur.Year, strings.ToUpper(best), b.fmtNum(cur.Values[bi], digits), b.fmtNum(world[bi].mean(), digits),
			strings.ToUpper(worst), b.fmtNum(cur.Values[wi], digits), b.fmtNum(world[wi].mean(), digits)))
	}

	// peers: the nearest EGDI in the same year
	pt := &Table{Sheet: b.tr("Peers", "相近国家"), Columns: []Column{
		{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: b.tr("Country", "国家"), Kind: "text"},
		{Key: "egdi", Label: "EGDI", Kind: "float", Digits: digits},
		{Key: "difference", Label: fmt.Sprintf(b.tr("Difference from %s", "与%s之差"), cur.Name), Kind: "float", Digits: digits}}}
	for _, r := range peers(same, cur, 6) {
		var rank any
		if r.Rank > 0 {
			rank = r.Rank
		}
		pt.Rows = append(pt.Rows, []any{rank, r.Unit, r.Name, r.Values[0], r.Values[0] - cur.Values[0]})
	}

	b.r.Blocks = append(b.r.Blocks, Block{Heading: b.tr("Overview", "概况"), Text: about})
	hb := Block{Heading: b.tr("Across editions", "历年表现"), Table: ht}
	cb := Block{Heading: fmt.Sprintf(b.tr("Components in %d", "%d年分项指数"), cur.Year), Text: compText, Table: ct}
	if b.o.Charts {
		var err error
		if hb.Charts, err = b.trendCharts(unit, "trend-egdi"); err != nil {
			return err
		}
		ch, err := b.figure("components-history", "components", chart.Options{Units: []string{unit}})
		if err != nil {
			return err
		}
		hb.Charts = append(hb.Charts, ch)
		var series []chart.BarSeries
		for col := 1; col <= 4; col++ {
			s := chart.BarSeries{Label: ct.Columns[col].Label}
			for i := range query.Indices[:4] {
				v, _ := ct.Rows[i][col].(float64)
				if ct.Rows[i][col] == nil {
					v = math.NaN()
				}
				s.Values = append(s.Values, v)
			}
			series = append(series, s)
		}
		fig, err := chart.Bars(chart.BarsSpec{Lang: b.o.Lang, Title: fmt.Sprintf(b.tr("%s against its region, group and the world, %d", "%s与所在区域、组别及全球均值比较，%d年"), cur.Name, cur.Year),
			YLabel: b.tr("Index value (0–1)", "指数值（0–1）"), Categories: []string{"EGDI", "OSI", "TII", "HCI"}, Series: series,
			Source: query.Notes(used[len(used)-1:], b.o.Lang)})
		if err != nil {
			return err
		}
		cb.Charts = append(cb.Charts, Chart{Name: "components-vs-means", Figure: fig})
	}
	b.r.Blocks = append(b.r.Blocks, hb, cb, Block{Heading: fmt.Sprintf(b.tr("Peers in %d (nearest EGDI)", "%d年EGDI相近的国家"), cur.Year), Table: pt})
	return nil
}

type acc struct {
	sum float64
	n   int
}

func (a *acc) add(v float64) {
	if !math.IsNaN(v) {
		a.sum += v
		a.n++
	}
}

func (a acc) mean() float64 {
	if a.n == 0 {
		return math.NaN()
	}
	return a.sum / float64(a.n)
}

func indexOf(idx string) int {
	for i, x := range query.Indices {
		if x == idx {
			return i
		}
	}
	return -1
}

func yearsOf(choices []query.Choice) string {
	var ys []string
	for _, c := range choices {
		ys = append(ys, fmt.Sprint(c.Year))
	}
	return strings.Join(ys, ", ")
}

func (b *builder) compare() error {
	units, err := query.ResolveUnits(b.ctx, b.db, b.o.Units)
	if err != nil {
		return err
	}
	if len(units) < 2 {
		return fmt.Errorf("compare needs at least two units, like --units CHN,KOR")
	}
	rows, choices, err := query.Panel(b.ctx, b.db, b.o.Request, []int{b.o.Year}, b.o.Lang)
	if err != nil {
		return err
	}
	c := choices[0]
	digits := digitsOf(c)
	b.meta(choices)
	if err := b.frameworkOf(c); err != nil {
		return err
	}
	if b.fw != nil {
		return b.nodeCompare(units, rows, c, digits)
	}
	byUnit := map[string]query.Row{}
	for _, r := range rows {
		byUnit[r.Unit] = r
	}
	var names []string
	for _, u := range units {
		r, ok := byUnit[u]
		if !ok {
			return fmt.Errorf("%s has no values for %d", u, c.Year)
		}
		names = append(names, r.Name)
	}
	b.r.Title = fmt.Sprintf(b.tr("%s compared, %d", "%s比较，%d年"), b.list(names), c.Year)
	if c.Synthetic {
		b.r.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}
	t := &Table{Sheet: b.tr("Comparison", "比较"), Columns: []Column{{Key: "index", Label: b.tr("Index", "指数"), Kind: "text"}}}
	for i, u := range units {
		t.Columns = append(t.Columns, Column{Key: strings.ToLower(u), Label: names[i], Kind: "float", Digits: digits})
	}
	for i, u := range units[1:] {
		t.Columns = append(t.Columns, Column{Key: strings.ToLower(u) + "_minus_" + strings.ToLower(units[0]),
			Label: fmt.Sprintf("%s − %s", names[i+1], names[0]), Kind: "float", Digits: digits})
	}
	for i, idx := range query.Indices {
		row := []any{strings.ToUpper(idx)}
		for _, u := range units {
			row = append(row, num(byUnit[u].Values[i]))
		}
		for _, u := range units[1:] {
			row = append(row, num(byUnit[u].Values[i]-byUnit[units[0]].Values[i]))
		}
		t.Rows = append(t.Rows, row)
	}
	rankRow := []any{b.tr("Rank", "排名")}
	for _, u := range units {
		rankRow = append(rankRow, byUnit[u].Rank)
	}
	for _, u := range units[1:] {
		rankRow = append(rankRow, byUnit[u].Rank-byUnit[units[0]].Rank)
	}
	t.Rows = append(t.Rows, rankRow)
	grpRow := []any{b.tr("Group", "组别")}
	for _, u := range units {
		grpRow = append(grpRow, b.groupName(byUnit[u].Group))
	}
	for range units[1:] {
		grpRow = append(grpRow, nil)
	}
	t.Rows = append(t.Rows, grpRow)

	// narrative: who leads on each index
	var text []string
	for i, idx := range query.Indices[:4] {
		lead := units[0]
		for _, u := range units {
			if byUnit[u].Values[i] > byUnit[lead].Values[i] {
				lead = u
			}
		}
		if !math.IsNaN(byUnit[lead].Values[i]) {
			text = append(text, fmt.Sprintf(b.tr("%s: highest %s (%s).", "%[2]s最高：%[1]s（%[3]s）。"),
				strings.ToUpper(idx), byUnit[lead].Name, b.fmtNum(byUnit[lead].Values[i], digits)))
		}
	}
	blk := Block{Heading: fmt.Sprintf(b.tr("Side by side, %d", "%d年对比"), c.Year), Text: text, Table: t}
	if b.o.Charts {
		ch, err := b.figure("components", "components", chart.Options{Units: units, Years: []int{c.Year}})
		if err != nil {
			return err
		}
		tr, err := b.figure("trend", "trend", chart.Options{Units: units})
		if err != nil {
			return err
		}
		blk.Charts = []Chart{ch, tr}
	}
	b.r.Blocks = append(b.r.Blocks, blk)
	return nil
}

func (b *builder) transitions() error {
	all, err := query.Choose(b.ctx, b.db, b.o.Request)
	if err != nil {
		return err
	}
	from, to := b.o.From, b.o.To
	if to == 0 && len(all) > 0 {
		to = all[len(all)-1].Year
	}
	if from == 0 {
		from = previous(all, to)
	}
	if from == 0 || from >= to {
		return fmt.Errorf("transitions: need two editions, --from earlier than --to (years with data: %s)", yearsOf(all))
	}
	rows, choices, err := query.Panel(b.ctx, b.db, b.o.Request, []int{from, to}, b.o.Lang)
	if err != nil {
		return err
	}
	b.meta(choices)
	digits := digitsOf(choices[1])
	b.r.Title = fmt.Sprintf(b.tr("EGDI group transitions, %d to %d", "EGDI组别变化，%d年至%d年"), from, to)
	if choices[0].Synthetic || choices[1].Synthetic {
		b.r.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}
	before := map[string]query.Row{}
	for _, r := range rows {
		if r.Year == from && r.Group != "" {
			before[r.Unit] = r
		}
	}
	m := map[[2]string]int{}
	type move struct{ a, z query.Row }
	var up, down []move
	for _, r := range rows {
		if r.Year != to || r.Group == "" {
			continue
		}
		a, ok := before[r.Unit]
		if !ok {
			continue
		}
		m[[2]string{a.Group, r.Group}]++
		if groupOrder(r.Group) < groupOrder(a.Group) {
			up = append(up, move{a, r})
		} else if groupOrder(r.Group) > groupOrder(a.Group) {
			down = append(down, move{a, r})
		}
	}
	mt := &Table{Sheet: b.tr("Matrix", "矩阵"), Columns: []Column{{Key: "group_" + fmt.Sprint(from), Label: fmt.Sprintf(b.tr("Group in %d", "%d年组别"), from), Kind: "text"}}}
	for _, g := range query.Groups {
		mt.Columns = append(mt.Columns, Column{Key: g, Label: fmt.Sprintf(b.tr("%s in %d", "%d年%s"), b.groupName(g), to), Kind: "int"})
		if b.zh() {
			mt.Columns[len(mt.Columns)-1].Label = fmt.Sprintf("%d年%s", to, b.groupName(g))
		}
	}
	mt.Columns = append(mt.Columns, Column{Key: "total", Label: b.tr("Total", "合计"), Kind: "int"})
	for _, g1 := range query.Groups {
		row := []any{b.groupName(g1)}
		total := 0
		for _, g2 := range query.Groups {
			row = append(row, m[[2]string{g1, g2}])
			total += m[[2]string{g1, g2}]
		}
		mt.Rows = append(mt.Rows, append(row, total))
	}
	list := func(sheet string, ms []move) *Table {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].z.Rank < ms[j].z.Rank })
		t := &Table{Sheet: sheet, Sortable: true, Columns: []Column{
			{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
			{Key: "name", Label: b.tr("Country", "国家"), Kind: "text"},
			{Key: "group_from", Label: fmt.Sprintf(b.tr("Group %d", "%d年组别"), from), Kind: "text"},
			{Key: "group_to", Label: fmt.Sprintf(b.tr("Group %d", "%d年组别"), to), Kind: "text"},
			{Key: "egdi_from", Label: fmt.Sprintf("EGDI %d", from), Kind: "float", Digits: digits},
			{Key: "egdi_to", Label: fmt.Sprintf("EGDI %d", to), Kind: "float", Digits: digits},
			{Key: "rank_to", Label: fmt.Sprintf(b.tr("Rank %d", "%d年排名"), to), Kind: "int"}}}
		for _, x := range ms {
			t.Rows = append(t.Rows, []any{x.z.Unit, x.z.Name, b.groupName(x.a.Group), b.groupName(x.z.Group), num(x.a.Values[0]), num(x.z.Values[0]), x.z.Rank})
		}
		return t
	}
	stay := 0
	for _, g := range query.Groups {
		stay += m[[2]string{g, g}]
	}
	text := []string{fmt.Sprintf(b.tr("Of the %d countries ranked in both %d and %d, %d moved up at least one group, %d moved down and %d stayed in their group.",
		"在%[2]d年和%[3]d年均参与排名的%[1]d个国家中，%[4]d个升入更高组别，%[5]d个降入更低组别，%[6]d个组别不变。"),
		len(up)+len(down)+stay, from, to, len(up), len(down), stay)}
	blk := Block{Heading: b.tr("Transition matrix", "组别变化矩阵"), Text: text, Table: mt}
	if b.o.Charts {
		ch, err := b.figure("groups", "groups", chart.Options{Years: []int{from, to}})
		if err != nil {
			return err
		}
		blk.Charts = []Chart{ch}
	}
	b.r.Blocks = append(b.r.Blocks, blk,
		Block{Heading: b.tr("Moved up", "升入更高组别"), Table: list(b.tr("Moved up", "升组"), up)},
		Block{Heading: b.tr("Moved down", "降入更低组别"), Table: list(b.tr("Moved down", "降组"), down)})
	return nil
}
