package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// A database of schema version 1 (names stored as strings) opens as version 2 with
// the same rows behind the same view names, and takes new writes.
func TestMigrateFromVersion1(t *testing.T) {
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
		`INSERT INTO scores VALUES ('itu', 2022, 'CHN', 'tii', 0.7), ('itu', 2022, 'IND', 'tii', NULL), ('p', 2022, 'BJ', 'index', 90)`,
		`INSERT INTO standings VALUES ('itu', 2022, 'CHN', 0.7, 1, 'high', 'HV'), ('p', 2022, 'BJ', 90, 1, NULL, NULL)`,
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
	rowsOf := func(q string) []string {
		t.Helper()
		rows, err := db.Query(`SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (` + q + `)`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
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
			out = append(out, line)
		}
		return out
	}
	same := func(q string, want ...string) {
		t.Helper()
		got := rowsOf(q)
		if len(got) != len(want) {
			t.Fatalf("%s: got %v, want %v", q, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s row %d: got %s, want %s", q, i, got[i], want[i])
			}
		}
	}
	same(`SELECT * FROM indicator_values ORDER BY dataset, unit`,
		"itu|CHN|2022|internet_users_pct|73.1|", "itu|IND|2022|internet_users_pct|43.0|", "p|BJ|2022|x1|1.5|")
	same(`SELECT * FROM scores ORDER BY dataset, unit`,
		"itu|2022|CHN|tii|0.7|", "itu|2022|IND|tii|NULL|", "p|2022|BJ|index|90.0|")
	same(`SELECT * FROM standings ORDER BY dataset, unit`,
		"itu|2022|CHN|0.7|1|high|HV|", "p|2022|BJ|90.0|1|NULL|NULL|")
	same(`SELECT unit, name, kind FROM units WHERE kind = 'custom' ORDER BY unit`, "BJ|北京|custom|", "S1|S1|custom|")
	same(`SELECT count(*) FROM units WHERE kind = 'country'`, "193|")
	same(`SELECT value FROM meta WHERE key = 'schema_version'`, "2|")
	same(`SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('units', 'indicator_values', 'scores', 'standings')`, "0|")

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
	if _, err := tx.Exec(`INSERT INTO raw_values SELECT c.id, 'KOR', 2022, n.id, 1 FROM ` + CodeTable(codes) + ` c, ` + CodeTable(codes) + ` n
		WHERE c.name = 'itu' AND n.name = 'new_indicator'`); err != nil {
		t.Fatal(err)
	}
	var v float64
	if err := tx.QueryRow(`SELECT value FROM indicator_values WHERE dataset = 'itu' AND indicator = 'new_indicator' AND unit = 'KOR'`).Scan(&v); err != nil || v != 1 {
		t.Errorf("the new value reads back as %v (%v)", v, err)
	}
}
