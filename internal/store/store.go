// Package store owns egdi's DuckDB database: opening it (with a clear message when
// another process holds it), the schema (schema.sql, views.sql) and its migrations, and
// the transactions that imports and computations run in.
//
// Tables and views:
//
//	units            every unit known: the 193 Member States (kind 'country', with
//	                 region and group membership) and users' own units (kind 'custom')
//	datasets         named collections of raw indicators, flagged when synthetic; the
//	                 dataset "published" holds the UN's published editions
//	indicator_values raw indicators (dataset, unit, year, indicator, value)
//	runs             one row per stored (dataset, year): a published edition or a
//	                 computation, numbered, with method, checksums, version
//	run_nodes        the nodes each run holds, with their number of units and their
//	                 place (ord) in the run's lists of node values
//	node_values      node values but the roots' (dataset_id, year, unit_key, node_id,
//	                 value), a row per value present
//	scores           node values (dataset, year, unit, node, value), published or computed
//	standings        root value, rank, band and class per (dataset, year, unit)
//	excluded         units a run lists without scoring (not assessed, placeholders)
//	unit_groups      each unit's group in each grouping (M49 and imported ones)
//	published        the published editions in the shape of the UN's tables
//	imports          the files imported, with their checksum
//
// units, indicator_values, node_values, scores, standings, unit_groups and published
// are views: their rows are stored in unit_list (each unit's key, and a custom unit's
// name and kind NULL unless given), member_states, groupings, and raw_values,
// node_lists and root_values with units as keys (UnitKey) and the names of datasets,
// indicators, nodes, bands and classes as numbers from the table codes, which makes
// writing millions of rows several times faster. node_lists holds a run's node values
// as one list (DOUBLE[]) per unit and year, value[ord] the node of that ord in
// run_nodes: a third of the time of a row per value to write and to delete. Read the
// views; write the tables (with UnitKey and Codes).
package store

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
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

// MemoryLimit is egdi's memory limit (EGDI_MEMORY_LIMIT, or 1.5 GB) as text and in
// bytes; bytes is 0 when the text is not a size egdi reads (a number and a unit: B,
// KB, MB, GB, TB, or KiB, MiB, GiB, TiB, as DuckDB reads them). It caps DuckDB's
// memory, and separately what compute holds in Go.
func MemoryLimit() (text string, bytes int64) {
	text = memoryLimit()
	m := sizeRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(text)))
	if m == nil {
		return text, 0
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return text, 0
	}
	unit := map[string]float64{"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}[m[2]]
	if unit == 0 {
		return text, 0
	}
	return text, int64(n * unit)
}

var sizeRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)$`)

// Open opens (creating if needed) the database at path and brings its schema up to date.
// readOnly opens it for queries only, which lets several readers share it.
func Open(path string, readOnly bool) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database %s: a database path cannot hold ? or # (DuckDB would read what follows as options); rename it", path)
	}
	if err := checkDuckDBFile(path); err != nil {
		return nil, err
	}
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
	// DuckDB 1.5's common_subplan optimizer is off: it takes two reads of one join for
	// the same when they keep different columns (duckdb/duckdb#25819, fixed after 1.5.5),
	// and a query that read the view node_values twice under one filter got NULL for
	// every value of one of them (TestNodeValuesReadTwice). egdi's own views read it
	// once each, for readers of the file with DuckDB's defaults.
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "preserve_insertion_order=false&disabled_optimizers=common_subplan&memory_limit=" + memoryLimit() + "&" + sealed
	if n := os.Getenv("EGDI_THREADS"); n != "" {
		dsn += "&threads=" + n
	}
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
	if db.current() {
		return db, nil
	}
	// A database from an earlier egdi (or with its fingerprints lost) is upgraded by its
	// first writer; a reader that comes first upgrades it, briefly opening it for
	// writing, then reads. Once: a database that is still not current after that is
	// read as it is (an upgrade that records nothing must not loop).
	db.Close()
	w, err := Open(path, false)
	if err != nil {
		return nil, fmt.Errorf("database %s needs upgrading, which failed: %w", path, err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	c, err = duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db = &DB{DB: sql.OpenDB(c), Path: path, connector: c}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	return db, nil
}

// sealed is the configuration that keeps DuckDB to what egdi ships: no extension is
// installed or loaded of itself (which would reach the network, or load native code),
// and no statement may change that afterwards. Parquet, JSON and ICU are built in.
const sealed = "autoinstall_known_extensions=false&autoload_known_extensions=false&allow_community_extensions=false&lock_configuration=true"

// Scratch opens an in-memory DuckDB with egdi's sealed configuration, for reading a
// file (a Parquet table) without a database.
func Scratch() (*sql.DB, error) {
	c, err := duckdb.NewConnector("?"+sealed, nil)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// checkDuckDBFile refuses a file that exists but is not a DuckDB database (a SQLite
// file, a CSV given as --db): DuckDB's files carry "DUCK" after their first 8 bytes.
func checkDuckDBFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // a new database, or an error Open reports
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	if n == 0 {
		return nil // an empty file: DuckDB makes it a database
	}
	if n >= 12 && string(head[8:12]) == "DUCK" {
		return nil
	}
	what := "not a DuckDB database"
	switch {
	case strings.HasPrefix(string(head[:n]), "SQLite format 3"):
		what = "a SQLite database, not a DuckDB one"
	case strings.HasPrefix(string(head[:n]), "PAR1"):
		what = "a Parquet file, not a database"
	}
	return fmt.Errorf("database %s is %s; egdi keeps its data in a DuckDB file (give another --db, or import the file with egdi import)", path, what)
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

// Checkpoint writes the changes committed to the log (DB.wal) into the database file,
// as closing does; unlike closing (DuckDB's close returns nothing), it says when that
// fails.
func (db *DB) Checkpoint() error {
	defer Step("checkpoint")()
	_, err := db.Exec(`CHECKPOINT`)
	return err
}

// Connector gives access to DuckDB's appender for bulk loads.
func (db *DB) Connector() *duckdb.Connector { return db.connector }

//go:embed schema.sql
var schema string

//go:embed views.sql
var views string

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
		// many to a statement: a statement per name costs a millisecond each, which a
		// file of thousands of indicators would feel
		for start := 0; start < len(fresh); start += 1000 {
			var vals []string
			for _, n := range fresh[start:min(start+1000, len(fresh))] {
				vals = append(vals, fmt.Sprintf("(%d, %s)", next, Quote(n)))
				out[n] = next
				next++
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO codes VALUES `+strings.Join(vals, ", ")); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// KnownCodes returns the numbers of those of the names that have one, without giving
// any a number (for readers; Codes gives new names numbers in a write).
func KnownCodes(ctx context.Context, c interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, names ...string) (map[string]int, error) {
	out := map[string]int{}
	if len(names) == 0 {
		return out, nil
	}
	rows, err := c.QueryContext(ctx, `SELECT code, id FROM codes WHERE list_contains(?::VARCHAR[], code)`, names)
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
		rows[i] = fmt.Sprintf("(%s, %d)", Quote(n), codes[n])
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
		fmt.Fprintf(&b, " WHEN %s THEN %d", Quote(n), codes[n])
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
		defer Step("drop working tables")()
		dropTemp(conn, cleanup)
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
	defer Step("write and commit")()
	return finish(tx, write)
}

// dropTemp drops the temporary tables and views named that exist, in one statement:
// a DROP per name and kind, each a catalogue change, would cost more than a small job.
func dropTemp(conn *sql.Conn, names []string) {
	ctx := context.Background()
	rows, err := conn.QueryContext(ctx, `SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary AND list_contains($1::VARCHAR[], table_name)
		UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary AND list_contains($1::VARCHAR[], view_name)`, names)
	if err != nil {
		return
	}
	var stmts []string
	for rows.Next() {
		var name, kind string
		if rows.Scan(&name, &kind) == nil {
			stmts = append(stmts, "DROP "+kind+" IF EXISTS "+Ident(name)+" CASCADE")
		}
	}
	rows.Close()
	if len(stmts) > 0 {
		conn.ExecContext(ctx, strings.Join(stmts, "; "))
	}
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
