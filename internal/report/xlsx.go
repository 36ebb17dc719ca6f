package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// XLSX writes one sheet per table (the main table first), with a styled, frozen header
// row, number formats with the table's decimals, and column widths; then a sheet with
// the report's title, sources, methodology and key facts. Text is always written as
// text cells, so a name beginning with =, +, - or @ is never evaluated as a formula.
func XLSX(r *Report) ([]byte, error) {
	var b bytes.Buffer
	if err := sheetLimit(r); err != nil {
		return nil, err
	}
	if err := writeXLSX(&b, r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SheetRows is the most rows an Excel sheet holds, its header row among them.
const SheetRows = 1048576

// sheetLimit refuses a report with a table longer than an Excel sheet holds: cut across
// sheets, it would no longer sort or filter as one table, and Excel opens no longer
// sheet; CSV and JSON hold every row.
func sheetLimit(r *Report) error {
	for _, t := range r.Tables() {
		if n := t.Len(); n > SheetRows-1 {
			return fmt.Errorf("the %s table has %d rows, and an Excel sheet holds at most %d below its header row (Excel's limit of %d rows); write the report with --format csv or json, which hold every row",
				strings.ToLower(t.Sheet), n, SheetRows-1, SheetRows)
		}
	}
	return nil
}

// writeXLSX writes the workbook to w (XLSX); a table read as it is written goes into its
// sheet through excelize's StreamWriter, row by row.
func writeXLSX(w io.Writer, r *Report) error {
	if err := sheetLimit(r); err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	header, err := x.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "888888", Style: 1}},
	})
	if err != nil {
		return err
	}
	styles := map[string]int{}
	numStyle := func(c Column) (int, error) {
		var f string
		switch c.Kind {
		case "int":
			f = "0"
		case "signed":
			f = "+0;-0;0"
		case "pct":
			f = "0." + strings.Repeat("0", max(c.Digits, 1)) + "%"
		case "float":
			f = "0"
			if c.Digits > 0 {
				f += "." + strings.Repeat("0", c.Digits)
			}
		default:
			f = "@"
		}
		if id, ok := styles[f]; ok {
			return id, nil
		}
		id, err := x.NewStyle(&excelize.Style{CustomNumFmt: &f})
		styles[f] = id
		return id, err
	}
	used := map[string]bool{}
	sheetName := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if strings.ContainsRune(`[]:*?/\`, r) {
				return '-'
			}
			return r
		}, s)
		if utf8.RuneCountInString(s) > 31 {
			s = string([]rune(s)[:31])
		}
		base := s
		for i := 2; used[s]; i++ {
			s = fmt.Sprintf("%s %d", base, i)
		}
		used[s] = true
		return s
	}
	first := true
	for _, t := range r.Tables() {
		name := sheetName(t.Sheet)
		if first {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			first = false
		} else if _, err := x.NewSheet(name); err != nil {
			return err
		}
		if t.stream != nil {
			if err := streamSheet(x, name, t, header, numStyle); err != nil {
				return err
			}
			continue
		}
		for j, c := range t.Columns {
			ref, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := x.SetCellStr(name, ref, c.Label); err != nil {
				return err
			}
			width := float64(utf8.RuneCountInString(c.Label))*1.1 + 2
			for _, row := range t.Rows {
				width = math.Max(width, float64(textWidth(cell(c, row[j], "-")))+2)
			}
			col, _ := excelize.ColumnNumberToName(j + 1)
			if err := x.SetColWidth(name, col, col, math.Min(width, 60)); err != nil {
				return err
			}
			st, err := numStyle(c)
			if err != nil {
				return err
			}
			last, _ := excelize.CoordinatesToCellName(j+1, len(t.Rows)+1)
			if len(t.Rows) > 0 {
				top, _ := excelize.CoordinatesToCellName(j+1, 2)
				if err := x.SetCellStyle(name, top, last, st); err != nil {
					return err
				}
			}
		}
		end, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
		if err := x.SetCellStyle(name, "A1", end, header); err != nil {
			return err
		}
		for i, row := range t.Rows {
			for j, v := range row {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
				var err error
				switch val := v.(type) {
				case nil:
					continue
				case string:
					err = x.SetCellStr(name, ref, val)
				case float64:
					if math.IsNaN(val) {
						continue
					}
					err = x.SetCellFloat(name, ref, val, -1, 64)
				case int:
					err = x.SetCellInt(name, ref, int64(val))
				case int64:
					err = x.SetCellInt(name, ref, val)
				default:
					err = x.SetCellStr(name, ref, fmt.Sprint(val))
				}
				if err != nil {
					return err
				}
			}
		}
		if err := x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if len(t.Rows) > 0 {
			if err := x.AutoFilter(name, "A1:"+end[:len(end)-1]+fmt.Sprint(len(t.Rows)+1), nil); err != nil {
				return err
			}
		}
	}
	about := sheetName(map[bool]string{true: "说明", false: "About"}[r.Lang == "zh"])
	if first {
		x.SetSheetName("Sheet1", about)
	} else if _, err := x.NewSheet(about); err != nil {
		return err
	}
	line := 1
	put := func(a, b string) {
		x.SetCellStr(about, fmt.Sprintf("A%d", line), a)
		if b != "" {
			x.SetCellStr(about, fmt.Sprintf("B%d", line), b)
		}
		line++
	}
	put(r.Title, "")
	x.SetCellStyle(about, "A1", "A1", header)
	for _, f := range r.Meta {
		put(f.Label, f.Value)
	}
	for _, blk := range r.Blocks {
		for _, p := range blk.Text {
			put(p, "")
		}
	}
	x.SetColWidth(about, "A", "A", 24)
	x.SetColWidth(about, "B", "B", 100)
	if !r.streamed() {
		// (a new workbook's first sheet is active; setting it again would read a
		// streamed sheet back into memory)
		x.SetActiveSheet(0)
	}
	_, err = x.WriteTo(w)
	return err
}

// textWidth counts a CJK character as two columns.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// streamSheet writes a table read as it is written into sheet name, as writeXLSX lays
// out a table held: the header styled and frozen, number formats, column widths and a
// filter on the header (an Excel table without a style, which is how a streamed sheet
// gets one).
func streamSheet(x *excelize.File, name string, t *Table, header int, numStyle func(Column) (int, error)) error {
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return err
	}
	styles := make([]int, len(t.Columns))
	head := make([]any, len(t.Columns))
	labels := map[string]bool{}
	unique := true
	for j, c := range t.Columns {
		width := float64(utf8.RuneCountInString(c.Label))*1.1 + 2
		width = math.Max(width, float64(t.stream.width[j])+2)
		if err := sw.SetColWidth(j+1, j+1, math.Min(width, 60)); err != nil {
			return err
		}
		if styles[j], err = numStyle(c); err != nil {
			return err
		}
		head[j] = excelize.Cell{StyleID: header, Value: c.Label}
		l := strings.ToLower(c.Label)
		unique = unique && l != "" && !labels[l]
		labels[l] = true
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	cells := make([]any, len(t.Columns))
	line := 1
	err = t.each(func(row []any) error {
		line++
		for j, v := range row {
			if f, ok := v.(float64); ok && math.IsNaN(f) {
				v = nil
			}
			switch v.(type) {
			case nil, string, float64, int, int64:
			default:
				v = fmt.Sprint(v)
			}
			cells[j] = excelize.Cell{StyleID: styles[j], Value: v}
		}
		ref, _ := excelize.CoordinatesToCellName(1, line)
		return sw.SetRow(ref, cells)
	})
	if err != nil {
		return err
	}
	if line > 1 && unique {
		end, _ := excelize.CoordinatesToCellName(len(t.Columns), line)
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + end, Name: "egdi_" + fmt.Sprint(x.SheetCount), StyleName: ""}); err != nil {
			return err
		}
	}
	return sw.Flush()
}
