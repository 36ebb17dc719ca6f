package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/uncertainty"
)

// chartFlags are shared by every chart kind.
type chartFlags struct {
	out, dataOut        string
	width, height, size string
	dpi                 int
	title, lang         string
	font                string
	q                   queryFlags
}

var chartHelp = map[string]struct{ short, example string }{
	"trend": {"One or more units' value (or rank) of any node across years",
		`  egdi chart trend --units CHN,KOR,JPN --out trend.png
  egdi chart trend --units CHN --rank --from 2010 --out rank.svg
  egdi chart trend --units 中国,印度 --lang zh --out trend-zh.pdf
  egdi chart trend --dataset provinces --units 110000,520000 --node maturity --out maturity.png`},
	"groups": {"Units per band (the UN's EGDI groups) or rating class for several years",
		`  egdi chart groups --out groups.png
  egdi chart groups --year 2016,2018,2020,2022 --share --out shares.svg
  egdi chart groups --by class --year 2020,2022 --out classes.png`},
	"ranking": {"Horizontal bars of the ranking of any node for one year",
		`  egdi chart ranking --year 2022 --top 20 --highlight CHN --out top20.png
  egdi chart ranking --year 2022 --bottom 15 --out bottom.svg
  egdi chart ranking --year 2022 --units CHN,KOR,JPN,SGP --node osi --out osi.png`},
	"regions": {"Mean of a node and its children by region or any grouping",
		`  egdi chart regions --year 2022 --out regions.png
  egdi chart regions --year 2018,2020,2022 --out regions-trend.svg
  egdi chart regions --dataset provinces --by economic_region --lang zh --out regions-zh.png`},
	"components": {"The child nodes of a node (OSI, TII, HCI) for chosen units, or for one unit over time",
		`  egdi chart components --units CHN,KOR,JPN --year 2022 --out comp.png
  egdi chart components --units CHN --out china-components.svg
  egdi chart components --dataset provinces --units 110000,310000 --year 2022 --out dims.png`},
	"scatter": {"Any two nodes for one year, coloured by region, with the correlation",
		`  egdi chart scatter --year 2022 --x tii --y osi --out tii-osi.png
  egdi chart scatter --year 2022 --x hci --y epi --units CHN,USA,IND --out hci-epi.svg`},
	"distribution": {"Box plots of a node by region (or a grouping), or a histogram, for one year",
		`  egdi chart distribution --year 2022 --out box.png
  egdi chart distribution --year 2022 --style hist --out hist.svg`},
	"movers": {"Largest rank gains and losses of a node between two years",
		`  egdi chart movers --from 2020 --to 2022 --top 10 --out movers.png`},
}

func newCmdChart(f *factory) *cobra.Command {
	cf := &chartFlags{}
	cmd := &cobra.Command{
		Use:   "chart KIND --out FILE",
		Short: "Draw publication charts (PNG, SVG, PDF) of any node, in English or Chinese",
		Long: `Draw the survey's figures from the database, for any node of any framework
(--node; default: the root). The output format follows the file extension: .png,
.svg or .pdf. Every chart carries a source line that says which values are published
and which computed (and when data are a synthetic sample). --lang zh draws Chinese with
an embedded font, so it works on machines without Chinese fonts; --font FILE picks
another TrueType/OpenType font. --data FILE.csv also writes the numbers the chart shows.

Kinds: ` + strings.Join(chart.Kinds, ", ") + `

Of a stored uncertainty run (egdi uncertainty; pick it with --run ID, or the latest
with --method, --year and --dataset): ` + strings.Join(chart.RunKinds, ", "),
		Example: `  egdi chart trend --units CHN,KOR,JPN --out trend.png
  egdi chart groups --year 2018,2020,2022 --lang zh --out groups.svg
  egdi chart ranking --year 2022 --top 20 --highlight CHN --size 16x14cm --out top20.pdf
  egdi chart uncertainty --method cn-province-2022 --year 2022 --out rank-intervals.png`,
		Args: func(cmd *cobra.Command, args []string) error {
			kinds := strings.Join(allChartKinds(), ", ")
			if len(args) == 0 {
				return fmt.Errorf("name a chart kind: %s", kinds)
			}
			msg := fmt.Sprintf("unknown chart %q; use one of %s", args[0], kinds)
			cmd.SuggestionsMinimumDistance = 2
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg = fmt.Sprintf("unknown chart %q; did you mean %s? (kinds: %s)", args[0], strings.Join(s, " or "), kinds)
			}
			return fmt.Errorf("%s", msg)
		},
		RunE: func(cmd *cobra.Command, args []string) error { return nil },
	}
	pf := cmd.PersistentFlags()
	pf.StringVarP(&cf.out, "out", "o", "", "output file: .png, .svg or .pdf (required)")
	pf.StringVar(&cf.dataOut, "data", "", "also write the data behind the chart to this CSV file")
	pf.StringVar(&cf.width, "width", "", "width, e.g. 16cm, 160mm, 6in, 450pt (default 16cm)")
	pf.StringVar(&cf.height, "height", "", "height (default 10cm; bar charts grow with their bars)")
	pf.StringVar(&cf.size, "size", "", "width x height in one flag, e.g. 8x6cm or 16cmx10cm")
	pf.IntVar(&cf.dpi, "dpi", 200, "resolution of PNG output")
	pf.StringVar(&cf.title, "title", "", "replace the generated title")
	pf.StringVar(&cf.lang, "lang", "en", "language of labels and names: en or zh")
	pf.StringVar(&cf.q.source, "source", "", "published or computed (default: for each value, the computed one where it exists, else the published)")
	pf.StringVar(&cf.q.dataset, "dataset", "", "read this computed dataset")
	pf.StringVar(&cf.font, "font", "", "TrueType/OpenType font file to draw text with")
	cmd.RegisterFlagCompletionFunc("lang", fixed("en", "zh"))
	cmd.RegisterFlagCompletionFunc("source", fixed(panel.Published, panel.Computed))
	for _, kind := range chart.Kinds {
		cmd.AddCommand(newCmdChartKind(f, cf, kind))
	}
	for _, kind := range chart.RunKinds {
		cmd.AddCommand(newCmdChartRunKind(f, cf, kind))
	}
	return cmd
}

// allChartKinds are the charts of a panel, then those of a stored uncertainty run.
func allChartKinds() []string { return append(slices.Clone(chart.Kinds), chart.RunKinds...) }

// chartOptions are one chart kind's options as the flags give them.
type chartOptions struct {
	kind      string
	o         chart.Options
	years     []string
	units     []string
	highlight string
	index     string // the old --index: a node, or rank (trend)
}

func newCmdChartKind(f *factory, cf *chartFlags, kind string) *cobra.Command {
	co := &chartOptions{kind: kind}
	h := chartHelp[kind]
	cmd := &cobra.Command{
		Use:     kind,
		Short:   h.short,
		Example: h.example,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return chartRun(cmd, f, cf, co) },
	}
	fl := cmd.Flags()
	o := &co.o
	node := func(what string) {
		fl.StringVar(&o.Node, "node", "", what+": any node, by id or label (default: the root)")
		fl.StringVar(&co.index, "index", "", "the old name of --node")
		fl.MarkDeprecated("index", "use --node")
	}
	switch kind {
	case "trend":
		fl.StringSliceVar(&co.units, "units", nil, "units to follow: codes or names, comma-separated")
		node("the node followed")
		fl.BoolVar(&o.Rank, "rank", false, "the node's rank instead of its value")
		fl.IntVar(&o.From, "from", 0, "first year")
		fl.IntVar(&o.To, "to", 0, "last year")
	case "groups":
		fl.StringSliceVar(&co.years, "year", nil, "years (repeat or comma-separate; default: all)")
		fl.StringVar(&o.By, "by", "band", "band (group) or class")
		fl.BoolVar(&o.Share, "share", false, "show shares of units instead of counts")
	case "ranking":
		fl.StringSliceVar(&co.years, "year", nil, "year (default: the latest)")
		node("the node ranked")
		fl.IntVar(&o.Top, "top", 0, "the first N (default 20)")
		fl.IntVar(&o.Bottom, "bottom", 0, "the last N")
		fl.StringSliceVar(&co.units, "units", nil, "only these units")
		fl.StringVar(&co.highlight, "highlight", "", "unit to highlight")
	case "regions":
		fl.StringSliceVar(&co.years, "year", nil, "years (repeat or comma-separate; default: the latest)")
		fl.StringVar(&o.By, "by", "", "grouping: region, subregion, ldc, lldc, sids, or one of your own (default: region, else the units' grouping)")
		node("the node averaged with its children")
	case "components":
		fl.StringSliceVar(&co.units, "units", nil, "units to compare (one unit without --year: over time)")
		fl.StringSliceVar(&co.years, "year", nil, "year")
		node("the node whose children are shown")
	case "scatter":
		fl.StringSliceVar(&co.years, "year", nil, "year (default: the latest)")
		fl.StringVar(&o.X, "x", "", "node on the horizontal axis (UN: tii)")
		fl.StringVar(&o.Y, "y", "", "node on the vertical axis (UN: osi)")
		fl.StringSliceVar(&co.units, "units", nil, "units to label")
		fl.StringVar(&o.By, "by", "", "colour by this grouping (default: region)")
	case "distribution":
		fl.StringSliceVar(&co.years, "year", nil, "year (default: the latest)")
		node("the node shown")
		fl.StringVar(&o.Style, "style", "box", "box (by region or --by grouping) or hist")
		fl.StringVar(&o.By, "by", "", "box plots by this grouping (default: region)")
	case "movers":
		node("the node whose ranks are compared")
		fl.IntVar(&o.From, "from", 0, "earlier year (default: the one before --to)")
		fl.IntVar(&o.To, "to", 0, "later year (default: the latest)")
		fl.IntVar(&o.Top, "top", 10, "how many gains and how many losses")
	}
	return cmd
}

// chartYears are the years a chart kind reads: the years asked for, or all.
func chartYears(kind string, years []int) []int {
	switch kind {
	case "ranking", "scatter", "distribution":
		if len(years) == 0 {
			return []int{0}
		}
		return years[:1]
	case "groups", "regions":
		if kind == "regions" && len(years) == 0 {
			return []int{0}
		}
		return years
	case "components":
		if len(years) > 0 {
			return years[:1]
		}
	}
	return nil
}

// prepare checks the flags every chart takes: the output file and its format, the
// language, the size and resolution, the font.
func (cf *chartFlags) prepare(kind string) (format string, ro chart.RenderOptions, font *chart.Font, err error) {
	if cf.out == "" {
		return "", ro, nil, fmt.Errorf("name the output file with --out, e.g. --out %s.png", kind)
	}
	if format, err = chart.FormatOf(cf.out); err != nil {
		return "", ro, nil, err
	}
	if err := present.Lang(cf.lang).Check(); err != nil {
		return "", ro, nil, err
	}
	if ro, err = cf.renderOptions(); err != nil {
		return "", ro, nil, err
	}
	if cf.font != "" {
		if font, err = chart.LoadFont(cf.font); err != nil {
			return "", ro, nil, err
		}
	}
	return format, ro, font, nil
}

func chartRun(cmd *cobra.Command, f *factory, cf *chartFlags, co *chartOptions) error {
	format, ro, font, err := cf.prepare(co.kind)
	if err != nil {
		return err
	}
	o := co.o
	o.Font = font
	if o.Years, err = parseYears(co.years); err != nil {
		return err
	}
	if co.index != "" {
		if co.index == "rank" && co.kind == "trend" {
			o.Rank = true
		} else {
			o.Node = co.index
		}
	}
	o.Lang, o.Title = present.Lang(cf.lang), cf.title
	return f.read(func(db *store.DB) error {
		ctx := cmd.Context()
		if o.Units, err = resolveOptional(cmd, db, splitList(co.units)); err != nil {
			return err
		}
		if co.highlight != "" {
			hs, err := panel.ResolveUnits(ctx, db, []string{co.highlight})
			if err != nil {
				return err
			}
			o.Highlight = hs[0]
		}
		p, err := load(ctx, db, cf.q.request(chartYears(co.kind, o.Years)...))
		if err != nil {
			return err
		}
		fig, err := chart.Build(p, co.kind, o)
		if err != nil {
			return err
		}
		return saveChart(f, cf, fig, format, ro, co.kind)
	})
}

// saveChart renders fig to --out (and its data to --data).
func saveChart(f *factory, cf *chartFlags, fig *chart.Figure, format string, ro chart.RenderOptions, kind string) error {
	b, err := fig.Render(format, ro)
	if err != nil {
		return err
	}
	if cf.dataOut != "" {
		var s strings.Builder
		if err := output.Write(&s, fig.Data, "csv"); err != nil {
			return err
		}
		if err := output.WriteFile(cf.dataOut, []byte(s.String())); err != nil {
			return err
		}
	}
	if err := output.WriteFile(cf.out, b); err != nil {
		return err
	}
	f.logf("wrote %s (%s chart, %d KB)", cf.out, kind, (len(b)+1023)/1024)
	return nil
}

var runChartHelp = map[string]struct{ short, long, example string }{
	"uncertainty": {"Each unit's rank interval (5–95%), median and nominal rank over a stored uncertainty run",
		`Draw a stored uncertainty run (egdi uncertainty) as one row per unit, in nominal
order from the top: a line from the 5th to the 95th percentile of its ranks over the
evaluations, a dot at the median rank and a hollow diamond at the nominal rank (the
framework's own choices). --top N shows the first N units.`,
		`  egdi uncertainty --method cn-province-2022 --dataset provinces --year 2022 --samples 1000 --vary 'weights:*=±25%'
  egdi chart uncertainty --out rank-intervals.png
  egdi chart uncertainty --method un-2022 --year 2022 --top 30 --lang zh --out 排名区间.svg
  egdi chart uncertainty --run 3 --data intervals.csv --out run3.pdf`},
	"sensitivity": {"Each input's first-order and total Sobol index, with bootstrap 95% intervals (a run with --sobol)",
		`Draw the Sobol indices of a stored uncertainty run made with --sobol: for each input
(--vary), its first-order index (Saltelli et al. 2010) beside its total index (Jansen
1999) of the mean absolute rank shift from the nominal ranking, with the bootstrap 95%
intervals as error bars.`,
		`  egdi uncertainty --method cn-province-2022 --dataset provinces --year 2022 --samples 1000 --sobol \
      --vary 'weights:*=±25%' --vary 'agg:index=arithmetic,geometric'
  egdi chart sensitivity --out sobol.png
  egdi chart sensitivity --method cn-province-2022 --year 2022 --lang zh --out sobol-zh.svg`},
}

// runChartOptions choose the stored run a run chart draws.
type runChartOptions struct {
	kind string
	w    runFlags
	top  int
}

// runFlags select a stored uncertainty run: by number, or the latest of a method,
// year and dataset.
type runFlags struct {
	id     int
	method string
	year   int
}

func (w *runFlags) add(cmd *cobra.Command, year bool) {
	cmd.Flags().IntVar(&w.id, "run", 0, "the stored uncertainty run of this number (see uncertainty_runs)")
	cmd.Flags().StringVar(&w.method, "method", "", "the latest run of this framework (a built-in id or a YAML file)")
	if year {
		cmd.Flags().IntVar(&w.year, "year", 0, "the latest run of this year")
	}
}

func newCmdChartRunKind(f *factory, cf *chartFlags, kind string) *cobra.Command {
	co := &runChartOptions{kind: kind}
	h := runChartHelp[kind]
	cmd := &cobra.Command{
		Use:     kind,
		Short:   h.short,
		Long:    h.long,
		Example: h.example,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return chartRunKindRun(cmd, f, cf, co) },
	}
	co.w.add(cmd, true)
	if kind == "uncertainty" {
		cmd.Flags().IntVar(&co.top, "top", 0, "the first N units in nominal order (default: all)")
	}
	return cmd
}

// chartRunKindRun draws a chart of a stored uncertainty run.
func chartRunKindRun(cmd *cobra.Command, f *factory, cf *chartFlags, co *runChartOptions) error {
	if cmd.Flags().Changed("source") {
		return fmt.Errorf("chart %s draws a stored uncertainty run; --source does not apply (pick the run with --run, --method, --year, --dataset)", co.kind)
	}
	if co.top < 0 {
		return fmt.Errorf("--top %d: give a positive number of units", co.top)
	}
	format, ro, font, err := cf.prepare(co.kind)
	if err != nil {
		return err
	}
	spec := chart.RunSpec{Lang: present.Lang(cf.lang), Title: cf.title, Top: co.top, Font: font}
	return f.read(func(db *store.DB) error {
		s, prov, err := storedRun(cmd.Context(), db, co.w, cf.q.dataset, co.kind == "sensitivity")
		if err != nil {
			return err
		}
		spec.Run, spec.Synthetic = s, prov.Synthetic
		var fig *chart.Figure
		if co.kind == "sensitivity" {
			fig, err = chart.SensitivityIndices(spec)
		} else {
			fig, err = chart.RankIntervals(spec)
		}
		if err != nil {
			return err
		}
		return saveChart(f, cf, fig, format, ro, co.kind)
	})
}

// storedRun reads the uncertainty run the flags pick (a framework file given to
// --method stands for its id; sobol: the latest with Sobol indices) and its provenance.
func storedRun(ctx context.Context, db *store.DB, w runFlags, dataset string, sobol bool) (*uncertainty.Stored, uncertainty.Provenance, error) {
	method := w.method
	if method != "" {
		if fw, err := framework.Load(method); err == nil {
			method = fw.ID
		}
	}
	s, err := uncertainty.ReadRun(ctx, db, uncertainty.Which{ID: w.id, Method: method, Dataset: dataset, Year: w.year, Sobol: sobol})
	if err != nil {
		return nil, uncertainty.Provenance{}, err
	}
	return s, s.Provenance, nil
}

// resolveOptional resolves units when some are given.
func resolveOptional(cmd *cobra.Command, db *store.DB, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	return panel.ResolveUnits(cmd.Context(), db, names)
}

func parseYears(in []string) ([]int, error) {
	var out []int
	for _, s := range splitList(in) {
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 || y > 2200 {
			return nil, fmt.Errorf("--year %q is not a survey year like 2022", s)
		}
		out = append(out, y)
	}
	return out, nil
}

var lengthRe = regexp.MustCompile(`^\s*([0-9]*\.?[0-9]+)\s*(cm|mm|in|pt)?\s*$`)

// parseLength reads "16cm", "160mm", "6in", "450pt" (a bare number is centimetres).
func parseLength(s string) (vg.Length, error) {
	m := lengthRe.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a length; write it like 16cm, 160mm, 6in or 450pt", s)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	switch m[2] {
	case "mm":
		return vg.Length(v) * vg.Millimeter, nil
	case "in":
		return vg.Length(v) * vg.Inch, nil
	case "pt":
		return vg.Points(v), nil
	}
	return vg.Length(v) * vg.Centimeter, nil
}

func (cf *chartFlags) renderOptions() (chart.RenderOptions, error) {
	ro := chart.RenderOptions{DPI: cf.dpi}
	w, h := cf.width, cf.height
	if cf.size != "" {
		parts := strings.SplitN(strings.ToLower(cf.size), "x", 2)
		if len(parts) != 2 {
			return ro, fmt.Errorf("--size %q: write width x height, like 16x10cm", cf.size)
		}
		unit := lengthRe.FindStringSubmatch(parts[1])
		if unit != nil && unit[2] != "" && lengthRe.FindStringSubmatch(parts[0]) != nil && lengthRe.FindStringSubmatch(parts[0])[2] == "" {
			parts[0] += unit[2]
		}
		w, h = parts[0], parts[1]
	}
	var err error
	if w != "" {
		if ro.Width, err = parseLength(w); err != nil {
			return ro, fmt.Errorf("--width: %w", err)
		}
	}
	if h != "" {
		if ro.Height, err = parseLength(h); err != nil {
			return ro, fmt.Errorf("--height: %w", err)
		}
	}
	return ro, nil
}
