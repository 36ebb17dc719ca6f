//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

// A column view round-trips through DuckDB: every value, the NULLs, more rows than one
// batch, and no rows; also beside a database opened read-only, and never in the
// database file.
func TestColumnViewAndReadColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.duckdb")
	w, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("read-only ", readOnly), func(t *testing.T) { columnRoundTrip(t, path, readOnly) })
	}
}

func columnRoundTrip(t *testing.T, path string, readOnly bool) {
	db, err := Open(path, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, n := range []int{0, 5, viewBatch + 3} {
		ys, ks, vs, null := make([]int32, n), make([]uint64, n), make([]float64, n), make([]bool, n)
		for i := range n {
			ys[i], ks[i], vs[i], null[i] = int32(2000+i%7), math.MaxUint64-uint64(n-i)*977, float64(i)/3, i%5 == 2
		}
		view, drop, err := db.ColumnView(ctx, "t_view", []Column{{Name: "year", Int32: ys}, {Name: "k", Uint64: ks}, {Name: "v", Float64: vs, Null: null}})
		if err != nil {
			t.Fatal(err)
		}
		var where string
		if err := c.QueryRowContext(ctx, `SELECT string_agg(database_name, ', ') FROM duckdb_views() WHERE view_name LIKE 't_view%'`).Scan(&where); err != nil || where != ColumnsCatalog {
			t.Fatalf("the view is in %q (%v), not only in %s", where, err, ColumnsCatalog)
		}
		if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE t_copy AS SELECT * FROM `+view); err != nil {
			t.Fatal(err)
		}
		drop()
		var rows, nulls int
		var sum float64
		if err := c.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (v IS NULL), coalesce(sum(v), 0) FROM t_copy`).Scan(&rows, &nulls, &sum); err != nil {
			t.Fatal(err)
		}
		wantNulls, wantSum := 0, 0.0
		for i := range n {
			if null[i] {
				wantNulls++
			} else {
				wantSum += vs[i]
			}
		}
		if rows != n || nulls != wantNulls || math.Abs(sum-wantSum) > 1e-9*math.Max(1, wantSum) {
			t.Fatalf("%d rows: copied %d rows, %d NULLs, sum %v; want %d NULLs, sum %v", n, rows, nulls, sum, wantNulls, wantSum)
		}
		// read back in order, column by column
		got := 0
		err = ReadColumns(ctx, c, `SELECT year, k, v, v IS NULL FROM t_copy ORDER BY k`, func(b Batch) error {
			y, err := b.Int32(0)
			if err != nil {
				return err
			}
			k, err := b.Uint64(1)
			if err != nil {
				return err
			}
			v, isNull, err := b.Float64(2)
			if err != nil {
				return err
			}
			flag, err := b.Bool(3)
			if err != nil {
				return err
			}
			for r := range b.Rows() {
				i := got + r
				if y[r] != ys[i] || k[r] != ks[i] || (isNull != nil && isNull(r)) != null[i] || (!null[i] && v[r] != vs[i]) || flag(r) != null[i] {
					t.Fatalf("%d rows: row %d reads (%d, %d, %v), want (%d, %d, %v, null %v)", n, i, y[r], k[r], v[r], ys[i], ks[i], vs[i], null[i])
				}
			}
			got += b.Rows()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Fatalf("read %d rows of %d", got, n)
		}
		if _, err := c.ExecContext(ctx, `SELECT * FROM `+view); err == nil {
			t.Fatal("the view is still there after drop")
		}
		var left int
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 't_view%'`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d views left after drop (%v)", left, err)
		}
	}
	// an error of each stops the read, with DuckDB a batch ahead: it is returned, and
	// the connection still works
	stop := errors.New("stop here")
	calls := 0
	err = ReadColumns(ctx, c, `SELECT range AS i FROM range(100000)`, func(b Batch) error {
		if calls++; calls == 2 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 2 {
		t.Fatalf("each's error: %v after %d calls", err, calls)
	}
	if err := ReadColumns(ctx, c, `SELECT nothing FROM nowhere`, func(Batch) error { return nil }); err == nil {
		t.Fatal("a bad query read nothing and said nothing")
	}
	var one int
	if err := c.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("the connection after a stopped read: %v", err)
	}
	// a column read as the wrong type is an error, not a misread
	err = ReadColumns(ctx, c, `SELECT 1.5::DOUBLE AS v`, func(b Batch) error {
		_, err := b.Int32(0)
		return err
	})
	if err == nil {
		t.Fatal("a DOUBLE read as INTEGER was not refused")
	}
}

// A column of lists round-trips element by element, its NULL elements too, over more
// rows than one batch (each batch's lists start at its own offsets).
func TestListColumnView(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "l.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const w = 3
	n := viewBatch + 5
	ks, vs, null := make([]uint64, n), make([]float64, n*w), make([]bool, n*w)
	for i := range n {
		ks[i] = uint64(i)
		for j := range w {
			vs[i*w+j], null[i*w+j] = float64(i*10+j)+0.25, (i+j)%4 == 1
		}
	}
	view, drop, err := db.ColumnView(ctx, "l_view", []Column{{Name: "k", Uint64: ks}, {Name: "v", Float64: vs, Null: null, Width: w}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE l_copy AS SELECT * FROM `+view); err != nil {
		t.Fatal(err)
	}
	drop()
	var typ string
	if err := db.QueryRowContext(ctx, `SELECT data_type FROM duckdb_columns() WHERE table_name = 'l_copy' AND column_name = 'v'`).Scan(&typ); err != nil || typ != "DOUBLE[]" {
		t.Fatalf("the list column is %q (%v), not DOUBLE[]", typ, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT k, len(v), v[1], v[2], v[3] FROM l_copy ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var k uint64
		var l int
		var e [w]sql.NullFloat64
		if err := rows.Scan(&k, &l, &e[0], &e[1], &e[2]); err != nil {
			t.Fatal(err)
		}
		if k != uint64(i) || l != w {
			t.Fatalf("row %d: key %d, %d elements", i, k, l)
		}
		for j := range w {
			if e[j].Valid == null[i*w+j] || (e[j].Valid && e[j].Float64 != vs[i*w+j]) {
				t.Fatalf("row %d element %d: %v, want %v (NULL %v)", i, j+1, e[j], vs[i*w+j], null[i*w+j])
			}
		}
	}
	if i != n {
		t.Fatalf("%d rows back, want %d", i, n)
	}
	if _, _, err := db.ColumnView(ctx, "bad", []Column{{Name: "v", Float64: make([]float64, 4), Width: 3}}); err == nil {
		t.Fatal("4 values taken as lists of 3")
	}
}
