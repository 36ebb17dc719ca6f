package query

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
)

// Catalogue is what the database holds.
type Catalogue struct {
	Datasets  []DatasetInfo
	Published []EditionInfo
	Groupings []GroupingInfo
	Runs      []RunInfo
}

// DatasetInfo describes a dataset of raw indicators.
type DatasetInfo struct {
	Name        string
	Synthetic   bool
	Description string
	Units       int
	Values      int64
	Years       []int
	Indicators  []string
}

// EditionInfo describes a published edition.
type EditionInfo struct {
	Year         int
	File         string
	Run          int
	Listed       int // units the edition lists
	Scored       int // with an EGDI, placeholders left out
	NotAssessed  []string
	Placeholders []string
}

// GroupingInfo describes a grouping.
type GroupingInfo struct {
	Name   string
	M49    bool // one of the UN's M49 groupings of the Member States
	Units  int
	Groups []string
}

// RunInfo describes a stored run: a computation or a published edition.
type RunInfo struct {
	ID         int
	Dataset    string
	Year       int
	Source     string
	Method     string
	Origin     string
	Nodes      map[string]int // node → units with a value
	Excluded   int
	Inputs     string
	InputRows  int64
	Engine     string
	At         time.Time
	Synthetic  bool
	NodeOrder  []string // the framework's nodes, in its order
	Root       string
	Framework  string // the framework's title
	Assumption int    // assumptions the framework states
}

// Datasets reads the catalogue.
func Datasets(ctx context.Context, db *store.DB) (*Catalogue, error) {
	c := &Catalogue{}
	rows, err := db.QueryContext(ctx, `SELECT d.dataset, coalesce(d.synthetic, false), coalesce(d.description, ''),
		count(DISTINCT v.unit_key), count(v.value), list(DISTINCT v.year ORDER BY v.year) FILTER (WHERE v.year IS NOT NULL),
		list(DISTINCT i.code ORDER BY i.code) FILTER (WHERE i.code IS NOT NULL)
		FROM datasets d LEFT JOIN codes k ON k.code = d.dataset LEFT JOIN raw_values v ON v.dataset_id = k.id
		LEFT JOIN codes i ON i.id = v.indicator_id
		WHERE d.dataset <> ? GROUP BY ALL ORDER BY d.dataset`, store.PublishedDataset)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d DatasetInfo
		var years, inds []any
		if err := rows.Scan(&d.Name, &d.Synthetic, &d.Description, &d.Units, &d.Values, &years, &inds); err != nil {
			rows.Close()
			return nil, err
		}
		for _, y := range years {
			d.Years = append(d.Years, int(y.(int32)))
		}
		for _, s := range inds {
			d.Indicators = append(d.Indicators, s.(string))
		}
		c.Datasets = append(c.Datasets, d)
	}
	rows.Close()
	runs, err := panel.Runs(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		info := RunInfo{ID: r.ID, Dataset: r.Dataset, Year: r.Year, Source: r.Source, Method: r.Method, Origin: r.Origin,
			Nodes: r.Nodes, Excluded: r.Excluded, Inputs: r.Inputs, InputRows: r.InputRows, Engine: r.Engine, At: r.At,
			Synthetic: r.Synthetic, Root: r.Root, Framework: r.Framework.Title.En, Assumption: len(r.Framework.Assumptions)}
		for _, n := range r.Framework.Nodes {
			info.NodeOrder = append(info.NodeOrder, n.ID)
		}
		c.Runs = append(c.Runs, info)
		if r.Source != panel.Published {
			continue
		}
		e := EditionInfo{Year: r.Year, File: r.Origin, Run: r.ID, Scored: r.Nodes[r.Root]}
		c.Published = append(c.Published, e)
	}
	sort.Slice(c.Published, func(i, j int) bool { return c.Published[i].Year < c.Published[j].Year })
	ex, err := db.QueryContext(ctx, `SELECT x.year, x.reason, u.unit FROM excluded x JOIN codes d ON d.id = x.dataset_id
		JOIN unit_list u USING (unit_key) WHERE d.code = ? ORDER BY x.year, u.unit`, store.PublishedDataset)
	if err != nil {
		return nil, err
	}
	for ex.Next() {
		var y int
		var reason, unit string
		if err := ex.Scan(&y, &reason, &unit); err != nil {
			ex.Close()
			return nil, err
		}
		for i := range c.Published {
			e := &c.Published[i]
			if e.Year != y {
				continue
			}
			if reason == "placeholder" {
				e.Placeholders = append(e.Placeholders, unit)
				e.Scored--
			} else {
				e.NotAssessed = append(e.NotAssessed, unit)
			}
		}
	}
	ex.Close()
	for i := range c.Published {
		e := &c.Published[i]
		e.Listed = e.Scored + len(e.Placeholders) + len(e.NotAssessed)
	}
	g, err := db.QueryContext(ctx, `SELECT grouping, count(DISTINCT unit_key), list(DISTINCT grp ORDER BY grp) FROM unit_groups GROUP BY grouping`)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	for g.Next() {
		var gi GroupingInfo
		var groups []any
		if err := g.Scan(&gi.Name, &gi.Units, &groups); err != nil {
			return nil, err
		}
		for _, s := range groups {
			gi.Groups = append(gi.Groups, s.(string))
		}
		for _, m := range panel.M49Groupings {
			gi.M49 = gi.M49 || m == gi.Name
		}
		c.Groupings = append(c.Groupings, gi)
	}
	sort.Slice(c.Groupings, func(i, j int) bool {
		a, b := c.Groupings[i], c.Groupings[j]
		if a.M49 != b.M49 {
			return a.M49
		}
		if a.M49 {
			return index(panel.M49Groupings, a.Name) < index(panel.M49Groupings, b.Name)
		}
		return strings.Compare(a.Name, b.Name) < 0
	})
	return c, g.Err()
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list)
}
