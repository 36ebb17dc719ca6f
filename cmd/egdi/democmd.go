package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/data"
	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/report"
	"github.com/egdi/egdi/internal/sample"
	"github.com/egdi/egdi/internal/store"
)

// The demo's dataset name says what it is wherever it shows.
const demoDataset = "synthetic-sample"

func newDemoCmd(g *globals) *cobra.Command {
	var lang, charts string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a database from the shipped synthetic sample and show a ranking and group summary",
		Long: `Import the synthetic sample of raw indicators shipped with egdi (193 Member
States, editions 2020 and 2022; generated, NOT official figures) into the dataset
"` + demoDataset + `", compute the indices with the UN 2020 and 2022
methodologies, print the 2022 ranking's top 15 and the group summary, and draw a
set of charts (English and Chinese) and the 2022 ranking report (HTML) under
reports/demo/.`,
		Example: `  egdi demo
  egdi demo --db /tmp/demo.duckdb --lang zh`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			b, err := data.FS.ReadFile("sample/un-synthetic.csv")
			if err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "egdi-demo")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "un-synthetic.csv")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return err
			}
			db, err := store.Open(g.db, false)
			if err != nil {
				return err
			}
			defer db.Close()
			g.logf("demo database: %s", g.db)
			if _, err := ingest.ImportIndicators(ctx, db, []string{path}, ingest.IndicatorOptions{
				Dataset: demoDataset, Synthetic: true,
				Description: "synthetic sample shipped with egdi (data/sample/un-synthetic.csv); not official figures",
			}); err != nil {
				return err
			}
			// The provincial framework first, so the UN computations are the latest and
			// queries without --dataset keep showing the UN sample.
			prov, provTitle, err := demoProvinces(cmd, db, lang)
			if err != nil {
				return err
			}
			for _, y := range []int{2020, 2022} {
				f, err := framework.Load(fmt.Sprintf("un-%d", y))
				if err != nil {
					return err
				}
				res, err := compute.Run(ctx, db, f, compute.Options{Dataset: demoDataset, Years: []int{y}})
				if err != nil {
					return err
				}
				g.logf("computed %s: %d units with an EGDI", f.ID, res[0].Units)
			}
			req := query.Request{Dataset: demoDataset, Source: query.Computed}
			t, err := query.Rank(ctx, db, query.RankOptions{Request: req, Year: 2022, Top: 15, Lang: query.Lang(lang), Format: "table"})
			if err != nil {
				return err
			}
			title := "\nEGDI 2022 — top 15 (SYNTHETIC SAMPLE, not official figures)\n\n"
			if lang == "zh" {
				title = "\n2022年电子政务发展指数前15名（合成样本，非官方数据）\n\n"
			}
			fmt.Fprint(g.stdout, title)
			if err := output.Write(g.stdout, t, "table"); err != nil {
				return err
			}
			s, err := query.Summary(ctx, db, query.SummaryOptions{Request: req, Year: 2022, By: "group", Lang: query.Lang(lang), Format: "table"})
			if err != nil {
				return err
			}
			title = "\nEGDI groups 2022 (SYNTHETIC SAMPLE)\n\n"
			if lang == "zh" {
				title = "\n2022年电子政务发展指数分组（合成样本）\n\n"
			}
			fmt.Fprint(g.stdout, title)
			if err := output.Write(g.stdout, s, "table"); err != nil {
				return err
			}
			fmt.Fprint(g.stdout, provTitle)
			if err := output.Write(g.stdout, prov, "table"); err != nil {
				return err
			}
			if charts == "" {
				return nil
			}
			return demoCharts(cmd, g, db, req, charts)
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "en", "en or zh")
	cmd.Flags().StringVar(&charts, "charts", filepath.Join("reports", "demo"), "folder for the demo charts (empty: none)")
	return cmd
}

// demoProvinces computes the provincial framework over its synthetic sample and prints
// the top ten: the same engine on a framework of China's own.
func demoProvinces(cmd *cobra.Command, db *store.DB, lang string) (*output.Table, string, error) {
	ctx := cmd.Context()
	b, err := data.FS.ReadFile("sample/cn-provinces-synthetic.csv")
	if err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp("", "egdi-demo")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cn-provinces-synthetic.csv")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, "", err
	}
	const ds = "provinces-synthetic-sample"
	if _, err := ingest.ImportIndicators(ctx, db, []string{path}, ingest.IndicatorOptions{
		Dataset: ds, Synthetic: true, Description: "synthetic provincial sample shipped with egdi; not official figures"}); err != nil {
		return nil, "", err
	}
	f, err := framework.Load("cn-province-2022")
	if err != nil {
		return nil, "", err
	}
	if _, err := compute.Run(ctx, db, f, compute.Options{Dataset: ds}); err != nil {
		return nil, "", err
	}
	t, err := query.Rank(ctx, db, query.RankOptions{Request: query.Request{Dataset: ds, Source: query.Computed}, Year: 2022, Top: 10, Lang: query.Lang(lang), Format: "table"})
	if err != nil {
		return nil, "", err
	}
	title := "\nProvincial online government services 2022 (cn-province-2022) — top 10 (SYNTHETIC SAMPLE)\n\n"
	if lang == "zh" {
		title = "\n2022年省级政府一体化政务服务能力前10名（合成样本，非官方数据）\n\n"
	}
	return t, title, nil
}

// demoCharts draws the demo's figures into dir.
func demoCharts(cmd *cobra.Command, g *globals, db *store.DB, req query.Request, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	specs := []struct {
		file, kind string
		o          chart.Options
	}{
		{"ranking-2022.png", "ranking", chart.Options{Years: []int{2022}, Top: 20, Highlight: "CHN"}},
		{"ranking-2022-zh.png", "ranking", chart.Options{Years: []int{2022}, Top: 20, Highlight: "CHN", Lang: "zh"}},
		{"groups.png", "groups", chart.Options{}},
		{"groups-zh.svg", "groups", chart.Options{Lang: "zh"}},
		{"trend.png", "trend", chart.Options{Units: []string{"CHN", "KOR", "IND", "BRA"}}},
		{"trend-rank.pdf", "trend", chart.Options{Units: []string{"CHN", "KOR", "IND", "BRA"}, Index: "rank"}},
		{"regions-2022.png", "regions", chart.Options{Years: []int{2022}}},
		{"components-2022.png", "components", chart.Options{Units: []string{"CHN", "KOR", "JPN", "SGP"}, Years: []int{2022}}},
		{"scatter-tii-osi-2022.png", "scatter", chart.Options{Years: []int{2022}, X: "tii", Y: "osi", Units: []string{"CHN", "USA", "IND"}}},
		{"distribution-2022.png", "distribution", chart.Options{Years: []int{2022}}},
		{"movers-2020-2022.png", "movers", chart.Options{From: 2020, To: 2022, Top: 10}},
	}
	for _, s := range specs {
		s.o.Request = req
		f, err := chart.Build(cmd.Context(), db, s.kind, s.o)
		if err != nil {
			return fmt.Errorf("demo chart %s: %w", s.file, err)
		}
		if err := f.Save(filepath.Join(dir, s.file), chart.RenderOptions{}); err != nil {
			return err
		}
	}
	for _, lang := range []query.Lang{"en", "zh"} {
		r, err := report.Build(cmd.Context(), db, "ranking", report.Options{Request: req, Year: 2022, Lang: lang, Charts: true})
		if err != nil {
			return fmt.Errorf("demo report: %w", err)
		}
		name := "ranking-2022.html"
		if lang == "zh" {
			name = "ranking-2022-zh.html"
		}
		if err := report.Write(r, "html", filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	g.logf("wrote %d charts and the 2022 ranking report (ranking-2022.html, ranking-2022-zh.html) to %s", len(specs), dir)
	return nil
}

func newSampleCmd(g *globals) *cobra.Command {
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
			tmp := out + ".part"
			f, err := os.Create(tmp)
			if err != nil {
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
				os.Remove(tmp)
				return err
			}
			return os.Rename(tmp, out)
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
