package report

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/version"
)

// Kinds are the reports egdi writes.
var Kinds = []string{"ranking", "profile", "compare", "transitions"}

// Formats are the output formats.
var Formats = []string{"html", "md", "xlsx", "csv", "json"}

// Report is a document before rendering.
type Report struct {
	Kind   string
	Lang   query.Lang
	Title  string
	Meta   []Field // sources, methodology, engine version, generated
	Blocks []Block
}

// Field is a labelled line of metadata.
type Field struct{ Label, Value string }

// Block is a section: a heading, then paragraphs, a table and charts.
type Block struct {
	Heading string
	Text    []string
	Table   *Table
	Charts  []Chart
}

// Chart is a figure with the file name it gets beside a Markdown report.
type Chart struct {
	Name   string
	Figure *chart.Figure
}

// Column describes a table column: its key (CSV/JSON), its header in the report's
// language, and how numbers in it are shown.
type Column struct {
	Key, Label string
	Kind       string // text, int, float, signed (+/-), pct
	Digits     int
}

// Table is a titled table; Sheet names it in Excel.
type Table struct {
	Sheet    string
	Columns  []Column
	Rows     [][]any // string, int, float64 (NaN = missing) or nil
	Sortable bool
}

// Main is the report's principal table (the first), or nil.
func (r *Report) Main() *Table {
	for _, b := range r.Blocks {
		if b.Table != nil {
			return b.Table
		}
	}
	return nil
}

// Tables lists every table in order.
func (r *Report) Tables() []*Table {
	var out []*Table
	for _, b := range r.Blocks {
		if b.Table != nil {
			out = append(out, b.Table)
		}
	}
	return out
}

// Options choose a report's subject.
type Options struct {
	query.Request
	Lang     query.Lang
	Year     int      // ranking, profile, compare (0: latest)
	Unit     string   // profile
	Units    []string // compare
	From, To int      // transitions
	Charts   bool     // draw charts (not needed for CSV or JSON)
}

// Build assembles report kind from the database.
func Build(ctx context.Context, db *store.DB, kind string, o Options) (*Report, error) {
	if o.Lang == "" {
		o.Lang = "en"
	}
	b := &builder{ctx: ctx, db: db, o: o, r: &Report{Kind: kind, Lang: o.Lang}}
	var err error
	switch kind {
	case "ranking":
		err = b.ranking()
	case "profile":
		err = b.profile()
	case "compare":
		err = b.compare()
	case "transitions":
		err = b.transitions()
	default:
		return nil, fmt.Errorf("unknown report %q; use one of %s", kind, strings.Join(Kinds, ", "))
	}
	if err != nil {
		return nil, err
	}
	return b.r, nil
}

type builder struct {
	ctx context.Context
	db  *store.DB
	o   Options
	r   *Report
	fw  *framework.Framework // set for a framework other than the UN's
}

func (b *builder) zh() bool { return b.o.Lang == "zh" }

func (b *builder) tr(en, zh string) string {
	if b.zh() {
		return zh
	}
	return en
}

// generated is the report's timestamp; SOURCE_DATE_EPOCH fixes it for reproducible builds.
func generated() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC().Truncate(time.Second)
}

// meta states the sources, the methodology of each year, the engine and the time.
func (b *builder) meta(choices []query.Choice) {
	var methods, published []string
	for _, c := range choices {
		if c.Source == query.Published {
			published = append(published, fmt.Sprint(c.Year))
			continue
		}
		methods = append(methods, fmt.Sprintf(b.tr("%d: %s, dataset %s", "%d年：%s，数据集 %s"), c.Year, c.Method, c.Dataset))
	}
	if len(published) > 0 {
		methods = append([]string{fmt.Sprintf(b.tr("%s: as published by the UN (each edition's methodology)", "%s年：联合国公布值（各版方法）"),
			strings.Join(published, b.tr(", ", "、")))}, methods...)
	}
	var sources []string
	for _, n := range query.Notes(choices, b.o.Lang) {
		sources = append(sources, strings.TrimPrefix(strings.TrimPrefix(n, "Source: "), "来源："))
	}
	b.r.Meta = []Field{
		{b.tr("Sources", "数据来源"), strings.Join(sources, b.tr("; ", "；"))},
		{b.tr("Methodology", "方法"), strings.Join(methods, b.tr("; ", "；"))},
		{b.tr("Engine", "引擎"), "egdi " + version.Version},
		{b.tr("Generated", "生成时间"), generated().Format("2006-01-02 15:04 UTC")},
	}
}

func (b *builder) figure(name, kind string, o chart.Options) (Chart, error) {
	o.Request, o.Lang = b.o.Request, b.o.Lang
	f, err := chart.Build(b.ctx, b.db, kind, o)
	if err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", name, err)
	}
	return Chart{Name: name, Figure: f}, nil
}

func (b *builder) groupName(id string) string {
	if b.fw != nil {
		for _, bd := range b.fw.Bands {
			if bd.ID == id && bd.Label.In(string(b.o.Lang)) != "" {
				return bd.Label.In(string(b.o.Lang))
			}
		}
	}
	return query.GroupLabel(id, b.o.Lang)
}

// bandIDs are the UN groups, or the bands of a framework other than the UN's.
func (b *builder) bandIDs() []string {
	if b.fw == nil {
		return query.Groups
	}
	var ids []string
	for _, bd := range b.fw.Bands {
		ids = append(ids, bd.ID)
	}
	return ids
}

// frameworkOf sets b.fw when the year was computed with a framework other than the UN's.
func (b *builder) frameworkOf(c query.Choice) error {
	if c.Source != query.Computed {
		return nil
	}
	f, err := query.RunFramework(b.ctx, b.db, c.Dataset, c.Year)
	if err != nil {
		return err
	}
	if f.Root != "egdi" {
		b.fw = f
	}
	return nil
}

func (b *builder) fmtNum(v float64, digits int) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

func (b *builder) list(items []string) string {
	if b.zh() {
		return strings.Join(items, "、")
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func num(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

func digitsOf(c query.Choice) int {
	if c.Digits > 0 {
		return c.Digits
	}
	return 4
}

// previous is the edition before year among the choices, or 0.
func previous(choices []query.Choice, year int) int {
	prev := 0
	for _, c := range choices {
		if c.Year < year {
			prev = c.Year
		}
	}
	return prev
}

func (b *builder) indexColumns(digits int) []Column {
	var cols []Column
	for _, i := range query.Indices {
		cols = append(cols, Column{Key: i, Label: strings.ToUpper(i), Kind: "float", Digits: digits})
	}
	return cols
}

func groupOrder(g string) int {
	if i := slices.Index(query.Groups, g); i >= 0 {
		return i
	}
	return len(query.Groups)
}

func (b *builder) ranking() error {
	all, err := query.Choose(b.ctx, b.db, b.o.Request)
	if err != nil {
		return err
	}
	rows, choices, err := query.Panel(b.ctx, b.db, b.o.Request, []int{b.o.Year}, b.o.Lang)
	if err != nil {
		return err
	}
	c := choices[0]
	year, digits := c.Year, digitsOf(c)
	prevYear := previous(all, year)
	prevRank, prevGroup := map[string]int{}, map[string]string{}
	var prevRows []query.Row
	if prevYear > 0 {
		pr, pc, err := query.Panel(b.ctx, b.db, b.o.Request, []int{prevYear}, b.o.Lang)
		if err != nil {
			return err
		}
		prevRows = pr
		for _, r := range pr {
			prevRank[r.Unit], prevGroup[r.Unit] = r.Rank, r.Group
		}
		choices = append(pc, choices...)
	}
	b.meta(choices)
	if err := b.frameworkOf(c); err != nil {
		return err
	}
	b.r.Title = fmt.Sprintf(b.tr("E-Government Development Index: ranking %d", "%d年电子政务发展指数排名"), year)
	unitWord, unitsWord := b.tr("Country", "国家"), b.tr("countries", "国家")
	indexWord := "EGDI"
	var nodes []string // a framework's root and child nodes, as table columns
	var nodeVals map[string]map[string]float64
	if b.fw != nil {
		label := b.fw.LabelOf(b.fw.Root, string(b.o.Lang))
		b.r.Title = fmt.Sprintf(b.tr("%[1]s: ranking %[2]d", "%[2]d年%[1]s排名"), label, year)
		unitWord, unitsWord, indexWord = b.tr("Unit", "地区"), b.tr("units", "地区"), label
		nodes = []string{b.fw.Root}
		for _, ch := range b.fw.Node(b.fw.Root).Children {
			if b.fw.Node(ch.ID) != nil {
				nodes = append(nodes, ch.ID)
			}
		}
		if nodeVals, err = query.NodeValues(b.ctx, b.db, c.Dataset, year); err != nil {
			return err
		}
	}
	if c.Synthetic {
		b.r.Title += b.tr(" (synthetic sample)", "（合成样本）")
	}

	// the ranking table
	change := b.tr("Rank change since %d", "较%d年排名变化")
	valueCols := b.indexColumns(digits)
	if b.fw != nil {
		valueCols = nil
		for _, n := range nodes {
			valueCols = append(valueCols, Column{Key: n, Label: b.fw.LabelOf(n, string(b.o.Lang)), Kind: "float", Digits: digits})
		}
	}
	t := &Table{Sheet: b.tr("Ranking", "排名"), Sortable: true, Columns: append(append([]Column{
		{Key: "rank", Label: b.tr("Rank", "排名"), Kind: "int"},
		{Key: "unit", Label: b.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: unitWord, Kind: "text"}},
		valueCols...),
		Column{Key: "group", Label: b.tr("Group", "组别"), Kind: "text"},
		Column{Key: "class", Label: b.tr("Rating class", "评级"), Kind: "text"},
		Column{Key: "rank_change", Label: fmt.Sprintf(change, prevYear), Kind: "signed"})}
	if prevYear == 0 {
		t.Columns[len(t.Columns)-1].Label = b.tr("Rank change", "排名变化")
	}
	classCol := len(t.Columns) - 2
	var ranked []query.Row
	for _, r := range rows {
		row := []any{nil, r.Unit, r.Name}
		if r.Rank > 0 {
			row[0] = r.Rank
			ranked = append(ranked, r)
		}
		if b.fw != nil {
			for _, n := range nodes {
				if v, ok := nodeVals[r.Unit][n]; ok {
					row = append(row, v)
				} else {
					row = append(row, nil)
				}
			}
		} else {
			for _, v := range r.Values {
				row = append(row, num(v))
			}
		}
		var ch any
		if p := prevRank[r.Unit]; p > 0 && r.Rank > 0 {
			ch = p - r.Rank
		}
		var grp, cls any
		if r.Group != "" {
			grp = b.groupName(r.Group)
		}
		if r.Class != "" {
			cls = r.Class
		}
		t.Rows = append(t.Rows, append(row, grp, cls, ch))
	}
	if len(ranked) == 0 {
		return fmt.Errorf("no ranked units in %d", year)
	}
	if b.fw != nil && len(b.fw.Classes) == 0 { // no rating classes: drop the empty column
		t.Columns = append(t.Columns[:classCol], t.Columns[classCol+1:]...)
		for i, row := range t.Rows {
			t.Rows[i] = append(row[:classCol:classCol], row[classCol+1:]...)
		}
	}

	// group counts and shares, against the previous edition
	count, prevCount := map[string]int{}, map[string]int{}
	for _, r := range ranked {
		count[r.Group]++
	}
	for _, r := range prevRows {
		if r.Rank > 0 {
			prevCount[r.Group]++
		}
	}
	gt := &Table{Sheet: b.tr("Groups", "组别"), Columns: []Column{
		{Key: "group", Label: b.tr("Group", "组别"), Kind: "text"},
		{Key: "count", Label: b.tr("Countries", "国家数"), Kind: "int"},
		{Key: "share", Label: b.tr("Share", "占比"), Kind: "pct", Digits: 1}}}
	if prevYear > 0 {
		gt.Columns = append(gt.Columns, Column{Key: "count_previous", Label: fmt.Sprintf(b.tr("Countries in %d", "%d年国家数"), prevYear), Kind: "int"})
	}
	for _, g := range b.bandIDs() {
		row := []any{b.groupName(g), count[g], float64(count[g]) / float64(len(ranked))}
		if prevYear > 0 {
			row = append(row, prevCount[g])
		}
		gt.Rows = append(gt.Rows, row)
	}

	// regional means
	type reg struct {
		name string
		n    int
		sum  [5]float64
		cnt  [5]int
	}
	regs := map[string]*reg{}
	for _, r := range ranked {
		if r.Region == "" {
			continue
		}
		x := regs[r.Region]
		if x == nil {
			x = &reg{name: r.Region}
			regs[r.Region] = x
		}
		x.n++
		for i, v := range r.Values {
			if !math.IsNaN(v) {
				x.sum[i] += v
				x.cnt[i]++
			}
		}
	}
	var regList []*reg
	for _, x := range regs {
		regList = append(regList, x)
	}
	mean := func(x *reg, i int) float64 {
		if x.cnt[i] == 0 {
			return math.NaN()
		}
		return x.sum[i] / float64(x.cnt[i])
	}
	sort.Slice(regList, func(i, j int) bool { return mean(regList[i], 0) > mean(regList[j], 0) })
	rt := &Table{Sheet: b.tr("Regions", "区域"), Columns: append([]Column{
		{Key: "region", Label: b.tr("Region", "区域"), Kind: "text"},
		{Key: "count", Label: b.tr("Countries", "国家数"), Kind: "int"}}, b.meanColumns(digits)...)}
	for _, x := range regList {
		row := []any{x.name, x.n}
		for i := range query.Indices {
			row = append(row, num(mean(x, i)))
		}
		rt.Rows = append(rt.Rows, row)
	}

	// the narrative, every number from the rows above
	var text []string
	lead := ranked[0]
	var next []string
	for _, r := range ranked[1:min(3, len(ranked))] {
		next = append(next, fmt.Sprintf("%s (%s)", r.Name, b.fmtNum(r.Values[0], digits)))
	}
	if b.zh() {
		s := fmt.Sprintf("%d年，%s以%s的%s位居第一", year, lead.Name, b.fmtNum(lead.Values[0], digits), indexWord)
		if len(next) > 0 {
			var zhNext []string
			for _, r := range ranked[1:min(3, len(ranked))] {
				zhNext = append(zhNext, fmt.Sprintf("%s（%s）", r.Name, b.fmtNum(r.Values[0], digits)))
			}
			s += "，其后依次为" + strings.Join(zhNext, "和")
		}
		text = append(text, s+"。")
	} else {
		s := fmt.Sprintf("%s ranks first in %d with an EGDI of %s", lead.Name, year, b.fmtNum(lead.Values[0], digits))
		if b.fw != nil {
			s = fmt.Sprintf("%s ranks first in %d with a score of %s", lead.Name, year, b.fmtNum(lead.Values[0], digits))
		}
		if len(next) > 0 {
			s += ", followed by " + b.list(next)
		}
		text = append(text, s+".")
	}
	// group counts, the top band against the previous edition
	bands := b.bandIDs()
	top := bands[0]
	vh := count[top]
	if b.zh() {
		s := fmt.Sprintf("共有%d个%s参与排名，其中%d个（%.1f%%）属于%s组", len(ranked), unitsWord, vh, 100*float64(vh)/float64(len(ranked)), b.groupName(top))
		if prevYear > 0 {
			s += fmt.Sprintf("，%d年为%d个", prevYear, prevCount[top])
		}
		var rest []string
		for _, g := range bands[1:] {
			rest = append(rest, fmt.Sprintf("%s组%d个", b.groupName(g), count[g]))
		}
		text = append(text, s+"；"+strings.Join(rest, "，")+"。")
	} else {
		s := fmt.Sprintf("Of the %d %s ranked, %d (%.1f%%) are in the %s group", len(ranked), unitsWord, vh, 100*float64(vh)/float64(len(ranked)), strings.ToLower(b.groupName(top)))
		if prevYear > 0 {
			s += fmt.Sprintf(", against %d in %d", prevCount[top], prevYear)
		}
		var rest []string
		for i, g := range bands[1:] {
			if i == 0 {
				rest = append(rest, fmt.Sprintf("%d are in the %s group", count[g], strings.ToLower(b.groupName(g))))
			} else {
				rest = append(rest, fmt.Sprintf("%d in the %s group", count[g], strings.ToLower(b.groupName(g))))
			}
		}
		if len(rest) > 0 {
			s += "; " + b.list(rest)
		}
		text = append(text, s+".")
	}
	if prevYear > 0 {
		up, down := 0, 0
		type mv struct {
			name   string
			r1, r2 int
		}
		var moves []mv
		for _, r := range ranked {
			pg, ok := prevGroup[r.Unit]
			if ok && pg != "" && r.Group != "" {
				if groupOrder(r.Group) < groupOrder(pg) {
					up++
				} else if groupOrder(r.Group) > groupOrder(pg) {
					down++
				}
			}
			if p := prevRank[r.Unit]; p > 0 {
				moves = append(moves, mv{r.Name, p, r.Rank})
			}
		}
		text = append(text, fmt.Sprintf(b.tr("Since %[1]d, %[2]d %[4]s moved up at least one group and %[3]d moved down.",
			"与%[1]d年相比，%[2]d个%[4]s升入更高组别，%[3]d个%[4]s降入更低组别。"), prevYear, up, down, unitsWord))
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
	if len(regList) > 0 {
		var order []string
		for _, x := range regList {
			if b.zh() {
				order = append(order, fmt.Sprintf("%s（%s）", x.name, b.fmtNum(mean(x, 0), digits)))
			} else {
				order = append(order, fmt.Sprintf("%s (%s)", x.name, b.fmtNum(mean(x, 0), digits)))
			}
		}
		text = append(text, b.tr("By mean EGDI the regions rank: ", "按EGDI均值，各区域依次为：")+strings.Join(order, b.tr(", ", "、"))+b.tr(".", "。"))
	}

	b.r.Blocks = append(b.r.Blocks, Block{Heading: b.tr("Key facts", "要点"), Text: text})
	var charts []Chart
	if b.o.Charts {
		years := []int{year}
		if prevYear > 0 {
			years = []int{prevYear, year}
		}
		for _, spec := range []struct {
			name, kind string
			o          chart.Options
		}{
			{"ranking-top20", "ranking", chart.Options{Years: []int{year}, Top: 20}},
			{"groups", "groups", chart.Options{Years: years}},
			{"regions", "regions", chart.Options{Years: []int{year}}},
		} {
			if spec.kind == "regions" && len(regList) == 0 {
				continue // units without M49 regions (provinces, cities)
			}
			ch, err := b.figure(spec.name, spec.kind, spec.o)
			if err != nil {
				return err
			}
			charts = append(charts, ch)
		}
	}
	b.r.Blocks = append(b.r.Blocks,
		Block{Heading: fmt.Sprintf(b.tr("Ranking %d", "%d年排名"), year), Table: t},
		Block{Heading: b.tr("Groups", "组别分布"), Table: gt},
		Block{Heading: b.tr("Regions", "区域均值"), Table: rt})
	if len(charts) > 0 {
		// charts come after the key facts, before the tables
		b.r.Blocks[0].Charts = charts
	}
	return nil
}

func (b *builder) meanColumns(digits int) []Column {
	var cols []Column
	for _, i := range query.Indices {
		cols = append(cols, Column{Key: "mean_" + i, Label: strings.ToUpper(i) + b.tr(" mean", "均值"), Kind: "float", Digits: digits})
	}
	return cols
}
