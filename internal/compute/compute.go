// Package compute turns raw indicators into index values by running a framework over
// a dataset, in DuckDB SQL: treatment and normalisation of each indicator, weighted
// means level by level up to the root, normalisation of each node, then the root's
// rank, band and class. See package framework for the formulas.
//
// Normalisations are taken per survey year over the units that have the value (the
// 193 Member States only, for frameworks whose universe is member-states). A unit gets a
// node value only when all of that node's children have one; other nodes are still
// computed for it (TII alone from ITU data is a real use). Edge cases: an indicator with
// zero spread has z-score 0 for every unit and min-max the midpoint of the scale;
// goalposts clamp values outside them.
package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/version"
)

// Options select what to compute.
type Options struct {
	Dataset string // default "default"
	Years   []int  // empty: every year of the dataset with any of the framework's indicators
}

// YearResult reports one computed year.
type YearResult struct {
	Year      int
	Units     int            // units with a root value
	NodeUnits map[string]int // units with a value, per node
	Missing   []string       // indicators with no data that year
	Checksum  string
	Inputs    int64
}

// ErrNoData says the dataset has none of the framework's indicators.
var ErrNoData = errors.New("no data")

func q(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func num(p *float64) string {
	if p == nil {
		return "NULL::DOUBLE"
	}
	return fmt.Sprintf("%v::DOUBLE", *p)
}

// Run computes the framework over the dataset and stores the results, replacing any
// earlier computation of the same (dataset, year). It is one transaction.
func Run(ctx context.Context, db *store.DB, f *framework.Framework, opt Options) ([]YearResult, error) {
	if opt.Dataset == "" {
		opt.Dataset = "default"
	}
	inds := f.UsedIndicators()
	var results []YearResult
	// The working tables are built outside the transaction (DuckDB reads and groups
	// committed temporary tables much faster); the transaction holds the writes.
	cleanup := []string{"c_leafval", "c_raw", "c_val", "c_standing", "c_leaf", "c_node", "c_edge"}
	stage := func(tx *sql.Conn) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM datasets WHERE dataset = ?`, opt.Dataset).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: dataset %q does not exist; import indicators first (egdi import indicators FILE --dataset %s)", ErrNoData, opt.Dataset, opt.Dataset)
		}
		indList := make([]string, len(inds))
		for i, id := range inds {
			indList[i] = q(id)
		}
		yearFilter := ""
		if len(opt.Years) > 0 {
			ys := make([]string, len(opt.Years))
			for i, y := range opt.Years {
				ys[i] = fmt.Sprint(y)
			}
			yearFilter = " AND iv.year IN (" + strings.Join(ys, ", ") + ")"
		}
		universe := ""
		if f.Universe == framework.UniverseMembers {
			universe = " AND iv.unit IN (SELECT unit FROM units WHERE kind = 'country')"
		}
		stmts := []string{
			fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE c_raw AS SELECT iv.year, iv.unit, iv.indicator AS node, iv.value
				FROM indicator_values iv WHERE iv.dataset = %s AND iv.indicator IN (%s)%s%s`,
				q(opt.Dataset), strings.Join(indList, ", "), yearFilter, universe),
			leafParams(f),
			nodeParams(f),
			treatLeaves(f),
		}
		for i, s := range stmts {
			done := store.Step(fmt.Sprintf("compute setup %d", i+1))
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("compute: %w", err)
			}
			done()
		}
		years, err := yearsOf(ctx, tx)
		if err != nil {
			return err
		}
		if len(years) == 0 {
			what := "any year"
			if len(opt.Years) > 0 {
				what = fmt.Sprint(opt.Years)
			}
			return fmt.Errorf("%w: dataset %q has none of the indicators of %s (%s) for %s", ErrNoData, opt.Dataset, f.ID, strings.Join(inds, ", "), what)
		}
		for li, level := range f.Levels() {
			done := store.Step(fmt.Sprintf("aggregate level %d", li+1))
			if _, err := tx.ExecContext(ctx, aggregateLevel(f, level)); err != nil {
				return fmt.Errorf("compute: %w", err)
			}
			done()
		}
		done := store.Step("standings")
		if _, err := tx.ExecContext(ctx, standingsSQL(f)); err != nil {
			return fmt.Errorf("compute: %w", err)
		}
		done()
		done = store.Step("summarise")
		results, err = summarise(ctx, tx, f, years, inds)
		done()
		return err
	}
	write := func(tx *sql.Tx) error {
		defer store.Step("store results")()
		return store1(ctx, tx, f, opt.Dataset, results)
	}
	if err := db.Staged(ctx, stage, write, cleanup); err != nil {
		return nil, err
	}
	return results, nil
}

// leafParams writes the per-indicator treatment and normalisation into c_leaf.
func leafParams(f *framework.Framework) string {
	var rows []string
	for _, id := range f.UsedIndicators() {
		in := f.Indicator(id)
		dir := 1.0
		if in.Direction == "negative" {
			dir = -1
		}
		var lo, hi *float64
		if len(in.Goalposts) == 2 {
			lo, hi = &in.Goalposts[0], &in.Goalposts[1]
		}
		rows = append(rows, fmt.Sprintf("(%s, %s, %s, %v::DOUBLE, %s, %s, %s)", q(id), num(in.Cap), num(in.Floor), dir, q(in.Normalise), num(lo), num(hi)))
	}
	return `CREATE OR REPLACE TEMP TABLE c_leaf AS SELECT * FROM (VALUES ` + strings.Join(rows, ", ") + `) t(id, cap, floor, dir, norm, lo, hi)`
}

// nodeParams writes nodes (normalisation, number of children) and weighted edges.
func nodeParams(f *framework.Framework) string {
	var nodes, edges []string
	for _, n := range f.Nodes {
		nodes = append(nodes, fmt.Sprintf("(%s, %s, %d)", q(n.ID), q(n.Normalise), len(n.Children)))
		for _, c := range n.Children {
			edges = append(edges, fmt.Sprintf("(%s, %s, %v::DOUBLE)", q(n.ID), q(c.ID), c.Weight))
		}
	}
	return `CREATE OR REPLACE TEMP TABLE c_node AS SELECT * FROM (VALUES ` + strings.Join(nodes, ", ") + `) t(id, norm, nkids);
		CREATE OR REPLACE TEMP TABLE c_edge AS SELECT * FROM (VALUES ` + strings.Join(edges, ", ") + `) t(parent, child, w)`
}

// normalised is the CASE expression normalising v given its year's statistics.
func normalised(scale float64) string {
	return fmt.Sprintf(`CASE norm
		WHEN 'zscore' THEN CASE WHEN sd > 0 THEN (v - mu) / sd ELSE 0 END
		WHEN 'minmax' THEN CASE WHEN mx > mn THEN (v - mn) / (mx - mn) ELSE 0.5 END * %v
		ELSE v END`, scale)
}

const statsCTE = `s AS (SELECT year, node, avg(v) AS mu, stddev_pop(v) AS sd, min(v) AS mn, max(v) AS mx FROM t GROUP BY year, node)`

// treatLeaves defines the view c_leafval: each indicator capped or floored, given its
// direction and normalised. It is a view, not a table: the treated indicator values
// feed only their parents' aggregation and are never stored, so materialising them
// would cost a write and a read of every input value. c_val receives the nodes.
// Goalposts map [lo, hi] onto [0, scale], clamping values outside, and reverse the
// scale for a negative direction.
func treatLeaves(f *framework.Framework) string {
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE c_val (year INTEGER, unit VARCHAR, node VARCHAR, value DOUBLE);
		CREATE OR REPLACE TEMP VIEW c_leafval AS
		WITH r AS (
			SELECT r.year, r.unit, r.node, r.value AS x, p.*,
			       greatest(0, least(1, (r.value - p.lo) / (p.hi - p.lo))) AS g
			FROM c_raw r JOIN c_leaf p ON r.node = p.id),
		t AS (
			SELECT year, unit, node, norm,
			       CASE WHEN norm = 'goalposts' THEN (CASE WHEN dir > 0 THEN g ELSE 1 - g END) * %v
			            ELSE dir * CASE WHEN x > cap THEN cap WHEN x < floor THEN floor ELSE x END END AS v
			FROM r),
		%s
		SELECT t.year, t.unit, t.node, %s AS value FROM t JOIN s USING (year, node)`,
		f.Scale, statsCTE, strings.Replace(normalised(f.Scale), "CASE norm", "CASE t.norm WHEN 'goalposts' THEN v", 1))
}

// aggregateLevel adds the nodes of one level: the weighted mean of their children for
// units that have every child, normalised over the year.
func aggregateLevel(f *framework.Framework, level []*framework.Node) string {
	ids := make([]string, len(level))
	from := "c_val"
	for i, n := range level {
		ids[i] = q(n.ID)
		for _, c := range n.Children {
			if f.Node(c.ID) == nil {
				from = "(SELECT * FROM c_val UNION ALL SELECT * FROM c_leafval)"
			}
		}
	}
	return fmt.Sprintf(`INSERT INTO c_val
		WITH a AS (
			SELECT v.year, v.unit, e.parent AS node, sum(e.w * v.value) / nullif(sum(e.w), 0) AS v, count(*) AS n
			FROM %s v JOIN c_edge e ON v.node = e.child
			WHERE e.parent IN (%s)
			GROUP BY v.year, v.unit, e.parent),
		t AS (SELECT a.year, a.unit, a.node, a.v, p.norm FROM a JOIN c_node p ON a.node = p.id WHERE a.n = p.nkids),
		%s
		SELECT t.year, t.unit, t.node, %s AS value FROM t JOIN s USING (year, node)`,
		from, strings.Join(ids, ", "), statsCTE, normalised(f.Scale))
}

// standingsSQL ranks the root on its value rounded to the framework's digits and
// assigns bands and classes.
func standingsSQL(f *framework.Framework) string {
	rank := "rank()"
	if f.Ranking == framework.RankDense {
		rank = "dense_rank()"
	}
	band := func(bs []*framework.Band) string {
		if len(bs) == 0 {
			return "NULL"
		}
		var w []string
		for _, b := range bs {
			w = append(w, fmt.Sprintf("WHEN rv >= %v THEN %s", b.Min, q(b.ID)))
		}
		return "CASE " + strings.Join(w, " ") + " END"
	}
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE c_standing AS
		SELECT year, unit, value, %s OVER (PARTITION BY year ORDER BY rv DESC) AS rank, %s AS band, %s AS class
		FROM (SELECT year, unit, value, round(value, %d) AS rv FROM c_val WHERE node = %s)`,
		rank, band(f.Bands), band(f.Classes), f.Digits, q(f.Root))
}

func yearsOf(ctx context.Context, tx *sql.Conn) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT year FROM c_raw ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ys []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		ys = append(ys, y)
	}
	return ys, rows.Err()
}

func summarise(ctx context.Context, tx *sql.Conn, f *framework.Framework, years []int, inds []string) ([]YearResult, error) {
	byYear := map[int]*YearResult{}
	for _, y := range years {
		byYear[y] = &YearResult{Year: y, NodeUnits: map[string]int{}}
	}
	rows, err := tx.QueryContext(ctx, `SELECT year, node, count(*) FROM c_val GROUP BY year, node`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var y, n int
		var node string
		rows.Scan(&y, &node, &n)
		if r := byYear[y]; r != nil {
			r.NodeUnits[node] = n
			if node == f.Root {
				r.Units = n
			}
		}
	}
	rows.Close()
	// Units per indicator, and an order-independent checksum of the inputs: the xor of
	// a hash of every (unit, indicator, value) and the row count, in one pass.
	rows, err = tx.QueryContext(ctx, `SELECT year, node, count(*), bit_xor(hash(unit, node, value)) FROM c_raw GROUP BY year, node`)
	if err != nil {
		return nil, err
	}
	hashes := map[int]uint64{}
	for rows.Next() {
		var y int
		var node string
		var n int64
		var h uint64
		rows.Scan(&y, &node, &n, &h)
		if r := byYear[y]; r != nil {
			r.NodeUnits[node] = int(n)
			r.Inputs += n
			hashes[y] ^= h
		}
	}
	rows.Close()
	for y, r := range byYear {
		r.Checksum = fmt.Sprintf("%016x-%d", hashes[y], r.Inputs)
	}
	var out []YearResult
	for _, y := range years {
		r := byYear[y]
		for _, id := range inds {
			if r.NodeUnits[id] == 0 {
				r.Missing = append(r.Missing, id)
			}
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

func store1(ctx context.Context, tx *sql.Tx, f *framework.Framework, dataset string, results []YearResult) error {
	fj, err := json.Marshal(f)
	if err != nil {
		return err
	}
	for _, r := range results {
		for _, s := range []string{
			`DELETE FROM scores WHERE dataset = $1 AND year = $2`,
			`DELETE FROM standings WHERE dataset = $1 AND year = $2`,
			`DELETE FROM runs WHERE dataset = $1 AND year = $2`,
			// Nodes only: normalised indicator values are cheap to recompute and would
			// multiply the rows written by the number of indicators.
			`INSERT INTO scores SELECT $1, year, unit, node, value FROM c_val WHERE year = $2`,
			`INSERT INTO standings SELECT $1, year, unit, value, rank, band, class FROM c_standing WHERE year = $2`,
		} {
			if _, err := tx.ExecContext(ctx, s, dataset, r.Year); err != nil {
				return fmt.Errorf("storing results: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?)`,
			dataset, r.Year, f.ID, f.Origin, f.SHA256, r.Checksum, r.Inputs, version.Version, f.Root, f.Digits, f.Ranking, string(fj)); err != nil {
			return fmt.Errorf("storing results: %w", err)
		}
	}
	return nil
}
