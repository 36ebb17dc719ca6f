package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/report"
	"github.com/egdi/egdi/internal/store"
)

type reportOptions struct {
	f           *factory
	kind        string
	out, format string
	q           queryFlags
	o           report.Options
	unit        string
	units       []string
	template    string // --template folder
	templates   *report.Templates
}

func newCmdReport(f *factory, runF func(*reportOptions) error) *cobra.Command {
	ro := &reportOptions{f: f}
	cmd := &cobra.Command{
		Use:   "report ranking|profile|compare|transitions --out PATH",
		Short: "Write a finished report (HTML, Markdown, Excel, CSV or JSON) on any node",
		Long: `Write a report from the database, in English or Chinese, on the root or any node
(--node) of any framework:

  ranking      --year Y: the full ranking with rank changes, band counts, means by
               region (or a grouping of your own), charts and a generated summary
  profile      --unit CHN: one country's (or province's) history, its components (or
               dimensions) against its region, band and all units, peers
  compare      --units CHN,KOR,JPN [--year Y]: side by side, with differences and charts
  transitions  --from Y1 --to Y2: who changed band (a matrix and the lists)

The format follows --format, else the extension of --out: .html (one self-contained
file, printable, sortable tables), .md (charts written as PNG into PATH_files/), .xlsx
(one sheet per table), .csv (the main table) or .json (everything). Every report states
its sources (which values are published and which computed), methodology, engine
version and generation time; set SOURCE_DATE_EPOCH to fix the time for reproducible
output.

HTML and Markdown reports are laid out by templates: egdi's own (reports/templates in
the source, embedded), or with --template DIR those of a folder of one's own — a logo,
colours, fonts, an institution's name in the header and footer — without recompiling.
egdi report templates --out DIR writes egdi's to start from; a file DIR lacks is
egdi's.`,
		Example: `  egdi report ranking --year 2022 --out ranking-2022.html
  egdi report ranking --year 2022 --lang zh --out 排名-2022.xlsx
  egdi report profile --unit CHN --out china.md
  egdi report compare --units CHN,KOR,JPN,SGP --year 2022 --out east-asia.html
  egdi report transitions --from 2018 --to 2022 --format csv --out moved.csv
  egdi report ranking --dataset provinces --node maturity --lang zh --out 成熟度.html
  egdi report templates --out my-design && egdi report ranking --template my-design --out r.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("name one report: %s (or egdi report templates --out DIR for the templates)", strings.Join(report.Kinds, ", "))
			}
			if !slices.Contains(report.Kinds, args[0]) {
				return fmt.Errorf("unknown report %q; use one of %s", args[0], strings.Join(report.Kinds, ", "))
			}
			return nil
		},
		ValidArgs: report.Kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			ro.kind = args[0]
			if runF != nil {
				return runF(ro)
			}
			return reportRun(cmd, ro)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&ro.out, "out", "o", "", "output file (required)")
	fl.StringVar(&ro.format, "format", "", "html, md, xlsx, csv or json (default: from the --out extension)")
	fl.StringVar(&ro.q.lang, "lang", "en", "en or zh")
	fl.StringVar(&ro.template, "template", "", "folder of report templates of one's own (see egdi report templates)")
	ro.q.addSource(cmd)
	ro.q.addNode(cmd, "report on")
	fl.IntVar(&ro.o.Year, "year", 0, "year (ranking, profile, compare; default: the latest)")
	fl.StringVar(&ro.unit, "unit", "", "unit of a profile: code or name")
	fl.StringSliceVar(&ro.units, "units", nil, "units to compare")
	fl.IntVar(&ro.o.From, "from", 0, "transitions: earlier year (default: the one before --to)")
	fl.IntVar(&ro.o.To, "to", 0, "transitions: later year (default: the latest)")
	cmd.RegisterFlagCompletionFunc("format", fixed(report.Formats...))
	cmd.RegisterFlagCompletionFunc("lang", fixed("en", "zh"))
	cmd.AddCommand(newCmdReportTemplates(f))
	return cmd
}

func newCmdReportTemplates(f *factory) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "templates --out DIR",
		Short: "Write egdi's report templates into a folder, to restyle reports from",
		Long: `Write the templates egdi lays out HTML and Markdown reports with into DIR:

  report.html.tmpl  the HTML page (Go html/template): header, sections, tables, footer
  report.md.tmpl    the Markdown text (Go text/template)
  style.css         the stylesheet inlined into HTML reports (colours, fonts, print)
  sortable.js       the script that sorts HTML tables by a header click

Edit them and pass --template DIR to egdi report; the comments at the top of each
say what it is given. Files already in DIR are kept unless --force.`,
		Example: `  egdi report templates --out my-design
  egdi report ranking --year 2022 --template my-design --out ranking.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("name the folder with --out, e.g. --out my-design")
			}
			files, err := report.WriteTemplates(out, force)
			if err != nil {
				return err
			}
			f.logf("wrote %s; use them with egdi report KIND --template %s", strings.Join(files, ", "), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "folder to write the templates into")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite templates already in the folder")
	return cmd
}

func reportRun(cmd *cobra.Command, ro *reportOptions) error {
	if ro.out == "" {
		return fmt.Errorf("name the output file with --out, e.g. --out %s.html", ro.kind)
	}
	format := ro.format
	if format == "" {
		var err error
		if format, err = report.FormatOf(ro.out); err != nil {
			return err
		}
	}
	if !slices.Contains(report.Formats, format) {
		return fmt.Errorf("unknown --format %q; use %s", format, strings.Join(report.Formats, ", "))
	}
	if err := present.Lang(ro.q.lang).Check(); err != nil {
		return err
	}
	if ro.template != "" && format != "html" && format != "md" {
		return fmt.Errorf("--template lays out HTML and Markdown reports, not %s", format)
	}
	var err error
	if ro.templates, err = report.LoadTemplates(ro.template); err != nil {
		return err
	}
	o := ro.o
	o.Lang, o.Node = present.Lang(ro.q.lang), ro.q.node
	o.Charts = format == "html" || format == "md"
	return ro.f.read(func(db *store.DB) error {
		ctx := cmd.Context()
		if ro.kind == "profile" && ro.unit == "" {
			return fmt.Errorf("profile: name the unit, like --unit CHN")
		}
		if ro.unit != "" {
			us, err := panel.ResolveUnits(ctx, db, []string{ro.unit})
			if err != nil {
				return err
			}
			o.Unit = us[0]
		}
		if ro.kind == "compare" {
			us, err := panel.ResolveUnits(ctx, db, splitList(ro.units))
			if err != nil {
				return err
			}
			o.Units = us
		}
		// a report reads every year (rank changes, histories, transitions), after
		// checking the one asked for
		if o.Year != 0 {
			if _, err := panel.Select(ctx, db, ro.q.request(o.Year)); err != nil {
				return err
			}
		}
		p, err := load(ctx, db, ro.q.request())
		if err != nil {
			return err
		}
		r, err := report.Build(p, ro.kind, o)
		if err != nil {
			return err
		}
		if err := report.Write(r, format, ro.out, ro.templates); err != nil {
			return err
		}
		ro.f.logf("wrote %s (%s report, %s)", ro.out, ro.kind, format)
		return nil
	})
}
