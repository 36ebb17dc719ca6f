package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/refdata"
)

// SchemaVersion is bumped when the schema changes incompatibly. Version 2 stores the
// names of datasets, indicators, nodes and bands as numbers (codes), and a custom unit
// without a name or kind as NULLs: DuckDB writes a repeated string column several times
// slower than an integer one. Version 3 stores units in the value tables by key
// (UnitKey) rather than by code, for the same reason. Version 4 stores the published
// editions as runs of the dataset "published" in the value tables (one panel for
// published and computed values), numbers the runs, records the nodes each run holds,
// the units a run lists without scoring them, and groupings of one's own. Version 5
// stores a run's node values as one list per unit (node_lists), where version 4 had a
// row per value: writing a county framework's 780,000 node values (and deleting the
// previous run's) takes a third of the time.
const SchemaVersion = "5"

// schemaVersion is SchemaVersion as a number, for comparisons.
const schemaVersion = 5

// ErrNewer says the database was written by a later egdi.
var ErrNewer = errors.New("database written by a newer egdi")

// fingerprints are what a database up to date with this egdi records in meta: the
// schema's text, the hash behind UnitKey, and the reference data.
func fingerprints() (schemaSum, refSum string) {
	a := sha256.Sum256([]byte(SchemaVersion + schema + views))
	b := sha256.Sum256([]byte(fmt.Sprint(refdata.All())))
	return hex.EncodeToString(a[:8]), hex.EncodeToString(b[:8])
}

// current reports whether the database records this egdi's fingerprints: then it needs
// nothing, which one query tells (every writer opens through here, and small commands
// are mostly this).
func (db *DB) current() bool {
	schemaSum, refSum := fingerprints()
	var ok bool
	err := db.QueryRow(`SELECT count(*) = 3 FROM meta WHERE (key = 'schema_sql' AND value = $1)
		OR (key = 'refdata' AND value = $2) OR (key = 'unit_key' AND value = (`+unitKeyProbe+`))`, schemaSum, refSum).Scan(&ok)
	return err == nil && ok
}

// migrate brings the database up to date: the schema (migrations chosen by the
// recorded version, each in a transaction), the units' keys, the Member States.
func (db *DB) migrate() error {
	if db.current() {
		return nil
	}
	schemaSum, refSum := fingerprints()
	if err := db.migrateSlowly(refSum); err != nil {
		return err
	}
	_, err := db.Exec(`INSERT OR REPLACE INTO meta VALUES ('schema_sql', $1), ('refdata', $2)`, schemaSum, refSum)
	return err
}

// version is the schema version of the database: 0 for a new (empty) one, else the
// version meta records, else the one the shape of its tables tells (a meta row lost or
// damaged must not stop an upgrade).
func (db *DB) version() (int, error) {
	var tables, v1, v2, v3, v4, hasMeta int
	if err := db.QueryRow(`SELECT count(*),
		count(*) FILTER (table_name IN ('units', 'indicator_values')),
		count(*) FILTER (table_name = 'raw_values' AND NOT contains(sql, 'unit_key')),
		count(*) FILTER ((table_name = 'runs' AND NOT contains(sql, 'run_id')) OR table_name = 'published'),
		count(*) FILTER (table_name = 'node_values'),
		count(*) FILTER (table_name = 'meta')
		FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'`).Scan(&tables, &v1, &v2, &v3, &v4, &hasMeta); err != nil {
		return 0, err
	}
	if tables == 0 {
		return 0, nil
	}
	if hasMeta > 0 {
		var recorded sql.NullInt64
		if err := db.QueryRow(`SELECT max(TRY_CAST(value AS INTEGER)) FROM meta WHERE key = 'schema_version'`).Scan(&recorded); err == nil && recorded.Valid {
			if recorded.Int64 > schemaVersion {
				return 0, fmt.Errorf("%w (schema %d); this one reads up to %d: use that egdi, or a newer build of this one", ErrNewer, recorded.Int64, schemaVersion)
			}
			if recorded.Int64 >= 1 {
				return int(recorded.Int64), nil
			}
		}
	}
	switch {
	case v1 > 0:
		return 1, nil
	case v2 > 0:
		return 2, nil
	case v3 > 0:
		return 3, nil
	case v4 > 0:
		return 4, nil
	}
	return schemaVersion, nil
}

// migrations take a database of the version they are keyed by to a later one (each
// records the version it reaches), in one transaction each.
var migrations = map[int]func(*sql.Tx) error{1: migrateV1, 2: migrateV2, 3: migrateV3, 4: migrateV4}

func (db *DB) migrateSlowly(refSum string) error {
	v, err := db.version()
	if err != nil {
		return err
	}
	for v > 0 && v < schemaVersion {
		if err := db.Tx(context.Background(), migrations[v]); err != nil {
			return fmt.Errorf("upgrading the database from schema version %d to %s: %w", v, SchemaVersion, err)
		}
		next, err := db.version()
		if err != nil {
			return err
		}
		if next <= v {
			return fmt.Errorf("upgrading the database from schema version %d: the migration did not record a later version", v)
		}
		v = next
	}
	// In one transaction: each statement on its own would be a commit, and a sync of
	// the file, of its own.
	if err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(schema + views)
		return err
	}); err != nil {
		return err
	}
	var probe string
	var stored sql.NullString
	if err := db.QueryRow(unitKeyProbe).Scan(&probe); err != nil {
		return err
	}
	if err := db.QueryRow(`SELECT max(value) FROM meta WHERE key = 'unit_key'`).Scan(&stored); err != nil {
		return err
	}
	var n, all int
	if err := db.QueryRow(`SELECT count(*) FILTER (kind = 'country'), count(*) FROM unit_list`).Scan(&n, &all); err != nil {
		return err
	}
	if stored.String != probe && all > 0 {
		if err := db.Tx(context.Background(), func(tx *sql.Tx) error { return rekey(tx, probe) }); err != nil {
			return fmt.Errorf("rekeying the units after a change of DuckDB's hash: %w", err)
		}
		stored.String = probe
	}
	var refStored sql.NullString
	if err := db.QueryRow(`SELECT max(value) FROM meta WHERE key = 'refdata'`).Scan(&refStored); err != nil {
		return err
	}
	if n == len(refdata.All()) && stored.String == probe && refStored.String == refSum {
		_, err := db.Exec(`INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)`, SchemaVersion)
		return err
	}
	// A new database, or reference data changed: the Member States afresh, in one
	// statement per table.
	return db.Tx(context.Background(), func(tx *sql.Tx) error {
		// the columns as lists (Unnest): several times faster than 193 rows of VALUES
		var col [8][]string
		var flags [3][]bool
		for _, c := range refdata.All() {
			for i, v := range []string{c.ISO3, c.Name, c.NameZh, c.M49, c.Region, c.RegionZh, c.Subregion, c.SubregionZh} {
				col[i] = append(col[i], v)
			}
			for i, v := range []bool{c.LDC, c.LLDC, c.SIDS} {
				flags[i] = append(flags[i], v)
			}
		}
		for _, s := range []string{`DELETE FROM unit_list WHERE kind = 'country'`, `DELETE FROM member_states`} {
			if _, err := tx.Exec(s); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO unit_list SELECT `+UnitKey("u")+`, u, n, nz, 'country'
			FROM `+Unnest("u VARCHAR", "n VARCHAR", "nz VARCHAR"), col[0], col[1], col[2]); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO member_states SELECT `+UnitKey("u")+`, m, r, rz, s, sz, l, ll, si
			FROM `+Unnest("u VARCHAR", "m VARCHAR", "r VARCHAR", "rz VARCHAR", "s VARCHAR", "sz VARCHAR", "l BOOLEAN", "ll BOOLEAN", "si BOOLEAN"),
			col[0], col[3], col[4], col[5], col[6], col[7], flags[0], flags[1], flags[2]); err != nil {
			return err
		}
		if err := CheckUnitKeys(context.Background(), tx, ""); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO meta VALUES ('schema_version', ?), ('unit_key', ?)`, SchemaVersion, probe)
		return err
	})
}

// rekey gives every unit the key of its code under the current hash (probe is its
// fingerprint), in unit_list, member_states and the value tables: a database written by a DuckDB
// whose hash differs would otherwise file new values under other keys.
func rekey(tx *sql.Tx, probe string) error {
	stmts := []string{`CREATE OR REPLACE TEMP TABLE egdi_rekey AS
		SELECT unit_key AS old, ` + UnitKey("unit") + ` AS new FROM unit_list WHERE unit_key <> ` + UnitKey("unit")}
	for _, t := range []string{"unit_list", "member_states", "raw_values", "node_lists", "root_values", "excluded", "groupings", "uncertainty_units"} {
		stmts = append(stmts, `UPDATE `+t+` SET unit_key = k.new FROM egdi_rekey k WHERE `+t+`.unit_key = k.old`)
	}
	stmts = append(stmts, `DROP TABLE egdi_rekey`)
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	if err := CheckUnitKeys(context.Background(), tx, ""); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT OR REPLACE INTO meta VALUES ('unit_key', ?)`, probe)
	return err
}

// customUnits selects the users' own units of a version 1 or 2 units table for
// unit_list; the Member States are written afresh from the reference data.
var customUnits = `SELECT ` + UnitKey("unit") + `, unit, name, name_zh, kind FROM %s WHERE kind IS DISTINCT FROM 'country'`

// valueTables are the version-3 tables that migrations from versions 1 and 2 create
// (the runs and published tables those versions share with version 3 are taken on by
// migrateV3).
const valueTables = `
CREATE TABLE IF NOT EXISTS unit_list (
  unit_key UBIGINT NOT NULL, unit VARCHAR NOT NULL USING COMPRESSION fsst, name VARCHAR, name_zh VARCHAR, kind VARCHAR);
CREATE TABLE IF NOT EXISTS member_states (
  unit_key UBIGINT NOT NULL, m49 VARCHAR, region VARCHAR, region_zh VARCHAR, subregion VARCHAR, subregion_zh VARCHAR,
  ldc BOOLEAN, lldc BOOLEAN, sids BOOLEAN);
CREATE TABLE IF NOT EXISTS codes (id INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS raw_values (
  dataset_id INTEGER NOT NULL, unit_key UBIGINT NOT NULL, year INTEGER NOT NULL,
  indicator_id INTEGER NOT NULL, value DOUBLE NOT NULL);
CREATE TABLE IF NOT EXISTS node_values (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL,
  node_id INTEGER NOT NULL, value DOUBLE);
CREATE TABLE IF NOT EXISTS root_values (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL,
  value DOUBLE, rank INTEGER, band_id INTEGER, class_id INTEGER);
`

// migrateV1 moves a version-1 database (names and units stored as strings in units,
// indicator_values, scores and standings) to the tables of version 3.
func migrateV1(tx *sql.Tx) error {
	for _, s := range []string{
		`ALTER TABLE units RENAME TO units_v1`, `ALTER TABLE indicator_values RENAME TO indicator_values_v1`,
		`ALTER TABLE scores RENAME TO scores_v1`, `ALTER TABLE standings RENAME TO standings_v1`,
		valueTables,
		`INSERT INTO unit_list ` + fmt.Sprintf(customUnits, "units_v1"),
		`INSERT INTO codes SELECT row_number() OVER (ORDER BY code), code FROM (
			SELECT dataset AS code FROM indicator_values_v1 UNION SELECT indicator FROM indicator_values_v1
			UNION SELECT dataset FROM scores_v1 UNION SELECT node FROM scores_v1
			UNION SELECT dataset FROM standings_v1 UNION SELECT band FROM standings_v1 UNION SELECT class FROM standings_v1)
		 WHERE code IS NOT NULL`,
		`INSERT INTO raw_values SELECT d.id, ` + UnitKey("v.unit") + `, v.year, i.id, v.value
		 FROM indicator_values_v1 v JOIN codes d ON d.code = v.dataset JOIN codes i ON i.code = v.indicator`,
		`INSERT INTO node_values SELECT d.id, v.year, ` + UnitKey("v.unit") + `, n.id, v.value
		 FROM scores_v1 v JOIN codes d ON d.code = v.dataset JOIN codes n ON n.code = v.node
		 ANTI JOIN runs r ON r.dataset = v.dataset AND r.year = v.year AND r.root = v.node`,
		`INSERT INTO root_values SELECT d.id, v.year, ` + UnitKey("v.unit") + `, v.value, v.rank, b.id, c.id
		 FROM standings_v1 v JOIN codes d ON d.code = v.dataset LEFT JOIN codes b ON b.code = v.band LEFT JOIN codes c ON c.code = v.class`,
		`DROP TABLE units_v1`, `DROP TABLE indicator_values_v1`, `DROP TABLE scores_v1`, `DROP TABLE standings_v1`,
	} {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	return finishMigration(tx, 3)
}

// migrateV2 moves a version-2 database (unit codes in the value tables) to keys.
func migrateV2(tx *sql.Tx) error {
	stmts := []string{`DROP VIEW IF EXISTS units`, `DROP VIEW IF EXISTS indicator_values`, `DROP VIEW IF EXISTS scores`, `DROP VIEW IF EXISTS standings`}
	for _, t := range []string{"unit_list", "raw_values", "node_values", "root_values"} {
		stmts = append(stmts, `ALTER TABLE `+t+` RENAME TO `+t+`_v2`)
	}
	stmts = append(stmts, valueTables,
		`INSERT INTO unit_list `+fmt.Sprintf(customUnits, "unit_list_v2"),
		`INSERT INTO raw_values SELECT dataset_id, `+UnitKey("unit")+`, year, indicator_id, value FROM raw_values_v2`,
		`INSERT INTO node_values SELECT v.dataset_id, v.year, `+UnitKey("v.unit")+`, v.node_id, v.value FROM node_values_v2 v
		 ANTI JOIN (SELECT d.id AS dataset_id, r.year, n.id AS node_id FROM runs r JOIN codes d ON d.code = r.dataset JOIN codes n ON n.code = r.root) r
		   USING (dataset_id, year, node_id)`,
		`INSERT INTO root_values SELECT dataset_id, year, `+UnitKey("unit")+`, value, rank, band_id, class_id FROM root_values_v2`,
		`DROP TABLE unit_list_v2`, `DROP TABLE raw_values_v2`, `DROP TABLE node_values_v2`, `DROP TABLE root_values_v2`)
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	return finishMigration(tx, 3)
}

// migrateV3 numbers the runs and records their nodes, and moves the published
// editions from their table of their own (published) into the value tables as runs of
// the dataset "published", with their placeholders and unassessed states in excluded.
func migrateV3(tx *sql.Tx) error {
	ctx := context.Background()
	stmts := []string{`DROP VIEW IF EXISTS units`, `DROP VIEW IF EXISTS indicator_values`, `DROP VIEW IF EXISTS scores`, `DROP VIEW IF EXISTS standings`,
		schema, // the tables version 3 lacks (datasets may too, when it came from version 1)
		// the name is reserved for the published editions now; a dataset of that name
		// from an earlier egdi keeps its values under another
		`UPDATE codes SET code = 'dataset-published' WHERE code = '` + PublishedDataset + `'`,
		`UPDATE datasets SET dataset = 'dataset-published' WHERE dataset = '` + PublishedDataset + `'`,
		`UPDATE runs SET dataset = 'dataset-published' WHERE dataset = '` + PublishedDataset + `'`,
		`ALTER TABLE runs RENAME TO runs_v3`,
		schema,
		`INSERT INTO runs SELECT row_number() OVER (ORDER BY computed_at NULLS FIRST, dataset, year), dataset, year, 'computed',
		   method, method_origin, method_sha256, inputs_checksum, inputs_rows, engine_version, computed_at, root, digits, ranking, framework_json
		 FROM runs_v3`,
		`DROP TABLE runs_v3`,
		`INSERT INTO run_nodes (run_id, node, units) SELECT r.run_id, n.code, count(*) FROM node_values v JOIN codes d ON d.id = v.dataset_id
		   JOIN codes n ON n.id = v.node_id JOIN runs r ON r.dataset = d.code AND r.year = v.year WHERE v.value IS NOT NULL GROUP BY ALL
		 UNION ALL
		 SELECT r.run_id, r.root, count(*) FROM root_values v JOIN codes d ON d.id = v.dataset_id
		   JOIN runs r ON r.dataset = d.code AND r.year = v.year WHERE v.value IS NOT NULL GROUP BY ALL`,
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	var hasPublished bool
	if err := tx.QueryRow(`SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database()
		AND schema_name = 'main' AND table_name = 'published'`).Scan(&hasPublished); err != nil {
		return err
	}
	if hasPublished {
		if _, err := tx.Exec(`ALTER TABLE published RENAME TO published_v3`); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT year, coalesce(max(file), '') FROM published_v3 GROUP BY year ORDER BY year`)
		if err != nil {
			return err
		}
		var eds []Edition
		for rows.Next() {
			var e Edition
			if err := rows.Scan(&e.Year, &e.File); err != nil {
				rows.Close()
				return err
			}
			eds = append(eds, EditionOf(e.Year, e.File))
		}
		rows.Close()
		if err := PutPublished(ctx, tx, `SELECT year, unit, egdi, osi, tii, hci, epi, rank, assessed FROM published_v3`, eds); err != nil {
			return err
		}
		if _, err := tx.Exec(`DROP TABLE published_v3`); err != nil {
			return err
		}
	}
	return finishMigration(tx, 4)
}

// migrateV4 stores each run's node values as lists, one row per unit (node_lists),
// numbering the run's nodes but its root (run_nodes.ord) for their places in the lists.
// The published editions that migrateV3 has just stored are lists already.
func migrateV4(tx *sql.Tx) error {
	for _, s := range []string{
		`DROP VIEW IF EXISTS scores`, `DROP VIEW IF EXISTS published`,
		`ALTER TABLE node_values RENAME TO node_values_v4`,
		`ALTER TABLE run_nodes ADD COLUMN IF NOT EXISTS ord INTEGER`,
		schema,
		`UPDATE run_nodes SET ord = o.ord FROM (
		   SELECT n.run_id, n.node, row_number() OVER (PARTITION BY n.run_id ORDER BY n.node) AS ord
		   FROM run_nodes n JOIN runs r USING (run_id) WHERE n.node <> r.root AND n.ord IS NULL) o
		 WHERE run_nodes.run_id = o.run_id AND run_nodes.node = o.node`,
		// the ords just given run from 1 without gaps: a unit's list is its values by ord
		`INSERT INTO node_lists
		 SELECT k.dataset_id, k.year, k.unit_key, list(v.value ORDER BY o.ord)
		 FROM (SELECT DISTINCT dataset_id, year, unit_key FROM node_values_v4) k
		 JOIN (SELECT d.id AS dataset_id, r.year, c.id AS node_id, n.ord FROM runs r JOIN run_nodes n USING (run_id)
		       JOIN codes d ON d.code = r.dataset JOIN codes c ON c.code = n.node WHERE n.ord IS NOT NULL) o USING (dataset_id, year)
		 LEFT JOIN node_values_v4 v ON v.dataset_id = k.dataset_id AND v.year = k.year AND v.unit_key = k.unit_key AND v.node_id = o.node_id
		 GROUP BY ALL`,
		`DROP TABLE node_values_v4`,
	} {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	return finishMigration(tx, 5)
}

// EditionOf describes a published edition of year imported from file: the built-in UN
// framework that governs its groups, classes and rounding (framework.ForEdition).
func EditionOf(year int, file string) Edition {
	f := framework.ForEdition(year)
	return Edition{Year: year, File: file, Framework: f, Digits: framework.PublishedDigits(year), Classes: f != nil && (f.Edition == year || year >= 2020)}
}

// finishMigration checks the new keys and records the version reached and the hash's
// fingerprint.
func finishMigration(tx *sql.Tx, version int) error {
	if err := CheckUnitKeys(context.Background(), tx, ""); err != nil {
		return err
	}
	for _, s := range []string{
		fmt.Sprintf(`INSERT OR REPLACE INTO meta VALUES ('schema_version', '%d')`, version),
		`INSERT OR REPLACE INTO meta SELECT 'unit_key', (` + unitKeyProbe + `)`,
	} {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	return nil
}
