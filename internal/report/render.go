package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/output"
)

// FormatOf returns the format a path asks for when --format is not given.
func FormatOf(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "html", "htm":
		return "html", nil
	case "md", "markdown":
		return "md", nil
	case "xlsx", "csv", "json":
		return ext, nil
	}
	return "", fmt.Errorf("%s: cannot tell the report format from the extension; use .html, .md, .xlsx, .csv or .json, or give --format", path)
}

// Write renders r in format to path, HTML and Markdown with templates t (nil: egdi's
// own). A Markdown report also writes its charts as PNG files into PATH_files/ beside
// it. Files appear whole or not at all. XLSX, CSV and JSON are written as they are
// made: the rows of a table read as it is written (BuildFrom) are never all held.
func Write(r *Report, format, path string, t *Templates) error {
	var b []byte
	var err error
	switch format {
	case "html":
		b, err = HTML(r, t)
	case "md":
		var undo func()
		if b, undo, err = markdown(r, path, t); err != nil {
			return err
		}
		if err := output.WriteFile(path, b); err != nil {
			undo()
			return err
		}
		return nil
	case "xlsx":
		if err := sheetLimit(r); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		return output.WriteWith(path, func(w io.Writer) error { return writeXLSX(w, r) })
	case "csv":
		return output.WriteWith(path, func(w io.Writer) error { return writeCSV(w, r) })
	case "json":
		return output.WriteWith(path, func(w io.Writer) error { return writeJSON(w, r) })
	default:
		return fmt.Errorf("unknown report format %q; use html, md, xlsx, csv or json", format)
	}
	if err != nil {
		return err
	}
	return output.WriteFile(path, b)
}

// writeCSV writes the main table, text protected against formula evaluation.
func writeCSV(w io.Writer, r *Report) error {
	t := r.Main()
	if t == nil {
		return fmt.Errorf("the report has no table")
	}
	c := output.NewCSVRows(w, t.keys())
	row := make([]any, len(t.Columns))
	if err := t.each(func(r []any) error { return c.Row(outputRow(row, r)) }); err != nil {
		return err
	}
	return c.Close()
}

// keys are the table's column keys (the CSV and JSON names).
func (t *Table) keys() []string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, c.Key)
	}
	return out
}

// outputRow is row r for the CSV/JSON writers, in dst: missing numbers (NaN) as nil.
func outputRow(dst, r []any) []any {
	for j, v := range r {
		if f, ok := v.(float64); ok && math.IsNaN(f) {
			v = nil
		}
		dst[j] = v
	}
	return dst
}

// outputTable converts t for the CSV/JSON writers: raw values (numbers at full
// precision, missing as null), keys as column names.
func (t *Table) outputTable(labels bool) *output.Table {
	ot := &output.Table{}
	for _, c := range t.Columns {
		if labels {
			ot.Columns = append(ot.Columns, c.Label)
		} else {
			ot.Columns = append(ot.Columns, c.Key)
		}
	}
	for _, r := range t.Rows {
		row := make([]any, len(r))
		for j, v := range r {
			if f, ok := v.(float64); ok && math.IsNaN(f) {
				v = nil
			}
			row[j] = v
		}
		ot.Rows = append(ot.Rows, row)
	}
	return ot
}

// cell shows v as a reader sees it in column c ("" for missing).
func cell(c Column, v any, minus string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		if c.Kind == "signed" {
			return signed(int64(x), minus)
		}
		return strconv.Itoa(x)
	case int64:
		if c.Kind == "signed" {
			return signed(x, minus)
		}
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) {
			return ""
		}
		switch c.Kind {
		case "pct":
			return strconv.FormatFloat(100*x, 'f', c.Digits, 64) + "%"
		case "int", "signed":
			return cell(c, int64(math.Round(x)), minus)
		}
		s := strconv.FormatFloat(x, 'f', c.Digits, 64)
		if strings.HasPrefix(s, "-") {
			s = minus + s[1:]
		}
		return s
	}
	return fmt.Sprint(v)
}

func signed(n int64, minus string) string {
	switch {
	case n > 0:
		return "+" + strconv.FormatInt(n, 10)
	case n < 0:
		return minus + strconv.FormatInt(-n, 10)
	}
	return "0"
}

// JSON is the whole report: metadata, text and tables (rows as objects).
func JSON(r *Report) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeJSON writes the report as JSON. The rows of a table read as it is written are
// streamed into the place of a marker in the document, laid out as json.MarshalIndent
// lays out the rows of a table held.
func writeJSON(w io.Writer, r *Report) error {
	type tableJSON struct {
		Name    string            `json:"name"`
		Columns map[string]string `json:"columns"`
		Rows    json.RawMessage   `json:"rows"`
	}
	type blockJSON struct {
		Heading string     `json:"heading"`
		Text    []string   `json:"text,omitempty"`
		Table   *tableJSON `json:"table,omitempty"`
		Charts  []string   `json:"charts,omitempty"`
	}
	doc := struct {
		Kind   string            `json:"kind"`
		Lang   string            `json:"lang"`
		Title  string            `json:"title"`
		Meta   map[string]string `json:"meta"`
		Blocks []blockJSON       `json:"blocks"`
	}{Kind: r.Kind, Lang: string(r.Lang), Title: r.Title, Meta: map[string]string{}}
	for _, f := range r.Meta {
		doc.Meta[f.Label] = f.Value
	}
	var marks []string // per table streamed, the marker in its place
	var streamed []*Table
	for _, b := range r.Blocks {
		bj := blockJSON{Heading: b.Heading, Text: b.Text}
		for _, c := range b.Charts {
			bj.Charts = append(bj.Charts, c.Name)
		}
		if b.Table != nil {
			cols := map[string]string{}
			for _, c := range b.Table.Columns {
				cols[c.Key] = c.Label
			}
			var rows json.RawMessage
			if b.Table.stream != nil {
				m := fmt.Sprintf(`"egdi-rows-%x-%d"`, rand.Uint64(), len(marks))
				marks, streamed = append(marks, m), append(streamed, b.Table)
				rows = json.RawMessage(m)
			} else {
				var buf bytes.Buffer
				if err := output.Write(&buf, b.Table.outputTable(false), "json"); err != nil {
					return err
				}
				rows = json.RawMessage(buf.Bytes())
			}
			bj.Table = &tableJSON{Name: b.Table.Sheet, Columns: cols, Rows: rows}
		}
		doc.Blocks = append(doc.Blocks, bj)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	for i, m := range marks {
		at := bytes.Index(out, []byte(m))
		if at < 0 {
			return fmt.Errorf("writing the JSON of table %s: its place was not found", streamed[i].Sheet)
		}
		if _, err := w.Write(out[:at]); err != nil {
			return err
		}
		line := out[bytes.LastIndexByte(out[:at], '\n')+1 : at]
		indent := string(line[:len(line)-len(bytes.TrimLeft(line, " "))])
		if err := streamJSONRows(w, streamed[i], indent); err != nil {
			return err
		}
		out = out[at+len(m):]
	}
	_, err = w.Write(out)
	return err
}

// streamJSONRows writes a table's rows as the array json.MarshalIndent makes of them
// on a line indented by indent.
func streamJSONRows(w io.Writer, t *Table, indent string) error {
	objects := output.NewJSONObjects(t.keys())
	row := make([]any, len(t.Columns))
	var buf bytes.Buffer
	n := 0
	err := t.each(func(r []any) error {
		buf.Reset()
		if n == 0 {
			buf.WriteString("[")
		} else {
			buf.WriteString(",")
		}
		buf.WriteString("\n" + indent + "  ")
		if err := json.Indent(&buf, objects.Object(outputRow(row, r)), indent+"  ", "  "); err != nil {
			return err
		}
		n++
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = io.WriteString(w, "[]")
	} else {
		_, err = io.WriteString(w, "\n"+indent+"]")
	}
	return err
}

// mdPage is what the Markdown template is given (see reports/templates/report.md.tmpl).
type mdPage struct {
	Kind, Title string
	Colon       string // after a label: ":", or "：" in Chinese
	Meta        []Field
	Blocks      []mdBlock
}

type mdBlock struct {
	Heading string
	Text    []string
	Charts  []mdChart
	Table   *mdTable
}

type mdChart struct{ Title, Path string }

type mdTable struct {
	Columns []htmlColumn
	Rows    [][]string
}

// markdown renders the text with templates t, then writes the charts as PNG into
// PATH_files/, and returns the text and what removes the folder again when it made it
// (the text could not be written): a failure leaves no folder behind it.
func markdown(r *Report, path string, t *Templates) ([]byte, func(), error) {
	if t == nil {
		t = DefaultTemplates()
	}
	dirName := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + "_files"
	dir := filepath.Join(filepath.Dir(path), dirName)
	pg := mdPage{Kind: r.Kind, Title: r.Title, Meta: r.Meta, Colon: r.Lang.Tr(":", "：")}
	var charts []Chart
	for _, blk := range r.Blocks {
		mb := mdBlock{Heading: blk.Heading, Text: blk.Text}
		for _, c := range blk.Charts {
			mb.Charts = append(mb.Charts, mdChart{Title: c.Figure.Title, Path: dirName + "/" + c.Name + ".png"})
			charts = append(charts, c)
		}
		if tb := blk.Table; tb != nil {
			mt := &mdTable{}
			for _, c := range tb.Columns {
				mt.Columns = append(mt.Columns, htmlColumn{Label: c.Label, Numeric: c.Kind != "text"})
			}
			if note := pageNote(r, tb); note != "" {
				mb.Text = append(append([]string(nil), mb.Text...), note)
			}
			for _, row := range tb.page() {
				cells := make([]string, len(tb.Columns))
				for j, c := range tb.Columns {
					cells[j] = cell(c, row[j], "−")
				}
				mt.Rows = append(mt.Rows, cells)
			}
			mb.Table = mt
		}
		pg.Blocks = append(pg.Blocks, mb)
	}
	text, err := execute(func(b *bytes.Buffer) error { return t.md.Execute(b, pg) })
	if err != nil {
		return nil, nil, err
	}
	undo := func() {}
	if len(charts) > 0 {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			undo = func() { os.RemoveAll(dir) }
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			undo()
			return nil, nil, fmt.Errorf("cannot create %s: %w", dir, err)
		}
	}
	for _, c := range charts {
		if err := c.Figure.Save(filepath.Join(dir, c.Name+".png"), chart.RenderOptions{}); err != nil {
			undo()
			return nil, nil, err
		}
	}
	return text, undo, nil
}

// mdEscape is s as Markdown text: its markup characters escaped, and control
// characters (a newline in a name would split a table row and inject rows) shown as
// escapes.
func mdEscape(s string) string {
	r := strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)
	return r.Replace(output.Printable(s))
}

func mdCell(s string) string { return strings.ReplaceAll(mdEscape(s), "|", `\|`) }
