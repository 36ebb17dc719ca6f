// Package output writes query results as an aligned text table, CSV or JSON, the same
// way for every command: JSON is an array of objects with snake_case keys, numbers as
// numbers and missing values as null; CSV has a header row and blanks for missing values
// and protects text cells from spreadsheet formula evaluation; the table is for reading,
// with numbers to a fixed number of decimals and an optional footnote.
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Table is a result: named columns and rows of values (string, int, int64, float64,
// bool or nil for missing).
type Table struct {
	Columns []string
	// Headers optionally replaces column names in the text table (e.g. in Chinese).
	Headers []string
	Rows    [][]any
	// Digits is the number of decimals floats get in the text table (default 4).
	Digits int
	// Notes are printed under the text table (sources, "synthetic sample").
	Notes []string
}

// Formats lists the accepted --format values.
var Formats = []string{"table", "csv", "json"}

// Write renders t in format.
func Write(w io.Writer, t *Table, format string) error {
	switch format {
	case "", "table":
		return writeText(w, t)
	case "csv":
		return writeCSV(w, t)
	case "json":
		return writeJSON(w, t)
	}
	return fmt.Errorf("unknown format %q; use table, csv or json", format)
}

func writeJSON(w io.Writer, t *Table) error {
	var b strings.Builder
	j := NewJSONRows(&b, t.Columns)
	for _, r := range t.Rows {
		j.Row(r)
	}
	j.Close()
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONRows writes rows one at a time as Write writes a table's JSON (an array of
// objects), for a table too long to hold: NewJSONRows, Row for each, then Close.
type JSONRows struct {
	w   io.Writer
	o   *JSONObjects
	n   int
	err error
	buf []byte
}

// NewJSONRows starts an array of rows with columns to w.
func NewJSONRows(w io.Writer, columns []string) *JSONRows {
	j := &JSONRows{w: w, o: NewJSONObjects(columns)}
	j.write("[")
	return j
}

func (j *JSONRows) write(s string) {
	if j.err == nil {
		_, j.err = io.WriteString(j.w, s)
	}
}

// Row writes a row, its values in the order of the columns.
func (j *JSONRows) Row(r []any) error {
	b := j.buf[:0]
	if j.n > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n  "...)
	b = append(b, j.o.Object(r)...)
	j.buf = b
	j.n++
	if j.err == nil {
		_, j.err = j.w.Write(b)
	}
	return j.err
}

// JSONObjects are rows as the objects of Write's JSON, for a writer that lays out the
// array itself.
type JSONObjects struct {
	keys []string
	buf  []byte
}

// NewJSONObjects makes the objects of rows with columns.
func NewJSONObjects(columns []string) *JSONObjects {
	o := &JSONObjects{}
	for _, c := range columns {
		k, _ := json.Marshal(c)
		o.keys = append(o.keys, string(k))
	}
	return o
}

// Object is a row (its values in the order of the columns) as a JSON object; the
// bytes are good until the next call.
func (o *JSONObjects) Object(r []any) []byte {
	b := append(o.buf[:0], '{')
	for i, k := range o.keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, k...)
		b = append(b, ": "...)
		b = append(b, jsonValue(r[i])...)
	}
	b = append(b, '}')
	o.buf = b
	return b
}

// Close ends the array; it returns the first error writing met.
func (j *JSONRows) Close() error {
	if j.n > 0 {
		j.write("\n")
	}
	j.write("]\n")
	return j.err
}

func jsonValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "null"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return "null"
		}
		return jsonValue(*x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// SafeCell protects text that a spreadsheet would evaluate as a formula (starting with
// =, +, -, @, tab or carriage return) by prefixing a single quote.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func writeCSV(w io.Writer, t *Table) error {
	c := NewCSVRows(w, t.Columns)
	for _, r := range t.Rows {
		c.Row(r)
	}
	return c.Close()
}

// CSVRows writes rows one at a time as Write writes a table's CSV, for a table too long
// to hold: NewCSVRows (the header), Row for each, then Close.
type CSVRows struct {
	cw  *csv.Writer
	rec []string
}

// NewCSVRows writes the header of columns to w.
func NewCSVRows(w io.Writer, columns []string) *CSVRows {
	c := &CSVRows{cw: csv.NewWriter(w), rec: make([]string, len(columns))}
	c.cw.Write(columns)
	return c
}

// Row writes a row, its values in the order of the columns; text is protected as
// SafeCell does.
func (c *CSVRows) Row(r []any) error {
	for j := range c.rec {
		switch x := r[j].(type) {
		case string:
			c.rec[j] = SafeCell(x)
		default:
			c.rec[j] = plain(r[j])
		}
	}
	return c.cw.Write(c.rec)
}

// Close flushes the rows written; it returns the first error writing met.
func (c *CSVRows) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

// plain formats a value with full precision for CSV.
func plain(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return Float(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// displayWidth counts East Asian wide characters as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func writeText(w io.Writer, t *Table) error {
	digits := t.Digits
	if digits == 0 {
		digits = 4
	}
	head := t.Columns
	if len(t.Headers) == len(t.Columns) {
		head = t.Headers
	}
	cells := make([][]string, len(t.Rows))
	numeric := make([]bool, len(head))
	widths := make([]int, len(head))
	for j, h := range head {
		widths[j] = displayWidth(h)
	}
	for i, r := range t.Rows {
		cells[i] = make([]string, len(head))
		for j := range head {
			var s string
			switch x := r[j].(type) {
			case nil:
				s = "–"
			case float64:
				s = strconv.FormatFloat(x, 'f', digits, 64)
				numeric[j] = true
			case int, int64:
				s = fmt.Sprint(x)
				numeric[j] = true
			default:
				s = Printable(fmt.Sprint(x))
			}
			cells[i][j] = s
			if dw := displayWidth(s); dw > widths[j] {
				widths[j] = dw
			}
		}
	}
	var b strings.Builder
	line := func(row []string) {
		for j, s := range row {
			pad := strings.Repeat(" ", widths[j]-displayWidth(s))
			if j > 0 {
				b.WriteString("  ")
			}
			if numeric[j] {
				b.WriteString(pad + s)
			} else if j < len(row)-1 {
				b.WriteString(s + pad)
			} else {
				b.WriteString(s)
			}
		}
		b.WriteString("\n")
	}
	printable := make([]string, len(head))
	for j, h := range head {
		printable[j] = Printable(h)
	}
	line(printable)
	sep := make([]string, len(head))
	for j := range head {
		sep[j] = strings.Repeat("-", widths[j])
	}
	line(sep)
	for _, r := range cells {
		line(r)
	}
	for _, n := range t.Notes {
		b.WriteString(Printable(n) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Printable is s with its control characters (ESC, BEL, a newline, C1 codes) shown as
// escapes (\x1b), so that text from a file cannot clear the screen, set the terminal's
// title or split a line of a table.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Finite is x as a table cell: nil (missing) when it is NaN or infinite.
func Finite(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}
