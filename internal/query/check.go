package query

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Finding is one problem in published data.
type Finding struct {
	Year     int
	Unit     string
	Name     string
	Check    string // egdi_mismatch, rank_mismatch, placeholder, out_of_range, missing_component, not_assessed
	Severity string // error, warning, info
	Detail   string
}

// Check tests published editions (year 0: all of them) for internal consistency:
//   - egdi_mismatch: EGDI differs from the mean of OSI, TII and HCI by more than the
//     rounding allows (10^-d for values published to d decimals);
//   - rank_mismatch: a rank that is not the competition rank of the published EGDI
//     among the states scored (placeholders and unassessed states left out);
//   - placeholder: a state ranked with EGDI 0, the tie at the bottom of the 2003–2012
//     editions: left out of every ranking, count, mean and chart as not assessed;
//   - out_of_range: an index value outside 0..1;
//   - missing_component: a scored state without OSI, TII or HCI;
//   - not_assessed: states listed without scores (information only).
func Check(ctx context.Context, db *store.DB, year int) ([]Finding, error) {
	where := ""
	args := []any{}
	if year != 0 {
		where = "WHERE year = ?"
		args = append(args, year)
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM published WHERE year = ?`, year).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("no published values for %d; import them with egdi import indices", year)
		}
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`WITH p AS (SELECT * FROM published %s)
		SELECT p.year, p.unit, u.name, p.egdi, p.osi, p.tii, p.hci, p.epi, p.rank, p.status,
		       CASE WHEN p.status = 'assessed' AND p.rank IS NOT NULL AND p.egdi IS NOT NULL
		            THEN rank() OVER (PARTITION BY p.year, (p.status = 'assessed' AND p.rank IS NOT NULL AND p.egdi IS NOT NULL) ORDER BY p.egdi DESC) END AS expected_rank
		FROM p JOIN units u USING (unit) ORDER BY p.year, u.name`, where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var year int
		var unit, name, status string
		var e, os, ti, hc, ep sql.NullFloat64
		var r, exp sql.NullInt64
		if err := rows.Scan(&year, &unit, &name, &e, &os, &ti, &hc, &ep, &r, &status, &exp); err != nil {
			return nil, err
		}
		add := func(check, sev, format string, a ...any) {
			out = append(out, Finding{year, unit, name, check, sev, fmt.Sprintf(format, a...)})
		}
		switch status {
		case "not_assessed":
			add("not_assessed", "info", "listed without rank or scores")
			continue
		case "placeholder":
			add("placeholder", "warning", "ranked %d with EGDI 0: a placeholder, not a score; left out of rankings, counts and means as not assessed", r.Int64)
		}
		digits := framework.PublishedDigits(year)
		tol := math.Pow(10, -float64(digits)) + 1e-9
		for _, v := range []struct {
			n string
			x sql.NullFloat64
		}{{"EGDI", e}, {"OSI", os}, {"TII", ti}, {"HCI", hc}, {"EPI", ep}} {
			if v.x.Valid && (v.x.Float64 < 0 || v.x.Float64 > 1) {
				add("out_of_range", "warning", "%s = %g is outside 0..1 (kept as published)", v.n, v.x.Float64)
			}
		}
		var missing []string
		for _, v := range []struct {
			n string
			x sql.NullFloat64
		}{{"OSI", os}, {"TII", ti}, {"HCI", hc}} {
			if !v.x.Valid {
				missing = append(missing, v.n)
			}
		}
		if len(missing) > 0 {
			add("missing_component", "warning", "no %v published", missing)
		}
		if e.Valid && os.Valid && ti.Valid && hc.Valid {
			mean := (os.Float64 + ti.Float64 + hc.Float64) / 3
			if d := math.Abs(e.Float64 - mean); d > tol {
				add("egdi_mismatch", "error", "EGDI %g but (OSI+TII+HCI)/3 = %.*f; gap %.2g exceeds the rounding tolerance %.0e",
					e.Float64, digits+1, mean, d, tol)
			}
		}
		if r.Valid && exp.Valid && r.Int64 != exp.Int64 {
			add("rank_mismatch", "warning", "published rank %d, competition rank of its EGDI %d", r.Int64, exp.Int64)
		}
	}
	return out, rows.Err()
}
