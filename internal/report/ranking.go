package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// ranking: a year's full ranking of the node with rank changes, its bands against the
// previous year, the means by region (or a grouping of one's own), a generated summary
// of the facts, and charts. Its rows come from the panel, or, for a ranking of more
// units than a page shows, are read row by row (rankingStream): the same rows, facts
// and summaries either way.
func (b *builder) ranking() error {
	year, err := b.year()
	if err != nil {
		return err
	}
	prevYear := b.previous(year)
	digits := present.Digits(b.sel, year)
	name := present.NodeName(b.sel, b.node, b.lang)
	unitWord, unitsWord := b.unitWord()
	grouping := b.grouping()

	// the ranking table
	banded := b.banded() || b.sel.UN()
	classes := banded && len(b.sel.Framework.Classes) > 0
	columns := query.Columns(b.sel, b.node)
	t := &Table{Sheet: b.tr("Ranking", "排名"), Sortable: true, Columns: append([]Column{
		{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: unitWord, Kind: "text"}}, b.valueColumns(columns, digits)...)}
	if banded {
		t.Columns = append(t.Columns, Column{Key: present.BandKey(b.sel), Label: b.tr("Group", "组别"), Kind: "text"})
		if !b.sel.UN() {
			t.Columns[len(t.Columns)-1].Label = b.tr("Band", "等级")
		}
	}
	if classes {
		t.Columns = append(t.Columns, Column{Key: "class", Label: b.tr("Rating class", "评级"), Kind: "text"})
	}
	change := Column{Key: "rank_change", Label: fmt.Sprintf(b.tr("Rank change since %d", "较%d年排名变化"), prevYear), Kind: "signed"}
	if prevYear == 0 {
		change.Label = b.tr("Rank change", "排名变化")
	}
	t.Columns = append(t.Columns, change)

	f := &rankingFacts{b: b, k: slices.Index(b.sel.Nodes, b.node), columns: columns, banded: banded, classes: classes,
		count: map[string]int{}, prevCount: map[string]int{}}
	if b.stream != nil {
		err = b.rankingStream(f, t, year, prevYear, grouping)
	} else {
		err = b.rankingPanel(f, t, year, prevYear, grouping)
	}
	if err != nil {
		return err
	}
	if f.ranked == 0 {
		return fmt.Errorf("no ranked units in %d", year)
	}
	k := f.k
	count, prevCount := f.count, f.prevCount
	years := []int{year}
	if prevYear > 0 {
		years = []int{prevYear, year}
	}
	b.meta(years, columns)
	b.r.Title = fmt.Sprintf(b.tr("%[1]s: ranking %[2]d", "%[2]d年%[1]s排名"), name, year)
	b.synthetic([]int{year}, columns)
	blocks := []Block{{Heading: fmt.Sprintf(b.tr("Ranking %d", "%d年排名"), year), Table: t}}

	// bands against the previous year
	var text []string
	lead := f.top[0]
	var next []string
	for _, row := range f.top[1:] {
		next = append(next, fmt.Sprintf(b.tr("%s (%s)", "%s（%s）"), present.Name(row.Unit, b.lang), b.fmtNum(row.Cells[k].Value, digits)))
	}
	what := b.tr("a score", "得分")
	if b.sel.UN() && b.node == b.sel.Root() {
		what = b.tr("an EGDI", "EGDI")
	} else if b.sel.UN() {
		what = b.tr("an "+b.short(b.node), b.short(b.node))
	}
	if b.lang.ZH() {
		s := fmt.Sprintf("%d年，%s以%s的%s位居第一", year, present.Name(lead.Unit, b.lang), b.fmtNum(lead.Cells[k].Value, digits), b.short(b.node))
		if len(next) > 0 {
			s += "，其后依次为" + strings.Join(next, "和")
		}
		text = append(text, s+"。")
	} else {
		s := fmt.Sprintf("%s ranks first in %d with %s of %s", present.Name(lead.Unit, b.lang), year, what, b.fmtNum(lead.Cells[k].Value, digits))
		if len(next) > 0 {
			s += ", followed by " + b.lang.List(next)
		}
		text = append(text, s+".")
	}
	if banded && len(b.sel.Framework.Bands) > 0 {
		bands := present.BandIDs(b.sel)
		gt := &Table{Sheet: b.tr("Groups", "组别"), Columns: []Column{
			{Key: present.BandKey(b.sel), Label: b.tr("Group", "组别"), Kind: "text"},
			{Key: "count", Label: b.tr(capital(unitsWord), "数量"), Kind: "int"},
			{Key: "share", Label: b.tr("Share", "占比"), Kind: "pct", Digits: 1}}}
		if prevYear > 0 {
			gt.Columns = append(gt.Columns, Column{Key: "count_previous", Label: fmt.Sprintf(b.tr("In %d", "%d年"), prevYear), Kind: "int"})
		}
		for _, g := range bands {
			row := []any{b.bandLabel(g), count[g], float64(count[g]) / float64(f.ranked)}
			if prevYear > 0 {
				row = append(row, prevCount[g])
			}
			gt.Rows = append(gt.Rows, row)
		}
		blocks = append(blocks, Block{Heading: b.tr("Groups", "组别分布"), Table: gt})
		top := bands[0]
		vh := count[top]
		if b.lang.ZH() {
			s := fmt.Sprintf("共有%d个%s参与排名，其中%d个（%.1f%%）属于%s组", f.ranked, unitsWord, vh, 100*float64(vh)/float64(f.ranked), b.bandLabel(top))
			if prevYear > 0 {
				s += fmt.Sprintf("，%d年为%d个", prevYear, prevCount[top])
			}
			var rest []string
			for _, g := range bands[1:] {
				rest = append(rest, fmt.Sprintf("%s组%d个", b.bandLabel(g), count[g]))
			}
			text = append(text, s+"；"+strings.Join(rest, "，")+"。")
		} else {
			s := fmt.Sprintf("Of the %d %s ranked, %d (%.1f%%) are in the %s group", f.ranked, unitsWord, vh, 100*float64(vh)/float64(f.ranked), strings.ToLower(b.bandLabel(top)))
			if prevYear > 0 {
				s += fmt.Sprintf(", against %d in %d", prevCount[top], prevYear)
			}
			var rest []string
			for i, g := range bands[1:] {
				if i == 0 {
					rest = append(rest, fmt.Sprintf("%d are in the %s group", count[g], strings.ToLower(b.bandLabel(g))))
				} else {
					rest = append(rest, fmt.Sprintf("%d in the %s group", count[g], strings.ToLower(b.bandLabel(g))))
				}
			}
			if len(rest) > 0 {
				s += "; " + b.lang.List(rest)
			}
			text = append(text, s+".")
		}
	} else {
		text = append(text, fmt.Sprintf(b.tr("%d %s are ranked.", "共有%d个%s参与排名。"), f.ranked, unitsWord))
	}
	if prevYear > 0 {
		if banded {
			text = append(text, fmt.Sprintf(b.tr("Since %[1]d, %[2]d %[4]s moved up at least one group and %[3]d moved down.",
				"与%[1]d年相比，%[2]d个%[4]s升入更高组别，%[3]d个%[4]s降入更低组别。"), prevYear, f.up, f.down, unitsWord))
		}
		if f.moves > 0 {
			best, worst := f.best, f.worst
			if best.r1 > best.r2 && worst.r1 < worst.r2 {
				text = append(text, fmt.Sprintf(b.tr("The largest rise in rank was %s's (up %d places, from %d to %d); the largest fall was %s's (down %d places, from %d to %d).",
					"排名上升最多的是%s（上升%d位，从第%d位升至第%d位）；下降最多的是%s（下降%d位，从第%d位降至第%d位）。"),
					best.name, best.r1-best.r2, best.r1, best.r2, worst.name, worst.r2-worst.r1, worst.r1, worst.r2))
			}
		}
	}

	// means by region, or by a grouping of one's own
	var groupTable *Table
	if grouping != "" {
		s := *f.groups
		s.Rows = slices.Clone(s.Rows)
		sort.SliceStable(s.Rows, func(i, j int) bool { return s.Rows[i].Means[0] > s.Rows[j].Means[0] })
		gname := present.GroupingName(b.p, grouping, b.lang)
		groupTable = &Table{Sheet: b.tr(capital(gname)+"s", gname), Columns: []Column{
			{Key: grouping, Label: b.tr(capital(gname), gname), Kind: "text"},
			{Key: "count", Label: b.tr(capital(unitsWord), "数量"), Kind: "int"}}}
		if b.lang.ZH() {
			groupTable.Sheet = gname
		}
		for _, c := range s.Columns {
			groupTable.Columns = append(groupTable.Columns, Column{Key: "mean_" + c, Label: b.short(c) + b.tr(" mean", "均值"), Kind: "float", Digits: digits})
		}
		var order []string
		for _, row := range s.Rows {
			cells := []any{row.Group.In(string(b.lang)), row.Count}
			for _, m := range row.Means {
				cells = append(cells, num(m))
			}
			groupTable.Rows = append(groupTable.Rows, cells)
			order = append(order, fmt.Sprintf(b.tr("%s (%s)", "%s（%s）"), row.Group.In(string(b.lang)), b.fmtNum(row.Means[0], digits)))
		}
		if len(order) > 0 {
			text = append(text, fmt.Sprintf(b.tr("By mean %s the %ss rank: ", "按%s均值，各%s依次为："), b.short(b.node), gname)+strings.Join(order, b.tr(", ", "、"))+b.tr(".", "。"))
		}
		blocks = append(blocks, Block{Heading: b.tr("Means by "+gname, "各"+gname+"均值"), Table: groupTable})
	}
	if s := present.NotAssessed(f.notAssessed, year, b.lang); s != "" {
		text = append(text, s)
	}
	facts := Block{Heading: b.tr("Key facts", "要点"), Text: text}
	if b.o.Charts {
		specs := []struct {
			name, kind string
			o          chart.Options
		}{{"ranking-top20", "ranking", chart.Options{Years: []int{year}, Top: 20}}}
		if banded && len(b.sel.Framework.Bands) > 0 {
			specs = append(specs, struct {
				name, kind string
				o          chart.Options
			}{"groups", "groups", chart.Options{Years: years, Node: b.sel.Root(), Summary: f.bands}})
		}
		if grouping != "" {
			specs = append(specs, struct {
				name, kind string
				o          chart.Options
			}{"regions", "regions", chart.Options{Years: []int{year}, By: grouping, Summary: f.chartGroups}})
		}
		for _, spec := range specs {
			ch, err := b.figure(spec.name, spec.kind, spec.o)
			if err != nil {
				return err
			}
			facts.Charts = append(facts.Charts, ch)
		}
	}
	b.r.Blocks = append([]Block{facts}, blocks...)
	return nil
}

// rankingFacts are what a ranking report says of every ranked unit, gathered row by
// row (add, addPrevious) from the panel or from rows streamed.
type rankingFacts struct {
	b               *builder
	k               int      // the node's position among the selection's nodes
	columns         []string // the nodes shown
	banded, classes bool

	ranked           int
	top              []panel.Row // the first three ranked units
	count, prevCount map[string]int
	up, down         int  // units that moved up or down at least one band
	moves            int  // units ranked in both years
	best, worst      move // the largest rise and fall (the first and the last in rank order)
	notAssessed      []panel.Row
	groups           *query.Summary // the means by grouping (nil: none)
	// for the charts of a ranking streamed: the summaries they draw (nil: from the panel)
	bands, chartGroups *query.Summary
}

type move struct {
	name   string
	r1, r2 int
}

// cols are the positions of the nodes shown (-1 for a node the selection lacks).
func (f *rankingFacts) cols() []int {
	out := make([]int, len(f.columns))
	for i, c := range f.columns {
		out[i] = slices.Index(f.b.sel.Nodes, c)
	}
	return out
}

// inRanking reports whether a row of a year is in its ranking (query.Rank's rows).
func inRanking(row panel.Row, cols []int) bool {
	if !row.Assessed() {
		return false
	}
	for _, i := range cols {
		if i >= 0 && row.Cells[i].OK() {
			return true
		}
	}
	return false
}

// addPrevious counts a row of the previous year's ranking.
func (f *rankingFacts) addPrevious(row panel.Row) {
	if row.Cells[f.k].Rank > 0 {
		f.prevCount[row.Band]++
	}
}

// row is the table row of a row of the year's ranking, with the unit's rank in the
// previous year (0 when it was not ranked).
func (f *rankingFacts) row(row panel.Row, prevRank int) []any {
	b, k := f.b, f.k
	rank := row.Cells[k].Rank
	cells := []any{rankOf(row.Cells[k]), row.Unit.Code, present.Name(row.Unit, b.lang)}
	for _, c := range f.columns {
		if i := slices.Index(b.sel.Nodes, c); i >= 0 {
			cells = append(cells, num(value(row.Cells[i])))
		} else {
			cells = append(cells, nil)
		}
	}
	if f.banded {
		var band any
		if row.Band != "" {
			band = b.bandLabel(row.Band)
		}
		cells = append(cells, band)
	}
	if f.classes {
		var cls any
		if row.Class != "" {
			cls = row.Class
		}
		cells = append(cells, cls)
	}
	var ch any
	if prevRank > 0 && rank > 0 {
		ch = prevRank - rank
	}
	return append(cells, ch)
}

// add counts a row of the year's ranking, in rank order, with the unit's rank and band
// in the previous year (0 and "" when it was not ranked), and returns its table row.
func (f *rankingFacts) add(row panel.Row, prevRank int, prevBand string) []any {
	b, rank := f.b, row.Cells[f.k].Rank
	if f.banded && row.Band != "" && rank > 0 {
		f.count[row.Band]++
	}
	if rank > 0 {
		f.ranked++
		if len(f.top) < 3 {
			f.top = append(f.top, row)
		}
		if prevRank > 0 {
			if f.banded && prevBand != "" && row.Band != "" {
				if b.bandOrder(row.Band) < b.bandOrder(prevBand) {
					f.up++
				} else if b.bandOrder(row.Band) > b.bandOrder(prevBand) {
					f.down++
				}
			}
			m := move{present.Name(row.Unit, b.lang), prevRank, rank}
			// a stable sort by rise, largest first, of the units in rank order: the first
			// of the largest rises, and the last of the smallest
			if f.moves == 0 || m.r1-m.r2 > f.best.r1-f.best.r2 {
				f.best = m
			}
			if f.moves == 0 || m.r1-m.r2 <= f.worst.r1-f.worst.r2 {
				f.worst = m
			}
			f.moves++
		}
	}
	return f.row(row, prevRank)
}

// rankingPanel gathers the facts and the table's rows from the panel.
func (b *builder) rankingPanel(f *rankingFacts, t *Table, year, prevYear int, grouping string) error {
	r, err := query.Rank(b.p, query.RankRequest{Year: year, Node: b.node})
	if err != nil {
		return err
	}
	k := f.k
	prevRank, prevBand := map[string]int{}, map[string]string{}
	if prevYear > 0 {
		pr, err := query.Rank(b.p, query.RankRequest{Year: prevYear, Node: b.node})
		if err != nil {
			return err
		}
		for _, row := range pr.Rows {
			if row.Cells[k].Rank > 0 {
				prevRank[row.Unit.Code], prevBand[row.Unit.Code] = row.Cells[k].Rank, row.Band
			}
			f.addPrevious(row)
		}
	}
	for _, row := range r.Rows {
		t.Rows = append(t.Rows, f.add(row, prevRank[row.Unit.Code], prevBand[row.Unit.Code]))
	}
	f.notAssessed = r.NotAssessed
	if grouping != "" {
		if f.groups, err = query.Summarise(b.p, query.SummaryRequest{Years: []int{year}, By: grouping, Node: b.node}); err != nil {
			return err
		}
	}
	return nil
}
