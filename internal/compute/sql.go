package compute

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// params writes the framework into working tables, through the appender (store.Append):
// each indicator's treatment and normalisation (c_leaf); the nodes (aggregation,
// normalisation, the children a unit needs, the z-score's sd) in c_node, and the
// edges in c_edge. Nodes are numbered (i, their position in the framework), and edges
// name their parent by number too (pi): levels group and join on the number, which is
// cheaper than the id. ids are the numbers of the codes known (store.KnownCodes).
func params(ctx context.Context, c *sql.Conn, f *framework.Framework, ids map[string]int) error {
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_leaf (id VARCHAR, cap DOUBLE, floor DOUBLE, dir DOUBLE, norm VARCHAR,
			lo DOUBLE, hi DOUBLE, target DOUBLE, transform VARCHAR, wlo DOUBLE, whi DOUBLE, impute VARCHAR, igroup VARCHAR, sdk VARCHAR,
			captarget BOOLEAN, refkey UBIGINT, node_id INTEGER);
		CREATE OR REPLACE TEMP TABLE c_node (i INTEGER, id VARCHAR, agg VARCHAR, zeros VARCHAR, norm VARCHAR, need INTEGER, sdk VARCHAR);
		CREATE OR REPLACE TEMP TABLE c_edge (pi INTEGER, parent VARCHAR, child VARCHAR, w DOUBLE);
		CREATE OR REPLACE TEMP TABLE c_pcaw (year INTEGER, pi INTEGER, child VARCHAR, w DOUBLE)`); err != nil {
		return err
	}
	val := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var refs []string
	err := store.Append(ctx, c, "c_leaf", func(add func(...any) error) error {
		for k, id := range f.UsedIndicators() {
			in := f.Indicator(id)
			dir := 1.0
			if in.Direction == "negative" {
				dir = -1
			}
			var lo, hi, wlo, whi *float64
			if len(in.Goalposts) == 2 {
				lo, hi = &in.Goalposts[0], &in.Goalposts[1]
			}
			if w := in.Winsorise; w != nil {
				wlo, whi = w.Lower, w.Upper
			}
			if in.Normalise == framework.NormReference {
				refs = append(refs, id)
			}
			// node_id is the indicator's number in codes, as raw_values stores it, or a
			// negative number of its own for an indicator no dataset has (only
			// imputation can give it rows)
			node, ok := ids[id]
			if !ok {
				node = -1 - k
			}
			if err := add(id, val(in.Cap), val(in.Floor), dir, in.Normalise, val(lo), val(hi), val(in.Target), in.Transform,
				val(wlo), val(whi), in.Impute, in.ImputeGroup, in.SD, in.CapTarget, nil, int32(node)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range refs {
		// the reference unit's key (store.UnitKey) is DuckDB's to compute
		if _, err := c.ExecContext(ctx, `UPDATE c_leaf SET refkey = `+store.UnitKey("?")+` WHERE id = ?`, f.Indicator(id).Reference, id); err != nil {
			return err
		}
	}
	if err := store.Append(ctx, c, "c_node", func(add func(...any) error) error {
		for i, n := range f.Nodes {
			// need: the children a unit must have for the node's value (missing: skip
			// lets a share of them do, at least one)
			need := len(n.Children)
			if n.Missing == framework.MissingSkip {
				need = 1
				if m := n.MinCoverage; m != nil {
					need = max(1, int(math.Ceil(*m*float64(len(n.Children))-1e-9)))
				}
			}
			if err := add(int32(i), n.ID, n.Aggregate, n.Zeros, n.Normalise, int32(need), n.SD); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return store.Append(ctx, c, "c_edge", func(add func(...any) error) error {
		for i, n := range f.Nodes {
			for _, ch := range n.Children {
				if err := add(int32(i), n.ID, ch.ID, ch.Weight); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// uses reports which options the framework uses, so the SQL computes only what is needed.
type uses struct{ rank, percentile, winsor, transform, geometric, caps, goalposts, pca bool }

func usesOf(f *framework.Framework) uses {
	var u uses
	norm := func(n string) {
		u.rank = u.rank || n == framework.NormRank || n == framework.NormBorda
		u.percentile = u.percentile || n == framework.NormPercentile
	}
	for _, id := range f.UsedIndicators() {
		in := f.Indicator(id)
		norm(in.Normalise)
		u.winsor = u.winsor || in.Winsorise != nil
		u.transform = u.transform || in.Transform != framework.TransformNone
		u.caps = u.caps || in.Cap != nil || in.Floor != nil
		u.goalposts = u.goalposts || in.Normalise == framework.NormGoalposts
	}
	for _, n := range f.Nodes {
		norm(n.Normalise)
		u.geometric = u.geometric || n.Aggregate != framework.AggArithmetic
		u.pca = u.pca || n.Weights == "pca"
	}
	return u
}

// capped is an indicator value after its cap and floor.
const capped = `CASE WHEN r.value > p.cap THEN p.cap WHEN r.value < p.floor THEN p.floor ELSE r.value END`

// impute fills missing indicator values, for indicators with an imputation rule, for
// every unit that has any of the framework's indicators that year: one statement per
// rule (and grouping), whatever the number of indicators. Means and medians are of the
// values observed that year; previous, next and linear read the unit's own series in
// c_series (every year of the dataset, denominated as c_raw is).
func impute(ctx context.Context, c *sql.Conn, f *framework.Framework) error {
	type rule struct{ method, grouping string }
	byRule := map[rule][]string{}
	var rules []rule
	for _, id := range f.UsedIndicators() {
		in := f.Indicator(id)
		if in.Impute == framework.ImputeNone {
			continue
		}
		r := rule{method: in.Impute}
		if in.Impute == framework.ImputeGroupMean || in.Impute == framework.ImputeGroupMedian {
			r.grouping = in.ImputeGroup
		}
		if _, ok := byRule[r]; !ok {
			rules = append(rules, r)
		}
		byRule[r] = append(byRule[r], id)
	}
	for _, r := range rules {
		ids := byRule[r]
		var quoted []string
		for _, id := range ids {
			quoted = append(quoted, q(id))
		}
		// m: the (year, unit, indicator) to fill, found once (c_miss) for the checks and
		// the fill
		ind := fmt.Sprintf(`ind AS (SELECT node_id, id AS node FROM c_leaf WHERE id IN (%s))`, strings.Join(quoted, ", "))
		if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_miss AS WITH `+ind+`
			SELECT u.year, u.unit_key, ind.node_id, ind.node FROM (SELECT DISTINCT year, unit_key FROM c_raw) u CROSS JOIN ind
			ANTI JOIN (SELECT year, unit_key, node_id FROM c_raw) r ON r.year = u.year AND r.unit_key = u.unit_key AND r.node_id = ind.node_id`); err != nil {
			return fmt.Errorf("imputing %s: %w", strings.Join(ids, ", "), err)
		}
		missing := ind + `, m AS (SELECT * FROM c_miss)`
		var fill string
		switch r.method {
		case framework.ImputeMean, framework.ImputeMedian:
			agg := map[string]string{framework.ImputeMean: "avg", framework.ImputeMedian: "median"}[r.method]
			fill = fmt.Sprintf(`SELECT m.year, m.unit_key, m.node_id, m.node, s.v FROM m
				JOIN (SELECT year, node_id, %s(value) AS v FROM c_raw WHERE node_id IN (SELECT node_id FROM ind) AND NOT imputed GROUP BY ALL) s
				ON s.year = m.year AND s.node_id = m.node_id`, agg)
		case framework.ImputeGroupMean, framework.ImputeGroupMedian:
			if err := checkGroups(ctx, c, ids, r.grouping, missing); err != nil {
				return err
			}
			agg := map[string]string{framework.ImputeGroupMean: "avg", framework.ImputeGroupMedian: "median"}[r.method]
			fill = fmt.Sprintf(`SELECT m.year, m.unit_key, m.node_id, m.node, s.v FROM m
				JOIN unit_groups un ON un.unit_key = m.unit_key AND un.grouping = %[1]s
				JOIN (SELECT r.year, r.node_id, g.grp, %[2]s(r.value) AS v FROM c_raw r JOIN unit_groups g ON g.unit_key = r.unit_key AND g.grouping = %[1]s
				      WHERE r.node_id IN (SELECT node_id FROM ind) AND NOT r.imputed GROUP BY ALL) s
				ON s.year = m.year AND s.node_id = m.node_id AND s.grp = un.grp`, q(r.grouping), agg)
		case framework.ImputePrevious, framework.ImputeNext, framework.ImputeLinear:
			// the unit's nearest earlier (y0, v0) and later (y1, v1) observed values
			fill = `SELECT m.year, m.unit_key, m.node_id, m.node, ` + map[string]string{
				framework.ImputePrevious: "v0",
				framework.ImputeNext:     "v1",
				// linear between them; at the ends of the series, the nearest value
				framework.ImputeLinear: "CASE WHEN y0 IS NULL THEN v1 WHEN y1 IS NULL THEN v0 ELSE v0 + (v1 - v0) * (m.year - y0) / (y1 - y0) END",
			}[r.method] + ` AS v FROM (
				SELECT m.year, m.unit_key, m.node_id, any_value(m.node) AS node,
					max(s.year) FILTER (WHERE s.year < m.year) AS y0, arg_max(s.value, s.year) FILTER (WHERE s.year < m.year) AS v0,
					min(s.year) FILTER (WHERE s.year > m.year) AS y1, arg_min(s.value, s.year) FILTER (WHERE s.year > m.year) AS v1
				FROM m JOIN c_series s ON s.unit_key = m.unit_key AND s.node_id = m.node_id GROUP BY m.year, m.unit_key, m.node_id) m`
		}
		_, err := c.ExecContext(ctx, fmt.Sprintf(`INSERT INTO c_raw (year, unit_key, node_id, node, value, imputed)
			WITH %s SELECT year, unit_key, node_id, node, v, true FROM (%s) WHERE v IS NOT NULL`, missing, fill))
		if err != nil {
			return fmt.Errorf("imputing %s: %w", strings.Join(ids, ", "), err)
		}
	}
	return nil
}

// usesSeries reports whether an imputation reads the units' other years.
func usesSeries(f *framework.Framework) bool {
	for _, id := range f.UsedIndicators() {
		switch f.Indicator(id).Impute {
		case framework.ImputePrevious, framework.ImputeNext, framework.ImputeLinear:
			return true
		}
	}
	return false
}

// checkGroups refuses a group imputation of indicators ids by grouping that would leave
// a value missing without a word: a unit with a missing value and no group in the
// grouping, or a group none of whose units has a value that year. It names the
// indicator, the unit (or group), the year and the way out. missing is the CTE of the
// values to fill (ind, m).
func checkGroups(ctx context.Context, c *sql.Conn, ids []string, grouping, missing string) error {
	var known bool
	if err := c.QueryRowContext(ctx, `SELECT count(*) > 0 FROM unit_groups WHERE grouping = ?`, grouping).Scan(&known); err != nil {
		return err
	}
	if !known {
		var gs []string
		rows, err := c.QueryContext(ctx, `SELECT DISTINCT grouping FROM unit_groups ORDER BY 1`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var g string
			rows.Scan(&g)
			gs = append(gs, g)
		}
		rows.Close()
		return fmt.Errorf("imputing %s: no grouping %q in the database (groupings: %s); import it with egdi import groups FILE, or set impute_group", ids[0], grouping, strings.Join(gs, ", "))
	}
	var id, unit string
	var year, n int
	err := c.QueryRowContext(ctx, fmt.Sprintf(`WITH %s SELECT m.node, l.unit, m.year, count(*) OVER () FROM m JOIN unit_list l USING (unit_key)
		ANTI JOIN (SELECT unit_key FROM unit_groups WHERE grouping = ?) g USING (unit_key) ORDER BY m.node, m.year, l.unit LIMIT 1`, missing), grouping).Scan(&id, &unit, &year, &n)
	if err == nil {
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (and %d more values)", n-1)
		}
		return fmt.Errorf("imputing %s by group (impute_group: %s): unit %s%s has no group in %s, so its missing %d value cannot be imputed; give it a group (egdi import groups FILE) or choose another impute_group or impute rule",
			id, grouping, unit, more, grouping, year)
	} else if err != sql.ErrNoRows {
		return err
	}
	var grp string
	err = c.QueryRowContext(ctx, fmt.Sprintf(`WITH %s SELECT m.node, g.grp, m.year, min(l.unit) FROM m JOIN unit_list l USING (unit_key)
		JOIN unit_groups g ON g.unit_key = m.unit_key AND g.grouping = ?
		ANTI JOIN (SELECT r.year, r.node_id, g2.grp FROM c_raw r JOIN unit_groups g2 ON g2.unit_key = r.unit_key AND g2.grouping = ?
		           WHERE NOT r.imputed) d ON d.year = m.year AND d.node_id = m.node_id AND d.grp = g.grp
		GROUP BY ALL ORDER BY 1, 2, 3 LIMIT 1`, missing), grouping, grouping).Scan(&id, &grp, &year, &unit)
	if err == nil {
		return fmt.Errorf("imputing %s by group (impute_group: %s): no unit of group %q has a %d value, so unit %s's cannot be imputed; choose a coarser grouping or another impute rule", id, grouping, grp, year, unit)
	} else if err != sql.ErrNoRows {
		return err
	}
	return nil
}

// checkTransforms refuses a log transform of values it cannot take, naming the indicator.
func checkTransforms(ctx context.Context, c *sql.Conn, f *framework.Framework) error {
	if !usesOf(f).transform {
		return nil
	}
	var node, unit, transform string
	var year int
	var v float64
	err := c.QueryRowContext(ctx, `SELECT p.id, u.unit, r.year, `+capped+`, p.transform FROM c_raw r JOIN c_leaf p USING (node_id)
		JOIN unit_list u USING (unit_key)
		WHERE (p.transform = 'log' AND `+capped+` <= 0) OR (p.transform = 'log1p' AND `+capped+` <= -1)
		ORDER BY p.id, r.year, u.unit LIMIT 1`).Scan(&node, &unit, &year, &v, &transform)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("indicator %s: transform %s cannot take %g (unit %s, %d); set a floor, use log1p, or drop the transform", node, transform, v, unit, year)
}

// winsorise computes each winsorised indicator's clamps per year into c_wins: quantiles
// in SQL, or the skew-kurtosis rule in Go.
func winsorise(ctx context.Context, c *sql.Conn, f *framework.Framework) error {
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_wins (year INTEGER, node VARCHAR, lo DOUBLE, hi DOUBLE, points INTEGER,
		fb VARCHAR, fmin DOUBLE, frange DOUBLE, lam DOUBLE, skew0 DOUBLE, kurt0 DOUBLE, skew1 DOUBLE, kurt1 DOUBLE, pass0 BOOLEAN, pass1 BOOLEAN)`); err != nil {
		return err
	}
	var ruled []string
	for _, id := range f.UsedIndicators() {
		w := f.Indicator(id).Winsorise
		if w == nil {
			continue
		}
		if w.Rule == "" {
			lo, hi := "NULL::DOUBLE", "NULL::DOUBLE"
			if w.Lower != nil {
				lo = fmt.Sprintf("quantile_cont(x, %s)", store.Double(*w.Lower))
			}
			if w.Upper != nil {
				hi = fmt.Sprintf("quantile_cont(x, %s)", store.Double(*w.Upper))
			}
			_, err := c.ExecContext(ctx, fmt.Sprintf(`INSERT INTO c_wins (year, node, lo, hi, points)
				SELECT year, node, lo, hi, count(*) FILTER (x < lo OR x > hi) FROM (
					SELECT year, node, x, %s OVER w AS lo, %s OVER w AS hi FROM (
						SELECT r.year, p.id AS node, %s AS x FROM c_raw r JOIN c_leaf p USING (node_id) WHERE p.id = %s)
					WINDOW w AS (PARTITION BY year, node)) GROUP BY year, node, lo, hi`, lo, hi, capped, q(id)))
			if err != nil {
				return fmt.Errorf("winsorising %s: %w", id, err)
			}
			continue
		}
		ruled = append(ruled, q(id))
	}
	if len(ruled) == 0 {
		return nil
	}
	// the skew-kurtosis rule in Go: one pass over the values of every indicator it
	// treats, one insert of what it did
	rows, err := c.QueryContext(ctx, `SELECT p.id, r.year, `+capped+` FROM c_raw r JOIN c_leaf p USING (node_id) WHERE p.id IN (`+strings.Join(ruled, ", ")+`) ORDER BY 1, 2, 3`)
	if err != nil {
		return err
	}
	type key struct {
		id   string
		year int
	}
	var keys []key
	byKey := map[key][]float64{}
	for rows.Next() {
		var k key
		var x float64
		if err := rows.Scan(&k.id, &k.year, &x); err != nil {
			rows.Close()
			return err
		}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], x)
	}
	rows.Close()
	num := func(p *float64) any {
		if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
			return nil
		}
		return *p
	}
	return store.Append(ctx, c, "c_wins", func(add func(...any) error) error {
		for _, k := range keys {
			w := f.Indicator(k.id).Winsorise
			t := SkewKurtosis(byKey[k], w)
			var fb any
			if t.Fallback != "" {
				fb = t.Fallback
			}
			if err := add(int32(k.year), k.id, num(t.Lo), num(t.Hi), int32(t.Points), fb, num(&t.Min), num(&t.Range), num(w.Lambda),
				num(&t.SkewBefore), num(&t.KurtBefore), num(&t.SkewAfter), num(&t.KurtAfter), t.Pass, t.PassAfter); err != nil {
				return err
			}
		}
		return nil
	})
}

// normalise is the expression normalising v (direction applied) or x (as is) with the
// year's statistics mu, sd, mn, mx (of v) and xmin, xmax (of x): a CASE over the
// method, or just the method's formula when every row uses the same one.
func normalise(scale float64, leaf bool, only string) string {
	forms := map[string]string{
		framework.NormZScore:     `CASE WHEN sd > 0 THEN (v - mu) / sd ELSE 0 END`,
		framework.NormMinMax:     fmt.Sprintf(`CASE WHEN mx > mn THEN (v - mn) / (mx - mn) ELSE 0.5 END * %s`, store.Double(scale)),
		framework.NormRank:       `rk`,
		framework.NormBorda:      `rk - 1`,
		framework.NormPercentile: fmt.Sprintf(`pr * %s`, store.Double(scale)),
		framework.NormBest:       fmt.Sprintf(`CASE WHEN dir > 0 THEN x / nullif(xmax, 0) ELSE xmin / nullif(x, 0) END * %s`, store.Double(scale)),
		framework.NormNone:       `v`,
	}
	if leaf {
		forms[framework.NormGoalposts] = fmt.Sprintf(`(CASE WHEN dir > 0 THEN g ELSE 1 - g END) * %s`, store.Double(scale))
		forms[framework.NormTarget] = fmt.Sprintf(`least(CASE WHEN dir > 0 THEN x / target ELSE target / nullif(x, 0) END, 1) * %s`, store.Double(scale))
		// COINr's n_dist2targ and n_dist2ref, on the values given their direction
		forms[framework.NormDistTarget] = fmt.Sprintf(`CASE WHEN captarget THEN least((v - mn) / nullif(dir * target - mn, 0), 1) ELSE (v - mn) / nullif(dir * target - mn, 0) END * %s`, store.Double(scale))
		forms[framework.NormReference] = fmt.Sprintf(`CASE WHEN captarget THEN least((v - mn) / nullif(vref - mn, 0), 1) ELSE (v - mn) / nullif(vref - mn, 0) END * %s`, store.Double(scale))
	}
	if f, ok := forms[only]; ok {
		return f
	}
	names := make([]string, 0, len(forms))
	for k := range forms {
		if k != framework.NormNone {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("CASE norm")
	for _, k := range names {
		fmt.Fprintf(&b, " WHEN '%s' THEN %s", k, forms[k])
	}
	b.WriteString(" ELSE v END")
	return b.String()
}

// sameNorm is the normalisation every one of the methods uses, or "".
func sameNorm(methods []string) string {
	for _, m := range methods[1:] {
		if m != methods[0] {
			return ""
		}
	}
	return methods[0]
}

func leafMethods(f *framework.Framework) []string {
	var out []string
	for _, id := range f.UsedIndicators() {
		out = append(out, f.Indicator(id).Normalise)
	}
	return out
}

// windows adds rank and percent rank columns when the framework uses them, over the
// rows of each partition (a year and node, and a parent when leaves carry their edges).
func windows(u uses, partition string) string {
	rk, pr := "NULL::DOUBLE", "NULL::DOUBLE"
	if u.rank {
		rk = "rank() OVER (PARTITION BY " + partition + " ORDER BY v)"
	}
	if u.percentile {
		pr = "percent_rank() OVER (PARTITION BY " + partition + " ORDER BY v)"
	}
	return fmt.Sprintf("%s AS rk, %s AS pr", rk, pr)
}

// nodeStats is the CTE s of a level's statistics, per year and node, or per node over
// every year (normalise_over: all).
func nodeStats(f *framework.Framework) string {
	by := "year, node"
	if f.NormaliseOver == "all" {
		by = "node"
	}
	return `s AS (SELECT ` + by + `, avg(v) AS mu, CASE WHEN any_value(sdk) = 'sample' THEN stddev_samp(v) ELSE stddev_pop(v) END AS sd,
		min(v) AS mn, max(v) AS mx, min(x) AS xmin, max(x) AS xmax FROM t GROUP BY ` + by + `)`
}

// partition is what a normalisation's statistics and ranks are taken over: each year
// and node, or each node over every year.
func partition(f *framework.Framework) string {
	if f.NormaliseOver == "all" {
		return "node"
	}
	return "year, node"
}

// treated is a SELECT of the indicator values of c_raw r joined to their parameters p
// (and the treatment of the skew-kurtosis rule or quantiles: columns lo, hi, fb, fmin,
// frange, lambda, named with the prefix w), with x0 capped and floored, x winsorised
// (or given the rule's fallback transform) and transformed, v given its direction and g the goalposts' share. Expressions for
// options the framework does not use are left out.
func treated(u uses, from, node, w string, extra string) string {
	x := "x0"
	if u.winsor {
		x = `CASE w_fb WHEN 'log' THEN ln(x0 - w_fmin + 0.01 * w_frange)
			WHEN 'boxcox' THEN CASE WHEN w_lam = 0 THEN ln(x0 - w_fmin + 1) ELSE (pow(x0 - w_fmin + 1, w_lam) - 1) / w_lam END
			ELSE CASE WHEN x0 > w_hi THEN w_hi WHEN x0 < w_lo THEN w_lo ELSE x0 END END`
		for _, c := range []string{"lo", "hi", "fb", "fmin", "frange", "lam"} {
			extra += fmt.Sprintf(", %s%s AS w_%s", w, c, c)
		}
	}
	if u.transform {
		x = fmt.Sprintf("CASE transform WHEN 'log' THEN ln(%[1]s) WHEN 'log1p' THEN ln(1 + %[1]s) ELSE %[1]s END", x)
	}
	cap, g := capped, "NULL::DOUBLE"
	if !u.caps {
		cap = "r.value"
	}
	if u.goalposts {
		g = "greatest(0, least(1, (x - lo) / (hi - lo)))"
	}
	return fmt.Sprintf(`SELECT *, CASE WHEN norm IN ('goalposts', 'target', 'best') THEN x ELSE dir * x END AS v, %s AS g FROM (
			SELECT *, %s AS x FROM (
				SELECT r.year, r.unit_key, %s AS node, r.value AS raw, r.imputed, p.norm, p.dir, p.target, p.captarget, p.refkey, p.lo, p.hi, p.transform%s, %s AS x0
				FROM %s))`, g, x, node, extra, cap, from)
}

// treatLeaves defines the view c_leafval: each indicator capped or floored, winsorised,
// transformed, given its direction and normalised. Two passes over the values: the
// first (the view c_leaft) takes per year and indicator the statistics the
// normalisations need, and the counts of stored and imputed inputs and their checksum,
// into c_lstats; c_lnorm joins them to the indicators' parameters and clamps, so that the
// second pass (c_leafval, and the leaves of aggregateLevel, which also carry their
// edges from c_lnorme) joins the values to one small table. c_leafval is a view, not a
// table: the treated indicator values feed only their parents' aggregation and are never
// stored, so materialising them would cost a write and a read of every input value.
// Values meet the small tables on the indicator's number (node_id), not its id. c_val
// receives the nodes.
func treatLeaves(f *framework.Framework) string {
	u := usesOf(f)
	// the statistics normalisations take: each year's (c_lstats), or over every year
	global, on := "c_lstats", "s.year = c.year AND s.node_id = c.node_id"
	if f.NormaliseOver == "all" {
		global, on = "(SELECT node_id, "+leafStats(f)+" FROM c_leaft GROUP BY node_id)", "s.node_id = c.node_id"
	}
	stats := treated(u, "c_raw r JOIN c_leaf p USING (node_id) LEFT JOIN c_wins wi ON wi.year = r.year AND wi.node = p.id", "p.id", "wi.", ", node_id")
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE c_val (year INTEGER, unit_key UBIGINT, node VARCHAR, value DOUBLE);
		CREATE OR REPLACE TEMP VIEW c_leaft AS %s;
		CREATE OR REPLACE TEMP TABLE c_lstats AS SELECT s.* EXCLUDE (checksum), p.id AS node,
			CASE WHEN s.inputs > 0 THEN hash(xor(hash(p.id), s.checksum)) ELSE 0::UBIGINT END AS checksum
			FROM (SELECT year, node_id, %s FROM c_leaft GROUP BY year, node_id) s JOIN c_leaf p USING (node_id);
		CREATE OR REPLACE TEMP TABLE c_lnorm AS
			SELECT c.year, c.node, c.node_id, s.mu, CASE WHEN p.sdk = 'sample' THEN s.sds ELSE s.sd END AS sd, s.mn, s.mx, s.xmin, s.xmax, s.vref,
				p.* EXCLUDE (id, node_id), wi.lo AS w_lo, wi.hi AS w_hi, wi.fb AS w_fb, wi.fmin AS w_fmin, wi.frange AS w_frange, wi.lam AS w_lam
			FROM c_lstats c JOIN %s s ON %s JOIN c_leaf p ON p.node_id = c.node_id LEFT JOIN c_wins wi ON wi.year = c.year AND wi.node = c.node;
		CREATE OR REPLACE TEMP TABLE c_lnorme AS SELECT n.*, e.pi, e.w FROM c_lnorm n JOIN c_edge e ON e.child = n.node;
		CREATE OR REPLACE TEMP VIEW c_leafval AS %s`, stats, leafStats(f), global, on, leafValues(f, false, false))
}

// leafStats are the aggregates of c_lstats: each only when some indicator's
// normalisation uses it (an aggregate of every input value costs), and the counts of
// stored and imputed inputs and the xor of a hash of each stored (unit key, value); the
// indicator's checksum (in c_lstats) hashes that with its id, once per indicator.
// Pairs are mixed by hashing one number, the xor of one hash with the other: DuckDB's
// hash of several arguments combines their hashes linearly, and an xor of such hashes
// over rows would not change when two units swap values.
func leafStats(f *framework.Framework) string {
	used := map[string]bool{}
	for _, m := range leafMethods(f) {
		used[m] = true
	}
	pick := func(method, expr string) string {
		if used[method] {
			return expr
		}
		return "NULL::DOUBLE"
	}
	counts := `count(*) FILTER (NOT imputed) AS inputs, count(*) FILTER (imputed) AS imputed,
		bit_xor(hash(xor(unit_key, hash(raw)))) FILTER (NOT imputed) AS checksum`
	if rawKind(f) == "VIEW" { // nothing imputed
		counts = `count(*) AS inputs, 0 AS imputed, bit_xor(hash(xor(unit_key, hash(raw)))) AS checksum`
	}
	mn := pick(framework.NormMinMax, "min(v)")
	if used[framework.NormDistTarget] || used[framework.NormReference] {
		mn = "min(v)"
	}
	return fmt.Sprintf(`%s AS mu, %s AS sd, %s AS sds, %s AS mn, %s AS mx, %s AS xmin, %s AS xmax, %s AS vref, %s`,
		pick(framework.NormZScore, "avg(v)"), pick(framework.NormZScore, "stddev_pop(v)"), pick(framework.NormZScore, "stddev_samp(v)"),
		mn, pick(framework.NormMinMax, "max(v)"),
		pick(framework.NormBest, "min(x)"), pick(framework.NormBest, "max(x)"),
		pick(framework.NormReference, "max(v) FILTER (WHERE unit_key = refkey)"), counts)
}

// leafValues is a SELECT of the normalised indicator values (year, unit, node, value),
// with each parent's number and the edge's weight (pi, w) when edges is set. When the
// values are of one year (oneYear), they meet their parameters on the indicator's
// number alone: a join on one small integer is DuckDB's perfect hash join, an array
// lookup, which is markedly cheaper for millions of values than a join on two keys.
func leafValues(f *framework.Framework, edges, oneYear bool) string {
	u := usesOf(f)
	on := "p.year = r.year AND p.node_id = r.node_id"
	if oneYear {
		on = "p.node_id = r.node_id"
	}
	from, part, extra, cols := "c_raw r JOIN c_lnorm p ON "+on, partition(f), ", p.mu, p.sd, p.mn, p.mx, p.xmin, p.xmax, p.vref", ""
	if edges {
		from, part, extra, cols = "c_raw r JOIN c_lnorme p ON "+on, part+", pi", extra+", p.pi, p.w", ", pi, w"
	}
	return fmt.Sprintf(`SELECT year, unit_key, node, %s AS value%s FROM (SELECT *, %s FROM (%s))`,
		normalise(f.Scale, true, sameNorm(leafMethods(f))), cols, windows(u, part), treated(u, from, "p.node", "p.w_", extra))
}

// aggregateLevel adds the nodes of one level: the weighted arithmetic, geometric or
// harmonic mean of their children, for units that have every child, normalised over the
// year. Geometric and harmonic means of negative values give no value; a zero child
// makes them 0 (zeros: zero) or counts as 1e-6 × scale (zeros: epsilon). Leaf children
// come normalised with their edges (one join; see leafValues for oneYear, set when the
// computation covers one year); node children are read from c_val.
func aggregateLevel(f *framework.Framework, level []*framework.Node, oneYear bool) string {
	u := usesOf(f)
	nums := make([]string, len(level))
	levelMethods := make([]string, len(level))
	leaves, nodes := false, false
	for i, n := range level {
		nums[i] = fmt.Sprint(nodeNumber(f, n.ID))
		levelMethods[i] = n.Normalise
		for _, c := range n.Children {
			if f.Node(c.ID) == nil {
				leaves = true
			} else {
				nodes = true
			}
		}
	}
	in := strings.Join(nums, ", ")
	pca := false
	for _, n := range level {
		pca = pca || n.Weights == "pca"
	}
	child, childNode := "", ""
	if pca {
		child, childNode = ", node AS child", ", v.node AS child"
	}
	var parts []string
	if leaves {
		parts = append(parts, fmt.Sprintf(`SELECT year, unit_key, pi, w, value%s FROM (%s) WHERE pi IN (%s)`, child, leafValues(f, true, oneYear), in))
	}
	if nodes {
		parts = append(parts, fmt.Sprintf(`SELECT v.year, v.unit_key, e.pi, e.w, v.value%s FROM c_val v JOIN c_edge e ON v.node = e.child WHERE e.pi IN (%s)`, childNode, in))
	}
	if pca {
		// weights derived each year (c_pcaw) replace the framework's
		parts = []string{`SELECT v.year, v.unit_key, v.pi, coalesce(pw.w, v.w) AS w, v.value FROM (` + strings.Join(parts, " UNION ALL ") + `) v
			LEFT JOIN c_pcaw pw ON pw.year = v.year AND pw.pi = v.pi AND pw.child = v.child`}
	}
	// Children of weight 1 (the default): the weighted mean is the plain mean, one
	// aggregate rather than two, and exactly the same numbers.
	arith := "avg(v.value)"
	if pca {
		arith = "sum(v.w * v.value) / nullif(sum(v.w), 0)"
	}
	for _, n := range level {
		for _, c := range n.Children {
			if c.Weight != 1 {
				arith = "sum(v.w * v.value) / nullif(sum(v.w), 0)"
			}
		}
	}
	eps := store.Double(1e-6 * f.Scale)
	means, pick := "", "arith"
	if u.geometric {
		means = fmt.Sprintf(`, exp(sum(v.w * ln(greatest(v.value, %[1]s))) / nullif(sum(v.w), 0)) AS geo,
			sum(v.w) / nullif(sum(v.w / greatest(v.value, %[1]s)), 0) AS harm, min(v.value) AS vmin`, eps)
		pick = `CASE p.agg WHEN 'arithmetic' THEN arith
			WHEN 'geometric' THEN CASE WHEN vmin < 0 THEN NULL WHEN vmin = 0 AND p.zeros = 'zero' THEN 0 ELSE geo END
			WHEN 'harmonic' THEN CASE WHEN vmin < 0 THEN NULL WHEN vmin = 0 AND p.zeros = 'zero' THEN 0 ELSE harm END END`
	}
	// a is materialised: t reads it twice (statistics and values), and recomputing the
	// aggregation would repeat the largest group-by.
	return fmt.Sprintf(`INSERT INTO c_val
		WITH a AS MATERIALIZED (
			SELECT v.year, v.unit_key, v.pi, %s AS arith, count(*) AS n %s
			FROM (%s) v
			GROUP BY v.year, v.unit_key, v.pi),
		t0 AS (SELECT a.year, a.unit_key, p.id AS node, %s AS v, p.norm, p.sdk, 1 AS dir FROM a JOIN c_node p ON a.pi = p.i WHERE a.n >= p.need),
		t AS (SELECT *, v AS x, %s FROM t0 WHERE v IS NOT NULL),
		%s
		SELECT t.year, t.unit_key, t.node, %s AS value FROM t JOIN s USING (%s)`,
		arith, means, strings.Join(parts, " UNION ALL "), pick, windows(u, partition(f)), nodeStats(f), normalise(f.Scale, false, sameNorm(levelMethods)), partition(f))
}

// nodeNumber is a node's position in the framework, its number in c_node and c_edge.
func nodeNumber(f *framework.Framework, id string) int {
	for i, n := range f.Nodes {
		if n.ID == id {
			return i
		}
	}
	return -1
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
			return "NULL::VARCHAR"
		}
		var w []string
		for _, b := range bs {
			w = append(w, fmt.Sprintf("WHEN rv >= %s THEN %s", store.Double(b.Min), q(b.ID)))
		}
		return "CASE " + strings.Join(w, " ") + " END"
	}
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE c_standing AS
		SELECT year, unit_key, value, %s OVER (PARTITION BY year ORDER BY rv DESC) AS rank, %s AS band, %s AS class
		FROM (SELECT year, unit_key, value, round(value, %d) AS rv FROM c_val WHERE node = %s)`,
		rank, band(f.Bands), band(f.Classes), f.Digits, q(f.Root))
}
