package analysis

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/store"
)

func auditTables(a *Audit, f *framework.Framework, lang string) (ind, treat, cor, dim, units, imp *output.Table, flags []string) {
	ind = &output.Table{Columns: []string{"indicator", "label", "parent", "coverage", "missing", "imputed", "mean", "sd", "skew", "kurtosis", "outliers", "treated"}, Digits: 3}
	for _, s := range a.Indicators {
		var tr any
		if s.Treated != "" {
			tr = s.Treated
		}
		ind.Rows = append(ind.Rows, []any{s.ID, f.LabelOf(s.ID, lang), s.Parent, s.Coverage, s.Missing, s.Imputed, output.Finite(s.Mean), output.Finite(s.SD), output.Finite(s.Skew), output.Finite(s.Kurt), s.Outliers, tr})
	}
	treat = &output.Table{Columns: []string{"indicator", "skew", "kurtosis", "winsorised", "fallback", "skew_after", "kurtosis_after"}, Digits: 3}
	for _, s := range a.Indicators {
		var fb any
		if s.Fallback != "" {
			fb = s.Fallback
		}
		treat.Rows = append(treat.Rows, []any{s.ID, output.Finite(s.SeenSkew), output.Finite(s.SeenKurt), s.Points, fb, output.Finite(s.AfterSkew), output.Finite(s.AfterKurt)})
	}
	cor = &output.Table{Columns: []string{"kind", "a", "b", "r", "p", "rho", "p_rho", "n", "flag"}, Digits: 3}
	for _, c := range a.Correlations {
		var fl any
		if c.Flag != "" {
			fl = c.Flag
		}
		cor.Rows = append(cor.Rows, []any{c.Kind, c.A, c.B, output.Finite(c.R), output.Finite(c.PR), output.Finite(c.Rho), output.Finite(c.PRho), c.N, fl})
	}
	units = &output.Table{Columns: []string{"unit", "present", "imputed", "indicators", "share", "screened"}, Digits: 3}
	for _, u := range a.Units {
		units.Rows = append(units.Rows, []any{u.Unit, u.Present, u.Imputed, u.Total, u.Share, u.Screened})
	}
	imp = &output.Table{Columns: []string{"unit", "indicator", "method", "value"}, Digits: 4}
	for _, m := range a.Imputations {
		imp.Rows = append(imp.Rows, []any{m.Unit, m.Indicator, m.Method, m.Value})
	}
	dim = &output.Table{Columns: []string{"node", "children", "units", "alpha", "pc1_share", "pc2_share", "pc1_loadings"}, Digits: 3}
	for _, d := range a.Dimensions {
		var s1, s2 any
		if len(d.Shares) > 0 {
			s1 = d.Shares[0]
		}
		if len(d.Shares) > 1 {
			s2 = d.Shares[1]
		}
		var ls []string
		for i, l := range d.Loadings {
			ls = append(ls, fmt.Sprintf("%s %.2f", d.Children[i], l))
		}
		dim.Rows = append(dim.Rows, []any{d.Node, len(d.Children), d.N, output.Finite(d.Alpha), s1, s2, strings.Join(ls, "; ")})
	}
	return ind, treat, cor, dim, units, imp, a.Flags
}

// WriteAudit writes the audit as text tables or one JSON object (indicators,
// correlations, dimensions, flags).
func WriteAudit(w io.Writer, a *Audit, f *framework.Framework, format, lang string) error {
	ind, treat, cor, dim, units, imp, flags := auditTables(a, f, lang)
	names := []string{"indicators", "treatment", "correlations", "dimensions", "units", "imputed"}
	if format == "json" {
		fmt.Fprintf(w, "{\"framework\": %q, \"dataset\": %q, \"year\": %d,\n\"indicators\": ", a.Framework, a.Dataset, a.Year)
		for i, t := range []*output.Table{ind, treat, cor, dim, units, imp} {
			if i > 0 {
				fmt.Fprintf(w, ",\n%q: ", names[i])
			}
			if err := output.Write(w, t, "json"); err != nil {
				return err
			}
		}
		fmt.Fprint(w, ",\n\"flags\": [")
		for i, fl := range flags {
			if i > 0 {
				fmt.Fprint(w, ", ")
			}
			fmt.Fprintf(w, "%q", fl)
		}
		fmt.Fprintln(w, "]}")
		return nil
	}
	fmt.Fprintf(w, "Audit of %s, dataset %s, %d\n\nIndicators (observed values)\n", a.Framework, a.Dataset, a.Year)
	heads := []string{"", "Treatment (the values the treatment saw, imputed ones included, and after it)",
		"Correlations with the parent and between siblings (Pearson r, Spearman rho, two-sided p-values)",
		"Dimensions: Cronbach's alpha and principal components", "Data availability per unit (before imputation)", "Imputed values"}
	for i, t := range []*output.Table{ind, treat, cor, dim, units, imp} {
		if i > 0 {
			if len(t.Rows) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n%s\n", heads[i])
		}
		if err := output.Write(w, t, "table"); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\nFlags")
	if len(flags) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, fl := range flags {
		fmt.Fprintln(w, "  - "+fl)
	}
	return nil
}

// ShiftTable lays out what-if results: unit, name (in lang), value and rank before and
// after, shift; its note sums up the changes.
func ShiftTable(ctx context.Context, db *store.DB, shifts []Shift, digits int, lang string, sets []string) (*output.Table, error) {
	names := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT unit, name, name_zh FROM units`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u string
		var n, z *string
		rows.Scan(&u, &n, &z)
		if lang == "zh" && z != nil && *z != "" {
			names[u] = *z
		} else if n != nil {
			names[u] = *n
		}
	}
	rows.Close()
	t := &output.Table{Columns: []string{"unit", "name", "value_before", "rank_before", "value_after", "rank_after", "shift"}, Digits: digits}
	moved, sum, maxUp, maxDown := 0, 0, 0, 0
	for _, s := range shifts {
		var rb, ra, sh any
		if s.RankBefore > 0 {
			rb = s.RankBefore
		}
		if s.RankAfter > 0 {
			ra = s.RankAfter
		}
		if s.RankBefore > 0 && s.RankAfter > 0 {
			sh = s.Shift
			if s.Shift != 0 {
				moved++
			}
			sum += abs(s.Shift)
			maxUp, maxDown = max(maxUp, s.Shift), min(maxDown, s.Shift)
		}
		t.Rows = append(t.Rows, []any{s.Unit, names[s.Unit], output.Finite(s.Before), rb, output.Finite(s.After), ra, sh})
	}
	if len(shifts) > 0 {
		t.Notes = []string{fmt.Sprintf("changes: %s; %d of %d units changed rank; mean |shift| %.2f; largest rise %+d, largest fall %+d",
			strings.Join(sets, ", "), moved, len(shifts), float64(sum)/float64(len(shifts)), maxUp, maxDown)}
	}
	return t, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
