package output

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/egdi/egdi/internal/store"
)

// Execer runs a statement (a *sql.DB, a connection or a transaction).
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// StreamCSV writes the rows of query as CSV to w through DuckDB's COPY, for tables too
// long to pass through Go row by row (a ranking of a million units): DuckDB writes a
// temporary file, which is copied to w and removed. Numbers read as Write writes them
// (Float); text columns named in safe are protected from spreadsheet formula
// evaluation as SafeCell does. order is the ORDER BY of the rows, its columns
// qualified by the alias q (the query).
func StreamCSV(ctx context.Context, db Execer, query string, args []any, columns, safe []string, order string, w io.Writer) error {
	f, err := os.CreateTemp("", "egdi-*.csv")
	if err != nil {
		return err
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	if _, err := db.ExecContext(ctx, copyStatement(query, columns, safe, order, path, "FORMAT csv, HEADER true"), args...); err != nil {
		if DiskFull(err) {
			return fmt.Errorf("cannot write the rows: the disk of the temporary folder %s is full (%w; egdi passes them through a file there): free space there, or set TMPDIR to a folder with room", filepath.Dir(path), syscall.ENOSPC)
		}
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	return err
}

// copyFormat is DuckDB's COPY format for a file's extension.
func copyFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "FORMAT csv, HEADER true", nil
	case ".parquet":
		return "FORMAT parquet", nil
	case ".json":
		return "FORMAT json, ARRAY true", nil
	}
	return "", fmt.Errorf("%s: egdi writes .csv, .parquet or .json files", path)
}

// CopyFile writes the rows of query (columns, in order; text columns in safe protected
// as SafeCell does, in CSV) to a CSV, Parquet or JSON file, as its extension says,
// through DuckDB's COPY: the file appears whole or not at all. It returns the number
// of rows written.
func CopyFile(ctx context.Context, db Execer, query string, args []any, columns, safe []string, order, path string) (int64, error) {
	format, err := copyFormat(path)
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(format, "FORMAT csv") {
		safe = nil // spreadsheets evaluate formulas they read from CSV
	}
	tmp, err := NewTemp(path)
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, copyStatement(query, columns, safe, order, tmp.Path, format), args...)
	if err != nil {
		tmp.Abort()
		if DiskFull(err) {
			return 0, writeError(path, err)
		}
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	n, _ := res.RowsAffected()
	return n, tmp.Commit()
}

// copyStatement is the COPY of query's columns, in order, to path. path is egdi's own
// temporary file, so DuckDB writes it directly: by default it would write a file of its
// own beside it (tmp_NAME), which a failed or killed COPY leaves behind.
func copyStatement(query string, columns, safe []string, order, path, format string) string {
	var cols []string
	for _, c := range columns {
		expr := store.Ident(c)
		if slices.Contains(safe, c) {
			// SafeCell: a leading =, +, -, @, tab or carriage return gets a quote
			expr = fmt.Sprintf(`CASE WHEN left(%[1]s, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || %[1]s ELSE %[1]s END`, expr)
		}
		cols = append(cols, expr+" AS "+store.Ident(c))
	}
	if order != "" {
		order = " ORDER BY " + order
	}
	return fmt.Sprintf(`COPY (SELECT %s FROM (%s) q%s) TO %s (%s, USE_TMP_FILE false)`, strings.Join(cols, ", "), query, order, store.Quote(path), format)
}

// WriteWith writes a file as WriteFile does (whole or not at all, through a temporary
// file and a rename; a pipe or device directly), its bytes written by write as it
// makes them, through a buffer: for a file too large to hold (the CSV of a million
// units). An error of write's own (not of writing) is returned as it is.
func WriteWith(path string, write func(w io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("cannot write %s: it is a folder", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
		}
		err, ferr := writeThrough(f, write)
		if ferr != nil {
			return fmt.Errorf("cannot write %s: %w", path, unwrapPath(ferr))
		}
		return err
	}
	t, err := NewTemp(path)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(t.Path, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Abort()
		return writeError(path, err)
	}
	if err, ferr := writeThrough(f, write); err != nil {
		t.Abort()
		if ferr != nil {
			return writeError(path, ferr)
		}
		return err
	}
	return t.Commit()
}

// writeThrough has write write f through a buffer and closes f: err is the first
// error, and ferr the file's own (writing, flushing, closing), nil when the error was
// write's.
func writeThrough(f *os.File, write func(w io.Writer) error) (err, ferr error) {
	fw := &fileWriter{w: f}
	bw := bufio.NewWriterSize(fw, 1<<16)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		fw.err, err = cerr, cerr
	}
	if err == nil {
		return nil, nil
	}
	return err, fw.err
}

// fileWriter keeps the first error writing a file met, to tell it from the errors of
// what made the bytes.
type fileWriter struct {
	w   io.Writer
	err error
}

func (f *fileWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil && f.err == nil {
		f.err = err
	}
	return n, err
}
