package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/version"
)

// globals are the flags every command shares.
type globals struct {
	db     string
	quiet  bool
	stdout io.Writer
	stderr io.Writer
}

func newRootCmd() *cobra.Command {
	g := &globals{stdout: os.Stdout, stderr: os.Stderr}
	root := &cobra.Command{
		Use:   "egdi",
		Short: "E-Government Development Index engine",
		Long: `egdi computes and analyses the UN E-Government Development Index (EGDI) and
indices built like it, on an embedded DuckDB database.

  EGDI = (OSI + TII + HCI) / 3

Start with 'egdi demo' (a synthetic sample), or import the UN's published tables
and your own indicators:

  egdi import indices EGOV_DATA_2022.csv
  egdi import indicators itu.csv --shift-years 2 --dataset itu
  egdi compute --method un-2022 --dataset itu --year 2022
  egdi rank --year 2022 --top 10`,
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	def := os.Getenv("EGDI_DB")
	if def == "" {
		def = store.DefaultPath
	}
	root.PersistentFlags().StringVar(&g.db, "db", def, "database file (or set EGDI_DB)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "no progress messages on stderr")
	root.AddCommand(newImportCmd(g), newComputeCmd(g), newMethodsCmd(g), newRankCmd(g), newSummaryCmd(g),
		newTrendCmd(g), newCompareCmd(g), newCheckCmd(g), newExportCmd(g), newDemoCmd(g), newSampleCmd(g), newChartCmd(g), newReportCmd(g), newAuditCmd(g), newWhatifCmd(g))
	rootGlobals[root] = g
	return root
}

// setOutput points every command's output at w and messages at e (for tests).
func setOutput(root *cobra.Command, w, e io.Writer) {
	if g, ok := rootGlobals[root]; ok {
		g.stdout, g.stderr = w, e
	}
}

// rootGlobals remembers each root command's globals so tests can redirect output.
var rootGlobals = map[*cobra.Command]*globals{}

func (g *globals) logf(format string, a ...any) {
	if !g.quiet {
		fmt.Fprintf(g.stderr, format+"\n", a...)
	}
}

// queryFlags are shared by the query commands.
type queryFlags struct {
	format, lang, source, dataset string
}

func (q *queryFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&q.format, "format", "table", "output format: table, csv or json")
	cmd.Flags().StringVar(&q.lang, "lang", "en", "language of names and labels: en or zh")
	cmd.Flags().StringVar(&q.source, "source", "", "published or computed (default: computed where it exists for the year, else published)")
	cmd.Flags().StringVar(&q.dataset, "dataset", "", "computed dataset to read (default: the latest computed for each year)")
	cmd.RegisterFlagCompletionFunc("format", fixed(output.Formats...))
	cmd.RegisterFlagCompletionFunc("lang", fixed("en", "zh"))
	cmd.RegisterFlagCompletionFunc("source", fixed(query.Published, query.Computed))
}

func (q *queryFlags) check() error {
	if !slices.Contains(output.Formats, q.format) {
		return fmt.Errorf("unknown --format %q; use %s", q.format, strings.Join(output.Formats, ", "))
	}
	if q.lang != "en" && q.lang != "zh" {
		return fmt.Errorf("unknown --lang %q; use en or zh", q.lang)
	}
	return nil
}

func (q *queryFlags) request() query.Request {
	return query.Request{Source: q.source, Dataset: q.dataset}
}

func fixed(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

// splitList reads "A,B, C" (and repeated flags) as a list.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
