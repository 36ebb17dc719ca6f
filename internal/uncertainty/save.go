package uncertainty

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/egdi/egdi/internal/compute"
	"strings"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/version"
)

// Run records of the database (uncertainty_runs).
type Record struct {
	ID             int
	Dataset        string
	Year           int
	Method         string
	MethodOrigin   string
	MethodSHA256   string
	InputsChecksum string
}

// Save stores the run: its record, every evaluation's drawn parameters and ranks, and
// the summaries, in one transaction (bulk appends into working tables first, then one
// insert per table). It returns the run's number.
func Save(ctx context.Context, db *store.DB, p *compute.Plan, r *Result, rec Record) (int, error) {
	var id int
	units := p.Target()
	nominal := p.Nominal()
	params := parameters(p, r, &nominal)
	stage := func(c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE u_draws (replication INTEGER, value DOUBLE[], choice VARCHAR[]);
			CREATE OR REPLACE TEMP TABLE u_ranks (replication INTEGER, rank INTEGER[])`); err != nil {
			return err
		}
		// one row per evaluation, its units' ranks as a list
		n := len(units)
		if err := store.Append(ctx, c, "u_ranks", func(add func(...any) error) error {
			for ev := 0; ev < r.Evaluations; ev++ {
				if err := add(int32(ev), r.Ranks[ev*n:(ev+1)*n]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		values, choices := make([]any, len(params)), make([]any, len(params))
		return store.Append(ctx, c, "u_draws", func(add func(...any) error) error {
			for ev := 0; ev < r.Evaluations; ev++ {
				u := r.U[ev*r.Dim : (ev+1)*r.Dim]
				off, k := 0, 0
				for _, in := range r.Inputs {
					for _, d := range in.Draws(p, u[off:off+in.Dim], &nominal) {
						values[k], choices[k] = d.Value, nil
						if d.IsChoice {
							values[k], choices[k] = nil, d.Choice
						}
						k++
					}
					off += in.Dim
				}
				if err := add(int32(ev), values, choices); err != nil {
					return err
				}
			}
			return nil
		})
	}
	write := func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(ua_id), 0) + 1 FROM uncertainty_runs`).Scan(&id); err != nil {
			return err
		}
		var texts []string
		for _, in := range r.Inputs {
			texts = append(texts, store.Quote(in.Text))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO uncertainty_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, [`+strings.Join(texts, ", ")+`], ?, now())`,
			id, rec.Dataset, rec.Year, rec.Method, rec.MethodOrigin, rec.MethodSHA256, rec.InputsChecksum, r.Seed,
			r.Samples, r.Evaluations, r.Sobol, version.Version); err != nil {
			return err
		}
		var rows []string
		for i, u := range r.Units {
			var shares []string
			for b, id := range r.Bands {
				shares = append(shares, fmt.Sprintf("%s: %s", store.Quote(id), store.Double(u.BandShare[b])))
			}
			bs := "NULL"
			if len(shares) > 0 {
				bs = "MAP {" + strings.Join(shares, ", ") + "}"
			}
			nr := "NULL"
			if u.NominalRank > 0 {
				nr = fmt.Sprint(u.NominalRank)
			}
			rows = append(rows, fmt.Sprintf("(%d, %d::UBIGINT, %d, %s, %s, %d, %s, %s, %s, %s, %s)", id, p.D.Units[units[i]].Key, i,
				store.Double(u.NominalValue), nr, u.Ranked, store.Double(u.Mean), store.Double(u.Median), store.Double(u.P05), store.Double(u.P95), bs))
		}
		var ps []string
		for k, x := range params {
			comp := "NULL"
			if x.component != "" {
				comp = store.Quote(x.component)
			}
			ps = append(ps, fmt.Sprintf("(%d, %d, %s, %s)", id, k, store.Quote(x.input), comp))
		}
		stmts := []string{
			fmt.Sprintf(`INSERT INTO uncertainty_ranks SELECT %d, * FROM u_ranks`, id),
			fmt.Sprintf(`INSERT INTO uncertainty_draws SELECT %d, * FROM u_draws`, id),
			`INSERT INTO uncertainty_parameters VALUES ` + strings.Join(ps, ", "),
		}
		if len(rows) > 0 {
			stmts = append(stmts, `INSERT INTO uncertainty_units VALUES `+strings.Join(rows, ", "))
		}
		var sob []string
		for i, x := range r.Indices {
			unit := "NULL"
			if x.Unit != "" {
				unit = store.Quote(x.Unit)
			}
			sob = append(sob, fmt.Sprintf("(%d, %d, %s, %s, %s, %s, %s, %s, %s, %s)", id, i, store.Quote(x.Factor), unit,
				store.Double(x.First), store.Double(x.FirstLo), store.Double(x.FirstHi), store.Double(x.Total), store.Double(x.TotalLo), store.Double(x.TotalHi)))
		}
		if len(sob) > 0 {
			stmts = append(stmts, `INSERT INTO uncertainty_sobol VALUES `+strings.Join(sob, ", "))
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("storing the uncertainty run: %w", err)
			}
		}
		return nil
	}
	if err := db.Staged(ctx, stage, write, []string{"u_draws", "u_ranks"}); err != nil {
		return 0, err
	}
	return id, nil
}

// parameter is one recorded parameter: an input, and for noisy weights the NODE/CHILD
// weight; choice says it is a choice rather than a number.
type parameter struct {
	input, component string
	choice           bool
}

// parameters lists the parameters each evaluation records, in order.
func parameters(p *compute.Plan, r *Result, nominal *compute.Params) []parameter {
	var out []parameter
	zero := make([]float64, r.Dim)
	off := 0
	for _, in := range r.Inputs {
		for _, d := range in.Draws(p, zero[off:off+in.Dim], nominal) {
			out = append(out, parameter{in.Text, d.Component, d.IsChoice})
		}
		off += in.Dim
	}
	return out
}

// WriteDraws writes stored run id's every evaluation to path (CSV or Parquet, as its
// extension says): one row per evaluation and unit with its rank, and a
// column per drawn parameter (the --vary text; a noisy weight's NODE/CHILD after it).
// It returns the rows written.
func WriteDraws(ctx context.Context, db *store.DB, id int, p *compute.Plan, r *Result, path string) (int64, error) {
	cols := []string{"replication", "unit", "rank"}
	safe := []string{"unit"}
	var picks []string
	nominal := p.Nominal()
	for k, x := range parameters(p, r, &nominal) {
		name, field := x.input, "value"
		if x.component != "" {
			name = x.input + " " + x.component
		}
		if x.choice {
			field = "choice"
			safe = append(safe, name)
		}
		picks = append(picks, fmt.Sprintf("d.%s[%d] AS %s", field, k+1, store.Ident(name)))
		cols = append(cols, name)
	}
	query := fmt.Sprintf(`SELECT r.replication, r.unit, r.rank, %s
		FROM uncertainty_unit_ranks r JOIN uncertainty_draws d ON d.ua_id = r.ua_id AND d.replication = r.replication
		WHERE r.ua_id = %d`, strings.Join(picks, ", "), id)
	return output.CopyFile(ctx, db, query, nil, cols, safe, "q.replication, q.unit", path)
}
