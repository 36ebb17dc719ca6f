package query

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/egdi/egdi/internal/store"
)

// Row is one unit's values in one survey year, typed for charts and reports. Missing
// index values are NaN; a missing rank is 0.
type Row struct {
	Unit, Name string
	Year       int
	Values     [5]float64 // in the order of Indices
	Rank       int
	Group      string // very_high, high, middle, low ("" when not banded)
	Class      string
	Region     string // in the requested language
	Subregion  string
	LDC, LLDC  bool
	SIDS       bool
}

// Value returns the row's value of index (egdi, osi, tii, hci, epi) and whether it is present.
func (r Row) Value(index string) (float64, bool) {
	for i, x := range Indices {
		if x == index {
			return r.Values[i], !math.IsNaN(r.Values[i])
		}
	}
	return math.NaN(), false
}

// GroupLabel names a group id (very_high …) in lang; unknown ids come back unchanged.
func GroupLabel(id string, lang Lang) string {
	if l, ok := groupLabels[id]; ok {
		if lang == "zh" {
			return l[1]
		}
		return l[0]
	}
	return id
}

// UNEditions are the years of the UN E-Government Survey's EGDI editions.
var UNEditions = []int{2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024}

// noValues explains an empty selection: nothing at all, or nothing of the source or
// dataset asked for.
func noValues(req Request) error {
	switch {
	case req.Dataset != "":
		return fmt.Errorf("no computed values for dataset %q: compute it first (egdi compute --method M --dataset %s), or check the name", req.Dataset, req.Dataset)
	case req.Source == Published:
		return fmt.Errorf("the database has no published values: import them (egdi import indices FILE), or leave out --source published")
	case req.Source == Computed:
		return fmt.Errorf("the database has no computed values: compute them (egdi compute), or leave out --source computed")
	}
	return fmt.Errorf("the database has no index values yet: import published indices (egdi import indices FILE) or compute them (egdi compute)")
}

// Groups are the EGDI group ids, highest first.
var Groups = []string{"very_high", "high", "middle", "low"}

// Panel returns every unit's values for the requested years (none: every year with
// data), ordered by year and then by EGDI rank, with the source of each year.
func Panel(ctx context.Context, db *store.DB, req Request, years []int, lang Lang) ([]Row, []Choice, error) {
	var choices []Choice
	if len(years) == 0 {
		all, err := Choose(ctx, db, req)
		if err != nil {
			return nil, nil, err
		}
		if len(all) == 0 {
			return nil, nil, noValues(req)
		}
		choices = all
	} else {
		for _, y := range years {
			c, _, err := yearChoice(ctx, db, req, y)
			if err != nil {
				return nil, nil, err
			}
			choices = append(choices, c)
		}
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`WITH panel AS (%s)
		SELECT unit, name, name_zh, year, egdi, osi, tii, hci, epi, rank, grp, class,
		       region, region_zh, subregion, subregion_zh, ldc, lldc, sids
		FROM panel ORDER BY year, rank NULLS LAST, name`, panelSQL(choices)))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var name, nameZh, grp, class, reg, regZh, sub, subZh sql.NullString
		var v [5]sql.NullFloat64
		var rank sql.NullInt64
		var ldc, lldc, sids sql.NullBool
		if err := rows.Scan(&r.Unit, &name, &nameZh, &r.Year, &v[0], &v[1], &v[2], &v[3], &v[4], &rank, &grp, &class,
			&reg, &regZh, &sub, &subZh, &ldc, &lldc, &sids); err != nil {
			return nil, nil, err
		}
		r.Name = nameIn(name, nameZh, lang)
		if r.Name == "" {
			r.Name = r.Unit
		}
		for i := range v {
			r.Values[i] = math.NaN()
			if v[i].Valid {
				r.Values[i] = v[i].Float64
			}
		}
		r.Rank = int(rank.Int64)
		r.Group, r.Class = grp.String, class.String
		r.Region, r.Subregion = nameIn(reg, regZh, lang), nameIn(sub, subZh, lang)
		r.LDC, r.LLDC, r.SIDS = ldc.Bool, lldc.Bool, sids.Bool
		out = append(out, r)
	}
	return out, choices, rows.Err()
}
