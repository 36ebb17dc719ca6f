package panel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Sources of values.
const (
	Published = "published"
	Computed  = "computed"
)

// Run is one stored set of node values: a published edition or a computation.
type Run struct {
	ID        int
	Dataset   string
	Year      int
	Source    string // Published or Computed
	Method    string // the framework's id
	Origin    string // the file it came from (published) or the framework's origin
	Root      string
	Digits    int
	Ranking   string
	Synthetic bool
	At        time.Time // computed or imported
	Inputs    string    // checksum of the inputs (computed)
	InputRows int64
	Engine    string
	Framework *framework.Framework
	Nodes     map[string]int // node → units with a value
	Ords      map[string]int // node → its place in the run's lists (node_lists); the root has none
	Excluded  int            // units listed without values (see excluded)
}

// Has reports whether the run holds values of node.
func (r *Run) Has(node string) bool { return r.Nodes[node] > 0 }

// UN reports whether the run is of the UN's index: a published edition, or a
// computation whose root is a node of the published EGDI (un-YYYY, a copy of it, or a
// framework of one UN sub-index).
func (r *Run) UN() bool {
	if r.Source == Published {
		return true
	}
	f := framework.ForEdition(r.Year)
	return f != nil && f.Node(r.Root) != nil
}

// Runs reads every run in the database, oldest first.
func Runs(ctx context.Context, db *store.DB) ([]*Run, error) {
	rows, err := db.QueryContext(ctx, `SELECT r.run_id, r.dataset, r.year, r.source, r.method, coalesce(r.method_origin, ''),
		coalesce(r.root, ''), coalesce(r.digits, 4), coalesce(r.ranking, 'competition'), coalesce(d.synthetic, false),
		coalesce(r.computed_at, TIMESTAMP '1970-01-01'), coalesce(r.inputs_checksum, ''), coalesce(r.inputs_rows, 0),
		coalesce(r.engine_version, ''), coalesce(r.framework_json, '')
		FROM runs r LEFT JOIN datasets d USING (dataset) ORDER BY r.computed_at NULLS FIRST, r.run_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Run
	byID := map[int]*Run{}
	for rows.Next() {
		r := &Run{Nodes: map[string]int{}, Ords: map[string]int{}}
		var fj string
		if err := rows.Scan(&r.ID, &r.Dataset, &r.Year, &r.Source, &r.Method, &r.Origin, &r.Root, &r.Digits, &r.Ranking,
			&r.Synthetic, &r.At, &r.Inputs, &r.InputRows, &r.Engine, &fj); err != nil {
			return nil, err
		}
		if fj != "" {
			var f framework.Framework
			if err := json.Unmarshal([]byte(fj), &f); err != nil {
				return nil, fmt.Errorf("the recorded framework of %s %d: %w", r.Dataset, r.Year, err)
			}
			r.Framework = &f
		} else if r.Source == Published {
			r.Framework = framework.ForEdition(r.Year)
		}
		if r.Framework == nil {
			return nil, fmt.Errorf("run %d (%s %d) has no recorded framework; recompute it (egdi compute --dataset %s --year %d)", r.ID, r.Dataset, r.Year, r.Dataset, r.Year)
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	nodes, err := db.QueryContext(ctx, `SELECT run_id, node, units, ord FROM run_nodes`)
	if err != nil {
		return nil, err
	}
	defer nodes.Close()
	for nodes.Next() {
		var id, n int
		var node string
		var ord sql.NullInt64
		if err := nodes.Scan(&id, &node, &n, &ord); err != nil {
			return nil, err
		}
		if r := byID[id]; r != nil {
			r.Nodes[node] += n
			if ord.Valid {
				r.Ords[node] = int(ord.Int64)
			}
		}
	}
	if err := nodes.Err(); err != nil {
		return nil, err
	}
	ex, err := db.QueryContext(ctx, `SELECT d.code, x.year, count(*) FROM excluded x JOIN codes d ON d.id = x.dataset_id GROUP BY ALL`)
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	for ex.Next() {
		var ds string
		var y, n int
		if err := ex.Scan(&ds, &y, &n); err != nil {
			return nil, err
		}
		for _, r := range out {
			if r.Dataset == ds && r.Year == y {
				r.Excluded = n
			}
		}
	}
	return out, ex.Err()
}

// Request selects the values a query sees.
type Request struct {
	Source  string // "", Published or Computed
	Dataset string // "": the default selection (see the package documentation)
	Years   []int  // none: every year with data; 0 stands for the latest year
}

// Year is one year of a selection: its runs, the first winning.
type Year struct {
	Year    int
	Runs    []*Run
	Digits  int    // the decimals ranks and bands are taken on
	Ranking string // the ranking rule
}

// Selection is what a query reads: the runs of each year, the framework that names the
// nodes (that of the latest year's first run), and the nodes the runs hold, the root
// first, then level by level.
type Selection struct {
	Request   Request
	Years     []Year
	Framework *framework.Framework
	Nodes     []string
	all       []*Run // every run of the database, for suggestions
	fallback  string // the dataset chosen because the default selection had nothing
	codes     map[string]int
	// fill are runs that only fill in values of the units other runs have (the
	// published editions under a dataset named): they bring no units of their own.
	fill map[*Run]bool
}

// Root is the root node of the selection's framework.
func (s *Selection) Root() string { return s.Framework.Root }

// UN reports whether the selection shows the UN's index (root egdi).
func (s *Selection) UN() bool { return s.Framework.Root == "egdi" }

// Runs lists the selection's runs, year by year, each once.
func (s *Selection) Runs() []*Run {
	var out []*Run
	for _, y := range s.Years {
		out = append(out, y.Runs...)
	}
	return out
}

// YearList is the selection's years.
func (s *Selection) YearList() []int {
	out := make([]int, len(s.Years))
	for i, y := range s.Years {
		out[i] = y.Year
	}
	return out
}

// Synthetic reports whether any run of the selection holds synthetic data.
func (s *Selection) Synthetic() bool {
	for _, r := range s.Runs() {
		if r.Synthetic {
			return true
		}
	}
	return false
}

// Fallback is the dataset shown because the default selection had nothing for the
// years asked ("" when it had).
func (s *Selection) Fallback() string { return s.fallback }

// NoValuesError says that a selection is empty, and why.
type NoValuesError struct{ msg string }

func (e *NoValuesError) Error() string { return e.msg }

// Select resolves a request into the runs of each year (see the package documentation).
func Select(ctx context.Context, db *store.DB, req Request) (*Selection, error) {
	all, err := Runs(ctx, db)
	if err != nil {
		return nil, err
	}
	sel, err := selectRuns(all, req)
	if err != nil {
		return nil, err
	}
	names := append([]string{}, sel.Nodes...)
	for _, r := range sel.Runs() {
		names = append(names, r.Dataset)
	}
	if sel.codes, err = store.KnownCodes(ctx, db, names...); err != nil {
		return nil, err
	}
	return sel, nil
}

func selectRuns(all []*Run, req Request) (*Selection, error) {
	if req.Source != "" && req.Source != Published && req.Source != Computed {
		return nil, fmt.Errorf("unknown source %q; use published or computed", req.Source)
	}
	if req.Dataset == store.PublishedDataset {
		if req.Source == Computed {
			return nil, fmt.Errorf("dataset %q holds the published editions; --source computed cannot read it", req.Dataset)
		}
		req.Source, req.Dataset = Published, ""
	}
	var published, computed []*Run
	for _, r := range all {
		if r.Source == Published {
			published = append(published, r)
		} else {
			computed = append(computed, r)
		}
	}
	sel := &Selection{Request: req, all: all}
	var chosen []*Run
	switch {
	case req.Dataset != "":
		if req.Source == Published {
			return nil, fmt.Errorf("--source published reads the published editions; leave out --dataset %s, or use --source computed", req.Dataset)
		}
		var mine []*Run
		for _, r := range computed {
			if r.Dataset == req.Dataset {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			return nil, &NoValuesError{noDataset(all, req.Dataset)}
		}
		chosen = mine
		if req.Source != Computed && mine[len(mine)-1].UN() {
			chosen = append(chosen, published...)
			sel.fill = map[*Run]bool{}
			for _, r := range published {
				sel.fill[r] = true
			}
		}
	default:
		if req.Source != Computed {
			chosen = append(chosen, published...)
		}
		if req.Source != Published {
			for _, r := range computed {
				if r.UN() && !r.Synthetic {
					chosen = append(chosen, r)
				}
			}
		}
		if !covers(chosen, req.Years) && req.Source != Published {
			// Nothing of the UN's index over real data for those years: the most
			// recently computed dataset that has them.
			for i := len(computed) - 1; i >= 0; i-- {
				var mine []*Run
				for _, r := range computed {
					if r.Dataset == computed[i].Dataset {
						mine = append(mine, r)
					}
				}
				if covers(mine, req.Years) {
					chosen, sel.fallback = mine, computed[i].Dataset
					break
				}
			}
		}
	}
	byYear := map[int][]*Run{}
	for _, r := range chosen {
		byYear[r.Year] = append(byYear[r.Year], r)
	}
	if len(byYear) == 0 {
		return nil, &NoValuesError{noValues(req)}
	}
	var years []int
	for y := range byYear {
		years = append(years, y)
	}
	sort.Ints(years)
	want := years
	if len(req.Years) > 0 {
		want = nil
		for _, y := range req.Years {
			if y == 0 {
				y = years[len(years)-1]
			}
			if _, ok := byYear[y]; !ok {
				src := ""
				if req.Source != "" {
					src = " " + req.Source
				}
				return nil, &NoValuesError{fmt.Sprintf("no%s values for %d; years with data: %s", src, y, yearText(years))}
			}
			if !slices.Contains(want, y) {
				want = append(want, y)
			}
		}
		sort.Ints(want)
	}
	for _, y := range want {
		runs := byYear[y]
		// computed before published, the latest computation first
		sort.SliceStable(runs, func(i, j int) bool {
			a, b := runs[i], runs[j]
			if (a.Source == Published) != (b.Source == Published) {
				return b.Source == Published
			}
			return a.At.After(b.At) || (a.At.Equal(b.At) && a.ID > b.ID)
		})
		sel.Years = append(sel.Years, Year{Year: y, Runs: runs, Digits: runs[0].Digits, Ranking: runs[0].Framework.Ranking})
	}
	sel.Framework = labelling(sel.Years[len(sel.Years)-1].Runs)
	sel.Nodes = nodesOf(sel)
	return sel, nil
}

// labelling is the framework that names a year's nodes: that of the first run whose
// framework has every other run's root (the UN framework of a published edition under a
// computation of TII alone), else the first run's.
func labelling(runs []*Run) *framework.Framework {
	for _, r := range runs {
		all := true
		for _, o := range runs {
			all = all && r.Framework.Node(o.Root) != nil
		}
		if all {
			return r.Framework
		}
	}
	return runs[0].Framework
}

// covers reports whether runs hold every year of years (any year when years is empty).
func covers(runs []*Run, years []int) bool {
	if len(runs) == 0 {
		return false
	}
	for _, y := range years {
		if y == 0 {
			continue
		}
		if !slices.ContainsFunc(runs, func(r *Run) bool { return r.Year == y }) {
			return false
		}
	}
	return true
}

// nodesOf orders the nodes the selection's runs hold: those of its framework level by
// level from the root, then its supplementary indices (the UN's EPI) level by level,
// then nodes only other frameworks of the selection have.
func nodesOf(sel *Selection) []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	f := sel.Framework
	for _, top := range f.TopNodes() {
		queue := []string{top}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			add(id)
			for _, c := range f.Node(id).Children {
				if f.Node(c.ID) != nil {
					queue = append(queue, c.ID)
				}
			}
		}
	}
	for _, r := range sel.Runs() {
		for _, n := range r.Framework.Nodes {
			if r.Has(n.ID) || n.ID == r.Root {
				add(n.ID)
			}
		}
	}
	return out
}

func yearText(ys []int) string {
	var s []string
	for _, y := range ys {
		s = append(s, fmt.Sprint(y))
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func noValues(req Request) string {
	switch {
	case req.Source == Published:
		return "the database has no published values: import them (egdi import indices FILE), or leave out --source published"
	case req.Source == Computed:
		return "the database has no computed values: compute them (egdi compute), or leave out --source computed"
	}
	return "the database has no index values yet: import published indices (egdi import indices FILE) or compute them (egdi compute)"
}

func noDataset(all []*Run, name string) string {
	var names []string
	for _, r := range all {
		if r.Source == Computed && !slices.Contains(names, r.Dataset) {
			names = append(names, r.Dataset)
		}
	}
	msg := fmt.Sprintf("no computed values for dataset %q: compute it first (egdi compute --method M --dataset %s), or check the name", name, name)
	if len(names) > 0 {
		msg += "; computed datasets: " + strings.Join(names, ", ")
	}
	return msg
}
