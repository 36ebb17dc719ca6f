package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// compare: units side by side in a year on the node and its children, with their
// differences from the first, who leads on each child, and charts.
func (b *builder) compare() error {
	year, err := b.year()
	if err != nil {
		return err
	}
	c, err := query.Compare(b.p, query.CompareRequest{Units: b.o.Units, Year: year, Node: b.node})
	if err != nil {
		return err
	}
	digits := present.Digits(b.sel, year)
	b.meta([]int{year}, c.Nodes)
	var names []string
	for _, r := range c.Rows {
		names = append(names, present.Name(r.Unit, b.lang))
	}
	b.r.Title = fmt.Sprintf(b.tr("%s compared, %d", "%s比较，%d年"), b.lang.List(names), year)
	b.synthetic([]int{year}, c.Nodes)
	first := Column{Key: "index", Label: b.tr("Index", "指数"), Kind: "text"}
	if !b.sel.UN() {
		first = Column{Key: "node", Label: b.tr("Dimension", "维度"), Kind: "text"}
	}
	t := &Table{Sheet: b.tr("Comparison", "比较"), Columns: []Column{first}}
	for i, r := range c.Rows {
		t.Columns = append(t.Columns, Column{Key: strings.ToLower(r.Unit.Code), Label: names[i], Kind: "float", Digits: digits})
	}
	base := c.Rows[0]
	for i, r := range c.Rows[1:] {
		t.Columns = append(t.Columns, Column{Key: strings.ToLower(r.Unit.Code) + "_minus_" + strings.ToLower(base.Unit.Code),
			Label: fmt.Sprintf("%s − %s", names[i+1], names[0]), Kind: "float", Digits: digits})
	}
	var series []chart.BarSeries
	for _, n := range names {
		series = append(series, chart.BarSeries{Label: n})
	}
	var cats []string
	for _, n := range c.Nodes {
		i := b.p.Node(n)
		row := []any{b.short(n)}
		for j, r := range c.Rows {
			v := math.NaN()
			if i >= 0 {
				v = value(r.Cells[i])
			}
			row = append(row, num(v))
			series[j].Values = append(series[j].Values, v)
		}
		for _, r := range c.Rows[1:] {
			if i >= 0 {
				row = append(row, num(value(r.Cells[i])-value(base.Cells[i])))
			} else {
				row = append(row, nil)
			}
		}
		t.Rows = append(t.Rows, row)
		cats = append(cats, b.short(n))
	}
	k := b.p.Node(b.node)
	rankRow := []any{b.tr("Rank", "排名")}
	for _, r := range c.Rows {
		rankRow = append(rankRow, rankOf(r.Cells[k]))
	}
	for _, r := range c.Rows[1:] {
		if r.Cells[k].Rank > 0 && base.Cells[k].Rank > 0 {
			rankRow = append(rankRow, r.Cells[k].Rank-base.Cells[k].Rank)
		} else {
			rankRow = append(rankRow, nil)
		}
	}
	t.Rows = append(t.Rows, rankRow)
	if b.banded() || b.sel.UN() {
		bandRow := []any{b.tr("Group", "组别")}
		for _, r := range c.Rows {
			var band any
			if r.Band != "" {
				band = b.bandLabel(r.Band)
			}
			bandRow = append(bandRow, band)
		}
		for range c.Rows[1:] {
			bandRow = append(bandRow, nil)
		}
		t.Rows = append(t.Rows, bandRow)
	}

	// who leads on each child
	var text []string
	for _, n := range b.childNodes(b.node) {
		i := b.p.Node(n)
		var lead *panel.Row
		for j := range c.Rows {
			if c.Rows[j].Cells[i].OK() && (lead == nil || c.Rows[j].Cells[i].Value > lead.Cells[i].Value) {
				lead = &c.Rows[j]
			}
		}
		if lead != nil {
			text = append(text, fmt.Sprintf(b.tr("%s: highest %s (%s).", "%[2]s最高：%[1]s（%[3]s）。"),
				b.short(n), present.Name(lead.Unit, b.lang), b.fmtNum(lead.Cells[i].Value, digits)))
		}
	}
	blk := Block{Heading: fmt.Sprintf(b.tr("Side by side, %d", "%d年对比"), year), Text: text, Table: t}
	if b.o.Charts {
		if len(b.childNodes(b.node)) > 0 {
			ch, err := b.figure("components", "components", chart.Options{Units: b.o.Units, Years: []int{year}})
			if err != nil {
				return err
			}
			blk.Charts = append(blk.Charts, ch)
		} else {
			fig, err := chart.Bars(chart.BarsSpec{Lang: b.lang, Title: b.r.Title, YLabel: b.tr("Value", "数值") + present.Range(b.sel, b.lang),
				Categories: cats, Series: series, Source: present.Sources(b.p, []int{year}, c.Nodes, b.lang)})
			if err != nil {
				return err
			}
			blk.Charts = append(blk.Charts, Chart{Name: "values", Figure: fig})
		}
		tr, err := b.figure("trend", "trend", chart.Options{Units: b.o.Units})
		if err != nil {
			return err
		}
		blk.Charts = append(blk.Charts, tr)
	}
	b.r.Blocks = append(b.r.Blocks, blk)
	return nil
}

// transitions: who changed band between two years (a matrix and the lists).
func (b *builder) transitions() error {
	if !b.banded() {
		if b.node != b.sel.Root() {
			return fmt.Errorf("transitions follow bands, which only the root (%s) has; leave out --node", b.sel.Root())
		}
		return fmt.Errorf("transitions follow bands, and %s has none", b.sel.Framework.ID)
	}
	all := b.p.YearList()
	from, to := b.o.From, b.o.To
	if to == 0 {
		to = all[len(all)-1]
	}
	if from == 0 {
		from = b.previous(to)
	}
	if from == 0 || from >= to {
		return fmt.Errorf("transitions: need two editions, --from earlier than --to (years with data: %s)", yearsText(all))
	}
	for _, y := range []int{from, to} {
		if _, err := query.Rank(b.p, query.RankRequest{Year: y}); err != nil {
			return err
		}
	}
	b.meta([]int{from, to}, []string{b.node})
	digits := present.Digits(b.sel, to)
	root := b.short(b.node)
	b.r.Title = fmt.Sprintf(b.tr("%s group transitions, %d to %d", "%s组别变化，%d年至%d年"), root, from, to)
	b.synthetic([]int{from, to}, []string{b.node})
	_, unitsWord := b.unitWord()
	k := b.p.Node(b.node)
	before := map[string]panel.Row{}
	for _, r := range b.p.Of(from) {
		if r.Assessed() && r.Band != "" {
			before[r.Unit.Code] = r
		}
	}
	bands := present.BandIDs(b.sel)
	m := map[[2]string]int{}
	type move struct{ a, z panel.Row }
	var up, down []move
	for _, r := range b.p.Of(to) {
		if !r.Assessed() || r.Band == "" {
			continue
		}
		a, ok := before[r.Unit.Code]
		if !ok {
			continue
		}
		m[[2]string{a.Band, r.Band}]++
		if b.bandOrder(r.Band) < b.bandOrder(a.Band) {
			up = append(up, move{a, r})
		} else if b.bandOrder(r.Band) > b.bandOrder(a.Band) {
			down = append(down, move{a, r})
		}
	}
	mt := &Table{Sheet: b.tr("Matrix", "矩阵"), Columns: []Column{{Key: "group_" + fmt.Sprint(from), Label: fmt.Sprintf(b.tr("Group in %d", "%d年组别"), from), Kind: "text"}}}
	for _, g := range bands {
		label := fmt.Sprintf(b.tr("%s in %d", "%[2]d年%[1]s"), b.bandLabel(g), to)
		mt.Columns = append(mt.Columns, Column{Key: g, Label: label, Kind: "int"})
	}
	mt.Columns = append(mt.Columns, Column{Key: "total", Label: b.tr("Total", "合计"), Kind: "int"})
	for _, g1 := range bands {
		row := []any{b.bandLabel(g1)}
		total := 0
		for _, g2 := range bands {
			row = append(row, m[[2]string{g1, g2}])
			total += m[[2]string{g1, g2}]
		}
		mt.Rows = append(mt.Rows, append(row, total))
	}
	unitWord, _ := b.unitWord()
	list := func(sheet string, ms []move) *Table {
		for i := 1; i < len(ms); i++ {
			for j := i; j > 0 && ms[j].z.Cells[k].Rank < ms[j-1].z.Cells[k].Rank; j-- {
				ms[j], ms[j-1] = ms[j-1], ms[j]
			}
		}
		t := &Table{Sheet: sheet, Sortable: true, Columns: []Column{
			{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
			{Key: "name", Label: unitWord, Kind: "text"},
			{Key: "group_from", Label: fmt.Sprintf(b.tr("Group %d", "%d年组别"), from), Kind: "text"},
			{Key: "group_to", Label: fmt.Sprintf(b.tr("Group %d", "%d年组别"), to), Kind: "text"},
			{Key: b.node + "_from", Label: fmt.Sprintf("%s %d", root, from), Kind: "float", Digits: digits},
			{Key: b.node + "_to", Label: fmt.Sprintf("%s %d", root, to), Kind: "float", Digits: digits},
			{Key: "rank_to", Label: fmt.Sprintf(b.tr("Rank %d", "%d年排名"), to), Kind: "int"}}}
		for _, x := range ms {
			t.Rows = append(t.Rows, []any{x.z.Unit.Code, present.Name(x.z.Unit, b.lang), b.bandLabel(x.a.Band), b.bandLabel(x.z.Band),
				num(value(x.a.Cells[k])), num(value(x.z.Cells[k])), rankOf(x.z.Cells[k])})
		}
		return t
	}
	stay := 0
	for _, g := range bands {
		stay += m[[2]string{g, g}]
	}
	text := []string{fmt.Sprintf(b.tr("Of the %[1]d %[7]s ranked in both %[2]d and %[3]d, %[4]d moved up at least one group, %[5]d moved down and %[6]d stayed in their group.",
		"在%[2]d年和%[3]d年均参与排名的%[1]d个%[7]s中，%[4]d个升入更高组别，%[5]d个降入更低组别，%[6]d个组别不变。"),
		len(up)+len(down)+stay, from, to, len(up), len(down), stay, unitsWord)}
	for _, y := range []int{from, to} {
		if s := present.NotAssessed(b.p.Of(y), y, b.lang); s != "" {
			text = append(text, s)
		}
	}
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
