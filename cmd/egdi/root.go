package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/version"
)

// ioStreams are a command's input and outputs; TTY says whether Out is a terminal,
// ErrTTY whether ErrOut is (progress bars are drawn there).
type ioStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	TTY    bool
	ErrTTY bool
}

func newIO() *ioStreams {
	tty := false
	if fi, err := os.Stdout.Stat(); err == nil {
		tty = fi.Mode()&os.ModeCharDevice != 0
	}
	errTTY := false
	if fi, err := os.Stderr.Stat(); err == nil {
		errTTY = fi.Mode()&os.ModeCharDevice != 0
	}
	return &ioStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, TTY: tty, ErrTTY: errTTY}
}

// factory gives commands what they share: the streams, the database path (--db,
// EGDI_DB) and --quiet. One per root command: tests build their own, in parallel.
type factory struct {
	io    *ioStreams
	db    string
	quiet bool
}

// logf writes a progress message on stderr, unless --quiet.
func (f *factory) logf(format string, a ...any) {
	if !f.quiet {
		fmt.Fprintf(f.io.ErrOut, format+"\n", a...)
	}
}

// progress is a progress report on stderr (a bar on a terminal, quarter lines when
// piped), nil with --quiet; a nil one does nothing.
func (f *factory) progress(label string) *output.Progress {
	if f.quiet {
		return nil
	}
	return output.NewProgress(f.io.ErrOut, f.io.ErrTTY, label)
}

// steps are progress reports of a job of several steps, a bar per step (named by
// what), and the function that ends the last one.
func (f *factory) steps() (ingest.Progress, func()) {
	var mu sync.Mutex
	var bar *output.Progress
	var current string
	return func(what string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if what != current {
				bar.Stop()
				bar, current = f.progress(what), what
			}
			bar.Update(done, total)
		}, func() {
			mu.Lock()
			defer mu.Unlock()
			bar.Stop()
		}
}

// open opens the database, for reading only unless write.
func (f *factory) open(write bool) (*store.DB, error) {
	defer store.Step("open database")()
	return store.Open(f.db, !write)
}

// closeDB closes the database (a writer's close checkpoints it: moves the changes
// committed to DB.wal into the database file).
func closeDB(db *store.DB) error {
	defer store.Step("close database")()
	return db.Close()
}

// read runs fn on the database opened for reading.
func (f *factory) read(fn func(db *store.DB) error) error {
	db, err := f.open(false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	return fn(db)
}

// write runs fn on the database opened for writing, then checkpoints it (which the
// close would do, silently: DuckDB's close reports no error). A checkpoint that fails
// after fn succeeded (on a full disk) loses nothing: the changes are committed in
// DB.wal, which DuckDB reads when the database next opens. egdi warns, even with
// --quiet, and the command succeeds.
func (f *factory) write(fn func(db *store.DB) error) (err error) {
	db, err := f.open(true)
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			cerr := db.Checkpoint()
			msg, _, _ := strings.Cut(fmt.Sprint(cerr), "\n")
			if cerr != nil {
				fmt.Fprintf(f.io.ErrOut, "egdi: warning: the changes are committed and kept in %s.wal, but writing them into %s failed (%s); egdi writes them in when it next opens the database with room\n", f.db, f.db, msg)
			}
		}
		closeDB(db)
	}()
	return fn(db)
}

func newRootCmd(io *ioStreams) *cobra.Command {
	f := &factory{io: io}
	root := &cobra.Command{
		Use:   "egdi",
		Short: "E-Government Development Index engine",
		Long: `egdi computes and analyses the UN E-Government Development Index (EGDI) and
indices built like it, on an embedded DuckDB database.

  EGDI = (OSI + TII + HCI) / 3

Start with 'egdi demo', or import the published UN panel 2003–2022 egdi ships (or
the UN's tables themselves) and your own indicators:

  egdi import indices --builtin
  egdi import indicators itu.csv --shift-years 2 --dataset itu
  egdi compute --method un-2022 --dataset itu --year 2022
  egdi rank --year 2022 --top 10
  egdi datasets`,
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// help goes to Out; cobra's own notices (a deprecated flag) to stderr, never into
	// the output a script reads
	root.SetErr(io.ErrOut)
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		c.SetOut(io.Out)
		help(c, args)
	})
	def := os.Getenv("EGDI_DB")
	if def == "" {
		def = store.DefaultPath
	}
	root.PersistentFlags().StringVar(&f.db, "db", def, "database file (or set EGDI_DB)")
	root.PersistentFlags().BoolVarP(&f.quiet, "quiet", "q", false, "no progress messages on stderr")
	root.AddCommand(newCmdImport(f), newCmdCompute(f, nil), newCmdMethods(f), newCmdDatasets(f, nil),
		newCmdRank(f, nil), newCmdSummary(f, nil), newCmdTrend(f, nil), newCmdCompare(f, nil), newCmdCheck(f, nil),
		newCmdExport(f, nil), newCmdChart(f), newCmdReport(f, nil), newCmdAudit(f), newCmdWhatif(f), newCmdUncertainty(f), newCmdSensitivity(f),
		newCmdDemo(f), newCmdSample(f), newCmdServe(f))
	return root
}

// parentOf makes cmd a command of commands: without one it says which there are, and
// an unknown one is an error with a suggestion (cobra would print the help and exit 0,
// and a script would carry on as if it had worked).
func parentOf(cmd *cobra.Command) *cobra.Command {
	cmd.SuggestionsMinimumDistance = 2
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return errors.New(msg + " (its commands: " + strings.Join(commandNames(c), ", ") + ")")
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		return fmt.Errorf("%s needs a command: %s (see %s --help)", c.CommandPath(), strings.Join(commandNames(c), ", "), c.CommandPath())
	}
	return cmd
}

func commandNames(c *cobra.Command) []string {
	var out []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			out = append(out, s.Name())
		}
	}
	return out
}

// queryFlags are the flags of the commands that read the panel.
type queryFlags struct {
	format, lang, source, dataset, node string
}

func (q *queryFlags) add(cmd *cobra.Command, formats ...string) {
	if len(formats) == 0 {
		formats = output.Formats
	}
	cmd.Flags().StringVar(&q.format, "format", "table", "output format: "+strings.Join(formats, ", "))
	cmd.Flags().StringVar(&q.lang, "lang", "en", "language of names and labels: en or zh")
	q.addSource(cmd)
	cmd.RegisterFlagCompletionFunc("format", fixed(formats...))
	cmd.RegisterFlagCompletionFunc("lang", fixed("en", "zh"))
}

// addSource adds --source and --dataset.
func (q *queryFlags) addSource(cmd *cobra.Command) {
	cmd.Flags().StringVar(&q.source, "source", "", "published or computed (default: for each value, the computed one where it exists, else the published)")
	cmd.Flags().StringVar(&q.dataset, "dataset", "", "read this computed dataset (default: the published UN values and computations of UN frameworks over real data; else the latest computed dataset)")
	cmd.RegisterFlagCompletionFunc("source", fixed(panel.Published, panel.Computed))
}

// addNode adds --node, and --index as its old name.
func (q *queryFlags) addNode(cmd *cobra.Command, what string) {
	cmd.Flags().StringVar(&q.node, "node", "", what+": any node of the framework, by id or label (e.g. tii, 在线办理成熟度; default: the root)")
	cmd.Flags().StringVar(&q.node, "index", "", "the old name of --node")
	cmd.Flags().MarkDeprecated("index", "use --node")
}

func (q *queryFlags) check() error {
	if q.format != "" && !slices.Contains(output.Formats, q.format) {
		return fmt.Errorf("unknown --format %q; use %s", q.format, strings.Join(output.Formats, ", "))
	}
	return present.Lang(q.lang).Check()
}

func (q *queryFlags) request(years ...int) panel.Request {
	return panel.Request{Source: q.source, Dataset: q.dataset, Years: years}
}

// load selects and reads the panel of req (the units given, or all of them).
func load(ctx context.Context, db *store.DB, req panel.Request, units ...string) (*panel.Panel, error) {
	sel, err := panel.Select(ctx, db, req)
	if err != nil {
		return nil, err
	}
	return panel.Load(ctx, db, sel, units...)
}

// loadUnits resolves unit names into codes and reads the panel of req.
func loadUnits(ctx context.Context, db *store.DB, names []string, req panel.Request) ([]string, *panel.Panel, error) {
	units, err := panel.ResolveUnits(ctx, db, names)
	if err != nil {
		return nil, nil, err
	}
	p, err := load(ctx, db, req)
	return units, p, err
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
