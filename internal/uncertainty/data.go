package uncertainty

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Load builds the data of f over dataset for year, as egdi compute evaluates it
// (compute.Load): the indicator values after denomination, screening and imputation,
// for the year (every year when f normalises over all of them), under f's imputation
// and under each alternative rule of alts (indicator id → rules), each an evaluation of
// its own whose values of those indicators are put in the data's rows.
func Load(ctx context.Context, db *store.DB, f *framework.Framework, dataset string, year int, alts map[string][]string) (*compute.Data, error) {
	opt := compute.Options{Dataset: dataset}
	if f.NormaliseOver != "all" {
		opt.Years = []int{year}
	}
	d, results, err := compute.Load(ctx, db, f, opt)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(d.Years, year) {
		return nil, fmt.Errorf("%w: dataset %q has no values of %s's indicators in %d", compute.ErrNoData, dataset, f.ID, year)
	}
	d.Year = year
	for _, res := range results {
		if res.Year == year {
			d.Checksum = res.Checksum
		}
	}
	type yearKey struct {
		year int
		key  uint64
	}
	rowOf := make(map[yearKey]int, len(d.Years))
	for r, y := range d.Years {
		rowOf[yearKey{y, d.Units[r].Key}] = r
	}
	// each alternative rule: one more evaluation with that rule for the indicators
	// that name it, of which those indicators' values are taken
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
			return nil, err
		}
		alt, _, err := compute.Load(ctx, db, g, opt)
		if err != nil {
			return nil, fmt.Errorf("imputing by %s: %w", rule, err)
		}
		imputes := slices.Clone(d.Imputes[0])
		cols := make([][]float64, len(d.Leaves))
		for l, id := range d.Leaves {
			cols[l] = make([]float64, len(d.Years))
			for r := range cols[l] {
				cols[l][r] = math.NaN()
			}
			if !byRule[rule][id] {
				continue
			}
			imputes[l] = rule
			for r2, y := range alt.Years {
				// a unit the framework's own imputation screened out is left out
				if r, ok := rowOf[yearKey{y, alt.Units[r2].Key}]; ok {
					cols[l][r] = alt.Raw[0][l][r2]
				}
			}
		}
		d.Raw, d.Imputes = append(d.Raw, cols), append(d.Imputes, imputes)
	}
	return d, nil
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
// alts) and compiles its plan.
func Compile(ctx context.Context, db *store.DB, f *framework.Framework, dataset string, year int, alts map[string][]string) (*compute.Plan, error) {
	d, err := Load(ctx, db, f, dataset, year, alts)
	if err != nil {
		return nil, err
	}
	return compute.NewPlan(f, d)
}
