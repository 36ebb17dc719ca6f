package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/store"
)

type rankOptions struct {
	f      *factory
	q      queryFlags
	year   int
	top    int
	region string
	groups []string
}

func newCmdRank(f *factory, runF func(*rankOptions) error) *cobra.Command {
	o := &rankOptions{f: f}
	cmd := &cobra.Command{
		Use:   "rank",
		Short: "Rank units by any node (EGDI, a component, a dimension) for one year",
		Long: `Rank the units of one year by a node: the root (EGDI for the UN's index) or any node
of the framework. For the UN's index the table keeps EGDI and its components
(unit,name,year,egdi,osi,tii,hci,epi,rank,group,class,source); for other frameworks
it shows the node and its child nodes, and the band for the root.

Each value is the computed one where that node was computed, else the published one;
source says which (published, computed, or mixed), and the notes under the table say
which node came from where. Units the year lists without scores (not assessed, and
the placeholders ranked with EGDI 0 in 2003–2012) are left out and named in the notes.`,
		Example: `  egdi rank --year 2022 --top 10
  egdi rank --year 2022 --node tii --region Asia --format csv
  egdi rank --year 2022 --group ldc --lang zh
  egdi rank --dataset provinces --node 在线办理成熟度 --lang zh
  egdi rank --dataset provinces --group economic_region=西部`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return rankRun(cmd, o)
		},
	}
	o.q.add(cmd)
	o.q.addNode(cmd, "rank by")
	cmd.Flags().IntVar(&o.year, "year", 0, "year (default: the latest)")
	cmd.Flags().StringVar(&o.region, "region", "", "only units of this M49 region or sub-region")
	cmd.Flags().StringArrayVar(&o.groups, "group", nil, "only units of a group: GROUPING=GROUP (region=Asia, economic_region=东部), or ldc, lldc, sids (repeatable)")
	cmd.Flags().IntVar(&o.top, "top", 0, "only the first N")
	return cmd
}

func (o *rankOptions) request() (query.RankRequest, error) {
	req := query.RankRequest{Year: o.year, Node: o.q.node, Top: o.top}
	if o.region != "" {
		req.Filters = append(req.Filters, query.RegionFilter(o.region))
	}
	for _, g := range o.groups {
		flt, err := query.ParseGroup(g)
		if err != nil {
			return req, err
		}
		req.Filters = append(req.Filters, flt)
	}
	return req, nil
}

func rankRun(cmd *cobra.Command, o *rankOptions) error {
	if err := o.q.check(); err != nil {
		return err
	}
	req, err := o.request()
	if err != nil {
		return err
	}
	lang := present.Lang(o.q.lang)
	return o.f.read(func(db *store.DB) error {
		ctx := cmd.Context()
		sel, err := panel.Select(ctx, db, o.q.request(o.year))
		if err != nil {
			return err
		}
		if o.q.format == "csv" {
			// the values stream from DuckDB: a million units in about the time of an export
			gs, err := query.GroupsIn(ctx, db)
			if err != nil {
				return err
			}
			for _, flt := range req.Filters {
				if err := flt.Check(gs); err != nil {
					return err
				}
			}
			q, args, cols, err := query.RankSQL(sel, req)
			if err != nil {
				return err
			}
			node, _ := sel.ResolveNode(req.Node)
			view, columns, order := present.RankStream(sel, node, cols, q, lang)
			return output.StreamCSV(ctx, db, view, args, columns, []string{"unit", "name"}, order, o.f.io.Out)
		}
		p, err := panel.Load(ctx, db, sel)
		if err != nil {
			return err
		}
		r, err := query.Rank(p, req)
		if err != nil {
			return err
		}
		return output.Write(o.f.io.Out, present.Ranking(r, lang, o.q.format), o.q.format)
	})
}

type summaryOptions struct {
	f    *factory
	q    queryFlags
	year int
	by   string
}

func newCmdSummary(f *factory, runF func(*summaryOptions) error) *cobra.Command {
	o := &summaryOptions{f: f}
	cmd := &cobra.Command{
		Use:   "summary",
		Short: "Count units and average a node and its children by band, rating class or any grouping",
		Long: `Count the units with a value of the node (the root unless --node) per year and key,
with their share and the means of the node and its children:
year,key,count,share,mean_<node>,mean_<child>...

--by takes band (or group, the UN's word), class, or a grouping: the M49 region,
subregion, ldc, lldc and sids of the Member States, or any grouping imported with
egdi import groups (see egdi datasets).`,
		Example: `  egdi summary --year 2022 --by group
  egdi summary --by region --format csv
  egdi summary --year 2022 --by ldc
  egdi summary --dataset provinces --by economic_region --lang zh`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			if err := o.q.check(); err != nil {
				return err
			}
			var years []int
			if o.year != 0 {
				years = []int{o.year}
			}
			return o.f.read(func(db *store.DB) error {
				p, err := load(cmd.Context(), db, o.q.request(years...))
				if err != nil {
					return err
				}
				s, err := query.Summarise(p, query.SummaryRequest{Years: years, By: o.by, Node: o.q.node})
				if err != nil {
					return err
				}
				return output.Write(o.f.io.Out, present.Summary(s, present.Lang(o.q.lang), o.q.format), o.q.format)
			})
		},
	}
	o.q.add(cmd)
	o.q.addNode(cmd, "count and average")
	cmd.Flags().IntVar(&o.year, "year", 0, "year (default: every year)")
	cmd.Flags().StringVar(&o.by, "by", "", "band (group), class, or a grouping: region, subregion, ldc, lldc, sids, or one of your own (default: band; for a framework without bands, the units' first grouping)")
	return cmd
}

type trendOptions struct {
	f        *factory
	q        queryFlags
	units    []string
	from, to int
}

func newCmdTrend(f *factory, runF func(*trendOptions) error) *cobra.Command {
	o := &trendOptions{f: f}
	cmd := &cobra.Command{
		Use:   "trend",
		Short: "Follow units on any node across years",
		Long: `Follow units across years on a node (the root unless --node):
unit,name,year,value,rank,group,source. The rank is the unit's rank by that node in
that year.`,
		Example: `  egdi trend --units CHN,IND
  egdi trend --units "Republic of Korea,Japan" --node osi --from 2012
  egdi trend --dataset provinces --units 110000,贵州省 --node maturity`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			if err := o.q.check(); err != nil {
				return err
			}
			return o.f.read(func(db *store.DB) error {
				units, p, err := loadUnits(cmd.Context(), db, splitList(o.units), o.q.request())
				if err != nil {
					return err
				}
				t, err := query.Follow(p, query.TrendRequest{Units: units, Node: o.q.node, From: o.from, To: o.to})
				if err != nil {
					return err
				}
				return output.Write(o.f.io.Out, present.Trend(t, present.Lang(o.q.lang), o.q.format), o.q.format)
			})
		},
	}
	o.q.add(cmd)
	o.q.addNode(cmd, "follow")
	cmd.Flags().StringSliceVar(&o.units, "units", nil, "units by code or name, comma-separated")
	cmd.Flags().IntVar(&o.from, "from", 0, "first year")
	cmd.Flags().IntVar(&o.to, "to", 0, "last year")
	cmd.MarkFlagRequired("units")
	return cmd
}

type compareOptions struct {
	f     *factory
	q     queryFlags
	units []string
	year  int
}

func newCmdCompare(f *factory, runF func(*compareOptions) error) *cobra.Command {
	o := &compareOptions{f: f}
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Set units side by side on a node and its children for one year",
		Example: `  egdi compare --units CHN,KOR,JPN,SGP --year 2022
  egdi compare --dataset provinces --units 110000,310000 --lang zh`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			if err := o.q.check(); err != nil {
				return err
			}
			return o.f.read(func(db *store.DB) error {
				units, p, err := loadUnits(cmd.Context(), db, splitList(o.units), o.q.request(o.year))
				if err != nil {
					return err
				}
				c, err := query.Compare(p, query.CompareRequest{Units: units, Year: o.year, Node: o.q.node})
				if err != nil {
					return err
				}
				return output.Write(o.f.io.Out, present.Comparison(c, present.Lang(o.q.lang), o.q.format), o.q.format)
			})
		},
	}
	o.q.add(cmd)
	o.q.addNode(cmd, "compare on")
	cmd.Flags().StringSliceVar(&o.units, "units", nil, "two or more units by code or name")
	cmd.Flags().IntVar(&o.year, "year", 0, "year (default: the latest)")
	cmd.MarkFlagRequired("units")
	return cmd
}

type checkOptions struct {
	f      *factory
	year   int
	strict bool
	format string
	lang   string
}

func newCmdCheck(f *factory, runF func(*checkOptions) error) *cobra.Command {
	o := &checkOptions{f: f}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check published data for consistency",
		Long: `Check published editions: EGDI against the mean of OSI, TII and HCI beyond
rounding, ranks against the competition ranking of EGDI, placeholders (ranked with
EGDI 0, left out of every ranking, count and mean as not assessed), values outside
0..1, missing components, and states not assessed. Exits 1 when errors are found,
and with --strict also on warnings.`,
		Example: `  egdi check --year 2012
  egdi check --strict --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			if err := present.Lang(o.lang).Check(); err != nil {
				return err
			}
			return o.f.read(func(db *store.DB) error {
				fs, err := query.Check(cmd.Context(), db, o.year)
				if err != nil {
					return err
				}
				if err := output.Write(o.f.io.Out, present.Findings(fs, present.Lang(o.lang)), o.format); err != nil {
					return err
				}
				errs, warns := 0, 0
				for _, x := range fs {
					switch x.Severity {
					case "error":
						errs++
					case "warning":
						warns++
					}
				}
				o.f.logf("%d error(s), %d warning(s)", errs, warns)
				if errs > 0 || o.strict && warns > 0 {
					return fmt.Errorf("check found %d error(s) and %d warning(s)", errs, warns)
				}
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&o.year, "year", 0, "survey year (default: all published editions)")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "fail on warnings too")
	cmd.Flags().StringVar(&o.format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&o.lang, "lang", "en", "en or zh")
	return cmd
}

type exportOptions struct {
	f      *factory
	q      queryFlags
	year   int
	out    string
	layout string
}

func newCmdExport(f *factory, runF func(*exportOptions) error) *cobra.Command {
	o := &exportOptions{f: f}
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write every node's values to CSV, Parquet or JSON (fast, for large datasets)",
		Long: `Write the values of every node of the selection, with their ranks, the root's band
(and class) and their source, to a .csv, .parquet or .json file:

  --layout long   dataset,unit,name,year,node,value,rank,band,source (one row per value)
  --layout wide   unit,name,year,<node>...,rank,band,source (one row per unit and year)

Each value is the computed one where that node was computed, else the published one,
as for every query; --source and --dataset choose.`,
		Example: `  egdi export --year 2022 --out egdi-2022.csv
  egdi export --dataset provinces --layout wide --out provinces.parquet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			if err := present.Lang(o.q.lang).Check(); err != nil {
				return err
			}
			var years []int
			if o.year != 0 {
				years = []int{o.year}
			}
			return o.f.read(func(db *store.DB) error {
				sel, err := panel.Select(cmd.Context(), db, o.q.request(years...))
				if err != nil {
					return err
				}
				q, args, order, err := query.Export(sel, o.layout)
				if err != nil {
					return err
				}
				n, err := output.CopyFile(cmd.Context(), db, present.ExportView(q, present.Lang(o.q.lang)), args,
					query.ExportColumns(sel, o.layout), []string{"dataset", "unit", "name"}, order, o.out)
				if err != nil {
					return err
				}
				o.f.logf("wrote %d rows to %s", n, o.out)
				return nil
			})
		},
	}
	o.q.addSource(cmd)
	cmd.Flags().StringVar(&o.q.lang, "lang", "en", "language of unit names: en or zh")
	cmd.Flags().IntVar(&o.year, "year", 0, "year (default: all)")
	cmd.Flags().StringVar(&o.out, "out", "", "output file: .csv, .parquet or .json")
	cmd.Flags().StringVar(&o.layout, "layout", query.Long, "long (one row per value) or wide (one row per unit and year)")
	cmd.RegisterFlagCompletionFunc("layout", fixed(query.Long, query.Wide))
	cmd.MarkFlagRequired("out")
	return cmd
}

type datasetsOptions struct {
	f      *factory
	format string
	lang   string
}

func newCmdDatasets(f *factory, runF func(*datasetsOptions) error) *cobra.Command {
	o := &datasetsOptions{f: f}
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "Say what the database holds: datasets, published editions, groupings, computed runs",
		Long: `List the datasets of raw indicators (units, years, indicators, synthetic or not),
the published editions (units listed, scored, not assessed, placeholders), the
groupings units can be counted and filtered by, and every stored run (published or
computed: method, nodes with their units, inputs checksum, engine version, time).`,
		Example: `  egdi datasets
  egdi datasets --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			if o.format != "table" && o.format != "json" {
				return fmt.Errorf("unknown --format %q; use table or json", o.format)
			}
			if err := present.Lang(o.lang).Check(); err != nil {
				return err
			}
			return o.f.read(func(db *store.DB) error {
				c, err := query.Datasets(cmd.Context(), db)
				if err != nil {
					return err
				}
				if o.format == "json" {
					return present.CatalogueJSON(o.f.io.Out, c)
				}
				lang := present.Lang(o.lang)
				titles := []string{lang.Tr("Datasets of raw indicators", "原始指标数据集"), lang.Tr("Published editions", "公布版本"),
					lang.Tr("Groupings", "分组方式"), lang.Tr("Runs (published and computed)", "运行（公布与计算）")}
				for i, t := range present.Catalogue(c, lang) {
					if i > 0 {
						fmt.Fprintln(o.f.io.Out)
					}
					fmt.Fprintf(o.f.io.Out, "%s\n\n", titles[i])
					if len(t.Rows) == 0 {
						fmt.Fprintln(o.f.io.Out, lang.Tr("(none)", "（无）"))
						continue
					}
					if err := output.Write(o.f.io.Out, t, "table"); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "table", "table or json")
	cmd.Flags().StringVar(&o.lang, "lang", "en", "en or zh")
	return cmd
}
