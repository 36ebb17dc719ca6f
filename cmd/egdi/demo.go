package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/demo"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/sample"
)

func newCmdDemo(f *factory) *cobra.Command {
	var lang, charts string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a database from the published UN panel and the synthetic samples; show rankings, charts and reports",
		Long: `Build the database the tour starts from:

  - the published UN panel egdi ships (import indices --builtin): every value of
    the E-Government Survey editions 2003–2022, as published;
  - synthetic raw indicators of the 193 Member States for 2020 and 2022 (generated,
    NOT official figures) in the dataset "` + demo.Dataset + `", computed with the
    UN 2020 and 2022 methodologies;
  - China's 31 provincial-level divisions, synthetic, in "` + demo.ProvincesDataset + `",
    computed with cn-province-2022, with the economic regions shipped with egdi.

Print the published 2022 top 15, its groups and China's path since 2003, the
top 5 computed from the synthetic indicators and the provincial tables; write the
charts (English and Chinese) and the 2022 ranking report (HTML) under --charts.
Queries without --dataset then show the published figures.`,
		Example: `  egdi demo
  egdi demo --db /tmp/demo.duckdb --lang zh`,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := f.open(true)
			if err != nil {
				return err
			}
			defer db.Close()
			f.logf("demo database: %s", f.db)
			return demo.Run(cmd.Context(), db, demo.Options{Lang: present.Lang(lang), Charts: charts, Out: f.io.Out, Log: f.logf})
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "en", "en or zh")
	cmd.Flags().StringVar(&charts, "charts", filepath.Join("reports", "demo"), "folder for the demo charts and report (empty: none)")
	return cmd
}

func newCmdSample(f *factory) *cobra.Command {
	var out string
	var units, indicators, year int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "sample un|provinces|losi|bench",
		Short: "Generate synthetic indicators (the demo sample, or a large benchmark panel)",
		Long: `Generate synthetic raw indicators, deterministically from --seed.

  un         the 193 Member States, editions 2020 and 2022, the UN indicators
             (this is how data/sample/un-synthetic.csv is made)
  provinces  China's 31 provincial-level divisions, 2021 and 2022, the five
             dimension scores of cn-province-2022 (data/sample/cn-provinces-synthetic.csv)
  losi       40 cities, 2022, the 86 yes/no indicators of losi-2022
             (data/sample/losi-synthetic.csv)
  bench      --units synthetic units x --indicators indicators for one year`,
		Example: `  egdi sample un --out data/sample/un-synthetic.csv
  egdi sample bench --units 1000000 --indicators 10 --out /tmp/bench.csv`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"un", "provinces", "losi", "bench"},
		RunE: func(cmd *cobra.Command, args []string) error {
			tmp, err := output.NewTemp(out)
			if err != nil {
				return err
			}
			f, err := os.Create(tmp.Path)
			if err != nil {
				tmp.Abort()
				return err
			}
			switch args[0] {
			case "un":
				err = sample.WriteUN(f, []int{2020, 2022}, seed)
			case "provinces":
				err = sample.WriteProvinces(f, []int{2021, 2022}, seed)
			case "losi":
				err = sample.WriteLOSI(f, 2022, seed)
			case "bench":
				err = sample.WriteBench(f, units, indicators, year, seed)
			default:
				err = fmt.Errorf("unknown sample %q; use un, provinces, losi or bench", args[0])
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				tmp.Abort()
				return err
			}
			return tmp.Commit()
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output CSV file")
	cmd.Flags().IntVar(&units, "units", 1000, "bench: number of units")
	cmd.Flags().IntVar(&indicators, "indicators", 10, "bench: number of indicators")
	cmd.Flags().IntVar(&year, "year", 2022, "bench: the year")
	cmd.Flags().Uint64Var(&seed, "seed", 2022, "random seed")
	cmd.MarkFlagRequired("out")
	return cmd
}
