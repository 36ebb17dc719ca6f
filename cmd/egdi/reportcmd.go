package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/report"
	"github.com/egdi/egdi/internal/store"
)

func newReportCmd(g *globals) *cobra.Command {
	var out, format, lang, source, dataset string
	var o report.Options
	cmd := &cobra.Command{
		Use:   "report ranking|profile|compare|transitions --out PATH",
		Short: "Write a finished report (HTML, Markdown, Excel, CSV or JSON)",
		Long: `Write a report from the database, in English or Chinese:

  ranking      --year Y: the full ranking with rank changes, group counts, regional
               means, charts and a generated summary of the facts
  profile      --unit CHN: one country's (or province's) history, components against
               its region, group and the world, strongest and weakest component, peers
  compare      --units CHN,KOR,JPN [--year Y]: side by side, with differences and charts
  transitions  --from Y1 --to Y2: who changed EGDI group (a matrix and the lists)

The format follows --format, else the extension of --out: .html (one self-contained
file, printable, sortable tables), .md (charts written as PNG into PATH_files/), .xlsx
(one sheet per table), .csv (the main table) or .json (everything). Every report states
its sources, methodology, engine version and generation time; set SOURCE_DATE_EPOCH to
fix the time for reproducible output.`,
		Example: `  egdi report ranking --year 2022 --out ranking-2022.html
  egdi report ranking --year 2022 --lang zh --out 排名-2022.xlsx
  egdi report profile --unit CHN --out china.md
  egdi report compare --units CHN,KOR,JPN,SGP --year 2022 --out east-asia.html
  egdi report transitions --from 2018 --to 2022 --format csv --out moved.csv`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: report.Kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := args[0]
			if !slices.Contains(report.Kinds, kind) {
				return fmt.Errorf("unknown report %q; use one of %s", kind, strings.Join(report.Kinds, ", "))
			}
			if out == "" {
				return fmt.Errorf("name the output file with --out, e.g. --out %s.html", kind)
			}
			if format == "" {
				var err error
				if format, err = report.FormatOf(out); err != nil {
					return err
				}
			}
			if !slices.Contains(report.Formats, format) {
				return fmt.Errorf("unknown --format %q; use %s", format, strings.Join(report.Formats, ", "))
			}
			if lang != "en" && lang != "zh" {
				return fmt.Errorf("unknown --lang %q; use en or zh", lang)
			}
			o.Request = query.Request{Source: source, Dataset: dataset}
			o.Lang = query.Lang(lang)
			o.Units = splitList(o.Units)
			o.Charts = format == "html" || format == "md"
			return withDB(g, func(db *store.DB) error {
				r, err := report.Build(cmd.Context(), db, kind, o)
				if err != nil {
					return err
				}
				if err := report.Write(r, format, out); err != nil {
					return err
				}
				g.logf("wrote %s (%s report, %s)", out, kind, format)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "", "output file (required)")
	f.StringVar(&format, "format", "", "html, md, xlsx, csv or json (default: from the --out extension)")
	f.StringVar(&lang, "lang", "en", "en or zh")
	f.StringVar(&source, "source", "", "published or computed (default: computed where it exists for the year, else published)")
	f.StringVar(&dataset, "dataset", "", "computed dataset to read")
	f.IntVar(&o.Year, "year", 0, "survey year (ranking, profile, compare; default: the latest)")
	f.StringVar(&o.Unit, "unit", "", "unit of a profile: ISO3 code or name")
	f.StringSliceVar(&o.Units, "units", nil, "units to compare")
	f.IntVar(&o.From, "from", 0, "transitions: earlier year (default: the edition before --to)")
	f.IntVar(&o.To, "to", 0, "transitions: later year (default: the latest)")
	cmd.RegisterFlagCompletionFunc("format", fixed(report.Formats...))
	cmd.RegisterFlagCompletionFunc("lang", fixed("en", "zh"))
	return cmd
}
