package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egdi/egdi/internal/store"
)

func xlsxDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "t.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func workbook(t *testing.T, rows [][]any) string {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "in.xlsx")
	if err := x.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func values(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM raw_values`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A workbook streams into the dataset, long or wide, its blank cells missing; a bad
// value is named by the sheet's row.
func TestXLSXIndicators(t *testing.T) {
	db := xlsxDB(t)
	ctx := context.Background()
	p := workbook(t, [][]any{{"unit", "year", "indicator", "value"}, {"CHN", 2022, "a", 1.5}, {"IND", 2022, "a", 2}, {"USA", 2022, "a", nil}})
	if _, err := ImportIndicators(ctx, db, []string{p}, IndicatorOptions{Dataset: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := values(t, db); n != 2 {
		t.Errorf("%d values, want 2 (a blank is missing)", n)
	}
	p = workbook(t, [][]any{{"unit", "year", "a", "b"}, {"CHN", 2022, 1, 2}, {"IND", 2022, 3, "n/a"}})
	_, err := ImportIndicators(ctx, db, []string{p}, IndicatorOptions{Dataset: "y"})
	if err == nil || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("a text value: %v, want an error naming row 3", err)
	}
	if n := values(t, db); n != 2 {
		t.Errorf("a refused workbook changed the database: %d values", n)
	}
}

// A zip bomb (a small file unzipping to more than egdi's limit; the limit scaled down
// here) is refused before it is unpacked, memory bounded; a cell longer than a
// spreadsheet's is refused by name.
func TestXLSXBombsAndHugeCells(t *testing.T) {
	db := xlsxDB(t)
	ctx := context.Background()
	old := xlsxUnzipLimit
	xlsxUnzipLimit = 8 << 20
	defer func() { xlsxUnzipLimit = old }()
	// a valid workbook whose sheet holds 16 MB of blank rows: 50 kB zipped
	bomb, size := withSheet(t, func(w io.Writer) {
		row := []byte(`<row r="1"></row>` + strings.Repeat(" ", 1000))
		for i := 0; i < 16_000; i++ {
			w.Write(row)
		}
	})
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ImportIndicators(ctx, db, []string{bomb}, IndicatorOptions{Dataset: "b"})
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "unzips to more than 8 MB") {
		t.Errorf("bomb of %d bytes: %v", size, err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
		t.Errorf("refusing the bomb allocated %d MB", grown>>20)
	}
	huge, _ := withSheet(t, func(w io.Writer) {
		io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c><c r="B1" t="inlineStr"><is><t>year</t></is></c><c r="C1" t="inlineStr"><is><t>indicator</t></is></c><c r="D1" t="inlineStr"><is><t>value</t></is></c></row>`)
		io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>CHN</t></is></c><c r="B2"><v>2022</v></c><c r="C2" t="inlineStr"><is><t>`+strings.Repeat("x", 40_000)+`</t></is></c><c r="D2"><v>1</v></c></row>`)
	})
	_, err = ImportIndicators(ctx, db, []string{huge}, IndicatorOptions{Dataset: "h"})
	if err == nil || !strings.Contains(err.Error(), "cell C2 holds 40000 characters") {
		t.Errorf("a 40,000-character cell: %v", err)
	}
	if n := values(t, db); n != 0 {
		t.Errorf("%d values stored", n)
	}
}

// withSheet is a workbook whose first sheet's rows body writes (the XML between
// <sheetData> and </sheetData>), and the file's size.
func withSheet(t *testing.T, body func(w io.Writer)) (string, int) {
	t.Helper()
	src := workbook(t, [][]any{{"unit"}})
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if f.Name == "xl/worksheets/sheet1.xml" {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
			body(w)
			io.WriteString(w, `</sheetData></worksheet>`)
			continue
		}
		r, _ := f.Open()
		io.Copy(w, r)
		r.Close()
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "crafted.xlsx")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b.Len()
}
