package compute

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// evaluation is a framework evaluated in Go (the plan) over c_raw, every node in every
// year, with the root's standings per year.
type evaluation struct {
	f        *framework.Framework
	p        *Plan
	e        *Evaluator
	q        Params
	leafNode []int32 // per indicator: its number in c_leaf (node_id)
	// per year of p.years, the root's value and rank in each of its rows (p.yearRows)
	value [][]float64
	rank  [][]int
}

// evaluate evaluates the framework over the data read (readData) in Go. levels, when
// set, hears each level aggregated.
func (ev *evaluation) evaluate(d *Data, levels func(done, total int)) error {
	defer store.Step("evaluate the plan")()
	var err error
	if ev.p, err = NewPlan(ev.f, d); err != nil {
		return err
	}
	ev.p.AllNodes()
	ev.e = ev.p.NewEvaluator()
	ev.e.Level = levels
	ev.q = ev.p.Nominal()
	ev.e.Prepare(&ev.q, runtime.GOMAXPROCS(0))
	if err := ev.e.Evaluate(&ev.q); err != nil {
		return err
	}
	for _, y := range ev.p.years {
		if y == d.Year { // the plan's target year, ranked by Evaluate (the same rows)
			ev.value, ev.rank = append(ev.value, ev.e.Value), append(ev.rank, ev.e.Rank)
			continue
		}
		rows := ev.p.yearRows[y]
		value, rank := make([]float64, len(rows)), make([]int, len(rows))
		ev.e.Standings(rows, value, rank)
		ev.value, ev.rank = append(ev.value, value), append(ev.rank, rank)
	}
	return nil
}

// inputs are, per year and indicator (in the framework's order), the counts of the
// stored and of the imputed values, and the xor over the stored ones of a hash of the
// unit's key and the value: store.HashUint64(key ^ store.HashDouble(value)), DuckDB's
// hash(xor(unit_key, hash(value))). Pairs are mixed by hashing one number, the xor of
// one hash with the other: DuckDB's hash of several arguments combines their hashes
// linearly, and an xor of such hashes over rows would not change when two units swap
// values. They are taken as the values read are made columns: a pass of DuckDB's own
// over them cost half as much again as the read.
type inputs map[int][]inputCount

type inputCount struct {
	stored, imputed int64
	sum             uint64
}

// cell is a value of the data read: a row and an indicator.
type cell struct{ row, leaf int32 }

// readData reads c_raw into the plan's data: a row per (year, unit), in that order
// (units by key), a column per indicator, with the inputs' counts and checksums. Units
// are keys; the codes are read only of the reference units a normalisation names.
// ev.leafNode is set.
func readData(ctx context.Context, c *sql.Conn, f *framework.Framework, ids map[string]int, ev *evaluation) (*Data, inputs, error) {
	d := &Data{Leaves: f.UsedIndicators()}
	imputes := make([]string, len(d.Leaves))
	ev.leafNode = leafNumbers(f, ids)
	if len(ev.leafNode) == 0 {
		return nil, nil, fmt.Errorf("%w: %s has no indicators", ErrNoData, f.ID)
	}
	lo, hi := slices.Min(ev.leafNode), slices.Max(ev.leafNode)
	for k, id := range d.Leaves {
		imputes[k] = f.Indicator(id).Impute
	}
	// leafOf[n-lo] is the indicator numbered n, −1 for none: the numbers are the
	// database's codes, a few thousand at most
	leafOf := make([]int, int(hi-lo)+1)
	for i := range leafOf {
		leafOf[i] = -1
	}
	for k, n := range ev.leafNode {
		leafOf[n-lo] = k
	}
	// the values row by row, in blocks of rows that are never copied (appending to one
	// slice of millions would copy it and fault in fresh pages at each growth): block
	// r>>blockBits holds row r's indicator l at (r&blockMask)*L+l; made columns at the end
	L := len(d.Leaves)
	var blocks [][]float64
	var block []float64
	var rowBlocks []*rowBlock // each row's year and unit, by blocks too
	rows := 0
	// the rows, at least: the values over the indicators (all of them when every unit
	// has every indicator). A computation that cannot fit even so is refused before the
	// read; the exact count is checked after it, before the evaluation, which holds
	// about five times what the read does.
	var values int64
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM c_raw`).Scan(&values); err != nil {
		return nil, nil, err
	}
	least := int((values + int64(L) - 1) / int64(L))
	if err := fitsInMemory(f, least, L); err != nil {
		return nil, nil, err
	}
	rowOf := newRowIndex(least)
	last, lastRow := yearUnit{}, -1
	var cur []float64 // lastRow's values in its block
	// whether a value is imputed is read only when one can be: DuckDB turns a boolean
	// column to Arrow's bits row by row, which costs a sixth of the read
	query := `SELECT year::INTEGER, unit_key::UBIGINT, node_id::INTEGER, value::DOUBLE FROM c_raw`
	imputing := slices.ContainsFunc(imputes, func(m string) bool { return m != framework.ImputeNone })
	if imputing {
		query = `SELECT year::INTEGER, unit_key::UBIGINT, node_id::INTEGER, value::DOUBLE, imputed FROM c_raw`
	}
	var imputedAt []cell // the values imputed
	err := store.ReadColumns(ctx, c, query, func(b store.Batch) error {
		years, err := b.Int32(0)
		if err != nil {
			return err
		}
		keys, err := b.Uint64(1)
		if err != nil {
			return err
		}
		nodes, err := b.Int32(2)
		if err != nil {
			return err
		}
		vs, isNull, err := b.Float64(3)
		if err != nil {
			return err
		}
		var imputed func(int) bool
		if imputing {
			if imputed, err = b.Bool(4); err != nil {
				return err
			}
		}
		for i := range b.Rows() {
			// one lookup per run of a unit and year's values (they mostly come so, as stored)
			k := yearUnit{years[i], keys[i]}
			if k != last || lastRow < 0 {
				r, added := rowOf.row(k, rows)
				if added {
					rows++
					if r&blockMask == 0 {
						block = make([]float64, (blockMask+1)*L)
						for j := range block {
							block[j] = math.NaN()
						}
						blocks, rowBlocks = append(blocks, block), append(rowBlocks, &rowBlock{})
					}
					rb := rowBlocks[r>>blockBits]
					rb.years[r&blockMask], rb.keys[r&blockMask] = k.year, k.key
				}
				last, lastRow = k, r
				at := (r & blockMask) * L
				cur = blocks[r>>blockBits][at : at+L]
			}
			l := -1
			if n := nodes[i]; n >= lo && n <= hi {
				l = leafOf[n-lo]
			}
			if l < 0 {
				return fmt.Errorf("internal error: c_raw holds indicator number %d, which is none of %s's", nodes[i], f.ID)
			}
			if v := vs[i]; v != v || (isNull != nil && isNull(i)) {
				return fmt.Errorf("internal error: c_raw holds a NULL or NaN value of %s", d.Leaves[l])
			}
			cur[l] = vs[i]
			if imputing && imputed(i) {
				imputedAt = append(imputedAt, cell{int32(lastRow), int32(l)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("compute: %w", err)
	}
	if err := fitsInMemory(f, rows, L); err != nil {
		return nil, nil, err
	}
	// The rows in the order of their year and unit key, whatever the order DuckDB's
	// threads read them in: sums over rows then add in one order, and the same data
	// give the same results to the last bit at every run. from is where each row was
	// read (its row then).
	order := make([]yearUnit, rows)
	for r := range rows {
		rb := rowBlocks[r>>blockBits]
		order[r] = yearUnit{rb.years[r&blockMask], rb.keys[r&blockMask]}
	}
	from := sortRows(order)
	d.Years, d.Units = make([]int, rows), make([]Unit, rows)
	var yearList []int             // the years, in order
	rowYear := make([]int32, rows) // row (in the new order) → its year in yearList
	for i, r := range from {
		d.Years[i], d.Units[i].Key = int(order[r].year), order[r].key
		if len(yearList) == 0 || yearList[len(yearList)-1] != d.Years[i] {
			yearList = append(yearList, d.Years[i])
		}
		rowYear[i] = int32(len(yearList) - 1)
	}
	cols, counts := turn(blocks, from, rowYear, d.Units, L, len(yearList))
	// the imputed values are taken out of the counts and checksums (an xor undoes itself)
	var pos []int32 // where each row read now is
	if len(imputedAt) > 0 {
		pos = make([]int32, rows)
		for i, r := range from {
			pos[r] = int32(i)
		}
	}
	for _, at := range imputedAt {
		r, l := int(pos[at.row]), int(at.leaf)
		c := &counts[rowYear[r]][l]
		c.stored--
		c.imputed++
		c.sum ^= store.HashUint64(d.Units[r].Key ^ store.HashDouble(cols[l][r]))
	}
	in := inputs{}
	for yi, y := range yearList {
		in[y] = counts[yi]
	}
	d.Raw, d.Imputes = [][][]float64{cols}, [][]string{imputes}
	if len(d.Years) > 0 {
		d.Year = slices.Max(d.Years) // the plan's target, ranked by Evaluate
	}
	return d, in, referenceCodes(ctx, c, f, d)
}

// referenceCodes sets the codes of the rows of the reference units that
// normalisations name (normalise: reference).
func referenceCodes(ctx context.Context, c *sql.Conn, f *framework.Framework, d *Data) error {
	var refs []any
	for _, id := range d.Leaves {
		if in := f.Indicator(id); in.Normalise == framework.NormReference {
			refs = append(refs, in.Reference)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	rows, err := c.QueryContext(ctx, `SELECT unit_key, unit FROM unit_list WHERE unit IN (?`+strings.Repeat(", ?", len(refs)-1)+`)`, refs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	code := map[uint64]string{}
	for rows.Next() {
		var k uint64
		var u string
		if err := rows.Scan(&k, &u); err != nil {
			return err
		}
		code[k] = u
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for r := range d.Units {
		d.Units[r].Code = code[d.Units[r].Key]
	}
	return nil
}

// units counts, per year, the units with a value of each node.
func (ev *evaluation) units(results map[int]*YearResult) {
	for _, y := range ev.p.years {
		r := results[y]
		if r == nil {
			continue
		}
		for i, n := range ev.f.Nodes {
			k := 0
			for _, row := range ev.p.yearRows[y] {
				if ev.e.Has(i, row) {
					k++
				}
			}
			if k > 0 {
				r.NodeUnits[n.ID] = k
			}
		}
		r.Units = r.NodeUnits[ev.f.Root]
	}
}

// weights are the weights the evaluation derived (weights: pca): year → node → child →
// weight.
func (ev *evaluation) weights() map[int]map[string]map[string]float64 {
	out := map[int]map[string]map[string]float64{}
	for i, byYear := range ev.e.Weights {
		n := ev.f.Nodes[i]
		for y, ws := range byYear {
			if out[y] == nil {
				out[y] = map[string]map[string]float64{}
			}
			out[y][n.ID] = map[string]float64{}
			for j, ch := range n.Children {
				out[y][n.ID][ch.ID] = ws[j]
			}
		}
	}
	return out
}

// nodeView makes every node's values a view called name (year, unit_key, node,
// value), node by its position in the framework's nodes.
func (ev *evaluation) nodeView(ctx context.Context, db *store.DB, name string) (string, func(), error) {
	n := 0
	for i := range ev.f.Nodes {
		for r := range ev.p.D.Years {
			if ev.e.Has(i, r) {
				n++
			}
		}
	}
	years, nodes, keys, values := make([]int32, n), make([]int32, n), make([]uint64, n), make([]float64, n)
	var null []bool // none, unless a value is NaN
	k := 0
	for i := range ev.f.Nodes {
		for r, v := range ev.e.Node(i) {
			if ev.e.Has(i, r) {
				years[k], keys[k], nodes[k], values[k] = int32(ev.p.D.Years[r]), ev.p.D.Units[r].Key, int32(i), v
				if v != v {
					if null == nil {
						null = make([]bool, n)
					}
					null[k] = true
				}
				k++
			}
		}
	}
	return db.ColumnView(ctx, name, []store.Column{{Name: "year", Int32: years}, {Name: "unit_key", Uint64: keys},
		{Name: "node", Int32: nodes}, {Name: "value", Float64: values, Null: null}})
}

// listed are the nodes whose values a run stores in node_lists, by their position in
// f.Nodes: all but the root, in the framework's order. The k-th's values are at place
// k+1 of each unit's list (its ord in run_nodes).
func listed(f *framework.Framework) []int {
	var out []int
	for i, n := range f.Nodes {
		if n.ID != f.Root {
			out = append(out, i)
		}
	}
	return out
}

// listView makes the values of the listed nodes a view called name (year, unit_key,
// value) for node_lists: one row per unit and year with any of them, value the list of
// their values (NULL for none). With no node listed (a root over indicators only) there
// is no view: view is "".
func (ev *evaluation) listView(ctx context.Context, db *store.DB, name string) (view string, drop func(), err error) {
	which := listed(ev.f)
	w, n := len(which), len(ev.p.D.Years)
	if w == 0 {
		return "", func() {}, nil
	}
	cols := make([][]float64, w)
	for k, i := range which {
		cols[k] = ev.e.Node(i)
	}
	some := make([]bool, n) // the rows with a value of any listed node
	rows := 0
	for r := range n {
		for _, i := range which {
			if ev.e.Has(i, r) {
				some[r] = true
				rows++
				break
			}
		}
	}
	years, keys := make([]int32, rows), make([]uint64, rows)
	values, null := make([]float64, rows*w), make([]bool, rows*w)
	j := 0
	for r := range n {
		if !some[r] {
			continue
		}
		years[j], keys[j] = int32(ev.p.D.Years[r]), ev.p.D.Units[r].Key
		for k, i := range which {
			v := cols[k][r]
			values[j*w+k], null[j*w+k] = v, v != v || !ev.e.Has(i, r)
		}
		j++
	}
	return db.ColumnView(ctx, name, []store.Column{{Name: "year", Int32: years}, {Name: "unit_key", Uint64: keys},
		{Name: "value", Float64: values, Null: null, Width: w}})
}

// leafView makes the indicator values a view called name (year, unit_key, node_id,
// x, value): treated (x) and normalised, the indicator by its number in c_leaf.
func (ev *evaluation) leafView(ctx context.Context, db *store.DB, name string) (string, func(), error) {
	var years, nodes []int32
	var keys []uint64
	var xs, values []float64
	var xnull, null []bool
	for l := range ev.p.D.Leaves {
		v, ok := ev.e.Leaf(l, &ev.q)
		x, _ := ev.e.Treated(l, &ev.q)
		for r, y := range ev.p.D.Years {
			if ok[r] {
				years, keys, nodes = append(years, int32(y)), append(keys, ev.p.D.Units[r].Key), append(nodes, ev.leafNode[l])
				xs, xnull = append(xs, x[r]), append(xnull, math.IsNaN(x[r]))
				values, null = append(values, v[r]), append(null, math.IsNaN(v[r]))
			}
		}
	}
	return db.ColumnView(ctx, name, []store.Column{{Name: "year", Int32: years}, {Name: "unit_key", Uint64: keys},
		{Name: "node_id", Int32: nodes}, {Name: "x", Float64: xs, Null: xnull}, {Name: "value", Float64: values, Null: null}})
}

// standingView makes the root's standings a view called name (year, unit_key, value,
// rank, band, class): rank NULL without a value, band and class by their position in
// the framework's bands and classes, NULL for none.
func (ev *evaluation) standingView(ctx context.Context, db *store.DB, name string) (string, func(), error) {
	var years, ranks, bands, classes []int32
	var keys []uint64
	var values []float64
	var null, noRank, noBand, noClass []bool
	for yi, y := range ev.p.years {
		for i, r := range ev.p.yearRows[y] {
			if !ev.e.Has(ev.p.root, r) {
				continue
			}
			v := ev.value[yi][i]
			rv := Round(v, ev.p.pow)
			b, k := bandOf(ev.f.Bands, rv), bandOf(ev.f.Classes, rv)
			years, keys, values, null = append(years, int32(y)), append(keys, ev.p.D.Units[r].Key), append(values, v), append(null, math.IsNaN(v))
			ranks, noRank = append(ranks, int32(ev.rank[yi][i])), append(noRank, ev.rank[yi][i] == 0)
			bands, noBand = append(bands, int32(b)), append(noBand, b < 0)
			classes, noClass = append(classes, int32(k)), append(noClass, k < 0)
		}
	}
	return db.ColumnView(ctx, name, []store.Column{{Name: "year", Int32: years}, {Name: "unit_key", Uint64: keys},
		{Name: "value", Float64: values, Null: null}, {Name: "rank", Int32: ranks, Null: noRank},
		{Name: "band", Int32: bands, Null: noBand}, {Name: "class", Int32: classes, Null: noClass}})
}

// caseOf maps a number column (a position) to the values of to, as SQL.
func caseOf(col string, to []string) string {
	if len(to) == 0 {
		return "NULL"
	}
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, v := range to {
		fmt.Fprintf(&b, " WHEN %d THEN %s", i, v)
	}
	b.WriteString(" END")
	return b.String()
}

// workingTables makes, for Evaluate's readers, the tables the evaluation would be read
// from in SQL: c_leafval (indicators treated, x, and normalised, value), c_val (nodes, the root
// with them) and c_standing, units as keys and nodes, bands and classes by id.
func (ev *evaluation) workingTables(ctx context.Context, db *store.DB, c *sql.Conn) error {
	ids := func(bs []*framework.Band) []string {
		var out []string
		for _, b := range bs {
			out = append(out, q(b.ID))
		}
		return out
	}
	var nodes []string
	for _, n := range ev.f.Nodes {
		nodes = append(nodes, q(n.ID))
	}
	steps := []struct {
		view  func(context.Context, *store.DB, string) (string, func(), error)
		table string
	}{
		{ev.leafView, `CREATE OR REPLACE TEMP TABLE c_leafval AS SELECT v.year, v.unit_key, p.id AS node, v.x, v.value FROM %s v JOIN c_leaf p USING (node_id)`},
		{func(ctx context.Context, db *store.DB, name string) (string, func(), error) {
			return ev.nodeView(ctx, db, name)
		},
			`CREATE OR REPLACE TEMP TABLE c_val AS SELECT year, unit_key, ` + caseOf("node", nodes) + ` AS node, value FROM %s`},
		{ev.standingView, `CREATE OR REPLACE TEMP TABLE c_standing AS SELECT year, unit_key, value, rank, ` +
			caseOf("band", ids(ev.f.Bands)) + `::VARCHAR AS band, ` + caseOf("class", ids(ev.f.Classes)) + `::VARCHAR AS class FROM %s`},
	}
	if err := ev.winsorisations(ctx, c); err != nil {
		return err
	}
	for _, s := range steps {
		view, drop, err := s.view(ctx, db, "c_result")
		if err != nil {
			return err
		}
		_, err = c.ExecContext(ctx, fmt.Sprintf(s.table, view))
		drop()
		if err != nil {
			return fmt.Errorf("compute: %w", err)
		}
	}
	return nil
}

// winsorisations makes c_wins, what winsorisation did per year and indicator: the
// clamps and the values moved (lo, hi, points) and, for the skew-kurtosis rule, the
// fallback and its shift (fb, fmin, frange, lam) and the skewness and kurtosis before
// and after, and whether they passed (skew0, kurt0, skew1, kurt1, pass0, pass1).
func (ev *evaluation) winsorisations(ctx context.Context, c *sql.Conn) error {
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_wins (year INTEGER, node VARCHAR, lo DOUBLE, hi DOUBLE, points INTEGER,
		fb VARCHAR, fmin DOUBLE, frange DOUBLE, lam DOUBLE, skew0 DOUBLE, kurt0 DOUBLE, skew1 DOUBLE, kurt1 DOUBLE, pass0 BOOLEAN, pass1 BOOLEAN)`); err != nil {
		return err
	}
	num := func(p *float64) any {
		if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
			return nil
		}
		return *p
	}
	return store.Append(ctx, c, "c_wins", func(add func(...any) error) error {
		for l, id := range ev.p.D.Leaves {
			w := ev.f.Indicator(id).Winsorise
			for _, t := range ev.e.Winsorisations(l, &ev.q) {
				var err error
				if w.Rule == "" {
					err = add(int32(t.Year), id, num(t.Lo), num(t.Hi), int32(t.Points), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
				} else {
					var fb any
					if t.Fallback != "" {
						fb = t.Fallback
					}
					err = add(int32(t.Year), id, num(t.Lo), num(t.Hi), int32(t.Points), fb, num(&t.Min), num(&t.Range), num(w.Lambda),
						num(&t.SkewBefore), num(&t.KurtBefore), num(&t.SkewAfter), num(&t.KurtAfter), t.Pass, t.PassAfter)
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// The values read are kept in blocks of 1<<blockBits rows (256: a block of 100
// indicators stays in the cache as it is turned into columns).
const (
	blockBits = 8
	blockMask = 1<<blockBits - 1
)

// rowBlock holds the year and unit key of a block's rows.
type rowBlock struct {
	years [blockMask + 1]int32
	keys  [blockMask + 1]uint64
}

// turn makes the columns of L indicators from the blocks read, row i of them the row
// read at from[i] (of year rowYear[i] of years, unit units[i]), with each year's count
// and checksum of each indicator's values (counts[year][l], every value counted as
// stored). A block of rows at a time on every core: the block's rows are gathered from
// where they were read, then turned while they stay in the cache.
func turn(blocks [][]float64, from, rowYear []int32, units []Unit, L, years int) ([][]float64, [][]inputCount) {
	rows := len(from)
	cols := make([][]float64, L)
	for l := range cols {
		cols[l] = make([]float64, rows)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(blocks)))
	partial := make([][]inputCount, workers) // per worker: indicator l, year yi at l*years+yi
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			cnt := make([]inputCount, L*years)
			tmp := make([]float64, (blockMask+1)*L)
			for b := int(next.Add(1) - 1); b < len(blocks); b = int(next.Add(1) - 1) {
				base := b << blockBits
				rs := from[base:min(base+blockMask+1, rows)]
				for j, r := range rs {
					at := int(r&blockMask) * L
					copy(tmp[j*L:(j+1)*L], blocks[r>>blockBits][at:at+L])
				}
				for l, col := range cols {
					dst, at := col[base:base+len(rs)], cnt[l*years:]
					for j := range dst {
						v := tmp[j*L+l]
						dst[j] = v
						if v == v {
							c := &at[rowYear[base+j]]
							c.stored++
							c.sum ^= store.HashUint64(units[base+j].Key ^ store.HashDouble(v))
						}
					}
				}
			}
			partial[w] = cnt
		})
	}
	wg.Wait()
	counts := make([][]inputCount, years)
	for yi := range counts {
		counts[yi] = make([]inputCount, L)
		for l := range L {
			t := &counts[yi][l]
			for _, cnt := range partial {
				c := cnt[l*years+yi]
				t.stored, t.imputed, t.sum = t.stored+c.stored, t.imputed+c.imputed, t.sum^c.sum
			}
		}
	}
	return cols, counts
}

// sortRows is the order of rows by year, then unit key: the rows' numbers, sorted. A
// radix sort, stable, on the key 11 bits at a time, then on the year: for a million
// rows a twentieth of what a comparison sort takes. Keys are hashes, spread evenly over
// the digits.
func sortRows(rows []yearUnit) []int32 {
	type item struct {
		key        uint64
		year, from int32
	}
	a, b := make([]item, len(rows)), make([]item, len(rows))
	for r, k := range rows {
		a[r] = item{k.key, k.year, int32(r)}
	}
	const bits = 11
	var count [1 << bits]int
	for shift := 0; shift < 64; shift += bits {
		clear(count[:])
		for _, it := range a {
			count[(it.key>>shift)&(1<<bits-1)]++
		}
		at := 0
		for i, n := range count {
			count[i], at = at, at+n
		}
		for _, it := range a {
			d := (it.key >> shift) & (1<<bits - 1)
			b[count[d]] = it
			count[d]++
		}
		a, b = b, a
	}
	// then by year, the few years counted
	years := map[int32]int{}
	for _, it := range a {
		years[it.year]++
	}
	ys := make([]int32, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	at := map[int32]int{}
	n := 0
	for _, y := range ys {
		at[y], n = n, n+years[y]
	}
	out := make([]int32, len(a))
	for _, it := range a {
		out[at[it.year]] = it.from
		at[it.year]++
	}
	return out
}

// yearUnit is a row of the plan's data: a unit in a year.
type yearUnit struct {
	year int32
	key  uint64
}

// rowIndex numbers the (year, unit) pairs of c_raw: an open-addressing table on the
// unit's key, which is a hash already (store.UnitKey). For a million units it costs a
// tenth of a Go map, whose growth and probing missed the cache at every new unit.
type rowIndex struct {
	slots []rowSlot
	used  int
}

type rowSlot struct {
	key  uint64
	year int32
	row  int32 // the row + 1; 0: empty
}

// newRowIndex is an index with room for about n rows.
func newRowIndex(n int) *rowIndex {
	size := 1 << 10
	for size < 2*n {
		size *= 2
	}
	return &rowIndex{slots: make([]rowSlot, size)}
}

// row is k's row, or next when k is new (added).
func (x *rowIndex) row(k yearUnit, next int) (r int, added bool) {
	if 2*(x.used+1) > len(x.slots) {
		old := x.slots
		x.slots, x.used = make([]rowSlot, 2*len(old)), 0
		for _, s := range old {
			if s.row > 0 {
				x.row(yearUnit{s.year, s.key}, int(s.row-1))
			}
		}
	}
	mask := uint64(len(x.slots) - 1)
	for i := (k.key ^ uint64(k.year)*0x9e3779b97f4a7c15) & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.row == 0 {
			s.key, s.year, s.row = k.key, k.year, int32(next+1)
			x.used++
			return next, true
		}
		if s.key == k.key && s.year == k.year {
			return int(s.row - 1), false
		}
	}
}

// fitsInMemory refuses an evaluation whose columns would not fit in egdi's memory
// limit (store.MemoryLimit), which caps them as it caps DuckDB: about 40 bytes per row
// for each indicator (read, turned to columns, treated, normalised) and each node
// (evaluated, written), and 160 for the row itself (its index, its order and sorting,
// its year and unit).
func fitsInMemory(f *framework.Framework, rows, indicators int) error {
	text, limit := store.MemoryLimit()
	need := int64(rows) * int64(40*(indicators+len(f.Nodes))+160)
	if limit <= 0 || need <= limit {
		return nil
	}
	size := fmt.Sprintf("%.1f GB", float64(need)/1e9)
	if need < 1e9 {
		size = fmt.Sprintf("%.1f MB", float64(need)/1e6)
	}
	return fmt.Errorf("%w: computing %s over %d units and years of %d indicators holds about %s as columns in memory, more than egdi's limit of %s (which caps DuckDB's memory and, apart from it, these columns): raise it with EGDI_MEMORY_LIMIT (e.g. EGDI_MEMORY_LIMIT=%dGB egdi compute ...), or compute fewer years at a time (--year); the database is as it was before the command",
		store.ErrResources, f.ID, rows, indicators, size, text, need/1e9+1)
}
