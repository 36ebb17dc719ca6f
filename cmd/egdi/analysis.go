package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/analysis"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/store"
)

func newCmdAudit(f *factory) *cobra.Command {
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
			fw, err := framework.Load(method)
			if err != nil {
				return err
			}
			if year == 0 {
				return fmt.Errorf("name the year to audit with --year")
			}
			return f.read(func(db *store.DB) error {
				a, err := analysis.RunAudit(cmd.Context(), db, fw, dataset, year)
				if err != nil {
					return err
				}
				return analysis.WriteAudit(f.io.Out, a, fw, format, lang)
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

func newCmdWhatif(f *factory) *cobra.Command {
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
			fw, err := framework.Load(method)
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
			fg, err := analysis.Apply(fw, changes)
			if err != nil {
				return err
			}
			return f.read(func(db *store.DB) error {
				shifts, err := analysis.WhatIf(cmd.Context(), db, fw, fg, dataset, year)
				if err != nil {
					return err
				}
				t, err := analysis.ShiftTable(cmd.Context(), db, shifts, fw.Digits, lang, sets)
				if err != nil {
					return err
				}
				return output.Write(f.io.Out, t, format)
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
