package compute

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/egdi/egdi/internal/framework"
)

// leafParams writes each indicator's treatment and normalisation into c_leaf.
func leafParams(f *framework.Framework) string {
	var rows []string
	for _, id := range f.UsedIndicators() {
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
		rows = append(rows, fmt.Sprintf("(%s, %s, %s, %v::DOUBLE, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
			q(id), num(in.Cap), num(in.Floor), dir, q(in.Normalise), num(lo), num(hi), num(in.Target),
			q(in.Transform), num(wlo), num(whi), q(in.Impute), q(in.ImputeGroup)))
	}
	return `CREATE OR REPLACE TEMP TABLE c_leaf AS SELECT * FROM (VALUES ` + strings.Join(rows, ", ") +
		`) t(id, cap, floor, dir, norm, lo, hi, target, transform, wlo, whi, impute, igroup)`
}

// nodeParams writes nodes (aggregation, normalisation, number of children) and edges.
func nodeParams(f *framework.Framework) string {
	var nodes, edges []string
	for _, n := range f.Nodes {
		nodes = append(nodes, fmt.Sprintf("(%s, %s, %s, %s, %d)", q(n.ID), q(n.Aggregate), q(n.Zeros), q(n.Normalise), len(n.Children)))
		for _, c := range n.Children {
			edges = append(edges, fmt.Sprintf("(%s, %s, %v::DOUBLE)", q(n.ID), q(c.ID), c.Weight))
		}
	}
	return `CREATE OR REPLACE TEMP TABLE c_node AS SELECT * FROM (VALUES ` + strings.Join(nodes, ", ") + `) t(id, agg, zeros, norm, nkids);
		CREATE OR REPLACE TEMP TABLE c_edge AS SELECT * FROM (VALUES ` + strings.Join(edges, ", ") + `) t(parent, child, w)`
}

// uses reports which options the framework uses, so the SQL computes only what is needed.
type uses struct{ rank, percentile, winsor, transform, geometric, caps, goalposts bool }

func usesOf(f *framework.Framework) uses {
	var u uses
	norm := func(n string) {
		u.rank = u.rank || n == framework.NormRank
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
	}
	return u
}

// capped is an indicator value after its cap and floor.
const capped = `CASE WHEN r.value > p.cap THEN p.cap WHEN r.value < p.floor THEN p.floor ELSE r.value END`

// impute fills missing indicator values, for indicators with an imputation rule, for
// every unit that has any of the framework's indicators that year.
func impute(ctx context.Context, c *sql.Conn, f *framework.Framework, dataset string) error {
	for _, id := range f.UsedIndicators() {
		in := f.Indicator(id)
		var fill, join string
		switch in.Impute {
		case framework.ImputeNone:
			continue
		case framework.ImputeMean, framework.ImputeMedian:
			agg := map[string]string{framework.ImputeMean: "avg", framework.ImputeMedian: "median"}[in.Impute]
			join = fmt.Sprintf(`JOIN (SELECT year, %s(value) AS v FROM c_raw WHERE node = %s AND NOT imputed GROUP BY year) s USING (year)`, agg, q(id))
			fill = "s.v"
		case framework.ImputeGroupMean, framework.ImputeGroupMedian:
			agg := map[string]string{framework.ImputeGroupMean: "avg", framework.ImputeGroupMedian: "median"}[in.Impute]
			g := in.ImputeGroup
			join = fmt.Sprintf(`JOIN units un ON un.unit = m.unit
				JOIN (SELECT r.year, u2.%[1]s AS g, %[2]s(r.value) AS v FROM c_raw r JOIN units u2 USING (unit)
				      WHERE r.node = %[3]s AND NOT r.imputed GROUP BY ALL) s ON s.year = m.year AND s.g = un.%[1]s`, g, agg, q(id))
			fill = "s.v"
		case framework.ImputePrevious:
			join = fmt.Sprintf(`JOIN (SELECT unit, year AS y, value FROM indicator_values WHERE dataset = %s AND indicator = %s) s
				ON s.unit = m.unit AND s.y < m.year`, q(dataset), q(id))
			fill = "arg_max(s.value, s.y)"
		}
		group := ""
		if in.Impute == framework.ImputePrevious {
			group = "GROUP BY m.year, m.unit, m.node"
		}
		_, err := c.ExecContext(ctx, fmt.Sprintf(`INSERT INTO c_raw
			WITH u AS (SELECT DISTINCT year, unit FROM c_raw),
			m AS (SELECT u.year, u.unit, %[1]s AS node FROM u
			      ANTI JOIN (SELECT year, unit FROM c_raw WHERE node = %[1]s) r ON r.year = u.year AND r.unit = u.unit)
			SELECT m.year, m.unit, m.node, %[2]s AS value, true FROM m %[3]s %[4]s`, q(id), fill, join, group))
		if err != nil {
			return fmt.Errorf("imputing %s: %w", id, err)
		}
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
	err := c.QueryRowContext(ctx, `SELECT r.node, r.unit, r.year, `+capped+`, p.transform FROM c_raw r JOIN c_leaf p ON r.node = p.id
		WHERE (p.transform = 'log' AND `+capped+` <= 0) OR (p.transform = 'log1p' AND `+capped+` <= -1)
		ORDER BY r.node, r.year, r.unit LIMIT 1`).Scan(&node, &unit, &year, &v, &transform)
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
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE c_wins (year INTEGER, node VARCHAR, lo DOUBLE, hi DOUBLE, points INTEGER)`); err != nil {
		return err
	}
	for _, id := range f.UsedIndicators() {
		w := f.Indicator(id).Winsorise
		if w == nil {
			continue
		}
		if w.Rule == "" {
			lo, hi := "NULL::DOUBLE", "NULL::DOUBLE"
			if w.Lower != nil {
				lo = fmt.Sprintf("quantile_cont(x, %v)", *w.Lower)
			}
			if w.Upper != nil {
				hi = fmt.Sprintf("quantile_cont(x, %v)", *w.Upper)
			}
			_, err := c.ExecContext(ctx, fmt.Sprintf(`INSERT INTO c_wins
				SELECT year, node, lo, hi, count(*) FILTER (x < lo OR x > hi) FROM (
					SELECT year, node, x, %s OVER w AS lo, %s OVER w AS hi FROM (
						SELECT r.year, r.node, %s AS x FROM c_raw r JOIN c_leaf p ON r.node = p.id WHERE r.node = %s)
					WINDOW w AS (PARTITION BY year, node)) GROUP BY year, node, lo, hi`, lo, hi, capped, q(id)))
			if err != nil {
				return fmt.Errorf("winsorising %s: %w", id, err)
			}
			continue
		}
		rows, err := c.QueryContext(ctx, `SELECT r.year, `+capped+` FROM c_raw r JOIN c_leaf p ON r.node = p.id WHERE r.node = ? ORDER BY 1, 2`, id)
		if err != nil {
			return err
		}
		byYear := map[int][]float64{}
		for rows.Next() {
			var y int
			var x float64
			if err := rows.Scan(&y, &x); err != nil {
				rows.Close()
				return err
			}
			byYear[y] = append(byYear[y], x)
		}
		rows.Close()
		for y, xs := range byYear {
			lo, hi, n := SkewKurtosisClamps(xs, w.MaxPoints, w.Skew, w.Kurtosis)
			if _, err := c.ExecContext(ctx, `INSERT INTO c_wins VALUES (?, ?, ?, ?, ?)`, y, id, lo, hi, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// SkewKurtosisClamps applies COINr's winsorisation rule to sorted values: while the
// absolute skewness exceeds skewMax and the (excess) kurtosis exceeds kurtMax, the most
// extreme value on the skewed side is set to its neighbour, up to maxPoints values. It
// returns the clamps (nil when a side is untouched) and the number of values changed.
func SkewKurtosisClamps(sorted []float64, maxPoints int, skewMax, kurtMax float64) (lo, hi *float64, changed int) {
	xs := append([]float64(nil), sorted...)
	sort.Float64s(xs)
	nlo, nhi := 0, 0 // values clamped at each end
	for changed < maxPoints && len(xs)-nlo-nhi > 2 {
		sk := stat.Skew(xs, nil)
		ku := stat.ExKurtosis(xs, nil)
		if math.IsNaN(sk) || math.Abs(sk) <= skewMax || !(ku > kurtMax) {
			break
		}
		if sk > 0 {
			nhi++
			v := xs[len(xs)-1-nhi]
			for i := len(xs) - nhi; i < len(xs); i++ {
				xs[i] = v
			}
			hi = &v
		} else {
			nlo++
			v := xs[nlo]
			for i := 0; i < nlo; i++ {
				xs[i] = v
			}
			lo = &v
		}
		changed++
	}
	return lo, hi, changed
}

// normalise is the expression normalising v (direction applied) or x (as is) with the
// year's statistics mu, sd, mn, mx (of v) and xmin, xmax (of x): a CASE over the
// method, or just the method's formula when every row uses the same one.
func normalise(scale float64, leaf bool, only string) string {
	forms := map[string]string{
		framework.NormZScore:     `CASE WHEN sd > 0 THEN (v - mu) / sd ELSE 0 END`,
		framework.NormMinMax:     fmt.Sprintf(`CASE WHEN mx > mn THEN (v - mn) / (mx - mn) ELSE 0.5 END * %v`, scale),
		framework.NormRank:       `rk`,
		framework.NormPercentile: fmt.Sprintf(`pr * %v`, scale),
		framework.NormBest:       fmt.Sprintf(`CASE WHEN dir > 0 THEN x / nullif(xmax, 0) ELSE xmin / nullif(x, 0) END * %v`, scale),
		framework.NormNone:       `v`,
	}
	if leaf {
		forms[framework.NormGoalposts] = fmt.Sprintf(`(CASE WHEN dir > 0 THEN g ELSE 1 - g END) * %v`, scale)
		forms[framework.NormTarget] = fmt.Sprintf(`least(CASE WHEN dir > 0 THEN x / target ELSE target / nullif(x, 0) END, 1) * %v`, scale)
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

// windows adds rank and percent rank columns when the framework uses them.
func windows(u uses) string {
	rk, pr := "NULL::DOUBLE", "NULL::DOUBLE"
	if u.rank {
		rk = "rank() OVER (PARTITION BY year, node ORDER BY v)"
	}
	if u.percentile {
		pr = "percent_rank() OVER (PARTITION BY year, node ORDER BY v)"
	}
	return fmt.Sprintf("%s AS rk, %s AS pr", rk, pr)
}

const statsCTE = `s AS (SELECT year, node, avg(v) AS mu, stddev_pop(v) AS sd, min(v) AS mn, max(v) AS mx,
	min(x) AS xmin, max(x) AS xmax FROM t GROUP BY year, node)`

// treatLeaves defines the view c_leafval: each indicator capped or floored, winsorised,
// transformed, given its direction and normalised, and the table c_lstats: per year
// and indicator, the statistics the normalisations need, and (in the same pass) the
// counts of stored and imputed inputs and their checksum. c_leafval is a view, not a table: the
// treated indicator values feed only their parents' aggregation and are never stored,
// so materialising them would cost a write and a read of every input value. c_val
// receives the nodes.
func treatLeaves(f *framework.Framework) string {
	u := usesOf(f)
	x := "x0"
	wjoin := ""
	if u.winsor {
		x = "CASE WHEN x0 > wi.hi THEN wi.hi WHEN x0 < wi.lo THEN wi.lo ELSE x0 END"
		wjoin = "LEFT JOIN c_wins wi ON wi.year = r.year AND wi.node = r.node"
	}
	if u.transform {
		x = fmt.Sprintf("CASE transform WHEN 'log' THEN ln(%[1]s) WHEN 'log1p' THEN ln(1 + %[1]s) ELSE %[1]s END", x)
	}
	// The treated values (a view), their statistics per year and indicator (a small
	// table, one pass), and the normalised values (a view over both). Expressions for
	// options the framework does not use are left out.
	cap, g := capped, "NULL::DOUBLE"
	if !u.caps {
		cap = "r.value"
	}
	if u.goalposts {
		g = "greatest(0, least(1, (x - lo) / (hi - lo)))"
	}
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE c_val (year INTEGER, unit VARCHAR, node VARCHAR, value DOUBLE);
		CREATE OR REPLACE TEMP VIEW c_leaft AS
		WITH r0 AS (
			SELECT r.year, r.unit, r.node, r.value AS raw, r.imputed, p.norm, p.dir, p.target, p.lo, p.hi, p.transform, %[1]s AS x0
			FROM c_raw r JOIN c_leaf p ON r.node = p.id),
		r1 AS (SELECT r.*, %[2]s AS x FROM r0 r %[3]s),
		t0 AS (SELECT *, CASE WHEN norm IN ('goalposts', 'target', 'best') THEN x ELSE dir * x END AS v,
		              %[6]s AS g FROM r1)
		SELECT *, %[4]s FROM t0;
		CREATE OR REPLACE TEMP TABLE c_lstats AS SELECT year, node, avg(v) AS mu, stddev_pop(v) AS sd, min(v) AS mn, max(v) AS mx,
			min(x) AS xmin, max(x) AS xmax, count(*) FILTER (NOT imputed) AS inputs, count(*) FILTER (imputed) AS imputed,
			coalesce(bit_xor(hash(unit, node, raw)) FILTER (NOT imputed), 0) AS checksum FROM c_leaft GROUP BY year, node;
		CREATE OR REPLACE TEMP VIEW c_leafval AS
		SELECT t.year, t.unit, t.node, %[5]s AS value FROM c_leaft t JOIN c_lstats s USING (year, node)`,
		cap, x, wjoin, windows(u), normalise(f.Scale, true, sameNorm(leafMethods(f))), g)
}

// aggregateLevel adds the nodes of one level: the weighted arithmetic, geometric or
// harmonic mean of their children, for units that have every child, normalised over the
// year. Geometric and harmonic means of negative values give no value; a zero child
// makes them 0 (zeros: zero) or counts as 1e-6 × scale (zeros: epsilon).
func aggregateLevel(f *framework.Framework, level []*framework.Node) string {
	u := usesOf(f)
	ids := make([]string, len(level))
	levelMethods := make([]string, len(level))
	from := "c_val"
	for i, n := range level {
		ids[i] = q(n.ID)
		levelMethods[i] = n.Normalise
		for _, c := range n.Children {
			if f.Node(c.ID) == nil {
				from = "(SELECT * FROM c_val UNION ALL SELECT * FROM c_leafval)"
			}
		}
	}
	eps := fmt.Sprintf("%v", 1e-6*f.Scale)
	means, pick := "", "arith"
	if u.geometric {
		means = fmt.Sprintf(`, exp(sum(e.w * ln(greatest(v.value, %[1]s))) / nullif(sum(e.w), 0)) AS geo,
			sum(e.w) / nullif(sum(e.w / greatest(v.value, %[1]s)), 0) AS harm, min(v.value) AS vmin`, eps)
		pick = `CASE p.agg WHEN 'arithmetic' THEN arith
			WHEN 'geometric' THEN CASE WHEN vmin < 0 THEN NULL WHEN vmin = 0 AND p.zeros = 'zero' THEN 0 ELSE geo END
			WHEN 'harmonic' THEN CASE WHEN vmin < 0 THEN NULL WHEN vmin = 0 AND p.zeros = 'zero' THEN 0 ELSE harm END END`
	}
	// a is materialised: t reads it twice (statistics and values), and recomputing the
	// aggregation would repeat the largest group-by.
	return fmt.Sprintf(`INSERT INTO c_val
		WITH a AS MATERIALIZED (
			SELECT v.year, v.unit, e.parent AS node, sum(e.w * v.value) / nullif(sum(e.w), 0) AS arith, count(*) AS n %s
			FROM %s v JOIN c_edge e ON v.node = e.child
			WHERE e.parent IN (%s)
			GROUP BY v.year, v.unit, e.parent),
		t0 AS (SELECT a.year, a.unit, a.node, %s AS v, p.norm, 1 AS dir FROM a JOIN c_node p ON a.node = p.id WHERE a.n = p.nkids),
		t AS (SELECT *, v AS x, %s FROM t0 WHERE v IS NOT NULL),
		%s
		SELECT t.year, t.unit, t.node, %s AS value FROM t JOIN s USING (year, node)`,
		means, from, strings.Join(ids, ", "), pick, windows(u), statsCTE, normalise(f.Scale, false, sameNorm(levelMethods)))
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
