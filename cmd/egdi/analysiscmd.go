package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/analysis"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/store"
)

func nan(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func newAuditCmd(g *globals) *cobra.Command {
	var method, dataset, format, lang string
	var year int
	cmd := &cobra.Command{
		Use:   "audit --method FRAMEWORK --year Y",
		Short: "Statistical audit of a framework's indicators and structure for one year",
		Long: `Audit a framework over one year of a dataset, as composite-indicator builders do:

  indicators    coverage, missing share, imputed values, mean, sd, skewness, excess
                kurtosis, outliers (Tukey's fences), what treatment changed
  correlations  each child with its parent, and siblings with each other (Pearson r on
                the values the parent aggregates)
  dimensions    Cronbach's alpha and principal components (variance explained, first
                loadings) per node, and over all indicators
  flags         missing data above 20%, skewed and heavy-tailed indicators, negative or
                near-zero correlations with the parent (|r| < 0.2), redundant siblings
                (|r| > 0.92), alpha below 0.7, a second component with eigenvalue > 1

Nothing is stored.`,
		Example: `  egdi audit --method cn-province-2022 --dataset provinces --year 2022
  egdi audit --method un-2022 --dataset synthetic-sample --year 2022 --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("unknown --format %q; use table or json", format)
			}
			f, err := framework.Load(method)
			if err != nil {
				return err
			}
			if year == 0 {
				return fmt.Errorf("name the year to audit with --year")
			}
			return withDB(g, func(db *store.DB) error {
				a, err := analysis.RunAudit(cmd.Context(), db, f, dataset, year)
				if err != nil {
					return err
				}
				return writeAudit(g.stdout, a, f, format, lang)
			})
		},
	}
	cmd.Flags().StringVar(&method, "method", "", "framework: a built-in id or a YAML file (required)")
	cmd.Flags().StringVar(&dataset, "dataset", "default", "dataset of raw indicators")
	cmd.Flags().IntVar(&year, "year", 0, "year to audit (required)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of labels: en or zh")
	cmd.MarkFlagRequired("method")
	return cmd
}

func auditTables(a *analysis.Audit, f *framework.Framework, lang string) (ind, cor, dim *output.Table, flags []string) {
	ind = &output.Table{Columns: []string{"indicator", "label", "parent", "coverage", "missing", "imputed", "mean", "sd", "skew", "kurtosis", "outliers", "treated"}, Digits: 3}
	for _, s := range a.Indicators {
		var tr any
		if s.Treated != "" {
			tr = s.Treated
		}
		ind.Rows = append(ind.Rows, []any{s.ID, f.LabelOf(s.ID, lang), s.Parent, s.Coverage, s.Missing, s.Imputed, nan(s.Mean), nan(s.SD), nan(s.Skew), nan(s.Kurt), s.Outliers, tr})
	}
	cor = &output.Table{Columns: []string{"kind", "a", "b", "r", "n", "flag"}, Digits: 3}
	for _, c := range a.Correlations {
		var fl any
		if c.Flag != "" {
			fl = c.Flag
		}
		cor.Rows = append(cor.Rows, []any{c.Kind, c.A, c.B, nan(c.R), c.N, fl})
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
		dim.Rows = append(dim.Rows, []any{d.Node, len(d.Children), d.N, nan(d.Alpha), s1, s2, strings.Join(ls, "; ")})
	}
	return ind, cor, dim, a.Flags
}

func writeAudit(w io.Writer, a *analysis.Audit, f *framework.Framework, format, lang string) error {
	ind, cor, dim, flags := auditTables(a, f, lang)
	if format == "json" {
		fmt.Fprintf(w, "{\"framework\": %q, \"dataset\": %q, \"year\": %d,\n\"indicators\": ", a.Framework, a.Dataset, a.Year)
		for i, t := range []*output.Table{ind, cor, dim} {
			if i > 0 {
				fmt.Fprintf(w, ",\n%q: ", []string{"", "correlations", "dimensions"}[i])
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
	fmt.Fprintf(w, "Audit of %s, dataset %s, %d\n\nIndicators\n", a.Framework, a.Dataset, a.Year)
	for i, t := range []*output.Table{ind, cor, dim} {
		if i > 0 {
			fmt.Fprintf(w, "\n%s\n", []string{"", "Correlations (with the parent; between siblings)", "Dimensions: Cronbach's alpha and principal components"}[i])
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

func newWhatifCmd(g *globals) *cobra.Command {
	var method, dataset, format, lang string
	var year int
	var sets []string
	cmd := &cobra.Command{
		Use:   "whatif --method FRAMEWORK --year Y --set KIND:NODE=VALUE ...",
		Short: "Ranks under changed weights, normalisations or aggregations, next to the original",
		Long: `Compute a framework twice for one year — as it is and with changes — and list every
unit's value and rank under both, with the rank shift (positive: moved up). Nothing is
stored. Changes (repeat --set):

  weight:NODE=W     the weight of NODE (node or indicator) within its parent
  norm:NODE=M       normalisation: none, zscore, minmax, rank, percentile, best (and, for
                    indicators, goalposts, target)
  agg:NODE=M        aggregation of a node: arithmetic, geometric, harmonic
  impute:IND=M      imputation of an indicator: none, mean, median, group-mean, ...

Node ids are those of the framework; the UN ones are osi, tii, hci, epi, egdi.`,
		Example: `  egdi whatif --method un-2022 --dataset synthetic-sample --year 2022 --set weight:tii=0.5
  egdi whatif --method cn-province-2022 --dataset provinces --year 2022 --set agg:index=geometric --lang zh`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if year == 0 {
				return fmt.Errorf("name the year with --year")
			}
			if len(sets) == 0 {
				return fmt.Errorf("give at least one change, like --set weight:tii=0.5")
			}
			f, err := framework.Load(method)
			if err != nil {
				return err
			}
			var changes []analysis.Change
			for _, s := range sets {
				c, err := analysis.ParseChange(s)
				if err != nil {
					return err
				}
				changes = append(changes, c)
			}
			fg, err := analysis.Apply(f, changes)
			if err != nil {
				return err
			}
			return withDB(g, func(db *store.DB) error {
				shifts, err := analysis.WhatIf(cmd.Context(), db, f, fg, dataset, year)
				if err != nil {
					return err
				}
				names := map[string]string{}
				rows, err := db.QueryContext(cmd.Context(), `SELECT unit, name, name_zh FROM units`)
				if err != nil {
					return err
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
				t := &output.Table{Columns: []string{"unit", "name", "value_before", "rank_before", "value_after", "rank_after", "shift"}, Digits: f.Digits}
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
					t.Rows = append(t.Rows, []any{s.Unit, names[s.Unit], nan(s.Before), rb, nan(s.After), ra, sh})
				}
				if len(shifts) > 0 {
					t.Notes = []string{fmt.Sprintf("changes: %s; %d of %d units changed rank; mean |shift| %.2f; largest rise %+d, largest fall %+d",
						strings.Join(sets, ", "), moved, len(shifts), float64(sum)/float64(len(shifts)), maxUp, maxDown)}
				}
				return output.Write(g.stdout, t, format)
			})
		},
	}
	cmd.Flags().StringVar(&method, "method", "", "framework: a built-in id or a YAML file (required)")
	cmd.Flags().StringVar(&dataset, "dataset", "default", "dataset of raw indicators")
	cmd.Flags().IntVar(&year, "year", 0, "year (required)")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "a change KIND:NODE=VALUE (repeatable)")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of names: en or zh")
	cmd.MarkFlagRequired("method")
	return cmd
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
