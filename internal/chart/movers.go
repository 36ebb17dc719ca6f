package chart

import (
	"fmt"
	"slices"
	"sort"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
)

// movers: the largest rank gains and losses of a node between two years.
func (b *builder) movers() error {
	node, err := b.node(b.o.Node)
	if err != nil {
		return err
	}
	all := b.p.YearList()
	from, to := b.o.From, b.o.To
	if to == 0 {
		to = all[len(all)-1]
	}
	if from == 0 {
		for _, y := range all {
			if y < to {
				from = y
			}
		}
	}
	if from == 0 || from >= to || !slices.Contains(all, from) || !slices.Contains(all, to) {
		return fmt.Errorf("movers: need two years with data, --from earlier than --to (years with data: %s)", b.yearList(all))
	}
	before, err := query.Rank(b.p, query.RankRequest{Year: from, Node: node})
	if err != nil {
		return err
	}
	after, err := query.Rank(b.p, query.RankRequest{Year: to, Node: node})
	if err != nil {
		return err
	}
	k := b.p.Node(node)
	type mv struct {
		unit, name string
		r1, r2     int
	}
	first := map[string]int{}
	for _, r := range before.Rows {
		if r.Cells[k].Rank > 0 {
			first[r.Unit.Code] = r.Cells[k].Rank
		}
	}
	var ms []mv
	for _, r := range after.Rows {
		if r1 := first[r.Unit.Code]; r.Cells[k].Rank > 0 && r1 > 0 {
			ms = append(ms, mv{r.Unit.Code, b.name(r.Unit), r1, r.Cells[k].Rank})
		}
	}
	if len(ms) == 0 {
		return fmt.Errorf("movers: no unit is ranked in both %d and %d", from, to)
	}
	n := b.o.Top
	if n <= 0 {
		n = 10
	}
	sort.SliceStable(ms, func(i, j int) bool {
		ci, cj := ms[i].r1-ms[i].r2, ms[j].r1-ms[j].r2
		if ci != cj {
			return ci > cj
		}
		return ms[i].name < ms[j].name
	})
	var gains, losses []mv
	for _, m := range ms {
		if m.r1-m.r2 > 0 && len(gains) < n {
			gains = append(gains, m)
		}
	}
	for i := len(ms) - 1; i >= 0 && len(losses) < n; i-- {
		if ms[i].r1-ms[i].r2 < 0 {
			losses = append(losses, ms[i])
		}
	}
	slices.Reverse(losses) // smallest loss first, largest at the bottom
	shown := append(slices.Clone(gains), losses...)
	if len(shown) == 0 {
		return fmt.Errorf("movers: no rank changed between %d and %d", from, to)
	}
	what := b.short(node)
	p := b.f.newPlot(b.tr("Change in "+what+" rank (places)", what+"排名变化（位）"), "")
	grid(p, true)
	up := newBars(b.f, 0.7, true, gainColor)
	down := newBars(b.f, 0.7, true, lossColor)
	var names []string
	b.f.Data = &output.Table{Columns: []string{"unit", "name", "rank_from", "rank_to", "change"}}
	for i, m := range shown {
		ch := m.r1 - m.r2
		pos := float64(len(shown) - 1 - i)
		if ch > 0 {
			up.add(pos, float64(ch), nil, fmt.Sprintf("+%d", ch))
		} else {
			down.add(pos, float64(ch), nil, fmt.Sprintf("%s%d", b.tr("-", "−"), -ch))
		}
		names = append(names, fmt.Sprintf(b.tr("%s (%d to %d)", "%s（%d→%d）"), m.name, m.r1, m.r2))
		b.f.Data.Rows = append(b.f.Data.Rows, []any{m.unit, m.name, m.r1, m.r2, ch})
	}
	slices.Reverse(names)
	p.Add(up, down)
	p.NominalY(names...)
	if len(gains) > 0 {
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.tr("Moved up", "排名上升"), Thumb: up})
	}
	if len(losses) > 0 {
		b.f.Legend = append(b.f.Legend, LegendEntry{Label: b.tr("Moved down", "排名下降"), Thumb: down})
	}
	who := b.tr("countries", "国家")
	if !b.sel.UN() {
		who = b.tr("units", "地区")
	}
	b.f.Title = fmt.Sprintf(b.tr("Largest %s rank changes, %d to %d", "%s排名变化最大的"+who+"，%d年至%d年"), what, from, to)
	b.sources([]int{from, to}, node)
	b.horizontalSize(len(shown))
	return nil
}
