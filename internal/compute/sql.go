package compute

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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

// inputStats defines c_lstats (year, node_id, node, inputs, imputed, checksum): per
// year and indicator, the counts of stored and imputed values and a checksum of the
// stored ones, the xor of a hash of each (unit key, value) hashed with the indicator's
// id. Pairs are mixed by hashing one number, the xor of one hash with the other:
// DuckDB's hash of several arguments combines their hashes linearly, and an xor of such
// hashes over rows would not change when two units swap values.
func inputStats() string {
	return `CREATE OR REPLACE TEMP TABLE c_lstats AS SELECT s.year, s.node_id, p.id AS node, s.inputs, s.imputed,
			CASE WHEN s.inputs > 0 THEN hash(xor(hash(p.id), s.checksum)) ELSE 0::UBIGINT END AS checksum
		FROM (SELECT year, node_id, count(*) FILTER (NOT imputed) AS inputs, count(*) FILTER (imputed) AS imputed,
				bit_xor(hash(xor(unit_key, hash(value)))) FILTER (NOT imputed) AS checksum
			FROM c_raw GROUP BY year, node_id) s JOIN c_leaf p USING (node_id)`
}
