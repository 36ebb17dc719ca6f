package uncertainty

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Nominal is the framework's own result for the target year, as egdi compute gives it:
// per unit code, the root value and rank, and every node's value (code → node → value).
type Nominal struct {
	Value map[string]float64
	Rank  map[string]int
	Nodes map[string]map[string]float64
}

// Load builds the data of f over dataset for year: compute.Evaluate's indicator values
// after denomination, screening and imputation, for the year (every year when f
// normalises over all of them), under f's imputation and under each alternative rule of
// alts (indicator id → rules). It returns the framework's own result beside it.
func Load(ctx context.Context, db *store.DB, f *framework.Framework, dataset string, year int, alts map[string][]string) (*compute.Data, *Nominal, error) {
	d := &compute.Data{Year: year, Leaves: f.UsedIndicators()}
	opt := compute.Options{Dataset: dataset}
	if f.NormaliseOver != "all" {
		opt.Years = []int{year}
	}
	type rk struct {
		year int
		key  uint64
	}
	rowOf := map[rk]int{}
	leafOf := map[string]int{}
	for i, id := range d.Leaves {
		leafOf[id] = i
	}
	nom := &Nominal{Value: map[string]float64{}, Rank: map[string]int{}, Nodes: map[string]map[string]float64{}}
	readRaw := func(c *sql.Conn, alt int, only map[string]bool) error {
		rows, err := c.QueryContext(ctx, `SELECT r.year, r.unit_key, u.unit, coalesce(u.name, u.unit), coalesce(u.name_zh, u.name, u.unit), r.node, r.value
			FROM c_raw r JOIN unit_list u USING (unit_key) ORDER BY r.year, u.unit, r.node`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var y int
			var key uint64
			var code, name, nameZh, node string
			var v float64
			if err := rows.Scan(&y, &key, &code, &name, &nameZh, &node, &v); err != nil {
				return err
			}
			r, ok := rowOf[rk{y, key}]
			if !ok {
				if alt > 0 {
					continue // a unit the framework's own imputation screened out
				}
				r = len(d.Years)
				rowOf[rk{y, key}] = r
				d.Years = append(d.Years, y)
				d.Units = append(d.Units, compute.Unit{Key: key, Code: code, Name: name, NameZh: nameZh})
				for a := range d.Raw {
					for l := range d.Raw[a] {
						d.Raw[a][l] = append(d.Raw[a][l], math.NaN())
					}
				}
			}
			if l, ok := leafOf[node]; ok && (only == nil || only[node]) {
				d.Raw[alt][l][r] = v
			}
		}
		return rows.Err()
	}
	addAlt := func(imputes []string) {
		cols := make([][]float64, len(d.Leaves))
		for l := range cols {
			cols[l] = make([]float64, len(d.Years))
			for r := range cols[l] {
				cols[l][r] = math.NaN()
			}
		}
		d.Raw = append(d.Raw, cols)
		d.Imputes = append(d.Imputes, imputes)
	}
	own := make([]string, len(d.Leaves))
	for l, id := range d.Leaves {
		own[l] = f.Indicator(id).Impute
	}
	addAlt(own)
	results, err := compute.Evaluate(ctx, db, f, opt, func(c *sql.Conn) error {
		if err := readRaw(c, 0, nil); err != nil {
			return err
		}
		rows, err := c.QueryContext(ctx, `SELECT u.unit, s.value, s.rank FROM c_standing s JOIN unit_list u USING (unit_key) WHERE s.year = ?`, year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code string
			var v sql.NullFloat64
			var r sql.NullInt64
			if err := rows.Scan(&code, &v, &r); err != nil {
				rows.Close()
				return err
			}
			nom.Value[code], nom.Rank[code] = math.NaN(), int(r.Int64)
			if v.Valid {
				nom.Value[code] = v.Float64
			}
		}
		rows.Close()
		rows, err = c.QueryContext(ctx, `SELECT u.unit, v.node, v.value FROM c_val v JOIN unit_list u USING (unit_key) WHERE v.year = ?`, year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code, node string
			var v sql.NullFloat64
			if err := rows.Scan(&code, &node, &v); err != nil {
				return err
			}
			if nom.Nodes[code] == nil {
				nom.Nodes[code] = map[string]float64{}
			}
			nom.Nodes[code][node] = math.NaN()
			if v.Valid {
				nom.Nodes[code][node] = v.Float64
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	if len(d.Years) == 0 {
		return nil, nil, fmt.Errorf("%w: dataset %q has no values of %s's indicators in %d", compute.ErrNoData, dataset, f.ID, year)
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(bool_or(synthetic), false) FROM datasets WHERE dataset = ?`, dataset).Scan(&d.Synthetic); err != nil {
		return nil, nil, err
	}
	for _, res := range results {
		if res.Year == year {
			d.Checksum = res.Checksum
		}
	}
	hasYear := false
	for _, y := range d.Years {
		hasYear = hasYear || y == year
	}
	if !hasYear {
		return nil, nil, fmt.Errorf("%w: dataset %q has no values of %s's indicators in %d", compute.ErrNoData, dataset, f.ID, year)
	}
	// each alternative rule: one more evaluation with that rule for the indicators
	// that name it, read for those indicators only
	byRule := map[string]map[string]bool{}
	var rules []string
	for id, rs := range alts {
		for _, r := range rs {
			if byRule[r] == nil {
				byRule[r] = map[string]bool{}
				rules = append(rules, r)
			}
			byRule[r][id] = true
		}
	}
	sort.Strings(rules)
	for _, rule := range rules {
		g, err := withImpute(f, byRule[rule], rule)
		if err != nil {
			return nil, nil, err
		}
		imputes := append([]string(nil), own...)
		for l, id := range d.Leaves {
			if byRule[rule][id] {
				imputes[l] = rule
			}
		}
		addAlt(imputes)
		a := len(d.Raw) - 1
		if _, err := compute.Evaluate(ctx, db, g, opt, func(c *sql.Conn) error { return readRaw(c, a, byRule[rule]) }); err != nil {
			return nil, nil, fmt.Errorf("imputing by %s: %w", rule, err)
		}
	}
	return d, nom, nil
}

// withImpute is a copy of f with the indicators ids imputed by rule.
func withImpute(f *framework.Framework, ids map[string]bool, rule string) (*framework.Framework, error) {
	g, err := f.Clone()
	if err != nil {
		return nil, err
	}
	for _, in := range g.Indicators {
		if ids[in.ID] {
			in.Impute = rule
		}
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("imputing by %s: %w", rule, err)
	}
	return g, nil
}

// Compile loads f's data over dataset for year (with the imputation alternatives
// alts), compiles its plan and checks it against egdi compute (CheckNominal).
func Compile(ctx context.Context, db *store.DB, f *framework.Framework, dataset string, year int, alts map[string][]string) (*compute.Plan, error) {
	d, nom, err := Load(ctx, db, f, dataset, year, alts)
	if err != nil {
		return nil, err
	}
	p, err := compute.NewPlan(f, d)
	if err != nil {
		return nil, err
	}
	if err := CheckNominal(p, nom); err != nil {
		return nil, err
	}
	return p, nil
}

// CheckNominal refuses to run when the plan, at the framework's own choices, does not
// give egdi compute's result (every rank, and the values to 1e-9): the replications
// would not be of the index computed.
func CheckNominal(p *compute.Plan, nom *Nominal) error {
	e := p.NewEvaluator()
	q := p.Nominal()
	if err := e.Evaluate(&q); err != nil {
		return err
	}
	for i, r := range p.Target() {
		code := p.D.Units[r].Code
		want := nom.Value[code]
		got := e.Value[i]
		if e.Rank[i] != nom.Rank[code] || math.IsNaN(got) != math.IsNaN(want) || math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			return fmt.Errorf("internal error: the fast evaluation of %s gives unit %s rank %d (%v) where egdi compute gives %d (%v); please report it", p.F.ID, code, e.Rank[i], got, nom.Rank[code], want)
		}
	}
	return nil
}
