package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/query"
	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/report"
	"github.com/egdi/egdi/internal/store"
)

// sweepFrameworks are the frameworks the sweep computes: every built-in one, the
// commented example, and the example without bands (a framework with no bands must
// work everywhere too).
func sweepFrameworks(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	for _, n := range framework.BuiltinNames() {
		out[n] = n
	}
	example := filepath.Join("..", "..", "data", "frameworks", "example.yaml")
	out["example"] = example
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s = s[:strings.Index(s, "\nbands:")] + "\n"
	s = strings.Replace(s, "id: city-example", "id: city-example-no-bands", 1)
	noBands := filepath.Join(dir, "no-bands.yaml")
	if err := os.WriteFile(noBands, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out["no-bands"] = noBands
	return out
}

// sweepSample writes random values of a framework's indicators for units and two
// years, a few missing (for the frameworks that impute), as a long CSV.
func sweepSample(f *framework.Framework, units []string, path string, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	reg, err := ingest.Registry()
	if err != nil {
		return err
	}
	hi := map[string]float64{}
	for _, e := range reg {
		if e.Max != nil {
			hi[e.ID] = *e.Max
		}
	}
	var b strings.Builder
	b.WriteString("unit,name,name_zh,year,indicator,value\n")
	for _, y := range []int{2020, 2022} {
		for ui, u := range units {
			for ii, id := range f.UsedIndicators() {
				in := f.Indicator(id)
				if in.Impute != framework.ImputeNone && (ui+ii+y)%7 == 0 {
					continue
				}
				v := 1 + rng.Float64()*99
				if m, ok := hi[id]; ok {
					v = 1 + rng.Float64()*(m-1)
				}
				if len(in.Goalposts) == 2 {
					lo, hi := in.Goalposts[0], in.Goalposts[1]
					v = lo + rng.Float64()*(hi-lo)
				}
				name, zh := u, ""
				if !strings.HasPrefix(u, "U") {
					name = ""
				} else {
					name, zh = "Unit "+u[1:], "地区"+u[1:]
				}
				fmt.Fprintf(&b, "%s,%s,%s,%d,%s,%.3f\n", u, name, zh, y, id, v)
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// sweepDB computes every sweep framework over a sample of its own, each as a dataset
// named after it, with a grouping of the units of one's own.
func sweepDB(t *testing.T) (string, map[string]string) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sweep.duckdb")
	fws := sweepFrameworks(t, dir)
	var members, own []string
	for _, c := range refdata.All() {
		members = append(members, c.ISO3)
	}
	var groups strings.Builder
	groups.WriteString("unit,grouping,group,group_zh\n")
	for i := 1; i <= 24; i++ {
		own = append(own, fmt.Sprintf("U%02d", i))
		fmt.Fprintf(&groups, "U%02d,zone,%s,%s\n", i, []string{"North", "South", "East"}[i%3], []string{"北区", "南区", "东区"}[i%3])
	}
	seed := uint64(1)
	for name, method := range fws {
		f, err := framework.Load(method)
		if err != nil {
			t.Fatal(err)
		}
		units := own
		if f.Universe == framework.UniverseMembers {
			units = members
		}
		csv := filepath.Join(dir, name+".csv")
		if err := sweepSample(f, units, csv, seed); err != nil {
			t.Fatal(err)
		}
		seed++
		mustRun(t, db, "import", "indicators", csv, "--dataset", name, "--synthetic")
		if name == "example" || name == "no-bands" {
			// the example imputes by group: its units need one
			g := filepath.Join(dir, "groups.csv")
			os.WriteFile(g, []byte(groups.String()), 0o644)
			mustRun(t, db, "import", "groups", g)
		}
		mustRun(t, db, "compute", "--method", method, "--dataset", name)
	}
	return db, fws
}

// safely runs fn and turns a panic into a test error naming what was done.
func safely(t *testing.T, what string, fn func() error) error {
	t.Helper()
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: panic: %v\n%s", what, r, debug.Stack())
			}
		}()
		err = fn()
	}()
	return err
}

// clear reports whether an error is one a user can act on: a sentence, not a Go
// runtime or DuckDB internals.
func clear(err error) bool {
	s := err.Error()
	for _, bad := range []string{"runtime error", "index out of range", "nil pointer", "Binder Error", "Parser Error", "Catalog Error", "interface conversion"} {
		if strings.Contains(s, bad) {
			return false
		}
	}
	return len(s) > 10
}

// TestSweepEveryFrameworkNodeCommandChartAndReport: for every framework in data/methods
// and data/frameworks, one without bands, and the published UN panel, every query,
// chart kind and report kind, at every node, in English and Chinese, gives output or a
// clear error — never a panic.
func TestSweepEveryFrameworkNodeCommandChartAndReport(t *testing.T) {
	t.Parallel()
	db, fws := sweepDB(t)
	type target struct {
		name string
		req  panel.Request
		path string
	}
	var targets []target
	for name := range fws {
		targets = append(targets, target{name, panel.Request{Dataset: name}, db})
	}
	slices.SortFunc(targets, func(a, b target) int { return strings.Compare(a.name, b.name) })
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "data")); err == nil {
		targets = append(targets, target{"published", panel.Request{Source: panel.Published}, publishedDB(t)})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			s, err := store.Open(tg.path, true)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			p, err := load(ctx, s, tg.req)
			if err != nil {
				t.Fatalf("%s: %v", tg.name, err)
			}
			var units []string
			for _, r := range p.Of(p.YearList()[len(p.YearList())-1]) {
				if r.Assessed() && len(units) < 3 {
					units = append(units, r.Unit.Code)
				}
			}
			years := p.YearList()
			last := years[len(years)-1]
			outputs, refusals := 0, 0
			check := func(what string, err error) {
				t.Helper()
				if err == nil {
					outputs++
					return
				}
				refusals++
				if os.Getenv("EGDI_SWEEP_LOG") != "" {
					t.Logf("%s: %v", what, err)
				}
				if !clear(err) {
					t.Errorf("%s: unclear error: %v", what, err)
				}
			}
			for ni, node := range p.Nodes {
				for _, lang := range []present.Lang{"en", "zh"} {
					// Chinese at the root and the first node under it; the labels, not the
					// layout, differ
					drawn := lang == "en" || ni < 2
					at := fmt.Sprintf("%s node %s %s", tg.name, node, lang)
					for _, format := range output.Formats {
						check(at+" rank "+format, safely(t, at+" rank", func() error {
							r, err := query.Rank(p, query.RankRequest{Node: node, Top: 5})
							if err != nil {
								return err
							}
							return output.Write(io.Discard, present.Ranking(r, lang, format), format)
						}))
						for _, by := range append([]string{"band", "class"}, p.Groupings()...) {
							check(at+" summary by "+by, safely(t, at+" summary", func() error {
								s, err := query.Summarise(p, query.SummaryRequest{Node: node, By: by})
								if err != nil {
									return err
								}
								return output.Write(io.Discard, present.Summary(s, lang, format), format)
							}))
						}
						check(at+" trend", safely(t, at+" trend", func() error {
							tr, err := query.Follow(p, query.TrendRequest{Units: units, Node: node})
							if err != nil {
								return err
							}
							return output.Write(io.Discard, present.Trend(tr, lang, format), format)
						}))
						check(at+" compare", safely(t, at+" compare", func() error {
							c, err := query.Compare(p, query.CompareRequest{Units: units[:2], Node: node})
							if err != nil {
								return err
							}
							return output.Write(io.Discard, present.Comparison(c, lang, format), format)
						}))
					}
					// charts: built and drawn (gonum lays out at drawing time)
					for _, kind := range chart.Kinds {
						if !drawn {
							break
						}
						o := chart.Options{Lang: lang, Node: node, Units: units, Years: []int{last}, X: node, Y: p.Root(), From: years[0], To: last}
						if kind == "groups" || kind == "movers" || kind == "trend" {
							o.Years = nil
						}
						if kind == "trend" && lang == "zh" {
							o.Rank = true
						}
						check(at+" chart "+kind, safely(t, at+" chart "+kind, func() error {
							f, err := chart.Build(p, kind, o)
							if err != nil {
								return err
							}
							_, err = f.Render("svg", chart.RenderOptions{})
							return err
						}))
					}
					// reports, with their charts for the root and as tables elsewhere
					for _, kind := range report.Kinds {
						o := report.Options{Lang: lang, Node: node, Unit: units[0], Units: units, From: years[0], To: last, Charts: node == p.Root()}
						check(at+" report "+kind, safely(t, at+" report "+kind, func() error {
							r, err := report.Build(p, kind, o)
							if err != nil {
								return err
							}
							format := "json"
							if o.Charts {
								format = "html"
							}
							return report.Write(r, format, filepath.Join(t.TempDir(), "r."+format), nil)
						}))
					}
				}
			}
			// and through the commands, at the root: the streamed CSV ranking and the exports
			args := []string{"--dataset", tg.req.Dataset}
			if tg.req.Source != "" {
				args = []string{"--source", tg.req.Source}
			}
			for _, cmd := range [][]string{{"rank", "--format", "csv"}, {"rank", "--lang", "zh"}, {"summary", "--format", "json"},
				{"export", "--out", filepath.Join(t.TempDir(), "l.csv")}, {"export", "--layout", "wide", "--out", filepath.Join(t.TempDir(), "w.parquet")}} {
				if _, err := run(t, tg.path, append(cmd, args...)...); err != nil {
					t.Errorf("egdi %s %s: %v", strings.Join(cmd, " "), strings.Join(args, " "), err)
				}
			}
			t.Logf("%s: %d nodes, %d outputs, %d clear refusals", tg.name, len(p.Nodes), outputs, refusals)
			if outputs == 0 {
				t.Errorf("%s gave no output at all", tg.name)
			}
		})
	}
}
