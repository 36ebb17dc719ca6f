package chart

import (
	"fmt"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/panel/paneltest"
)

// Charts take a panel, not a database: the hand panel's charts draw the numbers worked
// out on paper, in both languages and every format.
func TestChartsOfAHandPanel(t *testing.T) {
	t.Parallel()
	p := paneltest.New()
	f, err := Build(p, "ranking", Options{Years: []int{2022}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range f.Data.Rows {
		got = append(got, r[1].(string))
	}
	if strings.Join(got, " ") != "U1 U2 U3 U4" || f.Data.Rows[0][3] != 80.0 || f.Data.Rows[0][4] != "high" {
		t.Errorf("ranking bars %v", f.Data.Rows)
	}
	f, err = Build(p, "groups", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"2020/high": 2, "2020/low": 2, "2022/high": 3, "2022/low": 1}
	for _, r := range f.Data.Rows {
		k := fmt.Sprintf("%d/%s", r[0], r[1])
		if r[2] != want[k] {
			t.Errorf("groups %s: %v, want %d", k, r[2], want[k])
		}
	}
	// regions: by the units' own grouping, as they have no M49 region
	f, err = Build(p, "regions", Options{Years: []int{2022}, Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Data.Rows {
		if r[1] == "南" && r[3] == "a" && r[4] != 42.5 {
			t.Errorf("the South's mean a: %v", r[4])
		}
	}
	if !strings.Contains(f.Title, "手算指数") || !strings.Contains(strings.Join(f.Source, " "), "来源：egdi 计算") {
		t.Errorf("title %q, source %v", f.Title, f.Source)
	}
	for _, kind := range Kinds {
		f, err := Build(p, kind, Options{Units: []string{"U1", "U3"}, Years: []int{2022}, X: "a", Y: "b"})
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		for _, format := range Formats {
			if _, err := f.Render(format, RenderOptions{}); err != nil {
				t.Errorf("%s as %s: %v", kind, format, err)
			}
		}
	}
}
