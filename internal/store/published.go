package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/version"
)

// PublishedDataset is the dataset the published editions are stored under: each
// edition is a run of it (source "published"), so published and computed values are
// one panel. The name is reserved: no raw indicators are imported under it.
const PublishedDataset = "published"

// Edition is a published edition to store: its year, the file it came from, the
// built-in UN framework whose structure, groups and classes it follows, the decimals it
// was published to, and whether its rating classes apply.
type Edition struct {
	Year      int
	File      string
	Framework *framework.Framework
	Digits    int
	Classes   bool
}

// PublishedComponents are the published columns stored as node values, beside EGDI
// (the root, with the published rank).
var PublishedComponents = []string{"osi", "tii", "hci", "epi"}

// PutPublished replaces the published editions eds with the rows of staged, a query
// with columns (year, unit, egdi, osi, tii, hci, epi, rank, assessed): one run per
// edition; EGDI with its published rank and the edition's group and class in
// root_values; the components in node_values; and in excluded the states listed
// without scores (not assessed) and those ranked with EGDI 0 (placeholders, a tie at
// the bottom of the 2003–2012 editions, not scores). It runs in the caller's
// transaction.
func PutPublished(ctx context.Context, tx *sql.Tx, staged string, eds []Edition) error {
	if len(eds) == 0 {
		return nil
	}
	names := append([]string{PublishedDataset, "egdi"}, PublishedComponents...)
	var years []string
	for _, e := range eds {
		if e.Framework == nil {
			return fmt.Errorf("published %d: no built-in UN framework governs the edition", e.Year)
		}
		years = append(years, fmt.Sprint(e.Year))
		for _, b := range append(append([]*framework.Band{}, e.Framework.Bands...), e.Framework.Classes...) {
			names = append(names, b.ID)
		}
	}
	codes, err := Codes(ctx, tx, names...)
	if err != nil {
		return err
	}
	ds, in := codes[PublishedDataset], "("+strings.Join(years, ", ")+")"
	// the edition's group and class of each rounded EGDI, by a CASE per year
	band := func(classes bool) string {
		var b strings.Builder
		b.WriteString("CASE year")
		for _, e := range eds {
			bs := e.Framework.Bands
			if classes {
				if !e.Classes {
					continue
				}
				bs = e.Framework.Classes
			}
			if len(bs) == 0 {
				continue
			}
			fmt.Fprintf(&b, " WHEN %d THEN CASE", e.Year)
			for _, x := range bs {
				fmt.Fprintf(&b, " WHEN round(egdi, %d) >= %s THEN %d", e.Digits, Double(x.Min), codes[x.ID])
			}
			b.WriteString(" END")
		}
		b.WriteString(" END")
		if b.String() == "CASE year END" {
			return "NULL::INTEGER"
		}
		return b.String()
	}
	placeholder := `assessed AND rank IS NOT NULL AND egdi = 0`
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE egdi_published AS ` + staged,
		fmt.Sprintf(`DELETE FROM node_lists WHERE dataset_id = %d AND year IN %s`, ds, in),
		fmt.Sprintf(`DELETE FROM root_values WHERE dataset_id = %d AND year IN %s`, ds, in),
		fmt.Sprintf(`DELETE FROM excluded WHERE dataset_id = %d AND year IN %s`, ds, in),
		fmt.Sprintf(`DELETE FROM run_nodes WHERE run_id IN (SELECT run_id FROM runs WHERE dataset = %s AND year IN %s)`, Quote(PublishedDataset), in),
		fmt.Sprintf(`DELETE FROM runs WHERE dataset = %s AND year IN %s`, Quote(PublishedDataset), in),
		`INSERT OR IGNORE INTO datasets VALUES (` + Quote(PublishedDataset) + `, false, 'UN E-Government Survey: the published values of each edition')`,
		fmt.Sprintf(`INSERT INTO root_values SELECT %d, year, %s, egdi, rank, CASE WHEN %s THEN NULL ELSE %s END, CASE WHEN %s THEN NULL ELSE %s END
			FROM egdi_published WHERE assessed AND egdi IS NOT NULL`, ds, UnitKey("unit"), placeholder, band(false), placeholder, band(true)),
		fmt.Sprintf(`INSERT INTO excluded SELECT %d, year, %s, 'not_assessed', 'listed without rank or scores' FROM egdi_published WHERE NOT assessed`, ds, UnitKey("unit")),
		fmt.Sprintf(`INSERT INTO excluded SELECT %d, year, %s, 'placeholder', 'ranked ' || rank || ' with EGDI 0: a placeholder, not a score'
			FROM egdi_published WHERE %s`, ds, UnitKey("unit"), placeholder),
	}
	// the components as a list per state, in the order of PublishedComponents (their
	// ords in run_nodes), for the states assessed with any
	comps := strings.Join(PublishedComponents, ", ")
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO node_lists SELECT %d, year, %s, [%s] FROM egdi_published
		WHERE assessed AND coalesce(%s) IS NOT NULL`, ds, UnitKey("unit"), comps, comps))
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("storing the published editions: %w", err)
		}
	}
	var next int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM runs`).Scan(&next); err != nil {
		return err
	}
	for i, e := range eds {
		fj, err := json.Marshal(e.Framework)
		if err != nil {
			return err
		}
		f := e.Framework
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs VALUES (?, ?, ?, 'published', ?, ?, ?, NULL, NULL, ?, now(), ?, ?, ?, ?)`,
			next+i, PublishedDataset, e.Year, f.ID, e.File, f.SHA256, version.Version, f.Root, e.Digits, f.Ranking, string(fj)); err != nil {
			return fmt.Errorf("storing the published editions: %w", err)
		}
		// the components with a value, numbered by their place in the lists
		var parts []string
		for k, n := range PublishedComponents {
			parts = append(parts, fmt.Sprintf(`SELECT %d AS run_id, %s AS node, count(*) FILTER (value[%d] IS NOT NULL) AS units, %d AS ord
				FROM node_lists WHERE dataset_id = %d AND year = %d`, next+i, Quote(n), k+1, k+1, ds, e.Year))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_nodes
			SELECT ?, 'egdi', count(*), NULL FROM root_values WHERE dataset_id = ? AND year = ? AND value IS NOT NULL
			UNION ALL
			SELECT * FROM (`+strings.Join(parts, " UNION ALL ")+`) WHERE units > 0`,
			next+i, ds, e.Year); err != nil {
			return fmt.Errorf("storing the published editions: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE egdi_published`)
	return err
}
