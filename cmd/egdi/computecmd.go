package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/store"
)

func newComputeCmd(g *globals) *cobra.Command {
	var method, dataset string
	var years []int
	cmd := &cobra.Command{
		Use:   "compute",
		Short: "Compute OSI, TII, HCI, EPI and EGDI (or your own index) from raw indicators",
		Long: `Compute an index from the raw indicators of a dataset with a methodology: a
built-in UN edition (see 'egdi methods') or a framework YAML file of your own.

Every year of the dataset is computed unless --year is given. A sub-index is
computed for every unit that has all its inputs, even when other sub-indices
cannot be (TII alone from ITU data). Ranks, groups and rating classes follow.
Each run records its method, the checksum of its inputs and the engine version;
recomputing a (dataset, year) replaces it.`,
		Example: `  egdi compute --method un-2022 --dataset itu --year 2022
  egdi compute --method my-province-index.yaml --dataset provinces`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := framework.Load(method)
			if err != nil {
				return err
			}
			db, err := store.Open(g.db, false)
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			g.logf("computing %s over dataset %q ...", f.ID, dataset)
			res, err := compute.Run(cmd.Context(), db, f, compute.Options{Dataset: dataset, Years: years})
			if err != nil {
				return err
			}
			for _, r := range res {
				var parts []string
				for _, id := range f.IndexNodes() {
					parts = append(parts, fmt.Sprintf("%s %d", id, r.NodeUnits[id]))
				}
				g.logf("%d: units with a value: %s", r.Year, strings.Join(parts, ", "))
				if len(r.Missing) > 0 {
					g.logf("%d: no data for %s; units need every indicator of a node (or an impute rule) to get its value", r.Year, strings.Join(r.Missing, ", "))
				}
				if r.Imputed > 0 {
					g.logf("%d: %d indicator values imputed", r.Year, r.Imputed)
				}
				if lack := r.Lacking(f.UsedIndicators()); len(lack) > 0 {
					g.logf("%d: %d of %d units have no %s value; they lack %s", r.Year, r.YearUnits-r.Units, r.YearUnits, f.Root, strings.Join(lack, ", "))
				}
			}
			g.logf("done in %s", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&method, "method", "un-2022", "built-in methodology id or path to a framework YAML")
	cmd.Flags().StringVar(&dataset, "dataset", "default", "dataset of raw indicators")
	cmd.Flags().IntSliceVar(&years, "year", nil, "survey year(s) to compute (default: all in the dataset)")
	cmd.RegisterFlagCompletionFunc("method", fixed(framework.BuiltinNames()...))
	return cmd
}

func newMethodsCmd(g *globals) *cobra.Command {
	var format string
	var files []string
	cmd := &cobra.Command{
		Use:   "methods [FILE.yaml...]",
		Short: "List the built-in methodologies (and check framework files of your own)",
		Example: `  egdi methods
  egdi methods --format json
  egdi methods my-index.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			builtin, err := framework.Builtins()
			if err != nil {
				return err
			}
			fs := append([]*framework.Framework{}, builtin...)
			for _, a := range append(files, args...) {
				f, err := framework.Load(a)
				if err != nil {
					return err
				}
				fs = append(fs, f)
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(fs)
			}
			t := &output.Table{Columns: []string{"id", "title", "root", "indicators", "assumptions", "origin"}}
			for _, f := range fs {
				t.Rows = append(t.Rows, []any{f.ID, f.Title.En, f.Root, len(f.UsedIndicators()), len(f.Assumptions), f.Origin})
			}
			return output.Write(g.stdout, t, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json (json: the full frameworks)")
	return cmd
}
