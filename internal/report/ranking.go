package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
)

// ranking: a year's full ranking of the node with rank changes, its bands against the
// previous year, the means by region (or a grouping of one's own), a generated summary
// of the facts, and charts.
func (b *builder) ranking() error {
	year, err := b.year()
	if err != nil {
		return err
	}
	r, err := query.Rank(b.p, query.RankRequest{Year: year, Node: b.node})
	if err != nil {
		return err
	}
	k := b.p.Node(b.node)
	var ranked []int // positions in r.Rows of the ranked units
	for i, row := range r.Rows {
		if row.Cells[k].Rank > 0 {
			ranked = append(ranked, i)
		}
	}
	if len(ranked) == 0 {
		return fmt.Errorf("no ranked units in %d", year)
	}
	digits := present.Digits(b.sel, year)
	prevYear := b.previous(year)
	prevRank, prevBand := map[string]int{}, map[string]string{}
	prevCount := map[string]int{}
	if prevYear > 0 {
		pr, err := query.Rank(b.p, query.RankRequest{Year: prevYear, Node: b.node})
		if err != nil {
			return err
		}
		for _, row := range pr.Rows {
			if row.Cells[k].Rank > 0 {
				prevRank[row.Unit.Code], prevBand[row.Unit.Code] = row.Cells[k].Rank, row.Band
				prevCount[row.Band]++
			}
		}
	}
	years := []int{year}
	if prevYear > 0 {
		years = []int{prevYear, year}
	}
	b.meta(years, r.Columns)
	name := present.NodeName(b.sel, b.node, b.lang)
	b.r.Title = fmt.Sprintf(b.tr("%[1]s: ranking %[2]d", "%[2]d年%[1]s排名"), name, year)
	b.synthetic([]int{year}, r.Columns)
	unitWord, unitsWord := b.unitWord()

	// the ranking table
	banded := b.banded() || b.sel.UN()
	classes := banded && len(b.sel.Framework.Classes) > 0
	t := &Table{Sheet: b.tr("Ranking", "排名"), Sortable: true, Columns: append([]Column{
		{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: unitWord, Kind: "text"}}, b.valueColumns(r.Columns, digits)...)}
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
	count := map[string]int{}
	for _, row := range r.Rows {
		cells := []any{rankOf(row.Cells[k]), row.Unit.Code, present.Name(row.Unit, b.lang)}
		for _, c := range r.Columns {
			if i := b.p.Node(c); i >= 0 {
				cells = append(cells, num(value(row.Cells[i])))
			} else {
				cells = append(cells, nil)
			}
		}
		if banded {
			var band any
			if row.Band != "" {
				band = b.bandLabel(row.Band)
				if row.Cells[k].Rank > 0 {
					count[row.Band]++
				}
			}
			cells = append(cells, band)
		}
		if classes {
			var cls any
			if row.Class != "" {
				cls = row.Class
			}
			cells = append(cells, cls)
		}
		var ch any
		if p := prevRank[row.Unit.Code]; p > 0 && row.Cells[k].Rank > 0 {
			ch = p - row.Cells[k].Rank
		}
		t.Rows = append(t.Rows, append(cells, ch))
	}
	blocks := []Block{{Heading: fmt.Sprintf(b.tr("Ranking %d", "%d年排名"), year), Table: t}}

	// bands against the previous year
	var text []string
	lead := r.Rows[ranked[0]]
	var next []string
	for _, i := range ranked[1:min(3, len(ranked))] {
		row := r.Rows[i]
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
			row := []any{b.bandLabel(g), count[g], float64(count[g]) / float64(len(ranked))}
			if prevYear > 0 {
				row = append(row, prevCount[g])
			}
			gt.Rows = append(gt.Rows, row)
		}
		blocks = append(blocks, Block{Heading: b.tr("Groups", "组别分布"), Table: gt})
		top := bands[0]
		vh := count[top]
		if b.lang.ZH() {
			s := fmt.Sprintf("共有%d个%s参与排名，其中%d个（%.1f%%）属于%s组", len(ranked), unitsWord, vh, 100*float64(vh)/float64(len(ranked)), b.bandLabel(top))
			if prevYear > 0 {
				s += fmt.Sprintf("，%d年为%d个", prevYear, prevCount[top])
			}
			var rest []string
			for _, g := range bands[1:] {
				rest = append(rest, fmt.Sprintf("%s组%d个", b.bandLabel(g), count[g]))
			}
			text = append(text, s+"；"+strings.Join(rest, "，")+"。")
		} else {
			s := fmt.Sprintf("Of the %d %s ranked, %d (%.1f%%) are in the %s group", len(ranked), unitsWord, vh, 100*float64(vh)/float64(len(ranked)), strings.ToLower(b.bandLabel(top)))
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
		text = append(text, fmt.Sprintf(b.tr("%d %s are ranked.", "共有%d个%s参与排名。"), len(ranked), unitsWord))
	}
	if prevYear > 0 {
		up, down := 0, 0
		type mv struct {
			name   string
			r1, r2 int
		}
		var moves []mv
		for _, i := range ranked {
			row := r.Rows[i]
			if pb, ok := prevBand[row.Unit.Code]; ok && banded && pb != "" && row.Band != "" {
				if b.bandOrder(row.Band) < b.bandOrder(pb) {
					up++
				} else if b.bandOrder(row.Band) > b.bandOrder(pb) {
					down++
				}
			}
			if p := prevRank[row.Unit.Code]; p > 0 {
				moves = append(moves, mv{present.Name(row.Unit, b.lang), p, row.Cells[k].Rank})
			}
		}
		if banded {
			text = append(text, fmt.Sprintf(b.tr("Since %[1]d, %[2]d %[4]s moved up at least one group and %[3]d moved down.",
				"与%[1]d年相比，%[2]d个%[4]s升入更高组别，%[3]d个%[4]s降入更低组别。"), prevYear, up, down, unitsWord))
		}
		if len(moves) > 0 {
			sort.SliceStable(moves, func(i, j int) bool { return moves[i].r1-moves[i].r2 > moves[j].r1-moves[j].r2 })
			best, worst := moves[0], moves[len(moves)-1]
			if best.r1 > best.r2 && worst.r1 < worst.r2 {
				text = append(text, fmt.Sprintf(b.tr("The largest rise in rank was %s's (up %d places, from %d to %d); the largest fall was %s's (down %d places, from %d to %d).",
					"排名上升最多的是%s（上升%d位，从第%d位升至第%d位）；下降最多的是%s（下降%d位，从第%d位降至第%d位）。"),
					best.name, best.r1-best.r2, best.r1, best.r2, worst.name, worst.r2-worst.r1, worst.r1, worst.r2))
			}
		}
	}

	// means by region, or by a grouping of one's own
	grouping := b.grouping()
	var groupTable *Table
	if grouping != "" {
		s, err := query.Summarise(b.p, query.SummaryRequest{Years: []int{year}, By: grouping, Node: b.node})
		if err != nil {
			return err
		}
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
	if s := present.NotAssessed(r.NotAssessed, year, b.lang); s != "" {
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
			}{"groups", "groups", chart.Options{Years: years, Node: b.sel.Root()}})
		}
		if grouping != "" {
			specs = append(specs, struct {
				name, kind string
				o          chart.Options
			}{"regions", "regions", chart.Options{Years: []int{year}, By: grouping}})
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
