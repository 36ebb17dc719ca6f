package chart

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

func labels(ts []plot.Tick) []string {
	var out []string
	for _, t := range ts {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestReadableTicks(t *testing.T) {
	cases := []struct {
		min, max float64
		want     string
	}{
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 20, "0 5 10 15 20"},
		{0, 73, "0 10 20 30 40 50 60 70"},
		{0.35, 0.95, "0.4 0.5 0.6 0.7 0.8 0.9"},
		{0, 0.13, "0.00 0.02 0.04 0.06 0.08 0.10 0.12"},
	}
	for _, c := range cases {
		if got := strings.Join(labels(readableTicks{}.Ticks(c.min, c.max)), " "); got != c.want {
			t.Errorf("ticks %v..%v = %q, want %q", c.min, c.max, got, c.want)
		}
	}
}

func TestInvertedTicksLabelRanksFromOne(t *testing.T) {
	got := labels(invertedTicks{}.Ticks(-125, -1))
	if got[len(got)-1] != "1" && got[0] != "1" {
		t.Errorf("rank 1 not labelled: %v", got)
	}
	for _, l := range got {
		if strings.HasPrefix(l, "-") || l == "0" {
			t.Errorf("rank axis shows %q: %v", l, got)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]string{"a.png": "png", "b.SVG": "svg", "c/d.pdf": "pdf"} {
		if got, err := FormatOf(path); err != nil || got != want {
			t.Errorf("%s: %q %v", path, got, err)
		}
	}
	for _, bad := range []string{"a.gif", "noext"} {
		if _, err := FormatOf(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestEmbeddedFontCoversTheShippedChineseNames(t *testing.T) {
	f, err := CJKFont()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"中国", "圣文森特和格林纳丁斯", "非常高", "电子政务发展指数", "来源：联合国电子政务调查报告", "Côte d'Ivoire 0.9717 (n = 54)"} {
		if m := f.missing(s); len(m) > 0 {
			t.Errorf("%q: font lacks %q", s, string(m))
		}
	}
	if m := latin.missing("中国"); len(m) != 2 {
		t.Errorf("Liberation claims to draw 中国")
	}
}
