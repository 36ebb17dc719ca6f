package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/query"
)

// nodes are a framework's root and the nodes directly under it: the columns of its
// tables and the categories of its charts.
func (b *builder) nodes() []string {
	out := []string{b.fw.Root}
	for _, ch := range b.fw.Node(b.fw.Root).Children {
		if b.fw.Node(ch.ID) != nil {
			out = append(out, ch.ID)
		}
	}
	return out
}

func (b *builder) label(node string) string { return b.fw.LabelOf(node, string(b.o.Lang)) }

func (b *builder) nodeColumns(digits int) []Column {
	var cols []Column
	for _, n := range b.nodes() {
		cols = append(cols, Column{Key: n, Label: b.label(n), Kind: "float", Digits: digits})
	}
	return cols
}

func synthetic(cs []query.Choice) bool {
	for _, c := range cs {
		if c.Synthetic {
			return true
		}
	}
	return false
}

// nodeProfile is the profile of a unit of a framework other than the UN's: its index
// and dimensions across years, its dimensions against its band's and all units' means,
// its strongest and weakest dimension, and its peers.
func (b *builder) nodeProfile(unit string, cur query.Row, hist, rows []query.Row, used []query.Choice, digits int) error {
	nodes := b.nodes()
	b.r.Title = fmt.Sprintf(b.tr("%s: profile of %s", "%[2]s：%[1]s概况"), b.label(b.fw.Root), cur.Name)
	if synthetic(used) {
		b.r.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}
	vals := map[int]map[string]map[string]float64{}
	for _, c := range used {
		if c.Source != query.Computed {
			continue
		}
		v, err := query.NodeValues(b.ctx, b.db, c.Dataset, c.Year)
		if err != nil {
			return err
		}
		vals[c.Year] = v
	}
	ht := &Table{Sheet: b.tr("History", "历年"), Sortable: true, Columns: append(append([]Column{
		{Key: "year", Label: b.tr("Year", "年份"), Kind: "int"}}, b.nodeColumns(digits)...),
		Column{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		Column{Key: "group", Label: b.tr("Group", "组别"), Kind: "text"})}
	for _, r := range hist {
		row := []any{r.Year}
		for _, n := range nodes {
			if v, ok := vals[r.Year][unit][n]; ok {
				row = append(row, v)
			} else {
				row = append(row, nil)
			}
		}
		ht.Rows = append(ht.Rows, append(row, b.rankGroup(r)...))
	}
	var about []string
	if first := hist[0]; first.Year != cur.Year && first.Rank > 0 && cur.Rank > 0 {
		about = append(about, fmt.Sprintf(b.tr("%[1]s: %[2]s (rank %[3]d) in %[4]d, %[5]s (rank %[6]d) in %[7]d.",
			"%[1]s从%[4]d年的%[2]s（第%[3]d位）变为%[7]d年的%[5]s（第%[6]d位）。"),
			b.label(b.fw.Root), b.fmtNum(first.Values[0], digits), first.Rank, first.Year, b.fmtNum(cur.Values[0], digits), cur.Rank, cur.Year))
	}

	// dimensions against the unit's band and all units, this year
	var band, all = map[string]*acc{}, map[string]*acc{}
	for _, n := range nodes {
		band[n], all[n] = &acc{}, &acc{}
	}
	for _, r := range rows {
		if r.Year != cur.Year {
			continue
		}
		for _, n := range nodes {
			v, ok := vals[cur.Year][r.Unit][n]
			if !ok {
				continue
			}
			all[n].add(v)
			if r.Group != "" && r.Group == cur.Group {
				band[n].add(v)
			}
		}
	}
	bandLabel := fmt.Sprintf(b.tr("%s band mean", "%s组均值"), b.groupName(cur.Group))
	ct := &Table{Sheet: b.tr("Dimensions", "维度"), Columns: []Column{
		{Key: "node", Label: b.tr("Dimension", "维度"), Kind: "text"},
		{Key: "value", Label: cur.Name, Kind: "float", Digits: digits},
		{Key: "band_mean", Label: bandLabel, Kind: "float", Digits: digits},
		{Key: "all_mean", Label: b.tr("Mean of all units", "全部地区均值"), Kind: "float", Digits: digits},
		{Key: "minus_all", Label: b.tr("Difference from all", "与全部均值之差"), Kind: "float", Digits: digits}}}
	me := vals[cur.Year][unit]
	for _, n := range nodes {
		v, ok := me[n]
		if !ok {
			v = math.NaN()
		}
		ct.Rows = append(ct.Rows, []any{b.label(n), num(v), num(band[n].mean()), num(all[n].mean()), num(v - all[n].mean())})
	}
	kids := nodes[1:]
	sort.SliceStable(kids, func(i, j int) bool { return me[kids[i]] > me[kids[j]] })
	var dimText []string
	if len(kids) >= 2 {
		best, worst := kids[0], kids[len(kids)-1]
		dimText = append(dimText, fmt.Sprintf(b.tr("In %d its strongest dimension is %s (%s; mean of all units %s) and its weakest %s (%s; mean %s).",
			"%d年，其最强的维度是%s（%s，全部地区均值%s），最弱的是%s（%s，均值%s）。"),
			cur.Year, b.label(best), b.fmtNum(me[best], digits), b.fmtNum(all[best].mean(), digits),
			b.label(worst), b.fmtNum(me[worst], digits), b.fmtNum(all[worst].mean(), digits)))
	}

	same := peers(rows, cur, 6)
	pt := &Table{Sheet: b.tr("Peers", "相近地区"), Columns: []Column{
		{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: b.tr("Unit", "地区"), Kind: "text"},
		{Key: "value", Label: b.label(b.fw.Root), Kind: "float", Digits: digits},
		{Key: "difference", Label: fmt.Sprintf(b.tr("Difference from %s", "与%s之差"), cur.Name), Kind: "float", Digits: digits}}}
	for _, r := range same {
		pt.Rows = append(pt.Rows, []any{r.Rank, r.Unit, r.Name, r.Values[0], r.Values[0] - cur.Values[0]})
	}

	hb := Block{Heading: b.tr("Across years", "历年表现"), Text: about, Table: ht}
	cb := Block{Heading: fmt.Sprintf(b.tr("Dimensions in %d", "%d年各维度"), cur.Year), Text: dimText, Table: ct}
	if b.o.Charts {
		var err error
		if hb.Charts, err = b.trendCharts(unit, "trend"); err != nil {
			return err
		}
		var cats []string
		series := []chart.BarSeries{{Label: cur.Name}, {Label: bandLabel}, {Label: b.tr("Mean of all units", "全部地区均值")}}
		for _, n := range nodes {
			cats = append(cats, b.label(n))
			series[0].Values = append(series[0].Values, nanOr(me, n))
			series[1].Values = append(series[1].Values, band[n].mean())
			series[2].Values = append(series[2].Values, all[n].mean())
		}
		fig, err := chart.Bars(chart.BarsSpec{Lang: b.o.Lang, Title: fmt.Sprintf(b.tr("%s against its band and all units, %d", "%s与所在组及全部地区比较，%d年"), cur.Name, cur.Year),
			YLabel: b.tr("Score", "得分"), Categories: cats, Series: series, Source: query.Notes(used[len(used)-1:], b.o.Lang)})
		if err != nil {
			return err
		}
		cb.Charts = append(cb.Charts, Chart{Name: "dimensions", Figure: fig})
	}
	b.r.Blocks = append(b.r.Blocks, hb, cb, Block{Heading: fmt.Sprintf(b.tr("Peers in %d", "%d年得分相近的地区"), cur.Year), Table: pt})
	return nil
}

// peers are the n units nearest cur's root value in its year, highest first.
func peers(rows []query.Row, cur query.Row, n int) []query.Row {
	var same []query.Row
	for _, r := range rows {
		if r.Year == cur.Year && r.Unit != cur.Unit && !math.IsNaN(r.Values[0]) {
			same = append(same, r)
		}
	}
	sort.SliceStable(same, func(i, j int) bool {
		return math.Abs(same[i].Values[0]-cur.Values[0]) < math.Abs(same[j].Values[0]-cur.Values[0])
	})
	same = same[:min(n, len(same))]
	sort.SliceStable(same, func(i, j int) bool { return same[i].Values[0] > same[j].Values[0] })
	return same
}

// trendCharts are a unit's value and rank across years.
func (b *builder) trendCharts(unit, valueName string) ([]Chart, error) {
	var out []Chart
	for _, spec := range []struct {
		name string
		o    chart.Options
	}{{valueName, chart.Options{Units: []string{unit}}}, {"trend-rank", chart.Options{Units: []string{unit}, Index: "rank"}}} {
		ch, err := b.figure(spec.name, "trend", spec.o)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// rankGroup are a history row's last cells: the rank and the group's name (nil when
// missing).
func (b *builder) rankGroup(r query.Row) []any {
	var rank, grp any
	if r.Rank > 0 {
		rank = r.Rank
	}
	if r.Group != "" {
		grp = b.groupName(r.Group)
	}
	return []any{rank, grp}
}

func nanOr(m map[string]float64, k string) float64 {
	if v, ok := m[k]; ok {
		return v
	}
	return math.NaN()
}

// nodeCompare sets units of a framework other than the UN's side by side on its index
// and dimensions.
func (b *builder) nodeCompare(units []string, rows []query.Row, c query.Choice, digits int) error {
	vals, err := query.NodeValues(b.ctx, b.db, c.Dataset, c.Year)
	if err != nil {
		return err
	}
	name := map[string]string{}
	for _, r := range rows {
		name[r.Unit] = r.Name
	}
	var names []string
	for _, u := range units {
		if _, ok := vals[u]; !ok {
			return fmt.Errorf("%s has no values for %d", u, c.Year)
		}
		names = append(names, name[u])
	}
	b.r.Title = fmt.Sprintf(b.tr("%s compared, %d", "%s比较，%d年"), b.list(names), c.Year)
	if c.Synthetic {
		b.r.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}
	t := &Table{Sheet: b.tr("Comparison", "比较"), Columns: []Column{{Key: "node", Label: b.tr("Dimension", "维度"), Kind: "text"}}}
	for i, u := range units {
		t.Columns = append(t.Columns, Column{Key: u, Label: names[i], Kind: "float", Digits: digits})
	}
	for i, u := range units[1:] {
		t.Columns = append(t.Columns, Column{Key: u + "_minus_" + units[0], Label: fmt.Sprintf("%s − %s", names[i+1], names[0]), Kind: "float", Digits: digits})
	}
	var series []chart.BarSeries
	for i := range units {
		series = append(series, chart.BarSeries{Label: names[i]})
	}
	var cats []string
	for _, n := range b.nodes() {
		row := []any{b.label(n)}
		for i, u := range units {
			v := nanOr(vals[u], n)
			row = append(row, num(v))
			series[i].Values = append(series[i].Values, v)
		}
		for _, u := range units[1:] {
			row = append(row, num(nanOr(vals[u], n)-nanOr(vals[units[0]], n)))
		}
		t.Rows = append(t.Rows, row)
		cats = append(cats, b.label(n))
	}
	blk := Block{Heading: fmt.Sprintf(b.tr("Side by side, %d", "%d年对比"), c.Year), Table: t}
	if b.o.Charts {
		fig, err := chart.Bars(chart.BarsSpec{Lang: b.o.Lang, Title: b.r.Title, YLabel: b.tr("Score", "得分"), Categories: cats, Series: series,
			Source: query.Notes([]query.Choice{c}, b.o.Lang)})
		if err != nil {
			return err
		}
		tr, err := b.figure("trend", "trend", chart.Options{Units: units})
		if err != nil {
			return err
		}
		blk.Charts = []Chart{{Name: "dimensions", Figure: fig}, tr}
	}
	b.r.Blocks = append(b.r.Blocks, blk)
	return nil
}
