package present

import (
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/panel/paneltest"
	"github.com/egdi/egdi/internal/query"
)

// The source lines say which node came from where when a year mixes runs, in English
// and Chinese, and tables label bands and sources in the reader's language.
func TestSourcesAndLabels(t *testing.T) {
	t.Parallel()
	p := paneltest.New()
	// 2022's b from another run for two units, as a second computation would give it
	other := &panel.Run{ID: 9, Dataset: "survey", Year: 2022, Source: panel.Published, Method: "hand", Root: "idx", Framework: p.Framework}
	for i := range p.Rows {
		if r := &p.Rows[i]; r.Year == 2022 && (r.Unit.Code == "U1" || r.Unit.Code == "U2") {
			r.Cells[2].Run = other
		}
	}
	got := strings.Join(Sources(p, []int{2020, 2022}, []string{"idx", "b"}, "en"), "\n")
	want := "Source: computed by egdi, 2020 (hand, dataset hand, run 1)\n" +
		"Sources 2022: Hand index: computed by egdi (hand, dataset hand, run 2); Benefit: UN E-Government Survey 2022 (published) for 2 units, computed by egdi (hand, dataset hand, run 2) for 1 unit"
	if got != want {
		t.Errorf("sources:\n%s\nwant\n%s", got, want)
	}
	zh := strings.Join(Sources(p, []int{2022}, []string{"idx", "b"}, "zh"), "\n")
	if !strings.Contains(zh, "2022年来源：手算指数：egdi 计算") || !strings.Contains(zh, "效益：") {
		t.Errorf("Chinese sources: %s", zh)
	}
	r, _ := query.Rank(p, query.RankRequest{Year: 2022})
	tb := Ranking(r, "zh", "table")
	var b strings.Builder
	output.Write(&b, tb, "table")
	for _, s := range []string{"高", "低", "混合", "计算", "手算指数", "Alpha（中）"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("Chinese ranking lacks %q:\n%s", s, b.String())
		}
	}
	b.Reset()
	output.Write(&b, Ranking(r, "en", "csv"), "csv")
	if !strings.HasPrefix(b.String(), "unit,name,year,idx,a,b,rank,band,source\nU1,Alpha,2022,80.0,90.0,70.0,1,high,mixed\n") {
		t.Errorf("CSV ranking:\n%s", b.String())
	}
}
