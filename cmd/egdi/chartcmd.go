package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
)

// chartFlags are shared by every chart kind.
type chartFlags struct {
	out, dataOut            string
	width, height, size     string
	dpi                     int
	title, lang, source, ds string
	font                    string
	years                   []int
	units                   []string
}

var chartHelp = map[string]struct{ short, example string }{
	"trend": {"One or more units' EGDI (or a component, or the rank) across survey years",
		`  egdi chart trend --units CHN,KOR,JPN --out trend.png
  egdi chart trend --units CHN --index rank --from 2010 --out rank.svg
  egdi chart trend --units 中国,印度 --lang zh --out trend-zh.pdf`},
	"groups": {"Countries per EGDI group (or rating class) for several years",
		`  egdi chart groups --out groups.png
  egdi chart groups --year 2016,2018,2020,2022 --share --out shares.svg
  egdi chart groups --by class --year 2020,2022 --out classes.png`},
	"ranking": {"Horizontal bars of the ranking for one year",
		`  egdi chart ranking --year 2022 --top 20 --highlight CHN --out top20.png
  egdi chart ranking --year 2022 --bottom 15 --out bottom.svg
  egdi chart ranking --year 2022 --units CHN,KOR,JPN,SGP --index osi --out osi.png`},
	"regions": {"Mean EGDI and components by region (or sub-region, LDC, LLDC, SIDS)",
		`  egdi chart regions --year 2022 --out regions.png
  egdi chart regions --year 2018,2020,2022 --out regions-trend.svg
  egdi chart regions --year 2022 --by subregion --out subregions.png`},
	"components": {"OSI, TII and HCI of chosen units for one year, or one unit over time",
		`  egdi chart components --units CHN,KOR,JPN --year 2022 --out comp.png
  egdi chart components --units CHN --out china-components.svg`},
	"scatter": {"Any two indices for one year, coloured by region, with the correlation",
		`  egdi chart scatter --year 2022 --x tii --y osi --out tii-osi.png
  egdi chart scatter --year 2022 --x hci --y epi --units CHN,USA,IND --out hci-epi.svg`},
	"distribution": {"Box plots of an index by region, or a histogram, for one year",
		`  egdi chart distribution --year 2022 --out box.png
  egdi chart distribution --year 2022 --style hist --out hist.svg`},
	"movers": {"Largest EGDI rank gains and losses between two editions",
		`  egdi chart movers --from 2020 --to 2022 --top 10 --out movers.png`},
}

func newChartCmd(g *globals) *cobra.Command {
	var cf chartFlags
	cmd := &cobra.Command{
		Use:   "chart KIND --out FILE",
		Short: "Draw publication charts (PNG, SVG, PDF) in English or Chinese",
		Long: `Draw the survey's figures from the database. The output format follows the file
extension: .png, .svg or .pdf. Every chart carries a source line (and says when data
are a synthetic sample). --lang zh draws Chinese with an embedded font, so it works on
machines without Chinese fonts; --font FILE picks another TrueType/OpenType font.
--data FILE.csv also writes the numbers the chart shows.

Kinds: ` + strings.Join(chart.Kinds, ", "),
		Example: `  egdi chart trend --units CHN,KOR,JPN --out trend.png
  egdi chart groups --year 2018,2020,2022 --lang zh --out groups.svg
  egdi chart ranking --year 2022 --top 20 --highlight CHN --size 16x14cm --out top20.pdf`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("name a chart kind: %s", strings.Join(chart.Kinds, ", "))
			}
			return fmt.Errorf("unknown chart %q; use one of %s", args[0], strings.Join(chart.Kinds, ", "))
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
	pf.StringVar(&cf.source, "source", "", "published or computed (default: computed where it exists for the year, else published)")
	pf.StringVar(&cf.ds, "dataset", "", "computed dataset to read (default: the latest computed for each year)")
	pf.StringVar(&cf.font, "font", "", "TrueType/OpenType font file to draw text with")
	cmd.RegisterFlagCompletionFunc("lang", fixed("en", "zh"))
	cmd.RegisterFlagCompletionFunc("source", fixed(query.Published, query.Computed))
	for _, kind := range chart.Kinds {
		cmd.AddCommand(newChartKindCmd(g, &cf, kind))
	}
	return cmd
}

func newChartKindCmd(g *globals, cf *chartFlags, kind string) *cobra.Command {
	var o chart.Options
	var years []string
	h := chartHelp[kind]
	cmd := &cobra.Command{
		Use:     kind,
		Short:   h.short,
		Example: h.example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cf.out == "" {
				return fmt.Errorf("name the output file with --out, e.g. --out %s.png", kind)
			}
			format, err := chart.FormatOf(cf.out)
			if err != nil {
				return err
			}
			if cf.lang != "en" && cf.lang != "zh" {
				return fmt.Errorf("unknown --lang %q; use en or zh", cf.lang)
			}
			ro, err := cf.renderOptions()
			if err != nil {
				return err
			}
			if o.Years, err = parseYears(years); err != nil {
				return err
			}
			o.Units = splitList(o.Units)
			o.Request = query.Request{Source: cf.source, Dataset: cf.ds}
			o.Lang, o.Title = query.Lang(cf.lang), cf.title
			if cf.font != "" {
				if o.Font, err = chart.LoadFont(cf.font); err != nil {
					return err
				}
			}
			return withDB(g, func(db *store.DB) error {
				fig, err := chart.Build(cmd.Context(), db, kind, o)
				if err != nil {
					return err
				}
				b, err := fig.Render(format, ro)
				if err != nil {
					return err
				}
				if cf.dataOut != "" {
					if err := writeTableFile(cf.dataOut, fig.Data); err != nil {
						return err
					}
				}
				if err := chart.WriteFile(cf.out, b); err != nil {
					return err
				}
				g.logf("wrote %s (%s chart, %d KB)", cf.out, kind, (len(b)+1023)/1024)
				return nil
			})
		},
	}
	f := cmd.Flags()
	switch kind {
	case "trend":
		f.StringSliceVar(&o.Units, "units", nil, "units to follow: ISO3 codes or names, comma-separated")
		f.StringVar(&o.Index, "index", "egdi", "egdi, osi, tii, hci, epi or rank")
		f.IntVar(&o.From, "from", 0, "first survey year")
		f.IntVar(&o.To, "to", 0, "last survey year")
	case "groups":
		f.StringSliceVar(&years, "year", nil, "survey years (repeat or comma-separate; default: all)")
		f.StringVar(&o.By, "by", "group", "group or class")
		f.BoolVar(&o.Share, "share", false, "show shares of countries instead of counts")
	case "ranking":
		f.StringSliceVar(&years, "year", nil, "survey year (default: the latest)")
		f.StringVar(&o.Index, "index", "egdi", "egdi, osi, tii, hci or epi")
		f.IntVar(&o.Top, "top", 0, "the first N (default 20)")
		f.IntVar(&o.Bottom, "bottom", 0, "the last N")
		f.StringSliceVar(&o.Units, "units", nil, "only these units")
		f.StringVar(&o.Highlight, "highlight", "", "unit to highlight")
	case "regions":
		f.StringSliceVar(&years, "year", nil, "survey years (repeat or comma-separate; default: the latest)")
		f.StringVar(&o.By, "by", "region", "region, subregion, ldc, lldc or sids")
		f.StringVar(&o.Index, "index", "egdi", "index compared across several years")
	case "components":
		f.StringSliceVar(&o.Units, "units", nil, "units to compare (one unit without --year: over time)")
		f.StringSliceVar(&years, "year", nil, "survey year")
	case "scatter":
		f.StringSliceVar(&years, "year", nil, "survey year (default: the latest)")
		f.StringVar(&o.X, "x", "tii", "index on the horizontal axis")
		f.StringVar(&o.Y, "y", "osi", "index on the vertical axis")
		f.StringSliceVar(&o.Units, "units", nil, "units to label")
	case "distribution":
		f.StringSliceVar(&years, "year", nil, "survey year (default: the latest)")
		f.StringVar(&o.Index, "index", "egdi", "egdi, osi, tii, hci or epi")
		f.StringVar(&o.Style, "style", "box", "box (by region) or hist")
	case "movers":
		f.IntVar(&o.From, "from", 0, "earlier survey year (default: the one before --to)")
		f.IntVar(&o.To, "to", 0, "later survey year (default: the latest)")
		f.IntVar(&o.Top, "top", 10, "how many gains and how many losses")
	}
	if f.Lookup("index") != nil {
		cmd.RegisterFlagCompletionFunc("index", fixed(append(query.Indices, "rank")...))
	}
	return cmd
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

// writeTableFile writes t as CSV to path, whole or not at all.
func writeTableFile(path string, t *output.Table) error {
	var b strings.Builder
	if err := output.Write(&b, t, "csv"); err != nil {
		return err
	}
	if err := chart.WriteFile(path, []byte(b.String())); err != nil {
		return err
	}
	return nil
}
