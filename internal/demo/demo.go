// Package demo builds the demo database: the published UN panel egdi ships (every
// value of the E-Government Survey 2003–2022), the synthetic UN indicators of the 193
// Member States (computed with the 2020 and 2022 methodologies) and China's synthetic
// provincial assessment (cn-province-2022). It prints the real 2022 ranking, groups and
// China's path, and the synthetic provincial tables, and draws charts and ranking
// reports. Whatever is synthetic is labelled so.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/report"
	"github.com/egdi/egdi/internal/store"
)

// Dataset names say what they hold wherever they show.
const (
	Dataset          = "synthetic-sample"
	ProvincesDataset = "provinces-synthetic-sample"
)

// Options are the demo's output choices.
type Options struct {
	Lang   present.Lang
	Charts string // folder for charts and reports; "" for none
	Out    io.Writer
	Log    func(format string, a ...any)
}

// Run imports the published panel and the samples into db, computes the samples and
// writes the demo's output.
func Run(ctx context.Context, db *store.DB, o Options) error {
	if err := importPublished(ctx, db); err != nil {
		return err
	}
	if err := importSample(ctx, db, "sample/un-synthetic.csv", Dataset); err != nil {
		return err
	}
	if err := importSample(ctx, db, "sample/cn-provinces-synthetic.csv", ProvincesDataset); err != nil {
		return err
	}
	if err := importGroups(ctx, db, "cn-economic-regions"); err != nil {
		return err
	}
	if err := computeWith(ctx, db, "cn-province-2022", ProvincesDataset, nil, o.Log); err != nil {
		return err
	}
	for _, y := range []int{2020, 2022} {
		if err := computeWith(ctx, db, fmt.Sprintf("un-%d", y), Dataset, []int{y}, o.Log); err != nil {
			return err
		}
	}
	tr := o.Lang.Tr
	un, err := load(ctx, db, panel.Request{Source: panel.Published})
	if err != nil {
		return err
	}
	synthetic, err := load(ctx, db, panel.Request{Dataset: Dataset, Source: panel.Computed})
	if err != nil {
		return err
	}
	provinces, err := load(ctx, db, panel.Request{Dataset: ProvincesDataset, Source: panel.Computed})
	if err != nil {
		return err
	}
	tables := []struct {
		title string
		get   func() (*output.Table, error)
	}{
		{tr("EGDI 2022 — top 15 (UN E-Government Survey 2022, as published)", "2022年电子政务发展指数前15名（联合国电子政务调查报告2022，公布数据）"), func() (*output.Table, error) {
			r, err := query.Rank(un, query.RankRequest{Year: 2022, Top: 15})
			if err != nil {
				return nil, err
			}
			return present.Ranking(r, o.Lang, "table"), nil
		}},
		{tr("EGDI groups 2022 (as published)", "2022年电子政务发展指数分组（公布数据）"), func() (*output.Table, error) {
			s, err := query.Summarise(un, query.SummaryRequest{Years: []int{2022}, By: "band"})
			if err != nil {
				return nil, err
			}
			return present.Summary(s, o.Lang, "table"), nil
		}},
		{tr("China, 2003–2022 (as published)", "中国，2003—2022年（公布数据）"), func() (*output.Table, error) {
			t, err := query.Follow(un, query.TrendRequest{Units: []string{"CHN"}})
			if err != nil {
				return nil, err
			}
			return present.Trend(t, o.Lang, "table"), nil
		}},
		{tr("EGDI 2022 computed by egdi from the synthetic indicators — top 5 (SYNTHETIC SAMPLE, not official figures)", "按2022年方法由合成指标计算的电子政务发展指数前5名（合成样本，非官方数据）"), func() (*output.Table, error) {
			r, err := query.Rank(synthetic, query.RankRequest{Year: 2022, Top: 5})
			if err != nil {
				return nil, err
			}
			return present.Ranking(r, o.Lang, "table"), nil
		}},
		{tr("Provincial online government services 2022 (cn-province-2022) — top 10 (SYNTHETIC SAMPLE)", "2022年省级政府一体化政务服务能力前10名（合成样本，非官方数据）"), func() (*output.Table, error) {
			r, err := query.Rank(provinces, query.RankRequest{Year: 2022, Top: 10})
			if err != nil {
				return nil, err
			}
			return present.Ranking(r, o.Lang, "table"), nil
		}},
		{tr("Provincial index 2022 by economic region (SYNTHETIC SAMPLE)", "2022年省级政府一体化政务服务能力（按经济区域，合成样本）"), func() (*output.Table, error) {
			s, err := query.Summarise(provinces, query.SummaryRequest{Years: []int{2022}, By: "economic_region"})
			if err != nil {
				return nil, err
			}
			return present.Summary(s, o.Lang, "table"), nil
		}},
	}
	for _, t := range tables {
		tb, err := t.get()
		if err != nil {
			return err
		}
		fmt.Fprintf(o.Out, "\n%s\n\n", t.title)
		if err := output.Write(o.Out, tb, "table"); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.Out, "\n%s egdi serve --db %s\n", o.Lang.Tr("Browse it in a local dashboard:", "在本地仪表板中浏览："), db.Path)
	if o.Charts == "" {
		return nil
	}
	return figures(un, provinces, o)
}

// load reads a selection into memory.
func load(ctx context.Context, db *store.DB, req panel.Request) (*panel.Panel, error) {
	sel, err := panel.Select(ctx, db, req)
	if err != nil {
		return nil, err
	}
	return panel.Load(ctx, db, sel)
}

// importPublished loads the published UN panel egdi ships.
func importPublished(ctx context.Context, db *store.DB) error {
	p, cleanup, err := ingest.BuiltinPublishedFile()
	if err != nil {
		return err
	}
	defer cleanup()
	_, err = ingest.ImportIndices(ctx, db, []string{p}, ingest.IndexOptions{})
	return err
}

// importGroups loads a grouping shipped with egdi.
func importGroups(ctx context.Context, db *store.DB, name string) error {
	p, cleanup, err := ingest.BuiltinGroupingFile(name)
	if err != nil {
		return err
	}
	defer cleanup()
	_, err = ingest.ImportGroups(ctx, db, []string{p})
	return err
}

// importSample loads an embedded sample file as a synthetic dataset.
func importSample(ctx context.Context, db *store.DB, name, dataset string) error {
	path, cleanup, err := ingest.EmbeddedFile(name)
	if err != nil {
		return err
	}
	defer cleanup()
	_, err = ingest.ImportIndicators(ctx, db, []string{path}, ingest.IndicatorOptions{
		Dataset: dataset, Synthetic: true,
		Description: fmt.Sprintf("synthetic sample shipped with egdi (data/%s); not official figures", name),
	})
	return err
}

func computeWith(ctx context.Context, db *store.DB, method, dataset string, years []int, log func(string, ...any)) error {
	f, err := framework.Load(method)
	if err != nil {
		return err
	}
	res, err := compute.Run(ctx, db, f, compute.Options{Dataset: dataset, Years: years})
	if err != nil {
		return err
	}
	for _, r := range res {
		log("computed %s %d: %d units with a value", f.ID, r.Year, r.Units)
	}
	return nil
}

// figures draws the demo's charts and writes the 2022 ranking reports into o.Charts.
func figures(un, provinces *panel.Panel, o Options) error {
	dir := o.Charts
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	specs := []struct {
		file, kind string
		p          *panel.Panel
		o          chart.Options
	}{
		{"ranking-2022.png", "ranking", un, chart.Options{Years: []int{2022}, Top: 20, Highlight: "CHN"}},
		{"ranking-2022-zh.png", "ranking", un, chart.Options{Years: []int{2022}, Top: 20, Highlight: "CHN", Lang: "zh"}},
		{"groups.png", "groups", un, chart.Options{}},
		{"groups-zh.svg", "groups", un, chart.Options{Lang: "zh"}},
		{"trend.png", "trend", un, chart.Options{Units: []string{"CHN", "KOR", "IND", "BRA"}}},
		{"trend-rank.pdf", "trend", un, chart.Options{Units: []string{"CHN", "KOR", "IND", "BRA"}, Rank: true}},
		{"regions-2022.png", "regions", un, chart.Options{Years: []int{2022}}},
		{"components-2022.png", "components", un, chart.Options{Units: []string{"CHN", "KOR", "JPN", "SGP"}, Years: []int{2022}}},
		{"scatter-tii-osi-2022.png", "scatter", un, chart.Options{Years: []int{2022}, X: "tii", Y: "osi", Units: []string{"CHN", "USA", "IND"}}},
		{"distribution-2022.png", "distribution", un, chart.Options{Years: []int{2022}}},
		{"movers-2020-2022.png", "movers", un, chart.Options{From: 2020, To: 2022, Top: 10}},
		{"provinces-2022-zh.png", "ranking", provinces, chart.Options{Years: []int{2022}, Top: 31, Lang: "zh"}},
		{"provinces-regions-2022-zh.png", "regions", provinces, chart.Options{Years: []int{2022}, By: "economic_region", Lang: "zh"}},
	}
	for _, s := range specs {
		f, err := chart.Build(s.p, s.kind, s.o)
		if err != nil {
			return fmt.Errorf("demo chart %s: %w", s.file, err)
		}
		if err := f.Save(filepath.Join(dir, s.file), chart.RenderOptions{}); err != nil {
			return err
		}
	}
	for _, lang := range []present.Lang{"en", "zh"} {
		r, err := report.Build(un, "ranking", report.Options{Year: 2022, Lang: lang, Charts: true})
		if err != nil {
			return fmt.Errorf("demo report: %w", err)
		}
		name := "ranking-2022.html"
		if lang == "zh" {
			name = "ranking-2022-zh.html"
		}
		if err := report.Write(r, "html", filepath.Join(dir, name), nil); err != nil {
			return err
		}
	}
	o.Log("wrote %d charts and the 2022 ranking report (ranking-2022.html, ranking-2022-zh.html) to %s", len(specs), dir)
	return nil
}
