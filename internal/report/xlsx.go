package report

import (
	"bytes"
	"fmt"
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
	x := excelize.NewFile()
	defer x.Close()
	header, err := x.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "888888", Style: 1}},
	})
	if err != nil {
		return nil, err
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
				return nil, err
			}
			first = false
		} else if _, err := x.NewSheet(name); err != nil {
			return nil, err
		}
		for j, c := range t.Columns {
			ref, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := x.SetCellStr(name, ref, c.Label); err != nil {
				return nil, err
			}
			width := float64(utf8.RuneCountInString(c.Label))*1.1 + 2
			for _, row := range t.Rows {
				width = math.Max(width, float64(textWidth(cell(c, row[j], "-")))+2)
			}
			col, _ := excelize.ColumnNumberToName(j + 1)
			if err := x.SetColWidth(name, col, col, math.Min(width, 60)); err != nil {
				return nil, err
			}
			st, err := numStyle(c)
			if err != nil {
				return nil, err
			}
			last, _ := excelize.CoordinatesToCellName(j+1, len(t.Rows)+1)
			if len(t.Rows) > 0 {
				top, _ := excelize.CoordinatesToCellName(j+1, 2)
				if err := x.SetCellStyle(name, top, last, st); err != nil {
					return nil, err
				}
			}
		}
		end, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
		if err := x.SetCellStyle(name, "A1", end, header); err != nil {
			return nil, err
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
					return nil, err
				}
			}
		}
		if err := x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		if len(t.Rows) > 0 {
			if err := x.AutoFilter(name, "A1:"+end[:len(end)-1]+fmt.Sprint(len(t.Rows)+1), nil); err != nil {
				return nil, err
			}
		}
	}
	about := sheetName(map[bool]string{true: "说明", false: "About"}[r.Lang == "zh"])
	if first {
		x.SetSheetName("Sheet1", about)
	} else if _, err := x.NewSheet(about); err != nil {
		return nil, err
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
	x.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
