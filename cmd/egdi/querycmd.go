package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
)

// withDB opens the database read-only for a query.
func withDB(g *globals, fn func(db *store.DB) error) error {
	db, err := store.Open(g.db, true)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

func newRankCmd(g *globals) *cobra.Command {
	var qf queryFlags
	var o query.RankOptions
	cmd := &cobra.Command{
		Use:   "rank",
		Short: "Rank units by EGDI (or a component) for one survey year",
		Example: `  egdi rank --year 2022 --top 10
  egdi rank --year 2022 --index tii --region Asia --format csv
  egdi rank --year 2022 --lang zh --top 20
  egdi rank --dataset provinces --node 在线办理成熟度 --lang zh`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := qf.check(); err != nil {
				return err
			}
			o.Request, o.Lang, o.Format = qf.request(), query.Lang(qf.lang), qf.format
			return withDB(g, func(db *store.DB) error {
				t, err := query.Rank(cmd.Context(), db, o)
				if err != nil {
					return err
				}
				return output.Write(g.stdout, t, qf.format)
			})
		},
	}
	qf.add(cmd)
	cmd.Flags().IntVar(&o.Year, "year", 0, "survey year (default: the latest)")
	cmd.Flags().StringVar(&o.Index, "index", "egdi", "index to rank by: egdi, osi, tii, hci, epi")
	cmd.Flags().StringVar(&o.Node, "node", "", "rank by a node of the framework (id or label, e.g. 在线办理成熟度); computed data")
	cmd.Flags().StringVar(&o.Region, "region", "", "only units of this M49 region or sub-region")
	cmd.Flags().IntVar(&o.Top, "top", 0, "only the first N")
	cmd.RegisterFlagCompletionFunc("index", fixed(query.Indices...))
	return cmd
}

func newSummaryCmd(g *globals) *cobra.Command {
	var qf queryFlags
	var o query.SummaryOptions
	cmd := &cobra.Command{
		Use:   "summary",
		Short: "Count and average units by group, rating class, region or country grouping",
		Example: `  egdi summary --year 2022 --by group
  egdi summary --by region --format csv
  egdi summary --year 2022 --by ldc`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := qf.check(); err != nil {
				return err
			}
			o.Request, o.Lang, o.Format = qf.request(), query.Lang(qf.lang), qf.format
			return withDB(g, func(db *store.DB) error {
				t, err := query.Summary(cmd.Context(), db, o)
				if err != nil {
					return err
				}
				return output.Write(g.stdout, t, qf.format)
			})
		},
	}
	qf.add(cmd)
	cmd.Flags().IntVar(&o.Year, "year", 0, "survey year (default: every year)")
	cmd.Flags().StringVar(&o.By, "by", "group", "group, class, region, subregion, ldc, lldc or sids")
	cmd.Flags().StringVar(&o.Node, "node", "", "average a node of the framework (id or label) instead of the UN indices; computed data")
	cmd.RegisterFlagCompletionFunc("by", fixed(query.SummaryKeys...))
	return cmd
}

func newTrendCmd(g *globals) *cobra.Command {
	var qf queryFlags
	var o query.TrendOptions
	var units []string
	cmd := &cobra.Command{
		Use:   "trend",
		Short: "Follow units across survey editions",
		Example: `  egdi trend --units CHN,IND
  egdi trend --units "Republic of Korea,Japan" --index osi --from 2012`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := qf.check(); err != nil {
				return err
			}
			o.Request, o.Lang, o.Format, o.Units = qf.request(), query.Lang(qf.lang), qf.format, splitList(units)
			return withDB(g, func(db *store.DB) error {
				t, err := query.Trend(cmd.Context(), db, o)
				if err != nil {
					return err
				}
				return output.Write(g.stdout, t, qf.format)
			})
		},
	}
	qf.add(cmd)
	cmd.Flags().StringSliceVar(&units, "units", nil, "units by code or name, comma-separated")
	cmd.Flags().StringVar(&o.Node, "node", "", "follow a node of the framework (id or label); computed data")
	cmd.Flags().StringVar(&o.Index, "index", "egdi", "egdi, osi, tii, hci or epi")
	cmd.Flags().IntVar(&o.From, "from", 0, "first survey year")
	cmd.Flags().IntVar(&o.To, "to", 0, "last survey year")
	cmd.MarkFlagRequired("units")
	return cmd
}

func newCompareCmd(g *globals) *cobra.Command {
	var qf queryFlags
	var o query.CompareOptions
	var units []string
	cmd := &cobra.Command{
		Use:     "compare",
		Short:   "Set units side by side for one year, with their differences from the first",
		Example: `  egdi compare --units CHN,KOR,JPN,SGP --year 2022`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := qf.check(); err != nil {
				return err
			}
			o.Request, o.Lang, o.Format, o.Units = qf.request(), query.Lang(qf.lang), qf.format, splitList(units)
			return withDB(g, func(db *store.DB) error {
				t, err := query.Compare(cmd.Context(), db, o)
				if err != nil {
					return err
				}
				return output.Write(g.stdout, t, qf.format)
			})
		},
	}
	qf.add(cmd)
	cmd.Flags().StringSliceVar(&units, "units", nil, "two or more units by code or name")
	cmd.Flags().StringVar(&o.Node, "node", "", "compare on a node of the framework and its child nodes (id or label); computed data")
	cmd.Flags().IntVar(&o.Year, "year", 0, "survey year (default: the latest)")
	cmd.MarkFlagRequired("units")
	return cmd
}

func newCheckCmd(g *globals) *cobra.Command {
	var o query.CheckOptions
	var format, lang string
	var strict bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check published data for consistency",
		Long: `Check published editions: EGDI against the mean of OSI, TII and HCI beyond
rounding, ranks against the competition ranking of EGDI, placeholders (ranked
with EGDI 0 or blank components), values outside 0..1, missing components, and
states not assessed. Exits 1 when errors are found, and with --strict also on
warnings.`,
		Example: `  egdi check --year 2012
  egdi check --strict --format csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Lang, o.Format = query.Lang(lang), format
			return withDB(g, func(db *store.DB) error {
				fs, err := query.Check(cmd.Context(), db, o)
				if err != nil {
					return err
				}
				if err := output.Write(g.stdout, query.FindingsTable(fs, o.Lang), format); err != nil {
					return err
				}
				errs, warns := 0, 0
				for _, f := range fs {
					switch f.Severity {
					case "error":
						errs++
					case "warning":
						warns++
					}
				}
				g.logf("%d error(s), %d warning(s)", errs, warns)
				if errs > 0 || strict && warns > 0 {
					return fmt.Errorf("check found %d error(s) and %d warning(s)", errs, warns)
				}
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&o.Year, "year", 0, "survey year (default: all published editions)")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail on warnings too")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "en or zh")
	return cmd
}

func newExportCmd(g *globals) *cobra.Command {
	var qf queryFlags
	var o query.ExportOptions
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write index values to a CSV or Parquet file (fast, for large datasets)",
		Example: `  egdi export --year 2022 --out egdi-2022.csv
  egdi export --dataset provinces --out provinces.parquet`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Request = qf.request()
			return withDB(g, func(db *store.DB) error {
				n, err := query.Export(cmd.Context(), db, o)
				if err != nil {
					return err
				}
				g.logf("wrote %d rows to %s", n, o.Out)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&qf.source, "source", "", "published or computed")
	cmd.Flags().StringVar(&qf.dataset, "dataset", "", "computed dataset")
	cmd.Flags().IntVar(&o.Year, "year", 0, "survey year (default: all)")
	cmd.Flags().StringVar(&o.Out, "out", "", "output file (.csv or .parquet)")
	cmd.MarkFlagRequired("out")
	return cmd
}
