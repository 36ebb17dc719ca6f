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

type computeOptions struct {
	f        *factory
	method   string
	dataset  string
	years    []int
	universe string
}

func newCmdCompute(f *factory, runF func(*computeOptions) error) *cobra.Command {
	o := &computeOptions{f: f}
	cmd := &cobra.Command{
		Use:   "compute",
		Short: "Compute OSI, TII, HCI, EPI and EGDI (or your own index) from raw indicators",
		Long: `Compute an index from the raw indicators of a dataset with a methodology: a
built-in UN edition (see 'egdi methods') or a framework YAML file of your own.

Every year of the dataset is computed unless --year is given. A sub-index is
computed for every unit that has all its inputs, even when other sub-indices
cannot be (TII alone from ITU data). Ranks, groups and rating classes follow.
Each run records its method, the checksum of its inputs and the engine version;
recomputing a (dataset, year) replaces it.

The UN frameworks normalise over the 193 Member States (universe: member-states):
units of the dataset that are not Member States are left out (and named); a dataset
of none but such units (provinces, cities) is refused unless --universe all.`,
		Example: `  egdi compute --method un-2022 --dataset itu --year 2022
  egdi compute --method my-province-index.yaml --dataset provinces
  egdi compute --method un-2022 --dataset provinces --universe all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			fw, err := framework.Load(o.method)
			if err != nil {
				return err
			}
			return o.f.write(func(db *store.DB) error {
				start := time.Now()
				o.f.logf("computing %s over dataset %q ...", fw.ID, o.dataset)
				var progress func(done, total int)
				if levels := len(fw.Levels()); levels > 20 { // a bar for deep frameworks only
					bar := o.f.progress(fmt.Sprintf("aggregating %d levels", levels))
					defer bar.Stop()
					progress = bar.Update
				}
				res, err := compute.Run(cmd.Context(), db, fw, compute.Options{Dataset: o.dataset, Years: o.years, Universe: o.universe, Progress: progress})
				if err != nil {
					return err
				}
				for _, r := range res {
					var parts []string
					for _, id := range fw.IndexNodes() {
						parts = append(parts, fmt.Sprintf("%s %d", id, r.NodeUnits[id]))
					}
					o.f.logf("%d: units with a value: %s", r.Year, strings.Join(parts, ", "))
					if r.Outside > 0 {
						o.f.logf("%d: %d units that are not UN Member States left out (%s normalises over the Member States): %s", r.Year, r.Outside, fw.ID, strings.Join(r.OutsideUnits, ", "))
					}
					if len(r.Missing) > 0 {
						o.f.logf("%d: no data for %s; units need every indicator of a node (or an impute rule) to get its value", r.Year, strings.Join(r.Missing, ", "))
					}
					if r.Imputed > 0 {
						o.f.logf("%d: %d indicator values imputed", r.Year, r.Imputed)
					}
					if lack := r.Lacking(fw.UsedIndicators()); len(lack) > 0 {
						o.f.logf("%d: %d of %d units have no %s value; they lack %s", r.Year, r.YearUnits-r.Units, r.YearUnits, fw.Root, strings.Join(lack, ", "))
					}
				}
				o.f.logf("done in %s", time.Since(start).Round(time.Millisecond))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&o.method, "method", "un-2022", "built-in methodology id or path to a framework YAML")
	cmd.Flags().StringVar(&o.dataset, "dataset", "default", "dataset of raw indicators")
	cmd.Flags().IntSliceVar(&o.years, "year", nil, "survey year(s) to compute (default: all in the dataset)")
	cmd.Flags().StringVar(&o.universe, "universe", "", "units the normalisations run over: all, or member-states (default: the framework's)")
	cmd.RegisterFlagCompletionFunc("method", fixed(framework.BuiltinNames()...))
	cmd.RegisterFlagCompletionFunc("universe", fixed(framework.UniverseAll, framework.UniverseMembers))
	return cmd
}

func newCmdMethods(f *factory) *cobra.Command {
	var format string
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
			for _, a := range args {
				fw, err := framework.Load(a)
				if err != nil {
					return err
				}
				fs = append(fs, fw)
			}
			if format == "json" {
				enc := json.NewEncoder(f.io.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(fs)
			}
			t := &output.Table{Columns: []string{"id", "title", "root", "indicators", "assumptions", "origin"}}
			for _, fw := range fs {
				t.Rows = append(t.Rows, []any{fw.ID, fw.Title.En, fw.Root, len(fw.UsedIndicators()), len(fw.Assumptions), fw.Origin})
			}
			return output.Write(f.io.Out, t, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json (json: the full frameworks)")
	return cmd
}
