// Package store owns egdi's DuckDB database: opening it (with a clear message when
// another process holds it), the schema, and the transactions that imports and
// computations run in.
//
// Tables:
//
//	units            every unit known: the 193 Member States (kind 'country', with
//	                 region and group membership) and users' own units (kind 'custom')
//	datasets         named collections of raw indicators, flagged when synthetic
//	indicator_values raw indicators (dataset, unit, year, indicator, value)
//	published        published index tables (year, unit, egdi, osi, tii, hci, epi, rank)
//	runs             one row per computed (dataset, year): method, checksums, version
//	scores           computed node values (dataset, year, unit, node, value)
//	standings        computed root value, rank, band and class per (dataset, year, unit)
//	imports          the files imported, with their checksum
//
// units, indicator_values, scores and standings are views: their rows are stored in
// unit_list (each unit's key, and a custom unit's name and kind NULL unless given), and
// raw_values, node_values and root_values with units as keys (UnitKey) and the names of
// datasets, indicators, nodes, bands and classes as numbers from the table codes, which
// makes writing millions of rows several times faster. Read the views; write the tables
// (with UnitKey and Codes).
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/egdi/egdi/internal/refdata"
)

// DefaultPath is the database used when no --db is given.
const DefaultPath = "egdi.duckdb"

// ErrInUse says another process holds the database.
var ErrInUse = errors.New("database in use")

// DB is an open egdi database.
type DB struct {
	*sql.DB
	Path      string
	connector *duckdb.Connector
}

// memoryLimit is DuckDB's memory limit: EGDI_MEMORY_LIMIT, or 1.5 GB, beyond which
// DuckDB spills to temporary files instead of growing.
func memoryLimit() string {
	if v := os.Getenv("EGDI_MEMORY_LIMIT"); v != "" {
		return v
	}
	return "1500MB"
}

// Open opens (creating if needed) the database at path and brings its schema up to date.
// readOnly opens it for queries only, which lets several readers share it.
func Open(path string, readOnly bool) (*DB, error) {
	dsn := path
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("database %s does not exist yet: import data first (egdi import ...) or run egdi demo", path)
		}
		dsn += "?access_mode=read_only"
	} else if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
	}
	// Rows need no insertion order (every query orders explicitly), which lets DuckDB
	// load and write in parallel; a memory limit keeps large imports from swapping.
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "preserve_insertion_order=false&memory_limit=" + memoryLimit()
	c, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := &DB{DB: sql.OpenDB(c), Path: path, connector: c}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	if !readOnly {
		if err := db.migrate(); err != nil {
			db.Close()
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
		return db, nil
	}
	// A database from an earlier egdi is upgraded by its first writer; a reader that
	// comes first upgrades it (briefly opening it for writing), then reads.
	var version int
	if err := db.QueryRow(`SELECT coalesce(max(TRY_CAST(value AS INTEGER)), 0) FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil ||
		version < schemaVersion {
		db.Close()
		w, err := Open(path, false)
		if err != nil {
			return nil, fmt.Errorf("database %s is from an earlier egdi and needs upgrading, which failed: %w", path, err)
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return Open(path, true)
	}
	return db, nil
}

func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		pid := ""
		if m := regexp.MustCompile(`PID (\d+)`).FindStringSubmatch(msg); m != nil {
			pid = " (PID " + m[1] + ")"
		}
		return fmt.Errorf("%w: %s is open in another process%s; wait for it to finish, or use another --db", ErrInUse, path, pid)
	}
	return fmt.Errorf("database %s: %w", path, err)
}

// Connector gives access to DuckDB's appender for bulk loads.
func (db *DB) Connector() *duckdb.Connector { return db.connector }

const schema = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS unit_list (
  unit_key UBIGINT NOT NULL, unit VARCHAR NOT NULL USING COMPRESSION fsst, name VARCHAR, name_zh VARCHAR, kind VARCHAR);
CREATE TABLE IF NOT EXISTS member_states (
  unit_key UBIGINT NOT NULL, m49 VARCHAR, region VARCHAR, region_zh VARCHAR, subregion VARCHAR, subregion_zh VARCHAR,
  ldc BOOLEAN, lldc BOOLEAN, sids BOOLEAN);
CREATE TABLE IF NOT EXISTS datasets (
  dataset VARCHAR PRIMARY KEY, synthetic BOOLEAN, description VARCHAR);
CREATE TABLE IF NOT EXISTS codes (id INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS raw_values (
  dataset_id INTEGER NOT NULL, unit_key UBIGINT NOT NULL, year INTEGER NOT NULL,
  indicator_id INTEGER NOT NULL, value DOUBLE NOT NULL);
CREATE TABLE IF NOT EXISTS published (
  year INTEGER NOT NULL, unit VARCHAR NOT NULL, name_published VARCHAR,
  egdi DOUBLE, osi DOUBLE, tii DOUBLE, hci DOUBLE, epi DOUBLE, rank INTEGER,
  assessed BOOLEAN NOT NULL, file VARCHAR, PRIMARY KEY (year, unit));
CREATE TABLE IF NOT EXISTS runs (
  dataset VARCHAR NOT NULL, year INTEGER NOT NULL, method VARCHAR NOT NULL,
  method_origin VARCHAR, method_sha256 VARCHAR, inputs_checksum VARCHAR, inputs_rows BIGINT,
  engine_version VARCHAR, computed_at TIMESTAMP, root VARCHAR, digits INTEGER, ranking VARCHAR,
  framework_json VARCHAR, PRIMARY KEY (dataset, year));
CREATE TABLE IF NOT EXISTS node_values (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL,
  node_id INTEGER NOT NULL, value DOUBLE);
CREATE TABLE IF NOT EXISTS root_values (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL,
  value DOUBLE, rank INTEGER, band_id INTEGER, class_id INTEGER);
CREATE TABLE IF NOT EXISTS imports (
  kind VARCHAR, dataset VARCHAR, file VARCHAR, sha256 VARCHAR, rows BIGINT, imported_at TIMESTAMP);
`

// views give the tables that store names as numbers their readable shape.
const views = `
CREATE OR REPLACE VIEW units AS
  SELECT unit_key, unit, coalesce(name, unit) AS name, name_zh, coalesce(kind, 'custom') AS kind,
         m49, region, region_zh, subregion, subregion_zh, ldc, lldc, sids
  FROM unit_list LEFT JOIN member_states USING (unit_key);
CREATE OR REPLACE VIEW indicator_values AS
  SELECT d.code AS dataset, u.unit, v.year, i.code AS indicator, v.value
  FROM raw_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id JOIN codes i ON i.id = v.indicator_id;
CREATE OR REPLACE VIEW scores AS
  SELECT d.code AS dataset, v.year, u.unit, n.code AS node, v.value
  FROM node_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id JOIN codes n ON n.id = v.node_id
  UNION ALL
  SELECT d.code, v.year, u.unit, r.root, v.value
  FROM root_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id
  JOIN runs r ON r.dataset = d.code AND r.year = v.year;
CREATE OR REPLACE VIEW standings AS
  SELECT d.code AS dataset, v.year, u.unit, v.value, v.rank, b.code AS band, c.code AS class
  FROM root_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id
  LEFT JOIN codes b ON b.id = v.band_id LEFT JOIN codes c ON c.id = v.class_id;
`

// UnitKey is the SQL expression of the key of the unit code expr: the number the
// value tables store instead of the code. A key computed from the code (DuckDB's 64-bit
// hash) needs no lookup: an import of a million units' values writes keys without
// joining them to unit_list, and a computation's checksum hashes keys without joining
// back to the codes. Two codes with the same key are refused when the second arrives
// (CheckUnitKeys); should a DuckDB upgrade change the hash, the database is rekeyed
// when next opened for writing.
func UnitKey(expr string) string { return "hash(" + expr + ")" }

// unitKeyProbe is a fingerprint of the hash behind UnitKey, kept in meta, which
// tells when it has changed (a short code stored inline and a long one).
const unitKeyProbe = `SELECT hash('CHN')::VARCHAR || ',' || hash('a unit code longer than twelve bytes')::VARCHAR`

// CheckUnitKeys fails, naming both codes, when two codes share a key: with units
// empty, two codes of unit_list; else two of the codes of units (a query of distinct
// (unit, unit_key) rows: the units an import brings, with their UnitKey) or one of them
// and another code of unit_list. An import checks its units before it writes (the
// grouping and the join then read committed tables, which is much faster than reading a
// transaction's own writes).
func CheckUnitKeys(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, units string) error {
	var a, b string
	found := func(query string) (bool, error) {
		err := q.QueryRowContext(ctx, query).Scan(&a, &b)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	queries := []string{`SELECT a.unit, b.unit FROM unit_list a JOIN unit_list b ON a.unit_key = b.unit_key AND a.unit < b.unit LIMIT 1`}
	if units != "" {
		queries = []string{
			// the codes of units are distinct: a key held twice is held by two codes
			`SELECT min(n.unit), max(n.unit) FROM (` + units + `) n SEMI JOIN (
			   SELECT unit_key FROM (` + units + `) GROUP BY unit_key HAVING count(*) > 1 LIMIT 1) k USING (unit_key)
			 GROUP BY n.unit_key`,
			`SELECT n.unit, u.unit FROM (` + units + `) n JOIN unit_list u ON u.unit_key = n.unit_key AND u.unit <> n.unit LIMIT 1`,
		}
	}
	for _, query := range queries {
		if ok, err := found(query); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("unit codes %q and %q have the same key in the database (a 64-bit hash collision: with a million units, a chance of about 3 in 100 million); rename one of them", a, b)
		}
	}
	return nil
}

// Unit codes are compressed with FSST outright: left to choose, DuckDB also tries a
// dictionary on every segment, which for large sets of distinct codes doubles the time
// of the write and is then not used.

// SchemaVersion is bumped when the schema changes incompatibly. Version 2 stores the
// names of datasets, indicators, nodes and bands as numbers (codes), and a custom unit
// without a name or kind as NULLs: DuckDB writes a repeated string column several times
// slower than an integer one. Version 3 stores units in the value tables by key
// (UnitKey) rather than by code, for the same reason.
const SchemaVersion = "3"

// schemaVersion is SchemaVersion as a number, for comparisons.
const schemaVersion = 3

// fingerprints are what a database up to date with this egdi records in meta: the
// schema's text, the hash behind UnitKey, and the reference data.
func fingerprints() (schemaSum, refSum string) {
	a := sha256.Sum256([]byte(SchemaVersion + schema + views))
	b := sha256.Sum256([]byte(fmt.Sprint(refdata.All())))
	return hex.EncodeToString(a[:8]), hex.EncodeToString(b[:8])
}

// migrate brings the database up to date: the schema, the units' keys, the Member
// States. A database that records this egdi's fingerprints is left as it is, in one
// query; every writer opens through here, and small commands are mostly this.
func (db *DB) migrate() error {
	schemaSum, refSum := fingerprints()
	var current bool
	if err := db.QueryRow(`SELECT count(*) = 3 FROM meta WHERE (key = 'schema_sql' AND value = $1)
		OR (key = 'refdata' AND value = $2) OR (key = 'unit_key' AND value = (`+unitKeyProbe+`))`, schemaSum, refSum).Scan(&current); err == nil && current {
		return nil
	}
	if err := db.migrateSlowly(refSum); err != nil {
		return err
	}
	_, err := db.Exec(`INSERT OR REPLACE INTO meta VALUES ('schema_sql', $1), ('refdata', $2)`, schemaSum, refSum)
	return err
}

func (db *DB) migrateSlowly(refSum string) error {
	var version int
	if err := db.QueryRow(`SELECT CASE
		WHEN count(*) FILTER (table_name IN ('units', 'indicator_values')) > 0 THEN 1
		WHEN count(*) FILTER (table_name = 'raw_values' AND NOT contains(sql, 'unit_key')) > 0 THEN 2
		ELSE 3 END
		FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'`).Scan(&version); err != nil {
		return err
	}
	if up := map[int]func(*sql.Tx) error{1: migrateV1, 2: migrateV2}[version]; up != nil {
		if err := db.Tx(context.Background(), up); err != nil {
			return fmt.Errorf("upgrading the database to schema version %s: %w", SchemaVersion, err)
		}
	}
	if _, err := db.Exec(schema + views); err != nil {
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
		return nil
	}
	// A new database, or reference data changed: the Member States afresh, in one
	// statement per table.
	return db.Tx(context.Background(), func(tx *sql.Tx) error {
		var units, members []string
		for _, c := range refdata.All() {
			key := UnitKey(lit(c.ISO3))
			units = append(units, fmt.Sprintf("(%s, %s, %s, %s, 'country')", key, lit(c.ISO3), lit(c.Name), lit(c.NameZh)))
			members = append(members, fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %v, %v, %v)", key, lit(c.M49),
				lit(c.Region), lit(c.RegionZh), lit(c.Subregion), lit(c.SubregionZh), c.LDC, c.LLDC, c.SIDS))
		}
		for _, s := range []string{
			`DELETE FROM unit_list WHERE kind = 'country'`, `DELETE FROM member_states`,
			`INSERT INTO unit_list VALUES ` + strings.Join(units, ", "),
			`INSERT INTO member_states VALUES ` + strings.Join(members, ", "),
		} {
			if _, err := tx.Exec(s); err != nil {
				return err
			}
		}
		if err := CheckUnitKeys(context.Background(), tx, ""); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO meta VALUES ('schema_version', ?), ('unit_key', ?)`, SchemaVersion, probe)
		return err
	})
}

// lit is s as an SQL string literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// rekey gives every unit the key of its code under the current hash (probe is its
// fingerprint), in unit_list, member_states and the value tables: a database written by a DuckDB
// whose hash differs would otherwise file new values under other keys.
func rekey(tx *sql.Tx, probe string) error {
	stmts := []string{`CREATE OR REPLACE TEMP TABLE egdi_rekey AS
		SELECT unit_key AS old, ` + UnitKey("unit") + ` AS new FROM unit_list WHERE unit_key <> ` + UnitKey("unit")}
	for _, t := range []string{"unit_list", "member_states", "raw_values", "node_values", "root_values"} {
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

// migrateV1 moves a version-1 database (names and units stored as strings in units,
// indicator_values, scores and standings) to the tables behind views of the same names
// and shape.
func migrateV1(tx *sql.Tx) error {
	for _, s := range []string{
		`ALTER TABLE units RENAME TO units_v1`, `ALTER TABLE indicator_values RENAME TO indicator_values_v1`,
		`ALTER TABLE scores RENAME TO scores_v1`, `ALTER TABLE standings RENAME TO standings_v1`,
		schema,
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
	return finishMigration(tx)
}

// migrateV2 moves a version-2 database (unit codes in the value tables) to keys.
func migrateV2(tx *sql.Tx) error {
	stmts := []string{`DROP VIEW IF EXISTS units`, `DROP VIEW IF EXISTS indicator_values`, `DROP VIEW IF EXISTS scores`, `DROP VIEW IF EXISTS standings`}
	for _, t := range []string{"unit_list", "raw_values", "node_values", "root_values"} {
		stmts = append(stmts, `ALTER TABLE `+t+` RENAME TO `+t+`_v2`)
	}
	stmts = append(stmts, schema,
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
	return finishMigration(tx)
}

// finishMigration checks the new keys and records the version and the hash's fingerprint.
func finishMigration(tx *sql.Tx) error {
	if err := CheckUnitKeys(context.Background(), tx, ""); err != nil {
		return err
	}
	for _, s := range []string{views,
		`INSERT OR REPLACE INTO meta VALUES ('schema_version', '` + SchemaVersion + `')`,
		`INSERT OR REPLACE INTO meta SELECT 'unit_key', (` + unitKeyProbe + `)`,
	} {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	return nil
}

// Codes returns the number of each name (a dataset, indicator, node or band id), giving
// new names the next numbers. It runs in the caller's transaction.
func Codes(ctx context.Context, tx *sql.Tx, names ...string) (map[string]int, error) {
	out, err := KnownCodes(ctx, tx, names...)
	if err != nil {
		return nil, err
	}
	var fresh []string
	for _, n := range names {
		if _, ok := out[n]; !ok {
			out[n] = -1 // numbered below, in the order the names came
			fresh = append(fresh, n)
		}
	}
	if len(fresh) > 0 {
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM codes`).Scan(&next); err != nil {
			return nil, err
		}
		for _, n := range fresh {
			if _, err := tx.ExecContext(ctx, `INSERT INTO codes VALUES (?, ?)`, next, n); err != nil {
				return nil, err
			}
			out[n] = next
			next++
		}
	}
	return out, nil
}

// KnownCodes returns the numbers of those of the names that have one, without giving
// any a number (for readers; Codes gives new names numbers in a write).
func KnownCodes(ctx context.Context, c interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, names ...string) (map[string]int, error) {
	list := make([]string, len(names))
	for i, n := range names {
		list[i] = lit(n)
	}
	out := map[string]int{}
	if len(names) == 0 {
		return out, nil
	}
	rows, err := c.QueryContext(ctx, `SELECT code, id FROM codes WHERE code IN (`+strings.Join(list, ", ")+`)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var id int
		if err := rows.Scan(&code, &id); err != nil {
			return nil, err
		}
		out[code] = id
	}
	return out, rows.Err()
}

// CodeTable is a SQL table expression (name, id) of codes, to join names to numbers.
func CodeTable(codes map[string]int) string {
	if len(codes) == 0 {
		return "(SELECT NULL::VARCHAR AS name, NULL::INTEGER AS id WHERE false)"
	}
	names := make([]string, 0, len(codes))
	for n := range codes {
		names = append(names, n)
	}
	sort.Strings(names)
	rows := make([]string, len(names))
	for i, n := range names {
		rows[i] = fmt.Sprintf("(%s, %d)", lit(n), codes[n])
	}
	return "(SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") t(name, id))"
}

// CodeOf is the SQL expression of the number of the name expr, among a few names of
// codes: a CASE, which for up to a dozen or so names is cheaper per row than a join to
// CodeTable. ok is false for more names; join CodeTable then.
func CodeOf(expr string, codes map[string]int) (sql string, ok bool) {
	if len(codes) > 16 {
		return "", false
	}
	if len(codes) == 0 {
		return "NULL::INTEGER", true
	}
	names := make([]string, 0, len(codes))
	for n := range codes {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("CASE " + expr)
	for _, n := range names {
		fmt.Fprintf(&b, " WHEN %s THEN %d", lit(n), codes[n])
	}
	b.WriteString(" END")
	return b.String(), true
}

// Tx runs fn in one transaction: everything or nothing.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return finish(tx, fn)
}

// finish runs fn in tx and commits, or rolls back on error.
func finish(tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Staged runs work in two phases on one connection: stage (outside any transaction,
// for temporary tables that are read back and grouped, which DuckDB does much faster
// once they are committed), then write in one transaction, everything or nothing. The
// connection's temporary objects named by cleanup are dropped at the end either way.
// A nil write stages only (to inspect the temporary tables inside stage).
func (db *DB) Staged(ctx context.Context, stage func(c *sql.Conn) error, write func(tx *sql.Tx) error, cleanup []string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer func() {
		for _, name := range cleanup {
			// a view or a table, whichever it is
			conn.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+name)
			conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+name)
		}
	}()
	if err := stage(conn); err != nil {
		return err
	}
	if write == nil {
		return nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return finish(tx, write)
}

// Step times one step of a long job and reports it on stderr when EGDI_TRACE is set,
// for finding where an import or computation spends its time:
//
//	defer store.Step("validate")()
func Step(name string) func() {
	if os.Getenv("EGDI_TRACE") == "" {
		return func() {}
	}
	start := time.Now()
	return func() { fmt.Fprintf(os.Stderr, "trace: %-28s %8.3f s\n", name, time.Since(start).Seconds()) }
}
