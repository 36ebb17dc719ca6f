//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Columns are how egdi moves millions of values between DuckDB and Go: whole columns
// through DuckDB's Arrow interface, where database/sql costs about half a microsecond a
// value (3 million values: 1.5 s read row by row, 0.07 s as columns). duckdb-go builds
// that interface only with the build tag duckdb_arrow, which the Makefile sets.

// Batch is a part of a query's result, column by column.
type Batch struct{ rec arrow.RecordBatch }

// Rows is the number of rows of the batch.
func (b Batch) Rows() int { return int(b.rec.NumRows()) }

// Int32 is column i, which must be an INTEGER without NULLs.
func (b Batch) Int32(i int) ([]int32, error) {
	a, ok := b.rec.Column(i).(*array.Int32)
	if !ok || a.NullN() > 0 {
		return nil, b.mismatch(i, "INTEGER NOT NULL")
	}
	return a.Int32Values(), nil
}

// Uint64 is column i, which must be a UBIGINT without NULLs.
func (b Batch) Uint64(i int) ([]uint64, error) {
	a, ok := b.rec.Column(i).(*array.Uint64)
	if !ok || a.NullN() > 0 {
		return nil, b.mismatch(i, "UBIGINT NOT NULL")
	}
	return a.Uint64Values(), nil
}

// Float64 is column i, a DOUBLE, and whether row r of it is NULL (where the value
// slice holds an arbitrary number): nil when none is.
func (b Batch) Float64(i int) ([]float64, func(r int) bool, error) {
	a, ok := b.rec.Column(i).(*array.Float64)
	if !ok {
		return nil, nil, b.mismatch(i, "DOUBLE")
	}
	if a.NullN() == 0 {
		return a.Float64Values(), nil, nil
	}
	return a.Float64Values(), a.IsNull, nil
}

// Bool is column i, which must be a BOOLEAN without NULLs, as a function of the row.
func (b Batch) Bool(i int) (func(r int) bool, error) {
	a, ok := b.rec.Column(i).(*array.Boolean)
	if !ok || a.NullN() > 0 {
		return nil, b.mismatch(i, "BOOLEAN NOT NULL")
	}
	return a.Value, nil
}

func (b Batch) mismatch(i int, want string) error {
	f := b.rec.Schema().Field(i)
	return fmt.Errorf("internal error: column %s is %s (nullable %v), read as %s", f.Name, f.Type, f.Nullable, want)
}

// ReadColumns runs query on c and hands its result to each, batch by batch, in order. A
// batch is valid only during the call. DuckDB makes the next batch while each works on
// this one, so each must not use c.
func ReadColumns(ctx context.Context, c *sql.Conn, query string, each func(Batch) error) error {
	return c.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := a.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rr.Release()
		batches := make(chan arrow.RecordBatch, 2)
		stop := make(chan struct{})
		var fetchErr error
		go func() {
			defer close(batches)
			for rr.Next() {
				rec := rr.RecordBatch()
				rec.Retain()
				select {
				case batches <- rec:
				case <-stop:
					rec.Release()
					return
				}
			}
			fetchErr = rr.Err()
		}()
		var eachErr error
		for rec := range batches {
			if eachErr == nil {
				if eachErr = each(Batch{rec}); eachErr != nil {
					close(stop)
				}
			}
			rec.Release()
		}
		if eachErr != nil {
			return eachErr
		}
		return fetchErr
	})
}

// Column is a column for ColumnView: one of its slices is set, all of the same length
// in a view. Null, when set, marks the NULLs. A Float64 column with Width > 0 is a
// column of lists (DOUBLE[]) of Width values each: row r's list is
// Float64[r*Width : (r+1)*Width], and Null marks NULL elements (a list itself is never
// NULL).
type Column struct {
	Name    string
	Int32   []int32
	Uint64  []uint64
	Float64 []float64
	Null    []bool
	Width   int
}

// rows is the number of rows of col.
func (col Column) rows() int {
	switch {
	case col.Int32 != nil:
		return len(col.Int32)
	case col.Uint64 != nil:
		return len(col.Uint64)
	case col.Width > 0:
		return len(col.Float64) / col.Width
	}
	return len(col.Float64)
}

// viewBatch is the number of rows of each batch a view hands DuckDB.
const viewBatch = 1 << 17

// ColumnView makes cols a view, without copying them, for one scan (an INSERT …
// SELECT, a CREATE TABLE … AS), which reads the columns as they are when it runs. It
// returns the view's qualified name, to use in SQL, and drop, which removes the view and
// frees it: call it once the scan is done, and before the columns change.
//
// The view is not in the database: duckdb-go's RegisterView makes a view in the
// connection's current catalog, which would be the database file (and is refused when
// it is open read-only). It is made in an in-memory database of the DuckDB,
// ColumnsCatalog, which every connection sees, with a name of its own (name and a
// number), from a connection of db's; drop too uses a connection of its own, so it may
// come after the connection that scanned the view has gone (a write's transaction
// cannot drop a view of another database).
func (db *DB) ColumnView(ctx context.Context, name string, cols []Column) (view string, drop func(), err error) {
	fields := make([]arrow.Field, len(cols))
	n := -1
	for i, col := range cols {
		if col.Width > 0 && len(col.Float64)%col.Width != 0 {
			return "", nil, fmt.Errorf("internal error: view %s: column %s has %d values, not lists of %d", name, col.Name, len(col.Float64), col.Width)
		}
		t, k := columnType(col), col.rows()
		if n >= 0 && k != n {
			return "", nil, fmt.Errorf("internal error: view %s: column %s has %d rows, not %d", name, col.Name, k, n)
		}
		n = k
		fields[i] = arrow.Field{Name: col.Name, Type: t, Nullable: col.Null != nil && col.Width == 0}
	}
	schema := arrow.NewSchema(fields, nil)
	var recs []arrow.RecordBatch
	for lo := 0; lo < n || (n == 0 && lo == 0); lo += viewBatch {
		hi := min(n, lo+viewBatch)
		arrays := make([]arrow.Array, len(cols))
		for i, col := range cols {
			arrays[i] = columnArray(col, lo, hi)
		}
		recs = append(recs, array.NewRecordBatch(schema, arrays, int64(hi-lo)))
		if n == 0 {
			break
		}
	}
	reader, err := array.NewRecordReader(schema, recs)
	if err != nil {
		return "", nil, err
	}
	own := fmt.Sprintf("%s_%d", name, viewCount.Add(1))
	var release func()
	c, err := db.Conn(ctx)
	if err != nil {
		reader.Release()
		return "", nil, err
	}
	defer c.Close()
	err = inColumnsCatalog(ctx, c, func() error {
		return c.Raw(func(dc any) error {
			a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return err
			}
			release, err = a.RegisterView(reader, own)
			return err
		})
	})
	if err != nil {
		reader.Release()
		return "", nil, fmt.Errorf("view %s: %w", name, err)
	}
	view = ColumnsCatalog + ".main." + Ident(own)
	return view, func() {
		db.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+view)
		release()
		reader.Release()
	}, nil
}

// ColumnsCatalog is the in-memory database that holds ColumnView's views.
const ColumnsCatalog = "egdi_columns"

// viewCount numbers ColumnView's views: the catalog is the DuckDB's, shared by its
// connections.
var viewCount atomic.Int64

// inColumnsCatalog runs fn with ColumnsCatalog as c's current catalog (attached if it is
// not yet: writable, even beside a database opened read-only), then makes the previous
// one current again.
func inColumnsCatalog(ctx context.Context, c *sql.Conn, fn func() error) error {
	var current string
	if err := c.QueryRowContext(ctx, `SELECT current_database()`).Scan(&current); err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "ATTACH IF NOT EXISTS ':memory:' AS "+ColumnsCatalog+" (READ_WRITE); USE "+ColumnsCatalog); err != nil {
		return err
	}
	err := fn()
	if _, uerr := c.ExecContext(ctx, "USE "+Ident(current)); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

// columnType is col's Arrow type.
func columnType(col Column) arrow.DataType {
	switch {
	case col.Int32 != nil:
		return arrow.PrimitiveTypes.Int32
	case col.Uint64 != nil:
		return arrow.PrimitiveTypes.Uint64
	case col.Width > 0:
		return arrow.ListOf(arrow.PrimitiveTypes.Float64)
	}
	return arrow.PrimitiveTypes.Float64
}

// columnArray is rows lo to hi of col as an Arrow array over the same memory (a list
// column's offsets aside).
func columnArray(col Column, lo, hi int) arrow.Array {
	if w := col.Width; w > 0 {
		offsets := make([]int32, hi-lo+1)
		for r := range offsets {
			offsets[r] = int32(r * w)
		}
		values := Column{Float64: col.Float64, Null: col.Null}
		child := columnArray(values, lo*w, hi*w)
		defer child.Release()
		d := array.NewData(columnType(col), hi-lo, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(offsets))}, []arrow.ArrayData{child.Data()}, 0, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	t := columnType(col)
	var data []byte
	switch {
	case col.Int32 != nil:
		data = bytesOf(col.Int32[lo:hi])
	case col.Uint64 != nil:
		data = bytesOf(col.Uint64[lo:hi])
	default:
		data = bytesOf(col.Float64[lo:hi])
	}
	var valid *memory.Buffer
	nulls := 0
	if col.Null != nil && slices.Contains(col.Null[lo:hi], true) {
		bits := make([]byte, bitutil.BytesForBits(int64(hi-lo)))
		for r, null := range col.Null[lo:hi] {
			if null {
				nulls++
			} else {
				bitutil.SetBit(bits, r)
			}
		}
		valid = memory.NewBufferBytes(bits)
	}
	d := array.NewData(t, hi-lo, []*memory.Buffer{valid, memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// bytesOf is the memory of s as bytes.
func bytesOf[T int32 | uint64 | float64](s []T) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}
