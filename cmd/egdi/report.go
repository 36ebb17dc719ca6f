package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/report"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/uncertainty"
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
	run         runFlags // uncertainty: the stored run
}

// reportKinds are the reports of a panel, then those of a stored uncertainty run.
func reportKinds() []string { return append(slices.Clone(report.Kinds), report.RunKinds...) }

func newCmdReport(f *factory, runF func(*reportOptions) error) *cobra.Command {
	ro := &reportOptions{f: f}
	cmd := &cobra.Command{
		Use:   "report ranking|profile|compare|transitions|uncertainty --out PATH",
		Short: "Write a finished report (HTML, Markdown, Excel, CSV or JSON) on any node",
		Long: `Write a report from the database, in English or Chinese, on the root or any node
(--node) of any framework:

  ranking      --year Y: the full ranking with rank changes, band counts, means by
               region (or a grouping of your own), charts and a generated summary
  profile      --unit CHN: one country's (or province's) history, its components (or
               dimensions) against its region, band and all units, peers
  compare      --units CHN,KOR,JPN [--year Y]: side by side, with differences and charts
  transitions  --from Y1 --to Y2: who changed band (a matrix and the lists)
  uncertainty  a stored uncertainty run (egdi uncertainty) as a methodological annex:
               the run and its design, the uncertain inputs in words, each unit's
               rank interval and, with --sobol, the Sobol indices, with charts; pick
               the run with --run ID, or the latest with --method, --year, --dataset

The format follows --format, else the extension of --out: .html (one self-contained
file, printable, sortable tables), .md (charts written as PNG into PATH_files/), .xlsx
(one sheet per table), .csv (the main table; of an uncertainty report, the rank
intervals) or .json (everything). Every report states its sources (which values are
published and which computed), methodology, engine version and generation time; set
SOURCE_DATE_EPOCH to fix the time for reproducible output.

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
  egdi report uncertainty --method cn-province-2022 --year 2022 --out annex.html
  egdi report uncertainty --run 3 --lang zh --out 不确定性.xlsx
  egdi report templates --out my-design && egdi report ranking --template my-design --out r.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("name one report: %s (or egdi report templates --out DIR for the templates)", strings.Join(reportKinds(), ", "))
			}
			if !slices.Contains(reportKinds(), args[0]) {
				return fmt.Errorf("unknown report %q; use one of %s", args[0], strings.Join(reportKinds(), ", "))
			}
			return nil
		},
		ValidArgs: reportKinds(),
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
	fl.IntVar(&ro.o.Year, "year", 0, "year (ranking, profile, compare; default: the latest; uncertainty: the latest run of this year)")
	fl.IntVar(&ro.run.id, "run", 0, "uncertainty: the stored run of this number (see uncertainty_runs)")
	fl.StringVar(&ro.run.method, "method", "", "uncertainty: the latest run of this framework (a built-in id or a YAML file)")
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
	if slices.Contains(report.RunKinds, ro.kind) {
		return reportRunKind(cmd, ro, format)
	}
	for _, fl := range []string{"run", "method"} {
		if cmd.Flags().Changed(fl) {
			return fmt.Errorf("--%s picks a stored uncertainty run, for egdi report uncertainty; the %s report reads the computed values (--dataset, --source)", fl, ro.kind)
		}
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
		sel, err := panel.Select(ctx, db, ro.q.request())
		if err != nil {
			return err
		}
		// a ranking longer than a page is read row by row, and its XLSX, CSV and JSON
		// written as read: a bar for the reading, then one for the writing
		progress, stop := ro.f.steps()
		defer stop()
		o.Progress = progress
		r, err := report.BuildFrom(ctx, db, sel, ro.kind, o)
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

// reportRunKind writes the report of a stored uncertainty run.
func reportRunKind(cmd *cobra.Command, ro *reportOptions, format string) error {
	for _, fl := range []string{"node", "index", "source", "unit", "units", "from", "to"} {
		if cmd.Flags().Changed(fl) {
			return fmt.Errorf("the %s report reads a stored run; --%s does not apply (pick the run with --run, --method, --year, --dataset)", ro.kind, fl)
		}
	}
	w := ro.run
	w.year = ro.o.Year
	return ro.f.read(func(db *store.DB) error {
		s, prov, err := storedRun(cmd.Context(), db, w, ro.q.dataset, false)
		if err != nil {
			return err
		}
		r, err := report.Uncertainty(report.UncertaintyOptions{Lang: present.Lang(ro.q.lang), Run: s, Provenance: prov,
			Framework: runFramework(s), Charts: format == "html" || format == "md", CSV: format == "csv"})
		if err != nil {
			return err
		}
		if err := report.Write(r, format, ro.out, ro.templates); err != nil {
			return err
		}
		ro.f.logf("wrote %s (%s report of run %d, %s)", ro.out, ro.kind, s.ID, format)
		return nil
	})
}

// runFramework loads a stored run's framework for its names: the built-in of its id,
// else the file it was read from; nil when neither loads (names are shown by id).
func runFramework(s *uncertainty.Stored) *framework.Framework {
	if fw, err := framework.Load(s.Method); err == nil && fw.ID == s.Method {
		return fw
	}
	if s.MethodOrigin != "" && s.MethodOrigin != "built-in" {
		if fw, err := framework.Load(s.MethodOrigin); err == nil {
			return fw
		}
	}
	return nil
}
