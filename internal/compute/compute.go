// Package compute turns raw indicators into index values by running a framework over
// a dataset: in DuckDB SQL (sql.go), the values of the framework's indicators are read,
// denominated, screened and imputed (c_raw); in Go, the plan (plan.go) treats them
// (caps, floors, winsorisation, log transforms), normalises each indicator, takes
// weighted arithmetic, geometric or harmonic means level by level up to the root,
// normalises each node, and ranks the root and gives its band and class (engine.go
// moves the columns between the two). See package framework for the options and their
// formulas.
//
// Normalisations are taken per survey year over the units that have the value (the
// 193 Member States only, for frameworks whose universe is member-states). A unit gets a
// node value only when all of that node's children have one; other nodes are still
// computed for it (TII alone from ITU data is a real use). Edge cases: an indicator with
// zero spread has z-score 0 for every unit and min-max the midpoint of the scale;
// goalposts clamp values outside them. Working tables are built outside the write
// transaction (store.Staged) and only the results are written in it; Evaluate runs a
// framework without writing, for audits and what-if runs, and Load hands over the data
// it evaluated, for egdi uncertainty.
package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/version"
)

// Options select what to compute.
type Options struct {
	Dataset  string // default "default"
	Years    []int  // empty: every year of the dataset with any of the framework's indicators
	Universe string // "": the framework's; framework.UniverseAll or UniverseMembers to override it
	// Progress, when set, hears the levels aggregated (done of total) on a deep framework.
	Progress func(done, total int)
}

// ErrUniverse says that a framework's universe leaves out every unit of the dataset.
var ErrUniverse = errors.New("no unit in the universe")

// YearResult reports one computed year.
type YearResult struct {
	Year      int
	Units     int            // units with a root value
	NodeUnits map[string]int // units with a value, per node
	Missing   []string       // indicators with no data that year
	Imputed   int64          // indicator values imputed
	YearUnits int            // units with any of the framework's indicators that year
	Checksum  string
	Inputs    int64
	// Outside counts the dataset's units left out of the year because they are not
	// in the framework's universe (Member States only), and names a few of them.
	Outside      int
	OutsideUnits []string
	// Screened are the units the framework's screen left out that year (codes, sorted).
	Screened []string
	// Weights are the weights derived that year (weights: pca): node → child → weight.
	Weights map[string]map[string]float64
}

// ErrNoData says the dataset has none of the framework's indicators.
var ErrNoData = errors.New("no data")

// q is store.Quote, short for the many literals of the computation's SQL.
var q = store.Quote

// Lacking lists, for a year with units left without a root value, how many units lack
// each indicator (imputed values count as present), largest first: why they got none.
func (r YearResult) Lacking(inds []string) []string {
	if r.Units >= r.YearUnits {
		return nil
	}
	type miss struct {
		id string
		n  int
	}
	var ms []miss
	for _, id := range inds {
		if n := r.YearUnits - r.NodeUnits[id]; n > 0 {
			ms = append(ms, miss{id, n})
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].n > ms[j].n })
	var out []string
	for _, m := range ms {
		unit := "units"
		if m.n == 1 {
			unit = "unit"
		}
		out = append(out, fmt.Sprintf("%s (%d %s)", m.id, m.n, unit))
	}
	return out
}

// Run computes the framework over the dataset and stores the results, replacing any
// earlier computation of the same (dataset, year). It is one transaction.
func Run(ctx context.Context, db *store.DB, f *framework.Framework, opt Options) ([]YearResult, error) {
	return run(ctx, db, f, opt, nil, nil)
}

// Evaluate computes the framework without storing anything, then lets read inspect the
// working tables on the connection before they are dropped: c_raw (year, unit_key,
// node_id, node, value, imputed), c_leafval (indicators treated, x, and normalised,
// value), c_val (nodes), c_standing (the root's value, rank, band and class) and
// c_wins (what winsorisation did). Units are keys: join unit_list for their codes.
func Evaluate(ctx context.Context, db *store.DB, f *framework.Framework, opt Options, read func(c *sql.Conn) error) ([]YearResult, error) {
	return run(ctx, db, f, opt, read, nil)
}

// Load computes the framework without storing anything and returns the data it
// evaluated, for evaluating it again under other choices (egdi uncertainty): the
// indicator values after denomination, screening and imputation, a row per (year,
// unit) ordered by year and unit key, the units with their codes and names, and
// whether the dataset is synthetic. The data's year is the latest; each year's inputs
// checksum is in its result.
func Load(ctx context.Context, db *store.DB, f *framework.Framework, opt Options) (*Data, []YearResult, error) {
	var d *Data
	results, err := run(ctx, db, f, opt, nil, func(c *sql.Conn, ev *evaluation) error {
		d = ev.p.D
		return unitNames(ctx, c, d, opt.Dataset)
	})
	if err != nil {
		return nil, nil, err
	}
	return d, results, nil
}

// unitNames sets the codes and names of the data's units (a unit without a name is
// called by its code) and whether the dataset is synthetic.
func unitNames(ctx context.Context, c *sql.Conn, d *Data, dataset string) error {
	rows, err := c.QueryContext(ctx, `SELECT unit_key, unit, coalesce(name, unit), coalesce(name_zh, name, unit) FROM unit_list
		WHERE unit_key IN (SELECT DISTINCT unit_key FROM c_raw)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	named := map[uint64]Unit{}
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.Key, &u.Code, &u.Name, &u.NameZh); err != nil {
			return err
		}
		named[u.Key] = u
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for r, u := range d.Units {
		n, ok := named[u.Key]
		if !ok {
			return fmt.Errorf("internal error: unit key %d of the data is not in unit_list", u.Key)
		}
		d.Units[r] = n
	}
	return c.QueryRowContext(ctx, `SELECT coalesce(bool_or(synthetic), false) FROM datasets WHERE dataset = ?`, dataset).Scan(&d.Synthetic)
}

// run computes f: it stores the results (read and keep nil), or hands the working
// tables to read (Evaluate), or the evaluation to keep (Load), storing nothing.
func run(ctx context.Context, db *store.DB, f *framework.Framework, opt Options, read func(c *sql.Conn) error, keep func(*sql.Conn, *evaluation) error) ([]YearResult, error) {
	if opt.Dataset == "" {
		opt.Dataset = "default"
	}
	if opt.Universe != "" && opt.Universe != f.Universe {
		if opt.Universe != framework.UniverseAll && opt.Universe != framework.UniverseMembers {
			return nil, fmt.Errorf("unknown universe %q; use all or member-states", opt.Universe)
		}
		g := *f // the run records the framework as computed
		g.Universe = opt.Universe
		f = &g
	}
	inds := f.UsedIndicators()
	var outside map[int][]string
	var results []YearResult
	// The working tables are built outside the transaction (DuckDB reads and groups
	// committed temporary tables much faster); the transaction holds the writes.
	cleanup := []string{"c_leafval", "c_raw", "c_val", "c_standing", "c_leaf", "c_wins", "c_screened", "c_series", "c_miss"}
	var ev *evaluation
	var listView, rootView string // the results, views of the evaluation's columns (store.ColumnView); listView "" for none
	var drops []func()            // which are dropped once written
	stage := func(tx *sql.Conn) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM datasets WHERE dataset = ?`, opt.Dataset).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: dataset %q does not exist; import indicators first (egdi import indicators FILE --dataset %s)", ErrNoData, opt.Dataset, opt.Dataset)
		}
		ids, err := store.KnownCodes(ctx, tx, append(append([]string{opt.Dataset}, inds...), denominators(f)...)...)
		if err != nil {
			return err
		}
		yearFilter := ""
		if len(opt.Years) > 0 {
			ys := make([]string, len(opt.Years))
			for i, y := range opt.Years {
				ys[i] = fmt.Sprint(y)
			}
			yearFilter = " AND v.year IN (" + strings.Join(ys, ", ") + ")"
		}
		universe := ""
		if f.Universe == framework.UniverseMembers {
			universe = " AND v.unit_key IN (SELECT unit_key FROM unit_list WHERE kind = 'country')"
			var err error
			if outside, err = outsideUniverse(ctx, tx, f, ids, opt.Dataset, yearFilter); err != nil {
				return err
			}
		}
		if err := params(ctx, tx, f, ids); err != nil {
			return fmt.Errorf("compute: %w", err)
		}
		stmts := []string{rawValues(f, ids, opt.Dataset, "c_raw", rawKind(f), yearFilter+universe)}
		if usesSeries(f) {
			// the units' every year, for imputations from their own series
			stmts = append(stmts, rawValues(f, ids, opt.Dataset, "c_series", "VIEW", universe))
		}
		for i, s := range stmts {
			done := store.Step(fmt.Sprintf("compute setup %d", i+1))
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("compute: %w", err)
			}
			done()
		}
		if err := checkDenominators(ctx, tx, f, ids, opt.Dataset, yearFilter+universe); err != nil {
			return err
		}
		done := store.Step("screen, impute")
		if err := screen(ctx, tx, f, "raw"); err != nil {
			return err
		}
		if err := impute(ctx, tx, f); err != nil {
			return err
		}
		if err := screen(ctx, tx, f, "imputed"); err != nil {
			return err
		}
		if err := checkTransforms(ctx, tx, f); err != nil {
			return err
		}
		done()
		ev = &evaluation{f: f}
		done = store.Step("read values")
		d, in, err := readData(ctx, tx, f, ids, ev)
		done()
		if err != nil {
			return err
		}
		years, err := yearsOf(ctx, tx, f, in)
		if err != nil {
			return err
		}
		if len(years) == 0 {
			what := "any year"
			if len(opt.Years) > 0 {
				what = fmt.Sprint(opt.Years)
			}
			if len(outside) > 0 {
				var some []string
				n := 0
				for _, us := range outside {
					n = max(n, len(us))
					if len(some) == 0 {
						some = us[:min(5, len(us))]
					}
				}
				return fmt.Errorf("%w: %s normalises over the UN Member States only (universe: member-states), and none of the %d units of dataset %q with its indicators (%s, …) is one; compute over every unit with --universe all, or copy the framework file and set universe: all",
					ErrUniverse, f.ID, n, opt.Dataset, strings.Join(some, ", "))
			}
			return fmt.Errorf("%w: dataset %q has none of the indicators of %s (%s) for %s", ErrNoData, opt.Dataset, f.ID, strings.Join(inds, ", "), what)
		}
		done = store.Step("evaluate")
		if opt.Progress != nil {
			opt.Progress(0, len(f.Levels()))
		}
		if err := ev.evaluate(d, opt.Progress); err != nil {
			return err
		}
		done()
		done = store.Step("summarise")
		results, err = summarise(ctx, tx, years, inds, ev, in)
		done()
		if err != nil {
			return err
		}
		weights := ev.weights()
		for i := range results {
			us := outside[results[i].Year]
			results[i].Outside = len(us)
			results[i].OutsideUnits = us[:min(5, len(us))]
		}
		if err := screenedUnits(ctx, tx, f, results); err != nil {
			return err
		}
		for i := range results {
			results[i].Weights = weights[results[i].Year]
		}
		if keep != nil {
			return keep(tx, ev)
		}
		if read != nil {
			if err := ev.workingTables(ctx, db, tx); err != nil {
				return err
			}
			return read(tx)
		}
		defer store.Step("result views")()
		var drop func()
		if listView, drop, err = ev.listView(ctx, db, "c_nodes"); err != nil {
			return err
		}
		drops = append(drops, drop)
		if rootView, drop, err = ev.standingView(ctx, db, "c_root"); err != nil {
			return err
		}
		drops = append(drops, drop)
		return nil
	}
	defer func() {
		for _, drop := range drops {
			drop()
		}
	}()
	var write func(tx *sql.Tx) error
	if read == nil && keep == nil {
		write = func(tx *sql.Tx) error {
			defer store.Step("store results")()
			return store1(ctx, tx, f, opt.Dataset, results, listView, rootView)
		}
	}
	if err := db.Staged(ctx, stage, write, cleanup); err != nil {
		return nil, err
	}
	return results, nil
}

// outsideUniverse lists, per year, the units of the dataset with any of the
// framework's indicators that are not Member States (sorted).
func outsideUniverse(ctx context.Context, c *sql.Conn, f *framework.Framework, ids map[string]int, dataset, yearFilter string) (map[int][]string, error) {
	var nums []string
	for _, id := range f.UsedIndicators() {
		if n, ok := ids[id]; ok {
			nums = append(nums, fmt.Sprint(n))
		}
	}
	out := map[int][]string{}
	ds, ok := ids[dataset]
	if !ok || len(nums) == 0 {
		return out, nil
	}
	rows, err := c.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT v.year, u.unit FROM raw_values v JOIN unit_list u USING (unit_key)
		WHERE v.dataset_id = %d AND v.indicator_id IN (%s)%s AND u.kind IS DISTINCT FROM 'country' ORDER BY 1, 2`, ds, strings.Join(nums, ", "), yearFilter))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		var u string
		if err := rows.Scan(&y, &u); err != nil {
			return nil, err
		}
		out[y] = append(out[y], u)
	}
	return out, rows.Err()
}

// rawValues defines c_raw (year, unit_key, node_id, node, value, imputed): the stored
// values of the framework's indicators in the dataset, read by unit key and indicator
// number, with no join; an indicator with a denominator is divided by it (times its
// scale) here, before anything else. The view indicator_values would join every value
// to its unit's code and indicator's id, which the computation does not need: it joins
// indicators by number (node_id), and the id (node, a CASE over the numbers) is
// evaluated only where a query asks for it.
func rawValues(f *framework.Framework, ids map[string]int, dataset, name, kind, filter string) string {
	ds, ok := ids[dataset]
	if !ok {
		ds = -1
	}
	var nums []string
	node := "CASE v.indicator_id"
	den, scale := "CASE v.indicator_id", "CASE v.indicator_id"
	denominated := false
	for _, id := range f.UsedIndicators() {
		n, ok := ids[id]
		if !ok {
			continue
		}
		nums = append(nums, fmt.Sprint(n))
		node += fmt.Sprintf(" WHEN %d THEN %s", n, q(id))
		if d := f.Indicator(id).Denominate; d != nil {
			denominated = true
			dn, ok := ids[d.By]
			if !ok {
				dn = -1
			}
			den += fmt.Sprintf(" WHEN %d THEN %d", n, dn)
			scale += fmt.Sprintf(" WHEN %d THEN %s", n, store.Double(d.Scale))
		}
	}
	node += " END"
	if len(nums) == 0 {
		node, nums = "NULL::VARCHAR", []string{"NULL"}
	}
	value, join := "v.value", ""
	if denominated {
		value = fmt.Sprintf("CASE WHEN (%s END) IS NULL THEN v.value ELSE v.value / d.value * (%s END) END", den, scale)
		join = fmt.Sprintf(" LEFT JOIN raw_values d ON d.dataset_id = %d AND d.unit_key = v.unit_key AND d.year = v.year AND d.indicator_id = (%s END)", ds, den)
	}
	sel := fmt.Sprintf(`SELECT v.year, v.unit_key, v.indicator_id AS node_id, %s AS node, %s AS value, false AS imputed
		FROM raw_values v%s WHERE v.dataset_id = %d AND v.indicator_id IN (%s)%s`, node, value, join, ds, strings.Join(nums, ", "), filter)
	if denominated {
		// a value without its denominator is missing (missing: drop; checkDenominators
		// refuses it otherwise)
		sel = "SELECT * FROM (" + sel + ") WHERE value IS NOT NULL"
	}
	return fmt.Sprintf(`CREATE OR REPLACE TEMP %s %s AS %s`, kind, name, sel)
}

// denominators lists the indicators the framework divides by.
func denominators(f *framework.Framework) []string {
	var out []string
	for _, id := range f.UsedIndicators() {
		if d := f.Indicator(id).Denominate; d != nil && !slices.Contains(out, d.By) {
			out = append(out, d.By)
		}
	}
	return out
}

// checkDenominators refuses a denomination that cannot be done: a denominator the
// dataset does not have, or a unit whose value has no denominator that year, or a zero
// one; the error names the indicator, its denominator, the unit and the year. filter
// restricts the values (alias v) to the years and universe computed.
func checkDenominators(ctx context.Context, c *sql.Conn, f *framework.Framework, ids map[string]int, dataset, filter string) error {
	// the denominated indicators the dataset has, in the framework's order (the first
	// one at fault is named), with their denominators: two queries for all of them
	type pair struct {
		id, by string
		n, dn  int
		drop   bool
	}
	var pairs []pair
	var dens []string
	for _, id := range f.UsedIndicators() {
		d := f.Indicator(id).Denominate
		n, ok := ids[id]
		if d == nil || !ok {
			continue // not denominated, or the dataset has no values of the indicator
		}
		dn, ok := ids[d.By]
		if !ok {
			dn = -1 // no code: no dataset has it
		}
		pairs = append(pairs, pair{id, d.By, n, dn, d.Missing == "drop"})
		dens = append(dens, fmt.Sprint(dn))
	}
	if len(pairs) == 0 {
		return nil
	}
	have := map[int]bool{}
	rows, err := c.QueryContext(ctx, `SELECT DISTINCT indicator_id FROM raw_values WHERE dataset_id = ? AND indicator_id IN (`+strings.Join(dens, ", ")+`)`, ids[dataset])
	if err != nil {
		return err
	}
	for rows.Next() {
		var dn int
		if err := rows.Scan(&dn); err != nil {
			rows.Close()
			return err
		}
		have[dn] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var cases []string
	for i, p := range pairs {
		if !have[p.dn] {
			return fmt.Errorf("indicator %s is denominated by %s, which dataset %q does not have; import it like any indicator (egdi import indicators FILE --dataset %s)", p.id, p.by, dataset, dataset)
		}
		cases = append(cases, fmt.Sprintf("(%d, %d, %d, %v)", i, p.n, p.dn, p.drop))
	}
	// a value whose denominator is zero, or missing unless missing: drop
	var k, year int
	var unit string
	var dv sql.NullFloat64
	err = c.QueryRowContext(ctx, `SELECT p.k, u.unit, v.year, d.value
		FROM (VALUES `+strings.Join(cases, ", ")+`) p(k, ind, den, drop_ok)
		JOIN raw_values v ON v.indicator_id = p.ind JOIN unit_list u USING (unit_key)
		LEFT JOIN raw_values d ON d.dataset_id = v.dataset_id AND d.unit_key = v.unit_key AND d.year = v.year AND d.indicator_id = p.den
		WHERE v.dataset_id = ? AND (d.value = 0 OR (d.value IS NULL AND NOT p.drop_ok))
		  `+filter+`
		ORDER BY p.k, v.year, u.unit LIMIT 1`, ids[dataset]).Scan(&k, &unit, &year, &dv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	p := pairs[k]
	if dv.Valid {
		return fmt.Errorf("indicator %s of unit %s (%d) is denominated by %s, which is 0 there; a ratio needs a non-zero denominator", p.id, unit, year, p.by)
	}
	return fmt.Errorf("indicator %s of unit %s (%d) is denominated by %s, which that unit has no value of that year; import it, or leave the value missing with denominate: {by: %s, missing: drop}", p.id, unit, year, p.by, p.by)
}

// screen leaves out, at stage raw (before imputation) or imputed, the units with less
// than the framework's min_coverage of its indicators, recording them in c_screened
// (year, unit_key, present, of).
func screen(ctx context.Context, c *sql.Conn, f *framework.Framework, stage string) error {
	if stage == "raw" {
		if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_screened (year INTEGER, unit_key UBIGINT, present INTEGER, total INTEGER)`); err != nil {
			return err
		}
	}
	if f.Screen == nil || f.Screen.Stage != stage {
		return nil
	}
	k := len(f.UsedIndicators())
	_, err := c.ExecContext(ctx, fmt.Sprintf(`INSERT INTO c_screened SELECT year, unit_key, count(DISTINCT node_id), %[1]d FROM c_raw
		GROUP BY year, unit_key HAVING count(DISTINCT node_id) < %[2]s * %[1]d - 1e-9;
		DELETE FROM c_raw r USING c_screened s WHERE r.year = s.year AND r.unit_key = s.unit_key`, k, store.Double(f.Screen.MinCoverage)))
	if err != nil {
		return fmt.Errorf("screening: %w", err)
	}
	return nil
}

// screenedUnits lists in each year's result the units the screen left out.
func screenedUnits(ctx context.Context, c *sql.Conn, f *framework.Framework, results []YearResult) error {
	if f.Screen == nil {
		return nil
	}
	rows, err := c.QueryContext(ctx, `SELECT s.year, u.unit FROM c_screened s JOIN unit_list u USING (unit_key) ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		var u string
		if err := rows.Scan(&y, &u); err != nil {
			return err
		}
		for i := range results {
			if results[i].Year == y {
				results[i].Screened = append(results[i].Screened, u)
			}
		}
	}
	return rows.Err()
}

// rawKind is how c_raw is kept: a view over the stored values (read in place, no copy),
// or a table when imputation adds rows to it or screening takes rows out.
func rawKind(f *framework.Framework) string {
	if f.Screen != nil {
		return "TABLE"
	}
	for _, id := range f.UsedIndicators() {
		if f.Indicator(id).Impute != framework.ImputeNone {
			return "TABLE"
		}
	}
	return "VIEW"
}

// yearsOf are the years computed, in order: those of the values read (in), and those
// whose every unit the screen left out (c_screened), which are reported with them.
func yearsOf(ctx context.Context, c *sql.Conn, f *framework.Framework, in inputs) ([]int, error) {
	var ys []int
	for y := range in {
		ys = append(ys, y)
	}
	if f.Screen != nil {
		rows, err := c.QueryContext(ctx, `SELECT DISTINCT year FROM c_screened`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var y int
			if err := rows.Scan(&y); err != nil {
				return nil, err
			}
			if _, ok := in[y]; !ok {
				ys = append(ys, y)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(ys)
	return ys, nil
}

func summarise(ctx context.Context, c *sql.Conn, years []int, inds []string, ev *evaluation, in inputs) ([]YearResult, error) {
	byYear := map[int]*YearResult{}
	for _, y := range years {
		byYear[y] = &YearResult{Year: y, NodeUnits: map[string]int{}}
	}
	ev.units(byYear)
	// Units per indicator, and an order-independent checksum of the inputs: the xor over
	// indicators of the hash of the indicator's id xor its values' checksum (in), and
	// the count of values.
	idHash, err := idHashes(ctx, c, ev.p.D.Leaves)
	if err != nil {
		return nil, err
	}
	for y, r := range byYear {
		var h uint64
		for l, n := range in[y] { // none in a year the screen emptied
			if n.stored+n.imputed > 0 {
				r.NodeUnits[ev.p.D.Leaves[l]] = int(n.stored + n.imputed)
			}
			if n.stored > 0 {
				h ^= store.HashUint64(idHash[l] ^ n.sum)
			}
			r.Inputs += n.stored
			r.Imputed += n.imputed
		}
		r.Checksum = fmt.Sprintf("%016x-%d", h, r.Inputs)
		r.YearUnits = len(ev.p.yearRows[y])
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
	return out, nil
}

// idHashes are DuckDB's hashes of the indicators' ids, in order.
func idHashes(ctx context.Context, c *sql.Conn, ids []string) ([]uint64, error) {
	var list any
	if err := c.QueryRowContext(ctx, `SELECT list_transform(?::VARCHAR[], id -> hash(id))`, ids).Scan(&list); err != nil {
		return nil, err
	}
	hs, ok := list.([]any)
	if !ok || len(hs) != len(ids) {
		return nil, fmt.Errorf("internal error: the hashes of %d indicators read as %T", len(ids), list)
	}
	out := make([]uint64, len(hs))
	for i, h := range hs {
		if out[i], ok = h.(uint64); !ok {
			return nil, fmt.Errorf("internal error: an indicator's hash read as %T", h)
		}
	}
	return out, nil
}

// screenShare is the screen's min_coverage in percent (0 without a screen, when
// c_screened is empty).
func screenShare(f *framework.Framework) float64 {
	if f.Screen == nil {
		return 0
	}
	return 100 * f.Screen.MinCoverage
}

// store1 writes the results: the runs, and the nodes' values and the root's standings
// from the views listView ("" for none) and rootView (evaluation's listView and
// standingView).
func store1(ctx context.Context, tx *sql.Tx, f *framework.Framework, dataset string, results []YearResult, listView, rootView string) error {
	fj, err := json.Marshal(f)
	if err != nil {
		return err
	}
	// One statement per table for all the years (not one per year): each is a pass
	// over the working tables.
	var ys []string
	for _, r := range results {
		ys = append(ys, fmt.Sprint(r.Year))
	}
	in := "(" + strings.Join(ys, ", ") + ")"
	// Names are stored as numbers (store.Codes): the dataset, nodes, bands and classes.
	names := []string{dataset}
	for _, n := range f.Nodes {
		names = append(names, n.ID)
	}
	for _, b := range append(append([]*framework.Band{}, f.Bands...), f.Classes...) {
		names = append(names, b.ID)
	}
	codes, err := store.Codes(ctx, tx, names...)
	if err != nil {
		return fmt.Errorf("storing results: %w", err)
	}
	ds := codes[dataset]
	// The evaluation's views number nodes, bands and classes by their position in the
	// framework: a CASE gives their codes.
	codesOf := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, fmt.Sprint(codes[id]))
		}
		return out
	}
	var bands, classes []string
	for _, b := range f.Bands {
		bands = append(bands, b.ID)
	}
	for _, b := range f.Classes {
		classes = append(classes, b.ID)
	}
	rootInsert := fmt.Sprintf(`INSERT INTO root_values SELECT %d, year, unit_key, value, rank, %s, %s FROM %s`,
		ds, caseOf("band", codesOf(bands)), caseOf("class", codesOf(classes)), rootView)
	stmts := []string{
		fmt.Sprintf(`DELETE FROM node_lists WHERE dataset_id = %d AND year IN %s`, ds, in),
		fmt.Sprintf(`DELETE FROM root_values WHERE dataset_id = %d AND year IN %s`, ds, in),
		fmt.Sprintf(`DELETE FROM excluded WHERE dataset_id = %d AND year IN %s`, ds, in),
		fmt.Sprintf(`DELETE FROM run_nodes WHERE run_id IN (SELECT run_id FROM runs WHERE dataset = %s AND year IN %s)`, store.Quote(dataset), in),
		fmt.Sprintf(`DELETE FROM runs WHERE dataset = %s AND year IN %s`, store.Quote(dataset), in),
		rootInsert,
		// units the screen left out, listed with the run as listed-without-values are
		fmt.Sprintf(`INSERT INTO excluded SELECT %d, year, unit_key, 'screened',
			format('{:d} of {:d} indicators present ({:.1f}%%), below the screen''s {:.1f}%%', present, total, 100.0 * present / total, %s)
			FROM c_screened`, ds, store.Double(screenShare(f))),
	}
	// Nodes only, a list per unit (node_lists): normalised indicator values are cheap
	// to recompute and would multiply the values written by the number of indicators.
	// The root is stored in root_values only (the view scores shows it with the other
	// nodes).
	if listView != "" {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO node_lists SELECT %d, year, unit_key, value FROM %s`, ds, listView))
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("storing results: %w", err)
		}
	}
	var next int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM runs`).Scan(&next); err != nil {
		return fmt.Errorf("storing results: %w", err)
	}
	// the runs in one statement: one a year would cost a few milliseconds each
	listedNodes := listed(f)
	var nodeRows, sums, frameworks []string
	var ids, years []int32
	var inputs []int64
	for i, r := range results {
		rj := fj
		if len(r.Weights) > 0 {
			if rj, err = json.Marshal(withWeights(f, r.Weights)); err != nil {
				return err
			}
		}
		ids, years, sums = append(ids, int32(next+i)), append(years, int32(r.Year)), append(sums, r.Checksum)
		inputs, frameworks = append(inputs, r.Inputs), append(frameworks, string(rj))
		if units := r.NodeUnits[f.Root]; units > 0 {
			nodeRows = append(nodeRows, fmt.Sprintf("(%d, %s, %d, NULL)", next+i, store.Quote(f.Root), units))
		}
		for k, j := range listedNodes {
			if id := f.Nodes[j].ID; r.NodeUnits[id] > 0 {
				nodeRows = append(nodeRows, fmt.Sprintf("(%d, %s, %d, %d)", next+i, store.Quote(id), r.NodeUnits[id], k+1))
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs SELECT id, ?, y, 'computed', ?, ?, ?, c, n, ?, now(), ?, ?, ?, j
		FROM `+store.Unnest("id INTEGER", "y INTEGER", "c VARCHAR", "n BIGINT", "j VARCHAR"),
		dataset, f.ID, f.Origin, f.SHA256, version.Version, f.Root, f.Digits, f.Ranking, ids, years, sums, inputs, frameworks); err != nil {
		return fmt.Errorf("storing results: %w", err)
	}
	if len(nodeRows) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_nodes VALUES `+strings.Join(nodeRows, ", ")); err != nil {
			return fmt.Errorf("storing results: %w", err)
		}
	}
	return nil
}

// withWeights is a copy of the framework with the weights a run derived.
func withWeights(f *framework.Framework, weights map[string]map[string]float64) *framework.Framework {
	g := *f
	g.Nodes = make([]*framework.Node, len(f.Nodes))
	for i, n := range f.Nodes {
		m := *n
		if ws, ok := weights[n.ID]; ok {
			m.Children = make([]framework.Child, len(n.Children))
			for j, ch := range n.Children {
				m.Children[j] = framework.Child{ID: ch.ID, Weight: ws[ch.ID]}
			}
		}
		g.Nodes[i] = &m
	}
	return &g
}
