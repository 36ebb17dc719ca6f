package framework

import (
	"runtime"
	"strings"
	"testing"
)

const base = `id: t
root: idx
nodes:
  - id: idx
    children: [a, b]
  - id: a
    children: [x]
  - id: b
    children: [y]
indicators:
  - {id: x}
  - {id: y}
bands:
  - {id: high, min: 0.5}
  - {id: low, min: 0}
`

// Each broken framework is refused with the YAML line of the problem.
func TestValidationNamesTheLine(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown indicator", "children: [y]", "children: [z]", `line 8: node "b": child "z" is neither a node nor an indicator`},
		{"negative weight", "children: [a, b]", "children: [{id: a, weight: -1}, {id: b, weight: 2}]", `line 4: node "idx": weight of "a" is -1`},
		{"cycle", "children: [y]", "children: [y, idx]", "the nodes form a cycle"},
		{"band gap", "{id: low, min: 0}", "{id: low, min: 0.25}", `line 15: the lowest band "low" starts at 0.25, leaving values below it without a band (a gap)`},
		{"band overlap", "{id: low, min: 0}", "{id: low, min: 0.5}", `line 15: band "low" starts at 0.5, not below the band above it`},
		{"unknown normalisation", "- {id: x}", "- {id: x, normalise: robust}", `line 11: indicator "x": normalise "robust" is not one of`},
		{"unknown aggregation", "  - id: a\n", "  - id: a\n    aggregate: median\n", `line 6: node "a": aggregate "median" is not one of arithmetic, geometric, harmonic`},
		{"target without a value", "- {id: x}", "- {id: x, normalise: target}", `line 11: indicator "x": normalise target needs a positive target`},
		{"bad winsorisation", "- {id: x}", "- {id: x, winsorise: {lower: 0.7}}", `line 11: indicator "x": winsorise lower quantile 0.7 must be in [0, 0.5)`},
		{"bad imputation", "- {id: x}", "- {id: x, impute: zero}", `line 11: indicator "x": impute "zero" is not one of`},
		{"duplicate id", "- {id: y}", "- {id: x}", `line 12: id "x" is defined twice (first on line 11)`},
		{"infinite cap", "- {id: x}", "- {id: x, cap: .inf}", `line 11: indicator "x": cap +Inf is not a finite number`},
		{"not-a-number floor", "- {id: x}", "- {id: x, floor: .nan}", `line 11: indicator "x": floor NaN is not a finite number`},
		{"infinite goalpost", "- {id: x}", "- {id: x, normalise: goalposts, goalposts: [0, .inf]}", `line 11: indicator "x": goalpost +Inf is not a finite number`},
		{"infinite band", "{id: high, min: 0.5}", "{id: high, min: .inf}", `line 14: band "high": min +Inf is not a finite number`},
		{"infinite scale", "root: idx", "root: idx\nscale: .inf", `scale must be positive`},
		{"denominator unknown", "- {id: x}", "- {id: x, denominate: {}}", `line 11: indicator "x": denominate needs by: INDICATOR`},
		{"denominator itself", "- {id: x}", "- {id: x, denominate: {by: x}}", `line 11: indicator "x": denominate by itself`},
		{"denominator a node", "- {id: x}", "- {id: x, denominate: {by: a}}", `line 11: indicator "x": denominate by "a", which is not an indicator id`},
		{"denominator scale", "- {id: x}", "- {id: x, denominate: {by: gdp, scale: -1}}", `line 11: indicator "x": denominate scale -1 must be a positive number`},
		{"screen coverage", "root: idx", "root: idx\nscreen: {min_coverage: 1.5}", `screen: min_coverage 1.5 must be in (0, 1]`},
		{"screen coverage zero", "root: idx", "root: idx\nscreen: {min_coverage: 0}", `screen: min_coverage 0 must be in (0, 1]`},
		{"node coverage", "  - id: a\n", "  - id: a\n    missing: skip\n    min_coverage: 0\n", `line 6: node "a": min_coverage 0 must be in (0, 1]`},
		{"coverage without skip", "  - id: a\n", "  - id: a\n    min_coverage: 0.5\n", `line 6: node "a": min_coverage is for missing: skip`},
		{"unknown missing", "  - id: a\n", "  - id: a\n    missing: drop\n", `line 6: node "a": missing "drop" is not require`},
		{"unknown fallback", "- {id: x}", "- {id: x, winsorise: {rule: skew-kurtosis, fallback: sqrt}}", `line 11: indicator "x": winsorise fallback "sqrt" is not one of none, log, boxcox`},
		{"fallback without rule", "- {id: x}", "- {id: x, winsorise: {lower: 0.05, fallback: log}}", `line 11: indicator "x": winsorise fallback is for rule: skew-kurtosis`},
		{"unknown sd", "- {id: x}", "- {id: x, normalise: zscore, sd: robust}", `line 11: indicator "x": sd "robust" is not population or sample`},
		{"reference without a unit", "- {id: x}", "- {id: x, normalise: reference}", `line 11: indicator "x": normalise reference needs reference: UNIT`},
		{"distance to target without one", "- {id: x}", "- {id: x, normalise: distance-to-target}", `line 11: indicator "x": normalise distance-to-target needs a target`},
		{"unknown weights", "  - id: a\n", "  - id: a\n    weights: equal\n", `line 6: node "a": weights "equal" is not pca`},
		{"normalise over", "root: idx", "root: idx\nnormalise_over: decade", `normalise_over "decade" is not year`},
	}
	if _, err := Parse([]byte(base), "ok.yaml"); err != nil {
		t.Fatalf("the base framework is valid: %v", err)
	}
	for _, c := range cases {
		y := strings.Replace(base, c.from, c.to, 1)
		if y == base {
			t.Fatalf("%s: %q not in the base", c.name, c.from)
		}
		_, err := Parse([]byte(y), "f.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v\nwant %q", c.name, err, c.want)
		}
	}
}

// Weights are relative: 0.9 and 0.8 are normalised within their parent, as 9 and 8 are.
func TestRelativeWeightsBelowOne(t *testing.T) {
	y := strings.Replace(base, "children: [a, b]", "children: [{id: a, weight: 0.9}, {id: b, weight: 0.8}]", 1)
	f, err := Parse([]byte(y), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if w := f.Node("idx").Children; w[0].Weight != 0.9 || w[1].Weight != 0.8 {
		t.Errorf("weights %v", w)
	}
}

func TestEveryBuiltinIsValid(t *testing.T) {
	fs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) < 6 {
		t.Errorf("%d built-in frameworks", len(fs))
	}
}

// A framework whose aliases expand it past the limit (1,000 aliases of a 100 kB string:
// 100 MB; nested aliases: a billion), or a file past the size limit, is refused quickly
// and in bounded memory.
func TestAliasBombsAndHugeFiles(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	var y strings.Builder
	y.WriteString("id: bomb\nroot: r\nassumptions:\n  - &a \"" + big + "\"\n")
	for i := 0; i < 1000; i++ {
		y.WriteString("  - *a\n")
	}
	y.WriteString("nodes:\n  - {id: r, children: [x]}\nindicators:\n  - {id: x}\n")
	nested := "id: laughs\nroot: r\na: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		nested += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 9), ", ") + "]\n"
		prev = n
	}
	for name, src := range map[string]string{"aliases": y.String(), "nested": nested} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Parse([]byte(src), name+".yaml")
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "aliases (*name) expand it to more than 16 MB") {
			t.Errorf("%s: %v", name, err)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
			t.Errorf("%s: refusing it allocated %d MB", name, grown>>20)
		}
	}
	_, err := Parse([]byte("id: huge\n# "+strings.Repeat("x", 5<<20)+"\n"), "huge.yaml")
	if err == nil || !strings.Contains(err.Error(), "more than a framework file may be (4 MB)") {
		t.Errorf("a 5 MB file: %v", err)
	}
}
