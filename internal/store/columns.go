//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
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
// slice holds an arbitrary number).
func (b Batch) Float64(i int) ([]float64, func(r int) bool, error) {
	a, ok := b.rec.Column(i).(*array.Float64)
	if !ok {
		return nil, nil, b.mismatch(i, "DOUBLE")
	}
	return a.Float64Values(), a.IsNull, nil
}

func (b Batch) mismatch(i int, want string) error {
	f := b.rec.Schema().Field(i)
	return fmt.Errorf("internal error: column %s is %s (nullable %v), read as %s", f.Name, f.Type, f.Nullable, want)
}

// ReadColumns runs query on c and hands its result to each, batch by batch. A batch is
// valid only during the call.
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
		for rr.Next() {
			if err := each(Batch{rr.RecordBatch()}); err != nil {
				return err
			}
		}
		return rr.Err()
	})
}

// Column is a column for ColumnView: one of its slices is set, all of the same length
// in a view. Null, with Float64, marks the NULLs.
type Column struct {
	Name    string
	Int32   []int32
	Uint64  []uint64
	Float64 []float64
	Null    []bool
}

// viewBatch is the number of rows of each batch a view hands DuckDB.
const viewBatch = 1 << 17

// ColumnView makes cols a temporary view called name on c, without copying them, for
// one scan (an INSERT … SELECT, a CREATE TABLE … AS): it reads the columns as they are
// when the scan runs. drop removes the view; call it once the scan is done, and before
// the columns change.
func ColumnView(ctx context.Context, c *sql.Conn, name string, cols []Column) (drop func(), err error) {
	fields := make([]arrow.Field, len(cols))
	n := -1
	for i, col := range cols {
		var t arrow.DataType
		var k int
		switch {
		case col.Int32 != nil:
			t, k = arrow.PrimitiveTypes.Int32, len(col.Int32)
		case col.Uint64 != nil:
			t, k = arrow.PrimitiveTypes.Uint64, len(col.Uint64)
		default:
			t, k = arrow.PrimitiveTypes.Float64, len(col.Float64)
		}
		if n >= 0 && k != n {
			return nil, fmt.Errorf("internal error: view %s: column %s has %d rows, not %d", name, col.Name, k, n)
		}
		n = k
		fields[i] = arrow.Field{Name: col.Name, Type: t, Nullable: col.Null != nil}
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
		return nil, err
	}
	var release func()
	err = c.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = a.RegisterView(reader, name)
		return err
	})
	if err != nil {
		reader.Release()
		return nil, fmt.Errorf("view %s: %w", name, err)
	}
	return func() {
		c.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+Ident(name))
		release()
		reader.Release()
	}, nil
}

// columnArray is rows lo to hi of col as an Arrow array over the same memory.
func columnArray(col Column, lo, hi int) arrow.Array {
	var t arrow.DataType
	var data []byte
	switch {
	case col.Int32 != nil:
		t, data = arrow.PrimitiveTypes.Int32, bytesOf(col.Int32[lo:hi])
	case col.Uint64 != nil:
		t, data = arrow.PrimitiveTypes.Uint64, bytesOf(col.Uint64[lo:hi])
	default:
		t, data = arrow.PrimitiveTypes.Float64, bytesOf(col.Float64[lo:hi])
	}
	var valid *memory.Buffer
	nulls := 0
	if col.Null != nil {
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
