package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
)

// streamAbove is the number of units above which a ranking report is read row by row
// (a variable, so that tests can read small rankings the long way too).
var streamAbove = PageRows

// BuildFrom assembles report kind from the database, over selection sel (every year of
// it). A ranking of more units than a page shows (PageRows) is never held in memory:
// its facts and summaries are gathered in one pass over its rows, HTML and Markdown
// keep the rows a page shows, and XLSX, CSV and JSON read the rows again as they write
// them; such a report must be written (Write) while db is open. Other reports are
// built from the panel of sel (Build).
func BuildFrom(ctx context.Context, db *store.DB, sel *panel.Selection, kind string, o Options) (*Report, error) {
	if kind == "ranking" && rankingUnits(sel, o) > streamAbove {
		return buildStream(ctx, db, sel, o)
	}
	p, err := panel.Load(ctx, db, sel)
	if err != nil {
		return nil, err
	}
	return Build(p, kind, o)
}

// rankingUnits is, at most, the number of units a ranking of o's node and year lists:
// the units the runs of that year gave it a value (0 when the node or year is unknown,
// which Build then says).
func rankingUnits(sel *panel.Selection, o Options) int {
	node, err := sel.ResolveNode(o.Node)
	if err != nil || len(sel.Years) == 0 {
		return 0
	}
	year := o.Year
	if year == 0 {
		year = sel.Years[len(sel.Years)-1].Year
	}
	n := 0
	for _, y := range sel.Years {
		if y.Year == year {
			for _, r := range y.Runs {
				n += r.Nodes[node]
			}
		}
	}
	return n
}

// streamSource is the database a ranking read row by row reads, again when written.
type streamSource struct {
	ctx context.Context
	db  *store.DB
}

// buildStream builds a ranking report reading its rows one at a time.
func buildStream(ctx context.Context, db *store.DB, sel *panel.Selection, o Options) (*Report, error) {
	if o.Lang == "" {
		o.Lang = "en"
	}
	node, err := sel.ResolveNode(o.Node)
	if err != nil {
		return nil, err
	}
	groupings, err := sel.Groupings(ctx, db)
	if err != nil {
		return nil, err
	}
	b := &builder{sel: sel, o: o, lang: o.Lang, node: node, r: &Report{Kind: "ranking", Lang: o.Lang},
		counts: panel.NewCounts(sel), groupings: groupings, stream: &streamSource{ctx: ctx, db: db}}
	if err := b.ranking(); err != nil {
		return nil, err
	}
	return b.r, nil
}

// rankingStream gathers the facts of a ranking from its rows and those of the previous
// year read one at a time, and gives the table its rows as a stream: the page HTML and
// Markdown show, and a reading of every row for the other formats. The panel it leaves
// in b.p holds only the rows its charts name.
func (b *builder) rankingStream(f *rankingFacts, t *Table, year, prevYear int, grouping string) error {
	ctx, db := b.stream.ctx, b.stream.db
	counts := b.counts.(*panel.Counts)
	years := []int{year}
	if prevYear > 0 {
		years = []int{prevYear, year}
	}
	var groups, bands *query.Summariser
	var gs []string
	var err error
	if grouping != "" {
		gs = []string{grouping}
		if groups, err = query.NewSummariser(b.sel, b.groupings, query.SummaryRequest{Years: []int{year}, By: grouping, Node: b.node}); err != nil {
			return err
		}
	}
	if b.o.Charts && f.banded && len(b.sel.Framework.Bands) > 0 {
		if bands, err = query.NewSummariser(b.sel, b.groupings, query.SummaryRequest{Years: years, By: "band"}); err != nil {
			return err
		}
	}
	cols := f.cols()
	rs := &rowStream{width: make([]int, len(t.Columns))}
	var top []panel.Row // the rows of the chart of the first twenty
	spec := panel.StreamSpec{Year: year, Node: b.node, Previous: prevYear, Groupings: gs}
	// the reading's progress, in rows of the units the runs ranked (a unit listed
	// without a value is read too, so the count stops at the total)
	read, total := 0, rankingUnits(b.sel, b.o)
	reading := func() {
		if b.o.Progress != nil && (read%progressEvery == 0 || read == total) {
			b.o.Progress(Reading, min(read, total), total)
		}
	}
	reading()
	err = panel.Stream(ctx, db, b.sel, spec, func(row panel.StreamRow) error {
		read++
		reading()
		counts.Add(row.Row)
		if groups != nil {
			groups.Add(row.Row)
		}
		if bands != nil {
			bands.Add(row.Row)
		}
		if !row.Assessed() {
			f.notAssessed = append(f.notAssessed, row.Row)
			return nil
		}
		if !inRanking(row.Row, cols) {
			return nil
		}
		if len(top) < 20 && row.Cells[f.k].OK() {
			top = append(top, row.Row)
		}
		rs.add(t, f.add(row.Row, row.PrevRank, row.PrevBand))
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	if prevYear > 0 {
		err = panel.Stream(ctx, db, b.sel, panel.StreamSpec{Year: prevYear, Node: b.node}, func(row panel.StreamRow) error {
			counts.Add(row.Row)
			if bands != nil {
				bands.Add(row.Row)
			}
			if inRanking(row.Row, cols) {
				f.addPrevious(row.Row)
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	if groups != nil {
		f.groups = groups.Summary()
		f.chartGroups = f.groups
	}
	if bands != nil {
		f.bands = bands.Summary()
	}
	// the panel the charts are drawn from: the rows of the first twenty units (the
	// chart of the first twenty draws them: their values, the node's rank over all
	// units and the band), and the groupings' labels; the other charts draw the
	// summaries made here
	b.p = &panel.Panel{Selection: b.sel, Units: map[string]*panel.Unit{}, Rows: top}
	for _, r := range top {
		b.p.Units[r.Unit.Code] = r.Unit
	}
	if b.p.Labels, err = panel.Labels(ctx, db); err != nil {
		return err
	}
	spec.Groupings = nil
	rs.each = func(fn func(row []any) error) error {
		return panel.Stream(ctx, db, b.sel, spec, func(row panel.StreamRow) error {
			if !row.Assessed() || !inRanking(row.Row, cols) {
				return nil
			}
			return fn(f.row(row.Row, row.PrevRank))
		})
	}
	rs.progress = b.o.Progress
	t.stream = rs
	return nil
}

// rowStream is a table's rows read as they are written, for a table too long to hold:
// their number, the first page of them, and a reading of all of them in order.
type rowStream struct {
	n        int
	page     [][]any // the first PageRows rows: what HTML and Markdown show
	width    []int   // per column, its widest cell as text (XLSX)
	each     func(fn func(row []any) error) error
	progress func(what string, done, total int)
}

// add counts a row met when the table's facts were gathered (every row, in order).
func (s *rowStream) add(t *Table, row []any) {
	s.n++
	if len(s.page) < PageRows {
		s.page = append(s.page, row)
	}
	for j, c := range t.Columns {
		s.width[j] = max(s.width[j], textWidth(cell(c, row[j], "-")))
	}
}

// Len is the number of rows of the table.
func (t *Table) Len() int {
	if t.stream != nil {
		return t.stream.n
	}
	return len(t.Rows)
}

// page are the rows a page shows: the first PageRows.
func (t *Table) page() [][]any {
	if t.stream != nil {
		return t.stream.page
	}
	return t.Rows[:min(len(t.Rows), PageRows)]
}

// each calls fn with every row in order: the rows held, or those of the stream read
// again (reporting its progress, when asked, every progressEvery rows).
func (t *Table) each(fn func(row []any) error) error {
	if t.stream == nil {
		for _, r := range t.Rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	s, done := t.stream, 0
	report := func() {
		if s.progress != nil {
			s.progress(Writing, done, s.n)
		}
	}
	report()
	err := s.each(func(row []any) error {
		if err := fn(row); err != nil {
			return err
		}
		if done++; done%progressEvery == 0 {
			report()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if done != s.n {
		return fmt.Errorf("the %s table read %d rows, not the %d it had: the database changed while the report was written", strings.ToLower(t.Sheet), done, s.n)
	}
	report()
	return nil
}

// The phases of a long table's progress (Options.Progress).
const (
	Reading = "report: reading rows"
	Writing = "report: writing rows"
)

// progressEvery is how often (in rows) a stream's writing reports its progress.
const progressEvery = 4096

// streamed reports whether any of the report's tables is read as it is written.
func (r *Report) streamed() bool {
	for _, t := range r.Tables() {
		if t.stream != nil {
			return true
		}
	}
	return false
}
