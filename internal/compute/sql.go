package compute

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// leafNumbers are the framework's indicators' numbers (c_leaf's node_id, in
// UsedIndicators order): their number in codes, as raw_values stores them (ids are
// the numbers of the codes known, store.KnownCodes), or a negative number of its own
// for an indicator no dataset has (only imputation can give it rows).
func leafNumbers(f *framework.Framework, ids map[string]int) []int32 {
	var out []int32
	for k, id := range f.UsedIndicators() {
		n, ok := ids[id]
		if !ok {
			n = -1 - k
		}
		out = append(out, int32(n))
	}
	return out
}

// params writes the framework's indicators into a working table, c_leaf (id, cap,
// floor, transform, impute, node_id), through the appender (store.Append), for the SQL
// that imputes and checks values before the evaluation and for the audit; node_id is
// the indicator's number (leafNumbers).
func params(ctx context.Context, c *sql.Conn, f *framework.Framework, ids map[string]int) error {
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_leaf (id VARCHAR, cap DOUBLE, floor DOUBLE, transform VARCHAR, impute VARCHAR, node_id INTEGER)`); err != nil {
		return err
	}
	val := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	nums := leafNumbers(f, ids)
	return store.Append(ctx, c, "c_leaf", func(add func(...any) error) error {
		for k, id := range f.UsedIndicators() {
			in := f.Indicator(id)
			if err := add(id, val(in.Cap), val(in.Floor), in.Transform, in.Impute, nums[k]); err != nil {
				return err
			}
		}
		return nil
	})
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
	if !slices.ContainsFunc(f.UsedIndicators(), func(id string) bool { return f.Indicator(id).Transform != framework.TransformNone }) {
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
