package ingest

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/egdi/egdi/internal/store"
)

// Table is a small file read whole: a header and rows of text cells.
type Table struct {
	File   string
	Header []string
	Rows   []Row
	// Where says how positions are named: "line" for CSV, "row" for a sheet, "record"
	// for Parquet.
	Where string
}

// Row is one record and where it stands in the file.
type Row struct {
	Pos   int
	Cells []string
}

// Cell returns the i-th cell or "" when the row is short.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Format returns "csv", "xlsx" or "parquet" from the file's extension.
func Format(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv":
		return "csv", nil
	case ".xlsx", ".xlsm":
		return "xlsx", nil
	case ".parquet", ".pq":
		return "parquet", nil
	case ".xls":
		return "", fmt.Errorf("%s: the old .xls format is not read; save the sheet as .xlsx or .csv", path)
	}
	return "", fmt.Errorf("%s: unknown file type %q; egdi reads .csv, .xlsx and .parquet", path, filepath.Ext(path))
}

// ReadTable reads a CSV, XLSX (first sheet) or Parquet file whole.
func ReadTable(path string) (*Table, error) {
	format, err := Format(path)
	if err != nil {
		return nil, err
	}
	switch format {
	case "xlsx":
		return readXLSX(path)
	case "parquet":
		return readParquet(path)
	}
	return readCSV(path)
}

// Sniff checks the start of a text file: that it exists, is not empty, is UTF-8 (a
// UTF-8 BOM is allowed) and guesses its delimiter from the header line.
func Sniff(path string) (delim rune, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	buf = buf[:n]
	if len(bytes.TrimSpace(bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")))) == 0 {
		return 0, fmt.Errorf("%s: the file is empty; expected a header line such as unit,year,indicator,value", path)
	}
	if bytes.HasPrefix(buf, []byte{0xff, 0xfe}) || bytes.HasPrefix(buf, []byte{0xfe, 0xff}) || bytes.IndexByte(buf, 0) >= 0 {
		return 0, fmt.Errorf("%s: the file is UTF-16 or binary, not UTF-8 text; save it as CSV UTF-8", path)
	}
	// Check whole lines only: the buffer may end inside a multi-byte character.
	check := buf
	if n == len(buf) && n == 64<<10 {
		if i := bytes.LastIndexByte(check, '\n'); i > 0 {
			check = check[:i]
		}
	}
	if !utf8.Valid(check) {
		line := 1
		for len(check) > 0 {
			r, size := utf8.DecodeRune(check)
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line++
			}
			check = check[size:]
		}
		return 0, fmt.Errorf("%s:%d: the file is not UTF-8 (perhaps GBK or Latin-1); save it as CSV UTF-8", path, line)
	}
	header := buf
	if i := bytes.IndexByte(header, '\n'); i >= 0 {
		header = header[:i]
	}
	delim = ','
	best := bytes.Count(header, []byte{','})
	for _, d := range []rune{';', '\t', '|'} {
		if c := bytes.Count(header, []byte(string(d))); c > best {
			delim, best = d, c
		}
	}
	return delim, nil
}

func readCSV(path string) (*Table, error) {
	delim, err := Sniff(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = delim
	r.FieldsPerRecord = -1
	t := &Table{File: path, Where: "line"}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: column %d: %v", path, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if t.Header == nil {
			t.Header = rec
			continue
		}
		t.Rows = append(t.Rows, Row{Pos: line, Cells: rec})
	}
	return t, nil
}

// Limits of an XLSX workbook: what its parts may unzip to in all (a zip bomb of 4 MB
// holding gigabytes of blank cells stops here, before anything is unpacked), and a
// cell's length (Excel's own limit: 32,767 characters).
var xlsxUnzipLimit int64 = 1 << 30 // a variable: tests scale it down

const xlsxCellLimit = 32767

// xlsxRows streams the first sheet of a workbook: fn gets each row's number (as the
// sheet shows it) and its cells, and total, the rows the sheet says it spans (for
// progress; 0 when it does not say). It returns the sheet's name.
func xlsxRows(path string, fn func(row, total int, cells []string) error) (string, error) {
	x, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: min(16<<20, xlsxUnzipLimit)})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return "", fmt.Errorf("%s: the workbook unzips to more than %d MB, egdi's limit for a spreadsheet; save it as CSV (egdi reads CSV of any size) or split it", path, xlsxUnzipLimit>>20)
		}
		return "", fmt.Errorf("%s: not a readable .xlsx workbook: %v", path, err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return "", fmt.Errorf("%s: the workbook has no sheets", path)
	}
	sheet := sheets[0]
	total := 0
	if dim, err := x.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, r, err := excelize.CellNameToCoordinates(last); err == nil {
				total = r
			}
		}
	}
	rows, err := x.Rows(sheet)
	if err != nil {
		return "", fmt.Errorf("%s: sheet %q: %v", path, sheet, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return "", fmt.Errorf("%s: sheet %q, row %d: %v", path, sheet, n, err)
		}
		for i, c := range cells {
			if len(c) > xlsxCellLimit && utf8.RuneCountInString(c) > xlsxCellLimit {
				name, _ := excelize.CoordinatesToCellName(i+1, n)
				return "", fmt.Errorf("%s: sheet %q, cell %s holds %d characters, more than a spreadsheet cell can (%d)", path, sheet, name, utf8.RuneCountInString(c), xlsxCellLimit)
			}
		}
		if err := fn(n, total, cells); err != nil {
			return "", err
		}
	}
	if err := rows.Error(); err != nil {
		return "", fmt.Errorf("%s: sheet %q: %v", path, sheet, err)
	}
	return sheet, nil
}

func readXLSX(path string) (*Table, error) {
	t := &Table{Where: "row"}
	sheet, err := xlsxRows(path, func(row, _ int, r []string) error {
		if t.Header == nil {
			if len(r) > 0 {
				t.Header = r
			}
			return nil
		}
		t.Rows = append(t.Rows, Row{Pos: row, Cells: r})
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.File = path + " [" + sheet + "]"
	if t.Header == nil {
		return nil, fmt.Errorf("%s: the first sheet %q is empty", path, sheet)
	}
	return t, nil
}

func readParquet(path string) (*Table, error) {
	db, err := store.Scratch()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT * FROM read_parquet(` + store.File(path) + `)`)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %v", path, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	t := &Table{File: path, Header: cols, Where: "record"}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		n++
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("%s: record %d: %v", path, n, err)
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			cells[i] = v.String
		}
		t.Rows = append(t.Rows, Row{Pos: n, Cells: cells})
	}
	return t, rows.Err()
}

// headerKey folds a column title for matching: lower case, '-', '_' and runs of space
// read as one space.
func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	s = strings.NewReplacer("-", " ", "_", " ", ".", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
