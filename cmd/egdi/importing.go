package main

import (
	"fmt"
	"github.com/egdi/egdi/internal/output"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/store"
)

func newCmdImport(f *factory) *cobra.Command {
	cmd := parentOf(&cobra.Command{
		Use:   "import",
		Short: "Import published index tables, raw indicators or groupings",
	})
	cmd.AddCommand(newCmdImportIndices(f), newCmdImportIndicators(f), newCmdImportGroups(f), newCmdImportCoinr(f))
	return cmd
}

func newCmdImportIndices(f *factory) *cobra.Command {
	var opt ingest.IndexOptions
	var maps []string
	var builtin bool
	cmd := &cobra.Command{
		Use:   "indices FILE...",
		Short: "Import published EGDI tables (UN Data Center exports and the like)",
		Long: `Import published index tables: the UN E-Government Knowledge Base Data Center
export (Survey Year,Country Name,E-Government Rank,...), tables with ISO3 codes
(country-code,country-name,e-gov-rank,e-gov-index,...), or any table whose headers
you map onto the fields unit,name,year,egdi,osi,tii,hci,epi,rank with --map.

The survey year comes from a year column, else from a 4-digit year in the file
name, else from --year. Countries are matched by ISO3 code or by name in any
historical spelling. Each edition is stored as a run of the dataset "published",
under the UN framework of its year (groups, classes, rounding). A blank rank with
all-zero scores is stored as not assessed, a rank with EGDI 0 as a placeholder
(2003–2012): both are left out of rankings, counts and means. Re-importing an
edition replaces it; all files are imported in one transaction.

--builtin imports the published panel egdi ships: every value of the editions
2003–2022 (data/published, with its provenance and the UN's terms of use).`,
		Example: `  egdi import indices --builtin
  egdi import indices EGOV_DATA_2022.csv egdi-2018.csv
  egdi import indices EGOV_DATA_2024.csv --map "E-Government Development Index=egdi"
  egdi import indices table.xlsx --year 2024 --map "Economy=name,Score=egdi,Position=rank"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if builtin {
				p, cleanup, err := ingest.BuiltinPublishedFile()
				if err != nil {
					return err
				}
				defer cleanup()
				args = append(args, p)
			}
			if len(args) == 0 {
				return fmt.Errorf("name the files to import, or --builtin for the published panel egdi ships")
			}
			opt.Map = map[string]string{}
			for _, kv := range splitList(maps) {
				k, v, ok := strings.Cut(kv, "=")
				v = strings.ToLower(strings.TrimSpace(v))
				valid := false
				for _, x := range ingest.IndexFields {
					valid = valid || x == v
				}
				if !ok || !valid {
					return fmt.Errorf("--map %q: write Header=field with field one of %s", kv, strings.Join(ingest.IndexFields, ", "))
				}
				opt.Map[strings.TrimSpace(k)] = v
			}
			return f.write(func(db *store.DB) error {
				res, err := ingest.ImportIndices(cmd.Context(), db, args, opt)
				if err != nil {
					return err
				}
				for _, r := range res {
					msg := fmt.Sprintf("%s: %d rows, edition %v", r.File, r.Rows, r.Years)
					if len(r.NotAssessed) > 0 {
						msg += fmt.Sprintf("; not assessed: %s", strings.Join(r.NotAssessed, ", "))
					}
					f.logf("%s", msg)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&builtin, "builtin", false, "import the published UN panel 2003–2022 shipped with egdi")
	cmd.Flags().IntVar(&opt.Year, "year", 0, "survey year when the file has no year column or year in its name")
	cmd.Flags().StringSliceVar(&maps, "map", nil, `map headers onto fields: "Header=field,..." (fields: unit,name,year,egdi,osi,tii,hci,epi,rank)`)
	return cmd
}

func newCmdImportIndicators(f *factory) *cobra.Command {
	var opt ingest.IndicatorOptions
	cmd := &cobra.Command{
		Use:   "indicators FILE...",
		Short: "Import raw survey indicators (CSV, XLSX, Parquet; long or wide)",
		Long: `Import raw indicators into a dataset. Layouts, detected from the header:

  long   unit,year,indicator,value
  wide   unit,year,<indicator>,<indicator>,...
  ITU DataHub export (seriesCode,entityIso,dataValue,dataYear,...)
  Our World in Data export (Entity,Code,Year,<series>)

An optional name (and name_zh) column names your own units. Units may be any
codes: ISO3 codes of UN Member States attach their reference data; other codes
(provinces, cities) are kept as they are. 'year' is the survey edition the values
serve: use --shift-years to label data years as editions (the 2022 Survey used ITU
data for 2020: --shift-years 2). Blank cells are missing values. Values for the same
(unit, year, indicator) already in the dataset are replaced. All files are imported
in one transaction; a bad value stops the import and names the file, line and column.`,
		Example: `  egdi import indicators provinces-2022.xlsx --dataset provinces
  egdi import indicators ITU_individuals_using_internet.csv --shift-years 2 --year 2022 --carry-back 5 --dataset itu
  egdi import indicators OWID_mobile-cellular-subscriptions-per-100-people.csv --shift-years 2 --dataset itu`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := ingest.CheckDatasetName(opt.Dataset); err != nil {
				return err
			}
			return f.write(func(db *store.DB) error {
				start := time.Now()
				f.logf("importing %d file(s) into dataset %q ...", len(args), opt.Dataset)
				progress, stop := f.steps()
				res, err := ingest.ImportIndicators(ingest.WithProgress(cmd.Context(), progress), db, args, opt)
				stop()
				if err != nil {
					return err
				}
				for _, r := range res {
					msg := fmt.Sprintf("%s: %s layout, %d values, %d units, years %v, indicators %s", r.File, r.Layout, r.Rows, r.Units, r.Years, strings.Join(r.Indicators, ", "))
					if len(r.Skipped) > 0 {
						msg += fmt.Sprintf(" (skipped series not used by egdi: %s)", strings.Join(r.Skipped, ", "))
					}
					f.logf("%s", msg)
				}
				f.logf("done in %s", time.Since(start).Round(time.Millisecond))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&opt.Dataset, "dataset", "default", "dataset to import into")
	cmd.Flags().StringVar(&opt.Indicator, "indicator", "", "indicator id of a one-series file (OWID) whose header egdi does not know")
	cmd.Flags().IntVar(&opt.ShiftYears, "shift-years", 0, "add N to the file's years (data year → survey edition)")
	cmd.Flags().IntVar(&opt.OnlyYear, "year", 0, "import only this (shifted) year")
	cmd.Flags().IntVar(&opt.CarryBack, "carry-back", 0, "with --year: fill a missing value with the unit's latest one from up to N years earlier")
	cmd.Flags().BoolVar(&opt.AnyYear, "any-year", false, "accept years outside 1990-2100")
	cmd.Flags().BoolVar(&opt.Synthetic, "synthetic", false, "mark the dataset as synthetic (shown wherever its results appear)")
	cmd.Flags().StringVar(&opt.Description, "description", "", "a description of the dataset")
	return cmd
}

func newCmdImportGroups(f *factory) *cobra.Command {
	var builtin []string
	cmd := &cobra.Command{
		Use:   "groups FILE...",
		Short: "Import groupings of units (economic regions, income groups, any research grouping)",
		Long: `Import groupings of units from CSV, XLSX or Parquet, in one of two layouts:

  long   unit,grouping,group[,group_zh]     one row per unit and grouping
  wide   unit,<grouping>[,<grouping>_zh]... one column per grouping

with optional name and name_zh columns naming your own units. A grouping serves
wherever the UN's M49 groupings do: summary --by GROUPING, rank --group
GROUPING=GROUP, chart regions --by GROUPING, and imputation by group
(impute: group-mean, impute_group: GROUPING). Units are matched by code (Member States
by ISO3 in any case); a code the database does not know yet becomes a unit of its own.
Importing a grouping again replaces it. region, subregion, ldc, lldc and sids are the
M49 groupings egdi has already; band, group and class are taken too.

--builtin NAME imports a grouping shipped with egdi: ` + strings.Join(ingest.BuiltinGroupings(), ", ") + `
(China's 31 provincial-level divisions by the four economic regions 东部, 中部, 西部,
东北 of the National Bureau of Statistics).`,
		Example: `  egdi import groups --builtin cn-economic-regions
  egdi import groups income-groups.csv
  egdi import groups regions.xlsx`,
		RunE: func(cmd *cobra.Command, args []string) error {
			files := append([]string{}, args...)
			for _, b := range splitList(builtin) {
				p, cleanup, err := ingest.BuiltinGroupingFile(b)
				if err != nil {
					return err
				}
				defer cleanup()
				files = append(files, p)
			}
			if len(files) == 0 {
				return fmt.Errorf("name a groupings file, or --builtin %s", strings.Join(ingest.BuiltinGroupings(), ", "))
			}
			return f.write(func(db *store.DB) error {
				res, err := ingest.ImportGroups(cmd.Context(), db, files)
				if err != nil {
					return err
				}
				for _, r := range res {
					var gs []string
					for g, n := range r.Groupings {
						gs = append(gs, fmt.Sprintf("%s (%d units)", g, n))
					}
					sort.Strings(gs)
					msg := fmt.Sprintf("%s: %s layout, groupings %s", r.File, r.Layout, strings.Join(gs, ", "))
					if n := len(r.NewUnits); n > 0 {
						msg += fmt.Sprintf("; %d units new to the database: %s", n, strings.Join(r.NewUnits[:min(n, 8)], ", "))
						if n > 8 {
							msg += ", …"
						}
					}
					f.logf("%s", msg)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVar(&builtin, "builtin", nil, "import a grouping shipped with egdi: "+strings.Join(ingest.BuiltinGroupings(), ", "))
	cmd.RegisterFlagCompletionFunc("builtin", fixed(ingest.BuiltinGroupings()...))
	return cmd
}

func newCmdImportCoinr(f *factory) *cobra.Command {
	var idata, imeta, frameworkOut string
	var opt ingest.IndicatorOptions
	var year int
	cmd := &cobra.Command{
		Use:   "coinr --idata FILE --imeta FILE --dataset NAME [--framework-out FILE.yaml]",
		Short: "Import a COINr coin: its iData and iMeta (CSV or XLSX), and a framework of its tree",
		Long: `Import the inputs of a COINr coin (the R package of the JRC), as COINr and the
COIN Tool's users keep them:

  iData  one row per unit (and Time): uCode, uName, group columns, denominators and
         indicators (blank or NA = missing)
  iMeta  one row per indicator, aggregate, denominator and group: Level, iCode, iName,
         Direction, Weight, Unit, Target, Denominator, Parent, Type

The indicators and denominators go into the dataset, the group columns become
groupings (for summary --by, rank --group and impute_group), the unit names are
kept. --framework-out writes an egdi framework with iMeta's tree, weights, directions,
denominators and targets and COINr's default steps, ready to edit and compute. All in
one transaction; a problem in either file is an error naming its row and column.`,
		Example: `  egdi import coinr --idata ASEM_iData.csv --imeta ASEM_iMeta.csv --dataset asem --framework-out asem.yaml
  egdi compute --method asem.yaml --dataset asem
  egdi rank --dataset asem --top 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if idata == "" || imeta == "" {
				return fmt.Errorf("name both files: --idata FILE --imeta FILE")
			}
			if opt.Dataset == "" {
				return fmt.Errorf("name the dataset to import into with --dataset, e.g. --dataset asem")
			}
			if err := ingest.CheckDatasetName(opt.Dataset); err != nil {
				return err
			}
			coin, err := ingest.ReadCoin(idata, imeta, year)
			if err != nil {
				return err
			}
			return f.write(func(db *store.DB) error {
				res, err := ingest.ImportCoin(cmd.Context(), db, coin, opt)
				if err != nil {
					return err
				}
				f.logf("%s, %s: %d units, %d indicators, %d denominators (%d values), groupings %s, into dataset %s",
					idata, imeta, res.Units, res.Indicators, res.Denominators, res.Values, strings.Join(res.Groupings, ", "), opt.Dataset)
				if frameworkOut != "" {
					if err := output.WriteFile(frameworkOut, coin.FrameworkYAML(opt.Dataset)); err != nil {
						return err
					}
					f.logf("wrote %s: compute with egdi compute --method %s --dataset %s", frameworkOut, frameworkOut, opt.Dataset)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&idata, "idata", "", "COINr's iData: CSV, XLSX or Parquet")
	cmd.Flags().StringVar(&imeta, "imeta", "", "COINr's iMeta: CSV, XLSX or Parquet")
	cmd.Flags().StringVar(&opt.Dataset, "dataset", "", "dataset to import into")
	cmd.Flags().StringVar(&frameworkOut, "framework-out", "", "also write an egdi framework of the coin's tree to this YAML file")
	cmd.Flags().IntVar(&year, "year", 0, "the year of iData without a Time column")
	cmd.Flags().BoolVar(&opt.Synthetic, "synthetic", false, "mark the dataset as synthetic")
	cmd.Flags().StringVar(&opt.Description, "description", "", "a description of the dataset")
	return cmd
}
