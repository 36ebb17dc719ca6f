package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// A database of schema version 1 (names stored as strings) opens as the current version with
// the same rows behind the same view names, and takes new writes.
func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "v1.duckdb")
	old, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
		`INSERT INTO meta VALUES ('schema_version', '1')`,
		`CREATE TABLE units (unit VARCHAR NOT NULL, name VARCHAR, name_zh VARCHAR, kind VARCHAR,
		   m49 VARCHAR, region VARCHAR, region_zh VARCHAR, subregion VARCHAR, subregion_zh VARCHAR,
		   ldc BOOLEAN, lldc BOOLEAN, sids BOOLEAN)`,
		`INSERT INTO units (unit, name, name_zh, kind) VALUES ('BJ', '北京', '北京', 'custom'), ('S1', 'S1', NULL, 'custom')`,
		`CREATE TABLE indicator_values (dataset VARCHAR NOT NULL, unit VARCHAR NOT NULL, year INTEGER NOT NULL,
		   indicator VARCHAR NOT NULL, value DOUBLE NOT NULL)`,
		`CREATE TABLE scores (dataset VARCHAR NOT NULL, year INTEGER NOT NULL, unit VARCHAR NOT NULL, node VARCHAR NOT NULL, value DOUBLE)`,
		`CREATE TABLE standings (dataset VARCHAR NOT NULL, year INTEGER NOT NULL, unit VARCHAR NOT NULL,
		   value DOUBLE, rank INTEGER, band VARCHAR, class VARCHAR)`,
		`INSERT INTO indicator_values VALUES ('itu', 'CHN', 2022, 'internet_users_pct', 73.1), ('itu', 'IND', 2022, 'internet_users_pct', 43),
		   ('p', 'BJ', 2022, 'x1', 1.5)`,
		`INSERT INTO scores VALUES ('itu', 2022, 'CHN', 'tii', 0.7), ('itu', 2022, 'IND', 'tii', NULL), ('itu', 2022, 'CHN', 'egdi', 0.7),
		   ('p', 2022, 'BJ', 'index', 90)`,
		`INSERT INTO standings VALUES ('itu', 2022, 'CHN', 0.7, 1, 'high', 'HV'), ('p', 2022, 'BJ', 90, 1, NULL, NULL)`,
		runsTable, runsRows,
	} {
		if _, err := old.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	old.Close()

	db, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sameRows(t, db, sampleRows)
	same(t, db, `SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('units', 'indicator_values', 'scores', 'standings')`, "0|")

	// New names get new numbers; known names keep theirs.
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	codes, err := Codes(context.Background(), tx, "itu", "new_indicator", "itu")
	if err != nil {
		t.Fatal(err)
	}
	var itu int
	if err := tx.QueryRow(`SELECT id FROM codes WHERE code = 'itu'`).Scan(&itu); err != nil {
		t.Fatal(err)
	}
	var max int
	if err := tx.QueryRow(`SELECT max(id) FROM codes`).Scan(&max); err != nil {
		t.Fatal(err)
	}
	if codes["itu"] != itu || codes["new_indicator"] != max || len(codes) != 2 {
		t.Errorf("codes %v: itu should be %d, new_indicator %d", codes, itu, max)
	}
	// a reader looks names up without numbering new ones
	known, err := KnownCodes(context.Background(), tx, "itu", "no_such_name")
	if err != nil || len(known) != 1 || known["itu"] != itu {
		t.Errorf("known codes %v (%v), want itu %d only", known, err, itu)
	}
	if _, err := tx.Exec(`INSERT INTO raw_values SELECT c.id, ` + UnitKey("'KOR'") + `, 2022, n.id, 1 FROM ` + CodeTable(codes) + ` c, ` + CodeTable(codes) + ` n
		WHERE c.name = 'itu' AND n.name = 'new_indicator'`); err != nil {
		t.Fatal(err)
	}
	var v float64
	if err := tx.QueryRow(`SELECT value FROM indicator_values WHERE dataset = 'itu' AND indicator = 'new_indicator' AND unit = 'KOR'`).Scan(&v); err != nil || v != 1 {
		t.Errorf("the new value reads back as %v (%v)", v, err)
	}
}

// runsTable and runsRows record the computations of the migration tests' databases:
// their roots are egdi and index.
const runsTable = `CREATE TABLE runs (
  dataset VARCHAR NOT NULL, year INTEGER NOT NULL, method VARCHAR NOT NULL,
  method_origin VARCHAR, method_sha256 VARCHAR, inputs_checksum VARCHAR, inputs_rows BIGINT,
  engine_version VARCHAR, computed_at TIMESTAMP, root VARCHAR, digits INTEGER, ranking VARCHAR,
  framework_json VARCHAR, PRIMARY KEY (dataset, year))`

const runsRows = `INSERT INTO runs (dataset, year, method, root) VALUES ('itu', 2022, 'un-2022', 'egdi'), ('p', 2022, 'p', 'index')`

// sampleRows are the rows of the migration tests' databases, as the views show them.
var sampleRows = map[string][]string{
	`SELECT * FROM indicator_values ORDER BY dataset, unit`: {
		"itu|CHN|2022|internet_users_pct|73.1|", "itu|IND|2022|internet_users_pct|43.0|", "p|BJ|2022|x1|1.5|"},
	// a node value NULL is no value: IND's tii is not kept
	`SELECT * FROM scores ORDER BY dataset, unit, node`: {
		"itu|2022|CHN|egdi|0.7|", "itu|2022|CHN|tii|0.7|", "p|2022|BJ|index|90.0|"},
	// roots are stored in root_values only, the other nodes in lists by their ord
	`SELECT count(*) FROM node_values`: {"1|"},
	`SELECT r.dataset, n.node, n.units, n.ord FROM run_nodes n JOIN runs r USING (run_id) ORDER BY ALL`: {
		"itu|egdi|1|NULL|", "itu|tii|1|1|", "p|index|1|NULL|"},
	`SELECT * FROM standings ORDER BY dataset, unit`:                         {"itu|2022|CHN|0.7|1|high|HV|", "p|2022|BJ|90.0|1|NULL|NULL|"},
	`SELECT unit, name, kind FROM units WHERE kind = 'custom' ORDER BY unit`: {"BJ|北京|custom|", "S1|S1|custom|"},
	`SELECT count(*) FROM units WHERE kind = 'country'`:                      {"193|"},
	`SELECT name_zh, region, ldc FROM units WHERE unit = 'CHN'`:              {"中国|Asia|false|"},
	`SELECT value FROM meta WHERE key = 'schema_version'`:                    {"5|"},
	// every unit's key is the key of its code, in every table
	`SELECT count(*) FROM unit_list WHERE unit_key <> ` + UnitKey("unit"): {"0|"},
	`SELECT count(*) FROM (SELECT unit_key FROM raw_values UNION ALL SELECT unit_key FROM node_values UNION ALL SELECT unit_key FROM root_values)
	  ANTI JOIN unit_list USING (unit_key)`: {"0|"},
}

func sameRows(t *testing.T, db *DB, want map[string][]string) {
	t.Helper()
	for q, rows := range want {
		same(t, db, q, rows...)
	}
}

// same checks the rows of q, each as its values joined by |.
func same(t *testing.T, db *DB, q string, want ...string) {
	t.Helper()
	rows, err := db.Query(`SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (` + q + `)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var got []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		line := ""
		for _, v := range vals {
			if v.Valid {
				line += v.String + "|"
			} else {
				line += "NULL|"
			}
		}
		got = append(got, line)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", q, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s row %d: got %s, want %s", q, i, got[i], want[i])
		}
	}
}

// build makes a database file from SQL statements, without Open's schema.
func build(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

// A database of schema version 2 (unit codes in the value tables) opens as the current version
// with the same rows behind the views, whether a writer or a reader opens it first.
func TestMigrateFromVersion2(t *testing.T) {
	t.Parallel()
	for _, readOnly := range []bool{false, true} {
		db, err := Open(version2(t), readOnly)
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, db, sampleRows)
		same(t, db, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%_v2'`, "0|")
		db.Close()
	}
}

// version2 builds a database of schema version 2 holding the sample rows.
func version2(t *testing.T) string {
	return build(t,
		`CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
		`INSERT INTO meta VALUES ('schema_version', '2')`,
		`CREATE TABLE unit_list (unit VARCHAR NOT NULL, name VARCHAR, name_zh VARCHAR, kind VARCHAR,
		   m49 VARCHAR, region VARCHAR, region_zh VARCHAR, subregion VARCHAR, subregion_zh VARCHAR,
		   ldc BOOLEAN, lldc BOOLEAN, sids BOOLEAN)`,
		`INSERT INTO unit_list (unit, name, name_zh) VALUES ('BJ', '北京', '北京'), ('S1', NULL, NULL)`,
		`CREATE TABLE codes (id INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE)`,
		`INSERT INTO codes VALUES (1, 'itu'), (2, 'p'), (3, 'internet_users_pct'), (4, 'x1'), (5, 'tii'), (6, 'index'), (7, 'high'), (8, 'HV')`,
		`CREATE TABLE raw_values (dataset_id INTEGER NOT NULL, unit VARCHAR NOT NULL, year INTEGER NOT NULL,
		   indicator_id INTEGER NOT NULL, value DOUBLE NOT NULL)`,
		`CREATE TABLE node_values (dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit VARCHAR NOT NULL, node_id INTEGER NOT NULL, value DOUBLE)`,
		`CREATE TABLE root_values (dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit VARCHAR NOT NULL,
		   value DOUBLE, rank INTEGER, band_id INTEGER, class_id INTEGER)`,
		`INSERT INTO raw_values VALUES (1, 'CHN', 2022, 3, 73.1), (1, 'IND', 2022, 3, 43), (2, 'BJ', 2022, 4, 1.5)`,
		`INSERT INTO codes VALUES (9, 'egdi')`,
		`INSERT INTO node_values VALUES (1, 2022, 'CHN', 5, 0.7), (1, 2022, 'IND', 5, NULL), (1, 2022, 'CHN', 9, 0.7), (2, 2022, 'BJ', 6, 90)`,
		runsTable, runsRows,
		`INSERT INTO root_values VALUES (1, 2022, 'CHN', 0.7, 1, 7, 8), (2, 2022, 'BJ', 90, 1, NULL, NULL)`,
		`CREATE VIEW indicator_values AS SELECT d.code AS dataset, v.unit, v.year, i.code AS indicator, v.value
		   FROM raw_values v JOIN codes d ON d.id = v.dataset_id JOIN codes i ON i.id = v.indicator_id`,
	)
}

// Should DuckDB's hash change, a database written with the old one is rekeyed when next
// opened for writing: every unit's key becomes the key of its code, and the values follow.
func TestRekeyAfterAHashChange(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k.duckdb")
	db, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	// Write values, then turn every key into what another hash would have made of it.
	for _, s := range []string{
		`INSERT INTO codes VALUES (1, 'itu'), (2, 'p'), (3, 'internet_users_pct'), (4, 'x1'), (5, 'tii'), (6, 'index'), (7, 'high'), (8, 'HV')`,
		`INSERT INTO unit_list (unit_key, unit, name, name_zh) VALUES (` + UnitKey("'BJ'") + `, 'BJ', '北京', '北京'), (` + UnitKey("'S1'") + `, 'S1', NULL, NULL)`,
		`INSERT INTO raw_values VALUES (1, ` + UnitKey("'CHN'") + `, 2022, 3, 73.1), (1, ` + UnitKey("'IND'") + `, 2022, 3, 43), (2, ` + UnitKey("'BJ'") + `, 2022, 4, 1.5)`,
		`INSERT INTO node_lists VALUES (1, 2022, ` + UnitKey("'CHN'") + `, [0.7]), (1, 2022, ` + UnitKey("'IND'") + `, [NULL])`,
		`INSERT INTO runs (run_id, dataset, year, source, method, root) VALUES (1, 'itu', 2022, 'computed', 'un-2022', 'egdi'), (2, 'p', 2022, 'computed', 'p', 'index')`,
		`INSERT INTO run_nodes VALUES (1, 'egdi', 1, NULL), (1, 'tii', 1, 1), (2, 'index', 1, NULL)`,
		`INSERT INTO root_values VALUES (1, 2022, ` + UnitKey("'CHN'") + `, 0.7, 1, 7, 8), (2, 2022, ` + UnitKey("'BJ'") + `, 90, 1, NULL, NULL)`,
		`UPDATE unit_list SET unit_key = xor(unit_key, 12345)`, `UPDATE member_states SET unit_key = xor(unit_key, 12345)`, `UPDATE raw_values SET unit_key = xor(unit_key, 12345)`,
		`UPDATE node_lists SET unit_key = xor(unit_key, 12345)`, `UPDATE root_values SET unit_key = xor(unit_key, 12345)`,
		`UPDATE meta SET value = 'another hash' WHERE key = 'unit_key'`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	same(t, db, `SELECT count(*) FROM unit_list WHERE unit_key <> `+UnitKey("unit"), "195|")
	db.Close()
	db, err = Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sameRows(t, db, sampleRows)
	same(t, db, `SELECT value = (`+unitKeyProbe+`) FROM meta WHERE key = 'unit_key'`, "true|")
}

// Two codes with one key are refused, naming both; codes with keys of their own pass.
// (A real 64-bit collision cannot be written down: the stand-ins are codes given, or
// stored under, the key of another.)
func TestCheckUnitKeys(t *testing.T) {
	t.Parallel()
	db, err := Open(filepath.Join(t.TempDir(), "c.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	keyed := func(pairs string) string {
		return `SELECT unit, ` + UnitKey("k") + ` AS unit_key FROM (VALUES ` + pairs + `) t(unit, k)`
	}
	collide := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), `"S1" and "ZZ9"`) {
			t.Errorf("%s: %v, want the collision of S1 and ZZ9", what, err)
		}
	}
	if err := CheckUnitKeys(ctx, db, ""); err != nil {
		t.Fatalf("the Member States: %v", err)
	}
	if err := CheckUnitKeys(ctx, db, keyed(`('S1', 'S1'), ('S2', 'S2')`)); err != nil {
		t.Fatalf("new codes: %v", err)
	}
	// two new codes with one key
	collide("within the new codes", CheckUnitKeys(ctx, db, keyed(`('S1', 'S1'), ('ZZ9', 'S1')`)))
	// a new code whose key a stored code has
	if _, err := db.Exec(`INSERT INTO unit_list (unit_key, unit) VALUES (` + UnitKey("'S1'") + `, 'ZZ9')`); err != nil {
		t.Fatal(err)
	}
	collide("against the stored codes", CheckUnitKeys(ctx, db, keyed(`('S1', 'S1')`)))
	// two stored codes with one key
	if _, err := db.Exec(`INSERT INTO unit_list (unit_key, unit) VALUES (` + UnitKey("'S1'") + `, 'S1')`); err != nil {
		t.Fatal(err)
	}
	collide("within unit_list", CheckUnitKeys(ctx, db, ""))
}

// CodeOf numbers a few names by a CASE (NULL for other names, and with no names), and
// declines many.
func TestCodeOf(t *testing.T) {
	t.Parallel()
	db, err := Open(filepath.Join(t.TempDir(), "c.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	expr, ok := CodeOf("n", map[string]int{"x01": 7, "it's": 9})
	if !ok {
		t.Fatal("two names declined")
	}
	same(t, db, `SELECT n, `+expr+` FROM (VALUES ('x01'), ('it''s'), ('other')) t(n) ORDER BY n`, "it's|9|", "other|NULL|", "x01|7|")
	if expr, ok := CodeOf("n", nil); !ok || expr != "NULL::INTEGER" {
		t.Errorf("no names: %q, %v", expr, ok)
	}
	many := map[string]int{}
	for i := 0; i < 17; i++ {
		many[fmt.Sprint(i)] = i
	}
	if _, ok := CodeOf("n", many); ok {
		t.Error("17 names should take the join")
	}
}

// version3 builds a database of schema version 3 with the sample rows and a published
// table: an assessed state, one not assessed, and a placeholder (ranked with EGDI 0).
func version3(t *testing.T) string {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "seed.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	seed := db.Path
	db.Close()
	// the version-3 shape: runs without numbers, and the published table
	s, err := sql.Open("duckdb", seed)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`DROP VIEW published`, `DROP VIEW scores`, `DROP VIEW node_values`, `DROP TABLE node_lists`, `DROP TABLE runs`, `DROP TABLE run_nodes`,
		`DROP TABLE excluded`, `DROP TABLE groupings`, longNodeValues,
		`DELETE FROM meta WHERE key <> 'unit_key'`, `INSERT INTO meta VALUES ('schema_version', '3')`,
		runsTable, runsRows,
		`INSERT INTO codes VALUES (1, 'itu'), (2, 'p'), (3, 'internet_users_pct'), (4, 'x1'), (5, 'tii'), (6, 'index'), (7, 'high'), (8, 'HV'), (9, 'egdi')`,
		`INSERT INTO unit_list (unit_key, unit, name, name_zh) VALUES (` + UnitKey("'BJ'") + `, 'BJ', '北京', '北京'), (` + UnitKey("'S1'") + `, 'S1', NULL, NULL)`,
		`INSERT INTO raw_values VALUES (1, ` + UnitKey("'CHN'") + `, 2022, 3, 73.1), (1, ` + UnitKey("'IND'") + `, 2022, 3, 43), (2, ` + UnitKey("'BJ'") + `, 2022, 4, 1.5)`,
		`INSERT INTO node_values VALUES (1, 2022, ` + UnitKey("'CHN'") + `, 5, 0.7), (1, 2022, ` + UnitKey("'IND'") + `, 5, NULL)`,
		`INSERT INTO root_values VALUES (1, 2022, ` + UnitKey("'CHN'") + `, 0.7, 1, 7, 8), (2, 2022, ` + UnitKey("'BJ'") + `, 90, 1, NULL, NULL)`,
		`CREATE TABLE published (year INTEGER NOT NULL, unit VARCHAR NOT NULL, name_published VARCHAR,
		   egdi DOUBLE, osi DOUBLE, tii DOUBLE, hci DOUBLE, epi DOUBLE, rank INTEGER,
		   assessed BOOLEAN NOT NULL, file VARCHAR, PRIMARY KEY (year, unit))`,
		`INSERT INTO published VALUES (2003, 'IRL', 'Ireland', 0.69651, 0.61572, 0.51381, 0.96, 0.5862, 17, true, 'EGOV_DATA_2003.csv'),
		   (2003, 'MNE', 'Montenegro', NULL, NULL, NULL, NULL, NULL, NULL, false, 'EGOV_DATA_2003.csv'),
		   (2003, 'IRQ', 'Iraq', 0, 0, 0.01578, 0.93, 0, 174, true, 'EGOV_DATA_2003.csv'),
		   (2022, 'DNK', 'Denmark', 0.9717, 0.9797, 0.9795, 0.9559, 0.9659, 1, true, 'EGOV_DATA_2022.csv')`,
	} {
		if _, err := s.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return seed
}

// longNodeValues is the node_values table of versions 3 and 4: a row per value.
const longNodeValues = `CREATE TABLE node_values (dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL,
  node_id INTEGER NOT NULL, value DOUBLE)`

// A version-3 database opens as version 5: the runs numbered with their nodes, and
// the published table become runs of the dataset "published", its unassessed state and
// its placeholder listed in excluded and left without a group; the view published
// shows the same rows as before.
func TestMigrateFromVersion3(t *testing.T) {
	t.Parallel()
	for _, readOnly := range []bool{false, true} {
		db, err := Open(version3(t), readOnly)
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, db, map[string][]string{
			`SELECT run_id, dataset, year, source, method, digits FROM runs ORDER BY run_id`: {
				"1|itu|2022|computed|un-2022|NULL|", "2|p|2022|computed|p|NULL|", "3|published|2003|published|un-2012|5|", "4|published|2022|published|un-2022|4|"},
			`SELECT run_id, node, units FROM run_nodes WHERE run_id IN (1, 3) ORDER BY ALL`: {
				"1|egdi|1|", "1|tii|1|", "3|egdi|2|", "3|epi|2|", "3|hci|2|", "3|osi|2|", "3|tii|2|"},
			`SELECT unit, year, value, rank, band, class FROM standings WHERE dataset = 'published' ORDER BY year, unit`: {
				"IRL|2003|0.69651|17|high|NULL|", "IRQ|2003|0.0|174|NULL|NULL|", "DNK|2022|0.9717|1|very_high|VH|"},
			`SELECT u.unit, x.reason FROM excluded x JOIN unit_list u USING (unit_key) ORDER BY u.unit`: {"IRQ|placeholder|", "MNE|not_assessed|"},
			`SELECT year, unit, egdi, osi, tii, hci, epi, rank, assessed, status FROM published ORDER BY year, unit`: {
				"2003|IRL|0.69651|0.61572|0.51381|0.96|0.5862|17|true|assessed|",
				"2003|IRQ|0.0|0.0|0.01578|0.93|0.0|174|true|placeholder|",
				"2003|MNE|NULL|NULL|NULL|NULL|NULL|NULL|false|not_assessed|",
				"2022|DNK|0.9717|0.9797|0.9795|0.9559|0.9659|1|true|assessed|"},
			`SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('published', 'published_v3', 'runs_v3', 'node_values', 'node_values_v4')`: {"0|"},
			`SELECT value FROM meta WHERE key = 'schema_version'`:                                                                                {"5|"},
		})
		db.Close()
	}
}

// version4 builds a database of schema version 4 (a row per node value), with its
// version recorded in meta or, when lost, only in the shape of its tables: two
// computed datasets, one with two years and a unit without one of its nodes, a NULL
// value, and a published edition.
func version4(t *testing.T, lost bool) string {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "v4.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	path := db.Path
	db.Close()
	s, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := func(u string) string { return UnitKey("'" + u + "'") }
	version := `UPDATE meta SET value = '4' WHERE key = 'schema_version'`
	if lost {
		version = `DELETE FROM meta WHERE key = 'schema_version'`
	}
	for _, q := range []string{
		`DROP VIEW published`, `DROP VIEW scores`, `DROP VIEW node_values`, `DROP TABLE node_lists`, longNodeValues,
		`ALTER TABLE run_nodes DROP COLUMN ord`, version, `DELETE FROM meta WHERE key = 'schema_sql'`,
		`INSERT INTO codes VALUES (1, 'itu'), (2, 'p'), (5, 'tii'), (6, 'index'), (9, 'egdi'), (10, 'published'), (11, 'osi'), (12, 'hci'), (13, 'epi'), (14, 'sub')`,
		`INSERT INTO unit_list (unit_key, unit) VALUES (` + key("BJ") + `, 'BJ'), (` + key("SH") + `, 'SH')`,
		`INSERT INTO runs (run_id, dataset, year, source, method, root) VALUES (1, 'itu', 2022, 'computed', 'un-2022', 'egdi'),
		   (2, 'p', 2022, 'computed', 'p', 'index'), (3, 'published', 2022, 'published', 'un-2022', 'egdi'), (4, 'p', 2023, 'computed', 'p', 'index')`,
		`INSERT INTO run_nodes VALUES (1, 'egdi', 1), (1, 'tii', 1), (2, 'index', 2), (2, 'sub', 2), (2, 'tii', 1),
		   (3, 'egdi', 1), (3, 'osi', 1), (3, 'tii', 1), (3, 'hci', 1), (3, 'epi', 1), (4, 'index', 1), (4, 'sub', 1)`,
		`INSERT INTO node_values VALUES (1, 2022, ` + key("CHN") + `, 5, 0.7), (1, 2022, ` + key("IND") + `, 5, NULL),
		   (2, 2022, ` + key("BJ") + `, 14, 0.5), (2, 2022, ` + key("BJ") + `, 5, 0.25), (2, 2022, ` + key("SH") + `, 14, 0.75), (2, 2023, ` + key("BJ") + `, 14, 0.6),
		   (10, 2022, ` + key("DNK") + `, 11, 0.9797), (10, 2022, ` + key("DNK") + `, 5, 0.9795), (10, 2022, ` + key("DNK") + `, 12, 0.9559), (10, 2022, ` + key("DNK") + `, 13, 0.9659)`,
		`INSERT INTO root_values VALUES (1, 2022, ` + key("CHN") + `, 0.7, 1, NULL, NULL), (2, 2022, ` + key("BJ") + `, 90, 1, NULL, NULL),
		   (2, 2022, ` + key("SH") + `, 80, 2, NULL, NULL), (2, 2023, ` + key("BJ") + `, 91, 1, NULL, NULL), (10, 2022, ` + key("DNK") + `, 0.9717, 1, NULL, NULL)`,
	} {
		if _, err := s.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// A version-4 database opens as version 5, its version recorded or lost, by a writer
// or a reader first: each run's nodes but its root numbered (alphabetically) and each
// unit's values a list in that order, NULL where it has none; the views show the same
// values as before, but the NULL.
func TestMigrateFromVersion4(t *testing.T) {
	t.Parallel()
	for _, lost := range []bool{false, true} {
		for _, readOnly := range []bool{false, true} {
			db, err := Open(version4(t, lost), readOnly)
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, db, map[string][]string{
				`SELECT dataset, year, unit, node, value FROM scores ORDER BY ALL`: {
					"itu|2022|CHN|egdi|0.7|", "itu|2022|CHN|tii|0.7|",
					"p|2022|BJ|index|90.0|", "p|2022|BJ|sub|0.5|", "p|2022|BJ|tii|0.25|", "p|2022|SH|index|80.0|", "p|2022|SH|sub|0.75|",
					"p|2023|BJ|index|91.0|", "p|2023|BJ|sub|0.6|",
					"published|2022|DNK|egdi|0.9717|", "published|2022|DNK|epi|0.9659|", "published|2022|DNK|hci|0.9559|",
					"published|2022|DNK|osi|0.9797|", "published|2022|DNK|tii|0.9795|"},
				`SELECT run_id, node, units, ord FROM run_nodes ORDER BY ALL`: {
					"1|egdi|1|NULL|", "1|tii|1|1|", "2|index|2|NULL|", "2|sub|2|1|", "2|tii|1|2|",
					"3|egdi|1|NULL|", "3|epi|1|1|", "3|hci|1|2|", "3|osi|1|3|", "3|tii|1|4|", "4|index|1|NULL|", "4|sub|1|1|"},
				`SELECT d.code, v.year, u.unit, v.value::VARCHAR FROM node_lists v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id ORDER BY ALL`: {
					"itu|2022|CHN|[0.7]|", "itu|2022|IND|[NULL]|", "p|2022|BJ|[0.5, 0.25]|", "p|2022|SH|[0.75, NULL]|", "p|2023|BJ|[0.6]|",
					"published|2022|DNK|[0.9659, 0.9559, 0.9797, 0.9795]|"},
				`SELECT year, unit, egdi, osi, tii, hci, epi, rank, status FROM published ORDER BY ALL`: {
					"2022|DNK|0.9717|0.9797|0.9795|0.9559|0.9659|1|assessed|"},
				`SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('node_values', 'node_values_v4')`: {"0|"},
				`SELECT value FROM meta WHERE key = 'schema_version'`:                                        {"5|"},
			})
			db.Close()
		}
	}
}

// A query that reads the view node_values twice under one filter gets its values:
// DuckDB 1.5's common_subplan optimizer, which Open turns off, returned NULL for all
// of one of the two.
func TestNodeValuesReadTwice(t *testing.T) {
	t.Parallel()
	db, err := Open(version4(t, false), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	same(t, db, `WITH d AS (SELECT id FROM codes WHERE code = 'p'),
		c AS (SELECT v.year, v.unit_key, max(v.value) FILTER (WHERE n.code = 'sub') AS sub
		      FROM node_values v JOIN codes n ON n.id = v.node_id WHERE v.dataset_id = (SELECT id FROM d) GROUP BY ALL),
		k AS (SELECT year, unit_key FROM node_values WHERE dataset_id = (SELECT id FROM d))
		SELECT count(*), count(c.sub), sum(c.sub) FROM k JOIN c USING (year, unit_key)`, "4|4|2.35|")
}

// A database written by a newer egdi is refused, and left as it is.
func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	path := version3(t)
	s, _ := sql.Open("duckdb", path)
	if _, err := s.Exec(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, readOnly := range []bool{false, true} {
		_, err := Open(path, readOnly)
		if err == nil || !strings.Contains(err.Error(), "newer egdi (schema 99); this one reads up to 5") {
			t.Errorf("read-only %v: %v", readOnly, err)
		}
	}
	s, _ = sql.Open("duckdb", path+"?access_mode=read_only")
	defer s.Close()
	var v string
	if err := s.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil || v != "99" {
		t.Errorf("the refused database now says %q (%v)", v, err)
	}
}

// A current database whose version row is lost or damaged opens for reading, once
// upgraded in place; it does not send the reader round in circles.
func TestLostVersionRowOpens(t *testing.T) {
	t.Parallel()
	for _, damage := range []string{`DELETE FROM meta WHERE key = 'schema_version'`, `UPDATE meta SET value = 'four' WHERE key = 'schema_version'`} {
		db, err := Open(filepath.Join(t.TempDir(), "v.duckdb"), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(damage); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`DELETE FROM meta WHERE key = 'schema_sql'`); err != nil {
			t.Fatal(err)
		}
		path := db.Path
		db.Close()
		r, err := Open(path, true)
		if err != nil {
			t.Fatalf("%s: %v", damage, err)
		}
		same(t, r, `SELECT value FROM meta WHERE key = 'schema_version'`, "5|")
		r.Close()
	}
}

// DuckDB is sealed: no extension installs or loads of itself, and no statement can
// change that; a file that is not a DuckDB database is refused before DuckDB sees it,
// and a path is a path, never options.
func TestSealedConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "s.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"autoinstall_known_extensions", "autoload_known_extensions", "lock_configuration"} {
		var v string
		if err := db.QueryRow(`SELECT current_setting('` + k + `')::VARCHAR`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"lock_configuration": "true"}[k]
		if want == "" {
			want = "false"
		}
		if v != want {
			t.Errorf("%s = %s, want %s", k, v, want)
		}
	}
	if _, err := db.Exec(`SET autoload_known_extensions = true`); err == nil {
		t.Error("the configuration could be changed")
	}
	if _, err := db.Exec(`LOAD sqlite`); err == nil {
		t.Error("an extension loaded")
	}
	sqlite := filepath.Join(dir, "other.db")
	os.WriteFile(sqlite, append([]byte("SQLite format 3\x00"), make([]byte, 100)...), 0o644)
	if _, err := Open(sqlite, true); err == nil || !strings.Contains(err.Error(), "is a SQLite database, not a DuckDB one") {
		t.Errorf("a SQLite file: %v", err)
	}
	csvFile := filepath.Join(dir, "data.csv")
	os.WriteFile(csvFile, []byte("unit,year,indicator,value\nA,2020,x,1\n"), 0o644)
	if _, err := Open(csvFile, false); err == nil || !strings.Contains(err.Error(), "not a DuckDB database") {
		t.Errorf("a CSV file: %v", err)
	}
	if b, _ := os.ReadFile(csvFile); !strings.HasPrefix(string(b), "unit,year") {
		t.Error("the CSV given as a database was changed")
	}
	if _, err := Open(filepath.Join(dir, "x.duckdb?memory_limit=1KB"), false); err == nil || !strings.Contains(err.Error(), "cannot hold ? or #") {
		t.Errorf("a path with options: %v", err)
	}
	if File("/d/a*[b]?.csv") != `'/d/a[*][[]b][?].csv'` {
		t.Errorf("File: %s", File("/d/a*[b]?.csv"))
	}
}

// Out of memory, egdi says which limit and how to raise it, not DuckDB's SQL advice;
// the database is unchanged.
func TestOutOfMemoryIsExplained(t *testing.T) {
	t.Setenv("EGDI_MEMORY_LIMIT", "3MB")
	path := filepath.Join(t.TempDir(), "m.duckdb")
	db, err := Open(path, false)
	if err != nil {
		err = Explain(err, path)
	} else {
		_, err = db.Exec(`CREATE TABLE big AS SELECT range AS i, repeat('x', 100) AS s FROM range(200000) ORDER BY s, i`)
		err = Explain(err, path)
		db.Close()
	}
	if err == nil || !errors.Is(err, ErrResources) || !strings.Contains(err.Error(), "egdi's limit of 3MB") || strings.Contains(err.Error(), "SET threads") {
		t.Fatalf("%v", err)
	}
	if other := errors.New("x"); Explain(other, path) != other {
		t.Error("another error was rewritten")
	}
}

// Double gives DuckDB the very double: a bare literal is read as a DECIMAL first and
// about one value in sixteen comes out a bit off.
func TestDoubleLiteralsAreExact(t *testing.T) {
	db, err := Scratch()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		x := rng.Float64() * []float64{1, 100, 1e-3, 1e9}[i%4]
		var got float64
		if err := db.QueryRow(`SELECT ` + Double(x)).Scan(&got); err != nil || got != x {
			t.Fatalf("%v came back as %v (%v)", x, got, err)
		}
	}
	var null bool
	db.QueryRow(`SELECT ` + Double(math.NaN()) + ` IS NULL`).Scan(&null)
	if !null {
		t.Error("NaN is not NULL")
	}
}

// egdi reads its memory limit as DuckDB does, in decimal or binary units; what it
// cannot read is no limit of its own (DuckDB still says what it makes of it).
func TestMemoryLimitInBytes(t *testing.T) {
	for text, want := range map[string]int64{"1500MB": 1500e6, "4GB": 4e9, "4 GB": 4e9, "1.5GiB": 1.5 * (1 << 30), "48mb": 48e6,
		"2.5MB": 2.5e6, "512KiB": 512 << 10, "1TB": 1e12, "junk": 0, "80%": 0, "4 parsecs": 0} {
		t.Setenv("EGDI_MEMORY_LIMIT", text)
		if got, n := MemoryLimit(); got != text || n != want {
			t.Errorf("EGDI_MEMORY_LIMIT=%s: %q, %d bytes; want %d", text, got, n, want)
		}
	}
	t.Setenv("EGDI_MEMORY_LIMIT", "")
	if text, n := MemoryLimit(); text != "1500MB" || n != 1500e6 {
		t.Errorf("the default: %q, %d", text, n)
	}
}

// TestHashMatchesDuckDB holds HashUint64 and HashDouble to DuckDB's hash(), and the
// checksum compute forms of them (the hash of a key xor a value's hash) to DuckDB's
// over the same numbers: both zeros, NaNs, infinities, the smallest subnormal, keys with
// the high bit set, and random ones.
func TestHashMatchesDuckDB(t *testing.T) {
	db, err := Scratch()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(7, 8))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e300, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0xfff8000000000001), 5e-324}
	keys := []uint64{0, 1, 1 << 63, math.MaxUint64}
	for range 200 {
		values = append(values, rng.NormFloat64()*1e3)
		keys = append(keys, rng.Uint64())
	}
	for i, v := range values {
		k := keys[i%len(keys)]
		var hv, hk, mixed uint64
		// keys go as text: database/sql takes no uint64 with the high bit set
		if err := db.QueryRow(`SELECT hash($1::DOUBLE), hash($2::UBIGINT), hash(xor($2::UBIGINT, hash($1::DOUBLE)))`, v, fmt.Sprint(k)).Scan(&hv, &hk, &mixed); err != nil {
			t.Fatal(err)
		}
		if got := HashDouble(v); got != hv {
			t.Errorf("HashDouble(%v) = %x, DuckDB %x", v, got, hv)
		}
		if got := HashUint64(k); got != hk {
			t.Errorf("HashUint64(%d) = %x, DuckDB %x", k, got, hk)
		}
		if got := HashUint64(k ^ HashDouble(v)); got != mixed {
			t.Errorf("hash(xor(%d, hash(%v))) = %x, DuckDB %x", k, v, got, mixed)
		}
	}
}
