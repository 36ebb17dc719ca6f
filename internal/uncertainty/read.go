package uncertainty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/egdi/egdi/internal/store"
)

// Stored is an uncertainty run read back from the database (for charts and reports):
// its record and summaries, without the replications.
type Stored struct {
	Record
	Seed        uint64
	Samples     int
	Evaluations int
	Sobol       bool
	Inputs      []string
	Bands       []string // the bands of the band shares, in the framework's order
	Units       []UnitStats
	Indices     []Index
	Provenance
}

// Provenance is what a stored run's record says of where it comes from, for the charts
// and reports that present it: the engine that ran it, when, and whether its dataset is
// a synthetic sample (which every output must say).
type Provenance struct {
	Engine     string    // "" when not recorded
	ComputedAt time.Time // zero when not recorded
	Synthetic  bool
}

// Which picks a stored run: by number, or the latest of a method (and dataset and
// year, where given).
type Which struct {
	ID      int
	Method  string
	Dataset string
	Year    int
	Sobol   bool // without ID: only runs with Sobol indices (--sobol)
}

// ErrNoRun says no stored uncertainty run matches.
var ErrNoRun = errors.New("no uncertainty run")

// ReadRun reads a stored run; units come in nominal order (ranked first).
func ReadRun(ctx context.Context, db *store.DB, w Which) (*Stored, error) {
	var conds []string
	var args []any
	if w.ID > 0 {
		conds, args = append(conds, "ua_id = ?"), append(args, w.ID)
	}
	if w.Method != "" {
		conds, args = append(conds, "method = ?"), append(args, w.Method)
	}
	if w.Dataset != "" {
		conds, args = append(conds, "r.dataset = ?"), append(args, w.Dataset)
	}
	if w.Year > 0 {
		conds, args = append(conds, "year = ?"), append(args, w.Year)
	}
	if w.Sobol && w.ID == 0 {
		conds = append(conds, "sobol")
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	s := &Stored{}
	var inputs []any
	var at sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT ua_id, r.dataset, year, method, coalesce(method_origin, ''), coalesce(method_sha256, ''), coalesce(inputs_checksum, ''),
		seed, samples, evaluations, sobol, inputs, coalesce(engine_version, ''), computed_at, coalesce(d.synthetic, false)
		FROM uncertainty_runs r LEFT JOIN datasets d ON d.dataset = r.dataset`+where+` ORDER BY ua_id DESC LIMIT 1`, args...).Scan(
		&s.ID, &s.Dataset, &s.Year, &s.Method, &s.MethodOrigin, &s.MethodSHA256, &s.InputsChecksum, &s.Seed, &s.Samples, &s.Evaluations, &s.Sobol, &inputs,
		&s.Engine, &at, &s.Synthetic)
	if errors.Is(err, sql.ErrNoRows) {
		what := "in the database"
		if d := describe(w); d != "" {
			what = "matching " + d
		}
		if w.Sobol && w.ID == 0 {
			return nil, fmt.Errorf("%w with Sobol indices %s; run egdi uncertainty with --sobol", ErrNoRun, what)
		}
		return nil, fmt.Errorf("%w %s; run egdi uncertainty first (egdi uncertainty --help)", ErrNoRun, what)
	}
	if err != nil {
		return nil, err
	}
	if at.Valid {
		s.ComputedAt = at.Time.UTC()
	}
	for _, x := range inputs {
		s.Inputs = append(s.Inputs, fmt.Sprint(x))
	}
	rows, err := db.QueryContext(ctx, `SELECT u.unit, coalesce(u.name, u.unit), coalesce(u.name_zh, u.name, u.unit), o.nominal_value, o.nominal_rank, o.ranked,
		o.mean_rank, o.median_rank, o.p05_rank, o.p95_rank, coalesce(map_keys(o.band_share), []), coalesce(map_values(o.band_share), [])
		FROM uncertainty_units o JOIN unit_list u USING (unit_key) WHERE o.ua_id = ?
		ORDER BY o.nominal_rank IS NULL, o.nominal_rank, u.unit`, s.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u UnitStats
		var nv, mean, med, p05, p95 sql.NullFloat64
		var nr sql.NullInt64
		var keys, vals []any
		if err := rows.Scan(&u.Code, &u.Name, &u.NameZh, &nv, &nr, &u.Ranked, &mean, &med, &p05, &p95, &keys, &vals); err != nil {
			return nil, err
		}
		u.NominalValue, u.NominalRank = nullable(nv), int(nr.Int64)
		u.Mean, u.Median, u.P05, u.P95 = nullable(mean), nullable(med), nullable(p05), nullable(p95)
		if s.Bands == nil {
			for _, k := range keys {
				s.Bands = append(s.Bands, fmt.Sprint(k))
			}
		}
		for _, v := range vals {
			x, _ := v.(float64)
			u.BandShare = append(u.BandShare, x)
		}
		s.Units = append(s.Units, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	srows, err := db.QueryContext(ctx, `SELECT factor, coalesce(unit, ''), first, first_lo, first_hi, total, total_lo, total_hi FROM uncertainty_sobol WHERE ua_id = ? ORDER BY ord`, s.ID)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	for srows.Next() {
		var x Index
		var v [6]sql.NullFloat64
		if err := srows.Scan(&x.Factor, &x.Unit, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
			return nil, err
		}
		x.First, x.FirstLo, x.FirstHi, x.Total, x.TotalLo, x.TotalHi = nullable(v[0]), nullable(v[1]), nullable(v[2]), nullable(v[3]), nullable(v[4]), nullable(v[5])
		s.Indices = append(s.Indices, x)
	}
	return s, srows.Err()
}

func nullable(x sql.NullFloat64) float64 {
	if !x.Valid {
		return math.NaN()
	}
	return x.Float64
}

func describe(w Which) string {
	var parts []string
	if w.ID > 0 {
		parts = append(parts, fmt.Sprintf("run %d", w.ID))
	}
	if w.Method != "" {
		parts = append(parts, "method "+w.Method)
	}
	if w.Dataset != "" {
		parts = append(parts, "dataset "+w.Dataset)
	}
	if w.Year > 0 {
		parts = append(parts, fmt.Sprintf("year %d", w.Year))
	}
	return strings.Join(parts, ", ")
}
