package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A table longer than a page shows its first PageRows rows in HTML and Markdown, and
// says so and where the rest is; CSV keeps every row.
func TestLongTablesArePaged(t *testing.T) {
	tb := &Table{Sheet: "Ranking", Columns: []Column{{Key: "rank", Label: "Rank", Kind: "int"}, {Key: "unit", Label: "Code", Kind: "text"}}}
	for i := 1; i <= PageRows+1000; i++ {
		tb.Rows = append(tb.Rows, []any{i, fmt.Sprintf("U%07d", i)})
	}
	r := &Report{Kind: "ranking", Lang: "en", Title: "Long", Blocks: []Block{{Heading: "Ranking", Table: tb}}}
	html, err := HTML(r, DefaultTemplates())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte("U0005000")) || bytes.Contains(html, []byte("U0005001")) || !bytes.Contains(html, []byte("This table has 6000 rows; the page shows the first 5000")) {
		t.Error("HTML: not paged at 5,000 rows with the note")
	}
	md, _, err := markdown(r, filepath.Join(t.TempDir(), "r.md"), DefaultTemplates())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(md, []byte("U0005001")) || !bytes.Contains(md, []byte("the page shows the first 5000")) {
		t.Error("Markdown: not paged")
	}
	var b bytes.Buffer
	if err := writeCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != PageRows+1000+1 {
		t.Errorf("CSV has %d lines, want every row", n)
	}
}
