package panel

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"

	"github.com/egdi/egdi/internal/store"
)

// StreamSpec says which rows Stream reads.
type StreamSpec struct {
	Year int    // the year read (one of the selection's)
	Node string // the rows come in the order of this node's rank (ByRank); "": the root
	// Previous is a year whose rank of Node and band each row also carries (StreamRow;
	// 0: none).
	Previous int
	// Groupings are the groupings whose groups each row's unit carries.
	Groupings []string
}

// StreamRow is a row of Stream: the row Load would hold, and with
// StreamSpec.Previous the unit's rank of the node (0: none) and band in that year,
// where it was assessed.
type StreamRow struct {
	Row
	PrevRank int
	PrevBand string
}

// Stream reads one year of the selection row by row, in the order of a node's rank
// (unranked last, then by code, as ByRank), and calls fn with each, holding none: the
// rows of a report over more units than memory should hold (a ranking of a million).
// A row is the one Load would hold for that year, except that only the node's ranks
// are taken and its unit carries only the groupings asked for; each row has a unit of
// its own. Stream stops at fn's first error and returns it.
func Stream(ctx context.Context, db *store.DB, sel *Selection, spec StreamSpec, fn func(StreamRow) error) error {
	node, err := sel.ResolveNode(spec.Node)
	if err != nil {
		return err
	}
	years := sel.YearList()
	for _, y := range []int{spec.Year, spec.Previous} {
		if y != 0 && !slices.Contains(years, y) {
			return fmt.Errorf("no values for %d; years with data: %s", y, yearText(years))
		}
	}
	if spec.Year == 0 {
		return fmt.Errorf("stream: name the year")
	}
	// each year's relation of its own, so that only its values are read
	rel, args, err := sel.Relation(Spec{Ranks: []string{node}, Groupings: spec.Groupings, Years: []int{spec.Year}})
	if err != nil {
		return err
	}
	k := slices.Index(sel.Nodes, node)
	rank := fmt.Sprintf("CASE WHEN c.k%d > 0 THEN c.k%d END", k, k) // ByRank: a rank of 0 is none
	prev := "NULL::INTEGER AS prev_rank, NULL::VARCHAR AS prev_band FROM (" + rel + ") c"
	if spec.Previous != 0 {
		prel, pargs, err := sel.Relation(Spec{Ranks: []string{node}, Years: []int{spec.Previous}})
		if err != nil {
			return err
		}
		prev = fmt.Sprintf(`p.k%d AS prev_rank, p.band AS prev_band FROM (%s) c
			LEFT JOIN (SELECT unit_key, k%d, band FROM (%s) WHERE status IS NULL) p USING (unit_key)`, k, rel, k, prel)
		args = append(args, pargs...)
	}
	q := fmt.Sprintf(`SELECT c.*, %s
		WHERE c.year = %d ORDER BY %s NULLS LAST, c.unit`, prev, spec.Year, rank)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("reading the panel: %w", err)
	}
	defer rows.Close()
	dec := newDecoder(sel, spec.Groupings, true)
	for rows.Next() {
		r, err := dec.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// decoder reads the rows of a Relation (and of Stream, with the previous year's rank
// and band after them) into rows.
type decoder struct {
	runs      []*Run
	n         int      // nodes
	groupings []string // the relation's grouping columns
	prev      bool     // prev_rank, prev_band follow
	// units, when set, are the units read so far, reused for a unit's later rows and
	// given the ones first met
	units map[string]*Unit

	vals        []sql.NullFloat64
	ranks, srcs []sql.NullInt64
	grp, zh     []sql.NullString
	ord         []sql.NullInt64
	prevRank    sql.NullInt64
	prevBand    sql.NullString
	dest        []any
	year        int
	key         uint64
	code, name  string
	kind        string
	nameZh      sql.NullString
	status, det sql.NullString
	band, class sql.NullString
}

func newDecoder(sel *Selection, groupings []string, prev bool) *decoder {
	n, g := len(sel.Nodes), len(groupings)
	d := &decoder{runs: sel.Runs(), n: n, groupings: groupings, prev: prev,
		vals: make([]sql.NullFloat64, n), ranks: make([]sql.NullInt64, n), srcs: make([]sql.NullInt64, n),
		grp: make([]sql.NullString, g), zh: make([]sql.NullString, g), ord: make([]sql.NullInt64, g)}
	d.dest = []any{&d.year, &d.key, &d.code, &d.name, &d.nameZh, &d.kind, &d.status, &d.det, &d.band, &d.class}
	for i := 0; i < n; i++ {
		d.dest = append(d.dest, &d.vals[i], &d.ranks[i], &d.srcs[i])
	}
	for j := 0; j < g; j++ {
		d.dest = append(d.dest, &d.grp[j], &d.zh[j], &d.ord[j])
	}
	if prev {
		d.dest = append(d.dest, &d.prevRank, &d.prevBand)
	}
	return d
}

// scan reads the current row.
func (d *decoder) scan(rows *sql.Rows) (StreamRow, error) {
	if err := rows.Scan(d.dest...); err != nil {
		return StreamRow{}, err
	}
	var u *Unit
	if d.units != nil {
		u = d.units[d.code]
	}
	if u == nil {
		u = &Unit{Code: d.code, Name: d.name, NameZh: d.nameZh.String, Kind: d.kind, Groups: map[string]Group{}}
		for j, g := range d.groupings {
			if d.grp[j].Valid {
				u.Groups[g] = Group{Name: d.grp[j].String, Zh: d.zh[j].String, Order: int(d.ord[j].Int64)}
			}
		}
		if d.units != nil {
			d.units[d.code] = u
		}
	}
	r := StreamRow{Row: Row{Unit: u, Year: d.year, Status: d.status.String, Detail: d.det.String, Band: d.band.String, Class: d.class.String, Cells: make([]Cell, d.n)},
		PrevRank: int(d.prevRank.Int64), PrevBand: d.prevBand.String}
	for i := 0; i < d.n; i++ {
		c := Cell{Value: math.NaN()}
		if d.vals[i].Valid && d.srcs[i].Valid && int(d.srcs[i].Int64) < len(d.runs) {
			c = Cell{Value: d.vals[i].Float64, Rank: int(d.ranks[i].Int64), Run: d.runs[d.srcs[i].Int64]}
		}
		r.Cells[i] = c
	}
	return r, nil
}

// Contributor counts, for a node in a year, the values each run gave: what source
// notes are written from. A Panel is one; Counts are those of rows streamed.
type Contributor interface {
	Contributions(year int, node string) map[*Run]int
}

// Counts are Panel.Contributions of rows met one at a time (Stream).
type Counts struct {
	nodes []string
	n     map[countKey]map[*Run]int
}

type countKey struct {
	year int
	node string
}

// NewCounts counts the values of the selection's rows.
func NewCounts(sel *Selection) *Counts {
	return &Counts{nodes: sel.Nodes, n: map[countKey]map[*Run]int{}}
}

// Add counts the values of a row.
func (c *Counts) Add(r Row) {
	for i, cell := range r.Cells {
		if !cell.OK() {
			continue
		}
		k := countKey{r.Year, c.nodes[i]}
		m := c.n[k]
		if m == nil {
			m = map[*Run]int{}
			c.n[k] = m
		}
		m[cell.Run]++
	}
}

// Contributions counts, for node in year, the values each run gave.
func (c *Counts) Contributions(year int, node string) map[*Run]int {
	out := map[*Run]int{}
	for r, n := range c.n[countKey{year, node}] {
		out[r] = n
	}
	return out
}
