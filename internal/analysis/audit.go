package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// IndicatorStats describes one indicator's raw values in the audited year, and what
// its treatment saw and did.
type IndicatorStats struct {
	ID, Parent           string
	Units, Present       int // units of the year; units with a (non-imputed) value
	Imputed              int
	Coverage, Missing    float64
	Mean, SD, Skew, Kurt float64 // of the observed values; kurtosis in excess of the normal's 3
	Outliers             int     // Tukey's fences
	Treated              string  // what treatment changed ("" when nothing)
	// The values the treatment saw (after denomination and imputation): their
	// skewness and kurtosis, and after the treatment (as COINr's treatment table).
	SeenSkew, SeenKurt   float64
	Points               int    // values winsorised
	Fallback             string // transform applied when winsorising did not suffice
	AfterSkew, AfterKurt float64
}

// Correlation is Pearson's r and Spearman's ρ between a child and its parent, or two
// siblings, with their two-sided p-values (Student's t with n − 2 degrees of freedom,
// as R's cor.test gives them; for ρ its large-sample approximation, exact = FALSE).
type Correlation struct {
	A, B     string
	Kind     string // "parent" or "sibling"
	R, Rho   float64
	PR, PRho float64
	N        int
	Flag     string
}

// UnitAvailability is one unit's share of the framework's indicators with a value
// (COINr's get_data_avail), before imputation, and what the screen decided.
type UnitAvailability struct {
	Unit             string
	Present, Imputed int
	Total            int
	Share            float64
	Screened         bool
}

// Imputation is one value imputed, and how.
type Imputation struct {
	Unit, Indicator, Method string
	Value                   float64
}

// Dimension is the internal consistency and principal components of one node's children.
type Dimension struct {
	Node     string
	Children []string
	N        int       // units with every child
	Alpha    float64   // Cronbach's alpha
	Shares   []float64 // variance explained per component, largest first
	Loadings []float64 // first component, per child
}

// Audit is the statistical audit of a framework over one year of a dataset.
type Audit struct {
	Framework    string
	Dataset      string
	Year         int
	Indicators   []IndicatorStats
	Correlations []Correlation
	Dimensions   []Dimension
	Units        []UnitAvailability
	Imputations  []Imputation
	Flags        []string
}

// Thresholds of the flags, after COINr's defaults where it has one.
const (
	WeakR      = 0.2  // |r| below this with the parent: a near-zero contribution
	RedundantR = 0.92 // siblings this correlated measure the same thing
	MissingMax = 0.2  // share of units without a value
	SkewMax    = 2.0  // |skewness| above this ...
	KurtMax    = 3.5  // ... with excess kurtosis above this: a treatment candidate
	AlphaMin   = 0.7  // Cronbach's alpha below this: weak internal consistency
)

// RunAudit computes the framework for year without storing anything and audits it.
func RunAudit(ctx context.Context, db *store.DB, f *framework.Framework, dataset string, year int) (*Audit, error) {
	a := &Audit{Framework: f.ID, Dataset: dataset, Year: year}
	raw := map[string]map[string]float64{} // indicator → unit → raw value (not imputed)
	imputed := map[string]int{}
	norm := map[string]map[string]float64{} // indicator or node → unit → value used by the parent
	treated := map[string]string{}
	units := map[string]bool{}
	seen := map[string][]float64{} // indicator → the values its treatment saw
	wins := map[string][5]sql.NullFloat64{}
	fallbacks := map[string]string{}
	present, imputedBy := map[string]int{}, map[string]int{}
	var screened []string
	put := func(m map[string]map[string]float64, k, u string, v float64) {
		if m[k] == nil {
			m[k] = map[string]float64{}
		}
		m[k][u] = v
	}
	_, err := compute.Evaluate(ctx, db, f, compute.Options{Dataset: dataset, Years: []int{year}}, func(c *sql.Conn) error {
		rows, err := c.QueryContext(ctx, `SELECT u.unit, r.node, r.value, r.imputed FROM c_raw r JOIN unit_list u USING (unit_key) WHERE r.year = ?`, year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var u, n string
			var v float64
			var imp bool
			if err := rows.Scan(&u, &n, &v, &imp); err != nil {
				rows.Close()
				return err
			}
			units[u] = true
			seen[n] = append(seen[n], v)
			if imp {
				imputed[n]++
				imputedBy[u]++
			} else {
				put(raw, n, u, v)
				present[u]++
			}
		}
		rows.Close()
		rows, err = c.QueryContext(ctx, `SELECT u.unit, r.node, p.impute, r.value FROM c_raw r JOIN unit_list u USING (unit_key) JOIN c_leaf p ON p.id = r.node
			WHERE r.year = ? AND r.imputed ORDER BY 2, 1`, year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var im Imputation
			if err := rows.Scan(&im.Unit, &im.Indicator, &im.Method, &im.Value); err != nil {
				rows.Close()
				return err
			}
			a.Imputations = append(a.Imputations, im)
		}
		rows.Close()
		rows, err = c.QueryContext(ctx, `SELECT u.unit, s.present FROM c_screened s JOIN unit_list u USING (unit_key) WHERE s.year = ? ORDER BY 1`, year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var u string
			var n int
			if err := rows.Scan(&u, &n); err != nil {
				rows.Close()
				return err
			}
			screened = append(screened, u)
			units[u] = true
			present[u] = n
		}
		rows.Close()
		rows, err = c.QueryContext(ctx, `SELECT node, skew0, kurt0, points, skew1, kurt1, coalesce(fb, '') FROM c_wins WHERE year = ?`, year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, fb string
			var v [5]sql.NullFloat64
			if err := rows.Scan(&n, &v[0], &v[1], &v[2], &v[3], &v[4], &fb); err != nil {
				rows.Close()
				return err
			}
			wins[n], fallbacks[n] = v, fb
		}
		rows.Close()
		for _, q := range []string{`SELECT u.unit, v.node, v.value FROM c_leafval v JOIN unit_list u USING (unit_key) WHERE v.year = ?`,
			`SELECT u.unit, v.node, v.value FROM c_val v JOIN unit_list u USING (unit_key) WHERE v.year = ?`} {
			rows, err := c.QueryContext(ctx, q, year)
			if err != nil {
				return err
			}
			for rows.Next() {
				var u, n string
				var v float64
				if err := rows.Scan(&u, &n, &v); err != nil {
					rows.Close()
					return err
				}
				put(norm, n, u, v)
			}
			rows.Close()
		}
		// what treatment changed: caps and floors, winsorisation, transforms
		rows, err = c.QueryContext(ctx, `SELECT r.node,
			count(*) FILTER (r.value > p.cap), count(*) FILTER (r.value < p.floor), any_value(p.transform),
			coalesce(any_value(w.points), 0)
			FROM c_raw r JOIN c_leaf p ON r.node = p.id LEFT JOIN c_wins w ON w.year = r.year AND w.node = r.node
			WHERE r.year = ? GROUP BY r.node`, year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, tr string
			var capN, floorN, winN int
			if err := rows.Scan(&n, &capN, &floorN, &tr, &winN); err != nil {
				rows.Close()
				return err
			}
			var parts []string
			if capN > 0 {
				parts = append(parts, fmt.Sprintf("%d capped", capN))
			}
			if floorN > 0 {
				parts = append(parts, fmt.Sprintf("%d floored", floorN))
			}
			if winN > 0 {
				parts = append(parts, fmt.Sprintf("%d winsorised", winN))
			}
			if fb := fallbacks[n]; fb != "" {
				parts = append(parts, map[string]string{"log": "log_CT", "boxcox": "Box-Cox"}[fb]+" (winsorising did not suffice)")
			}
			if tr != framework.TransformNone {
				parts = append(parts, tr+" transform")
			}
			treated[n] = strings.Join(parts, ", ")
		}
		rows.Close()
		return nil
	})
	if err != nil {
		return nil, err
	}
	parent := map[string]string{}
	for _, n := range f.Nodes {
		for _, c := range n.Children {
			parent[c.ID] = n.ID
		}
	}
	for _, id := range f.UsedIndicators() {
		xs := values(raw[id])
		s := IndicatorStats{ID: id, Parent: parent[id], Units: len(units), Present: len(xs), Imputed: imputed[id], Treated: treated[id]}
		if s.Units > 0 {
			s.Coverage = float64(s.Present) / float64(s.Units)
			s.Missing = 1 - s.Coverage
		}
		s.Mean, s.SD, s.Skew, s.Kurt = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if len(xs) >= 2 {
			s.Mean, s.SD = stat.MeanStdDev(xs, nil)
		}
		if len(xs) >= 3 && s.SD > 0 {
			s.Skew, s.Kurt = compute.Skewness(xs), compute.Kurtosis(xs)
		}
		s.Outliers = tukeyOutliers(xs)
		// what the treatment saw: the rule's own record, else the values after imputation
		s.SeenSkew, s.SeenKurt, s.AfterSkew, s.AfterKurt = compute.Skewness(seen[id]), compute.Kurtosis(seen[id]), math.NaN(), math.NaN()
		if w, ok := wins[id]; ok {
			if w[0].Valid {
				s.SeenSkew, s.SeenKurt = w[0].Float64, w[1].Float64
			}
			s.Points = int(w[2].Float64)
			if w[3].Valid {
				s.AfterSkew, s.AfterKurt = w[3].Float64, w[4].Float64
			}
			s.Fallback = fallbacks[id]
		}
		a.Indicators = append(a.Indicators, s)
		label := f.LabelOf(id, "en")
		switch {
		case s.Present == 0:
			a.Flags = append(a.Flags, fmt.Sprintf("%s (%s) has no values in %d", id, label, year))
		case s.Missing > MissingMax:
			a.Flags = append(a.Flags, fmt.Sprintf("%s: %.0f%% of units have no value (%d imputed)", id, 100*s.Missing, s.Imputed))
		}
		// on the values the treatment saw (imputed ones included), not the observed only
		if math.Abs(s.SeenSkew) > SkewMax && s.SeenKurt > KurtMax {
			what := "untreated"
			if s.Treated != "" {
				what = "before treatment (" + s.Treated + ")"
			}
			if s.Treated == "" || (!math.IsNaN(s.AfterSkew) && math.Abs(s.AfterSkew) > SkewMax && s.AfterKurt > KurtMax) {
				a.Flags = append(a.Flags, fmt.Sprintf("%s: skewness %.2f, kurtosis %.2f %s; consider winsorising or a log transform", id, s.SeenSkew, s.SeenKurt, what))
			}
		}
	}
	// correlations, alpha and components per node
	for _, n := range f.Nodes {
		var cols []map[string]float64
		var kids []string
		for _, c := range n.Children {
			if c.Weight == 0 {
				continue
			}
			kids = append(kids, c.ID)
			cols = append(cols, norm[c.ID])
			x, y := paired(norm[c.ID], norm[n.ID])
			if len(x) >= 3 {
				cr := correlate(c.ID, n.ID, "parent", x, y)
				r := cr.R
				switch {
				case r < 0:
					cr.Flag = "negative"
				case math.Abs(r) < WeakR:
					cr.Flag = "near zero"
				}
				if cr.Flag != "" && len(n.Children) > 1 {
					a.Flags = append(a.Flags, fmt.Sprintf("%s correlates %s with its parent %s (r = %.2f)", c.ID, cr.Flag, n.ID, r))
				}
				if len(n.Children) > 1 {
					a.Correlations = append(a.Correlations, cr)
				}
			}
		}
		for i := 0; i < len(kids); i++ {
			for j := i + 1; j < len(kids); j++ {
				x, y := paired(norm[kids[i]], norm[kids[j]])
				if len(x) < 3 {
					continue
				}
				cr := correlate(kids[i], kids[j], "sibling", x, y)
				r := cr.R
				if math.Abs(r) > RedundantR {
					cr.Flag = "redundant"
					a.Flags = append(a.Flags, fmt.Sprintf("%s and %s in %s are redundant (r = %.2f)", kids[i], kids[j], n.ID, r))
				} else if r < 0 {
					cr.Flag = "negative"
					a.Flags = append(a.Flags, fmt.Sprintf("%s and %s in %s correlate negatively (r = %.2f)", kids[i], kids[j], n.ID, r))
				}
				a.Correlations = append(a.Correlations, cr)
			}
		}
		if len(kids) >= 2 {
			items := complete(cols)
			d := Dimension{Node: n.ID, Children: kids, N: len(items[0]), Alpha: CronbachAlpha(items)}
			d.Shares, d.Loadings, _ = compute.PCA(items)
			if d.Alpha < AlphaMin {
				a.Flags = append(a.Flags, fmt.Sprintf("%s: Cronbach's alpha %.2f is below %.1f", n.ID, d.Alpha, AlphaMin))
			}
			if len(d.Shares) > 1 && d.Shares[1]*float64(len(kids)) > 1 {
				a.Flags = append(a.Flags, fmt.Sprintf("%s: a second principal component has eigenvalue %.2f > 1; the dimension may not be one-dimensional", n.ID, d.Shares[1]*float64(len(kids))))
			}
			a.Dimensions = append(a.Dimensions, d)
		}
	}
	// all indicators together
	var all []map[string]float64
	var ids []string
	for _, id := range f.UsedIndicators() {
		if len(norm[id]) > 0 {
			all = append(all, norm[id])
			ids = append(ids, id)
		}
	}
	if len(all) >= 2 {
		items := complete(all)
		if len(items[0]) >= 3 {
			d := Dimension{Node: "(all indicators)", Children: ids, N: len(items[0]), Alpha: CronbachAlpha(items)}
			d.Shares, d.Loadings, _ = compute.PCA(items)
			a.Dimensions = append(a.Dimensions, d)
		}
	}
	sort.SliceStable(a.Correlations, func(i, j int) bool { return a.Correlations[i].Kind > a.Correlations[j].Kind })
	total := len(f.UsedIndicators())
	var us []string
	for u := range units {
		us = append(us, u)
	}
	sort.Strings(us)
	for _, u := range us {
		ua := UnitAvailability{Unit: u, Present: present[u], Imputed: imputedBy[u], Total: total, Screened: slices.Contains(screened, u)}
		if total > 0 {
			ua.Share = float64(ua.Present) / float64(total)
		}
		a.Units = append(a.Units, ua)
	}
	for _, u := range screened {
		a.Flags = append(a.Flags, fmt.Sprintf("%s is screened out: %d of %d indicators present, below min_coverage %.2f", u, present[u], total, f.Screen.MinCoverage))
	}
	return a, nil
}

// correlate is Pearson's r and Spearman's ρ of x and y, with their p-values.
func correlate(a, b, kind string, x, y []float64) Correlation {
	c := Correlation{A: a, B: b, Kind: kind, N: len(x), R: stat.Correlation(x, y, nil)}
	c.Rho = stat.Correlation(ranks(x), ranks(y), nil)
	c.PR, c.PRho = pValue(c.R, len(x)), pValue(c.Rho, len(x))
	return c
}

// ranks are the values' ranks from 1, ties given the mean of their ranks.
func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return xs[idx[i]] < xs[idx[j]] })
	out := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}

// pValue is the two-sided p-value of a correlation r over n units: Student's t =
// r√((n−2)/(1−r²)) with n − 2 degrees of freedom.
func pValue(r float64, n int) float64 {
	if n < 3 || math.IsNaN(r) {
		return math.NaN()
	}
	if math.Abs(r) >= 1 {
		return 0
	}
	df := float64(n - 2)
	t := r * math.Sqrt(df/(1-r*r))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}

func values(m map[string]float64) []float64 {
	var units []string
	for u := range m {
		units = append(units, u)
	}
	sort.Strings(units)
	out := make([]float64, len(units))
	for i, u := range units {
		out[i] = m[u]
	}
	return out
}

func paired(a, b map[string]float64) (x, y []float64) {
	var units []string
	for u := range a {
		if _, ok := b[u]; ok {
			units = append(units, u)
		}
	}
	sort.Strings(units)
	for _, u := range units {
		x, y = append(x, a[u]), append(y, b[u])
	}
	return x, y
}
