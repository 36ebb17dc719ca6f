package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// IndicatorStats describes one indicator's raw values in the audited year.
type IndicatorStats struct {
	ID, Parent           string
	Units, Present       int // units of the year; units with a (non-imputed) value
	Imputed              int
	Coverage, Missing    float64
	Mean, SD, Skew, Kurt float64 // kurtosis in excess of the normal's 3
	Outliers             int     // Tukey's fences
	Treated              string  // what treatment changed ("" when nothing)
}

// Correlation is Pearson's r between a child and its parent, or two siblings.
type Correlation struct {
	A, B string
	Kind string // "parent" or "sibling"
	R    float64
	N    int
	Flag string
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
			if imp {
				imputed[n]++
			} else {
				put(raw, n, u, v)
			}
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
		a.Indicators = append(a.Indicators, s)
		label := f.LabelOf(id, "en")
		switch {
		case s.Present == 0:
			a.Flags = append(a.Flags, fmt.Sprintf("%s (%s) has no values in %d", id, label, year))
		case s.Missing > MissingMax:
			a.Flags = append(a.Flags, fmt.Sprintf("%s: %.0f%% of units have no value (%d imputed)", id, 100*s.Missing, s.Imputed))
		}
		if math.Abs(s.Skew) > SkewMax && s.Kurt > KurtMax {
			what := "untreated"
			if s.Treated != "" {
				what = "before treatment (" + s.Treated + ")"
			}
			a.Flags = append(a.Flags, fmt.Sprintf("%s: skewness %.2f, kurtosis %.2f %s; consider winsorising or a log transform", id, s.Skew, s.Kurt, what))
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
				r := stat.Correlation(x, y, nil)
				cr := Correlation{A: c.ID, B: n.ID, Kind: "parent", R: r, N: len(x)}
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
				r := stat.Correlation(x, y, nil)
				cr := Correlation{A: kids[i], B: kids[j], Kind: "sibling", R: r, N: len(x)}
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
	return a, nil
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
