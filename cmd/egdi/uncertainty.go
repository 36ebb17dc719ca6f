package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/uncertainty"
)

func newCmdUncertainty(f *factory) *cobra.Command {
	var method, dataset, format, lang, out string
	var year, samples, workers int
	var seed uint64
	var sobol, perUnit bool
	var vary []string
	cmd := &cobra.Command{
		Use:   "uncertainty --method F --year Y --samples N --vary SPEC ...",
		Short: "How far the ranks depend on the choices: rank intervals and Sobol indices",
		Long: `Evaluate a framework again and again with its uncertain choices drawn at random, as
the OECD/JRC Handbook (2008) asks before an index is published, and report each unit's
nominal rank beside its mean, median and 5–95% rank interval over the replications
(and the share of replications in each band). With --sobol, a Saltelli design of N base
samples (N·(k+2) evaluations for k inputs) gives each input's first-order (Saltelli
2010) and total (Jansen) Sobol index of the mean absolute rank shift, with bootstrap
95% intervals; --per-unit adds each unit's rank as an output.

Inputs (repeat --vary; each is one factor):
  weight:ID=LO..HI              the weight of ID within its parent, uniform in [LO, HI]
  weights:NODE=±P%              each child weight of NODE times its own factor in
                                [1−P, 1+P] (COINr's noisy weights); weights:*=±P% for
                                every node, as one input
  norm:ID=a,b,...               a normalisation (minmax(LO,HI) and zscore(MEAN,SD) take
                                COINr's parameters); norm:*=... for every indicator
  agg:NODE=a,b,...              arithmetic, geometric or harmonic; agg:* for every node
  impute:ID=a,b,...             an imputation rule; impute:* for every indicator
  winsorise:ID=max_points:LO..HI  the skew-kurtosis rule's points (whole numbers)
  drop:NODE                     one child of NODE left out, or none

An input that cannot take effect (an unknown id, an imputation where nothing is
missing, a rule the indicator has not) is refused before anything runs. Evaluation e
draws from a generator seeded by (--seed, e): the same seed gives the same output,
byte for byte, on any number of cores. Every replication's drawn parameters and ranks
are stored (tables uncertainty_runs, uncertainty_draws, uncertainty_ranks; the view
uncertainty_unit_ranks reads them by unit code) and with --out written to a CSV or
Parquet file. Ctrl-C stops cleanly and stores nothing.`,
		Example: `  egdi uncertainty --method un-2022 --dataset synthetic-sample --year 2022 --samples 10000 \
      --vary 'weights:egdi=±25%' --vary 'norm:*=zscore,minmax'
  egdi uncertainty --method data/frameworks/asem.yaml --dataset asem --year 2018 --samples 1000 --sobol \
      --vary 'winsorise:*=max_points:1..5' --vary 'norm:*=minmax(1,100),zscore(10,2)' \
      --vary 'weights:*=±25%' --vary 'agg:*=arithmetic,geometric' --format json
  egdi uncertainty --method cn-province-2022 --dataset provinces --year 2022 --samples 100000 \
      --vary weight:cn_effectiveness_score=0.2..0.4 --out draws.parquet --lang zh`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(output.Formats, format) {
				return fmt.Errorf("unknown --format %q; use table, csv or json", format)
			}
			if year == 0 {
				return fmt.Errorf("name the year with --year")
			}
			if samples < 1 || samples > 10_000_000 {
				return fmt.Errorf("--samples %d: give a number of replications from 1 to 10,000,000", samples)
			}
			if perUnit && !sobol {
				return fmt.Errorf("--per-unit adds outputs to the Sobol indices; give --sobol too")
			}
			if err := present.Lang(lang).Check(); err != nil {
				return err
			}
			zh := present.Lang(lang).ZH()
			if ext := strings.ToLower(filepath.Ext(out)); out != "" && ext != ".csv" && ext != ".parquet" {
				return fmt.Errorf("--out %s: egdi writes the draws to a .csv or .parquet file", out)
			}
			fw, err := framework.Load(method)
			if err != nil {
				return err
			}
			var inputs []*uncertainty.Input
			for _, s := range vary {
				in, err := uncertainty.ParseInput(s)
				if err != nil {
					return err
				}
				inputs = append(inputs, in)
			}
			if len(inputs) == 0 {
				return fmt.Errorf("give at least one uncertain input, e.g. --vary 'weights:*=±25%%'; the forms are %s", uncertainty.Syntax)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return f.write(func(db *store.DB) error {
				done := store.Step("uncertainty: load")
				p, err := uncertainty.Compile(ctx, db, fw, dataset, year, uncertainty.ImputeAlternatives(fw, inputs))
				done()
				if err != nil {
					return err
				}
				if err := uncertainty.Resolve(p, inputs); err != nil {
					return err
				}
				bar := f.progress("uncertainty: evaluations")
				r, err := uncertainty.Run(ctx, p, inputs, uncertainty.Options{Samples: samples, Seed: seed, Sobol: sobol, PerUnit: perUnit, Workers: workers, Progress: bar.Update})
				bar.Stop()
				if err != nil {
					return interrupted(err)
				}
				done = store.Step("uncertainty: store")
				id, err := uncertainty.Save(ctx, db, p, r, uncertainty.Record{Dataset: dataset, Year: year, Method: fw.ID, MethodOrigin: fw.Origin, MethodSHA256: fw.SHA256, InputsChecksum: p.D.Checksum})
				done()
				if err != nil {
					return interrupted(err)
				}
				f.logf("stored as uncertainty run %d (SELECT * FROM uncertainty_unit_ranks WHERE ua_id = %d)", id, id)
				if out != "" {
					n, err := uncertainty.WriteDraws(ctx, db, id, p, r, out)
					if err != nil {
						return interrupted(err)
					}
					f.logf("wrote %s: %d rows (one per replication and unit, with the drawn parameters)", out, n)
				}
				return uncertainty.Write(f.io.Out, r, p, dataset, format, zh)
			})
		},
	}
	cmd.Flags().StringVar(&method, "method", "", "framework: a built-in id or a YAML file (required)")
	cmd.Flags().StringVar(&dataset, "dataset", "default", "dataset of raw indicators")
	cmd.Flags().IntVar(&year, "year", 0, "year (required)")
	cmd.Flags().IntVar(&samples, "samples", 1000, "replications; with --sobol, base samples N")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the random draws")
	cmd.Flags().StringArrayVar(&vary, "vary", nil, "an uncertain input (repeatable): "+uncertainty.Syntax)
	cmd.Flags().BoolVar(&sobol, "sobol", false, "a Saltelli design and Sobol indices per input")
	cmd.Flags().BoolVar(&perUnit, "per-unit", false, "with --sobol: each unit's rank as an output too")
	cmd.Flags().IntVar(&workers, "workers", 0, "goroutines (default: one per core; results do not depend on it)")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&out, "out", "", "also write every replication's parameters and ranks to a .csv or .parquet file")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of names and headers: en or zh")
	cmd.MarkFlagRequired("method")
	return cmd
}

// interrupted says that an interrupted job stored nothing.
func interrupted(err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: interrupted; nothing was stored", errInterrupted)
	}
	return err
}

var errInterrupted = errors.New("stopped")

func newCmdSensitivity(f *factory) *cobra.Command {
	cmd := parentOf(&cobra.Command{
		Use:   "sensitivity",
		Short: "Sensitivity of the ranks to the framework's structure",
		Long:  "Sensitivity analyses that change the framework's structure (see also egdi uncertainty).",
	})
	cmd.AddCommand(newCmdSensitivityDrop(f))
	return cmd
}

func newCmdSensitivityDrop(f *factory) *cobra.Command {
	var method, dataset, format, lang, node string
	var year int
	cmd := &cobra.Command{
		Use:   "drop --method F --year Y --node N",
		Short: "Each unit's rank with each child of a node left out in turn",
		Long: `Evaluate a framework once per child of a node with that child left out (the other
children keep their weights, renormalised), and report how far the ranks move: per
child the mean and largest absolute rank shift from the nominal ranking, and each
unit's rank without each child (COINr's remove_elements). Nothing is stored.`,
		Example: `  egdi sensitivity drop --method un-2022 --dataset synthetic-sample --year 2022 --node egdi
  egdi sensitivity drop --method data/frameworks/asem.yaml --dataset asem --year 2018 --node Conn --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(output.Formats, format) {
				return fmt.Errorf("unknown --format %q; use table, csv or json", format)
			}
			if year == 0 {
				return fmt.Errorf("name the year with --year")
			}
			if err := present.Lang(lang).Check(); err != nil {
				return err
			}
			zh := present.Lang(lang).ZH()
			fw, err := framework.Load(method)
			if err != nil {
				return err
			}
			return f.read(func(db *store.DB) error {
				p, err := uncertainty.Compile(cmd.Context(), db, fw, dataset, year, nil)
				if err != nil {
					return err
				}
				nominal, rs, err := uncertainty.DropEach(p, node)
				if err != nil {
					return err
				}
				if format == "json" {
					return uncertainty.WriteDropJSON(f.io.Out, p, node, nominal, rs, zh)
				}
				children, units := uncertainty.DropTables(p, node, dataset, nominal, rs, zh)
				if err := output.Write(f.io.Out, children, format); err != nil {
					return err
				}
				fmt.Fprintln(f.io.Out)
				return output.Write(f.io.Out, units, format)
			})
		},
	}
	cmd.Flags().StringVar(&method, "method", "", "framework: a built-in id or a YAML file (required)")
	cmd.Flags().StringVar(&dataset, "dataset", "default", "dataset of raw indicators")
	cmd.Flags().IntVar(&year, "year", 0, "year (required)")
	cmd.Flags().StringVar(&node, "node", "", "the node whose children are left out in turn (required)")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of names and headers: en or zh")
	cmd.MarkFlagRequired("method")
	cmd.MarkFlagRequired("node")
	return cmd
}
