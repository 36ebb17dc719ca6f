package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A unit whose name looks like a formula stays text in Excel and CSV.
func TestFormulaLikeTextIsNeverEvaluated(t *testing.T) {
	r := &Report{Title: "t", Blocks: []Block{{Heading: "h", Table: &Table{Sheet: "Ranking", Columns: []Column{
		{Key: "name", Label: "Name", Kind: "text"}, {Key: "egdi", Label: "EGDI", Kind: "float", Digits: 4}},
		Rows: [][]any{{"=SUM(A1:A9)", 0.5}, {"+1", 0.25}, {"-2", 0.125}, {"@cmd", 1.0}}}}}}
	b, err := XLSX(r)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"=SUM(A1:A9)", "+1", "-2", "@cmd"} {
		ref := []string{"A2", "A3", "A4", "A5"}[i]
		if f, _ := x.GetCellFormula("Ranking", ref); f != "" {
			t.Errorf("%s became a formula %q", ref, f)
		}
		if v, _ := x.GetCellValue("Ranking", ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
		if ty, _ := x.GetCellType("Ranking", ref); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want a string", ref, ty)
		}
	}
	csv := string(mustCSV(t, r))
	for _, s := range []string{"'=SUM(A1:A9)", "'+1", "'-2", "'@cmd"} {
		if !strings.Contains(csv, s) {
			t.Errorf("CSV lacks protected %q:\n%s", s, csv)
		}
	}
}

func mustCSV(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := writeCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCellFormats(t *testing.T) {
	cases := []struct {
		c    Column
		v    any
		want string
	}{
		{Column{Kind: "float", Digits: 4}, 0.97165, "0.9717"},
		{Column{Kind: "float", Digits: 4}, -0.0013, "−0.0013"},
		{Column{Kind: "pct", Digits: 1}, 60.0 / 193, "31.1%"},
		{Column{Kind: "signed"}, 22, "+22"},
		{Column{Kind: "signed"}, -45, "−45"},
		{Column{Kind: "signed"}, 0, "0"},
		{Column{Kind: "int"}, 7, "7"},
		{Column{Kind: "text"}, nil, ""},
	}
	for _, c := range cases {
		if got := cell(c.c, c.v, "−"); got != c.want {
			t.Errorf("cell(%v, %v) = %q, want %q", c.c.Kind, c.v, got, c.want)
		}
	}
}
