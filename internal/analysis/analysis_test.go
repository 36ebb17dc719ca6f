package analysis

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
	"github.com/egdi/egdi/internal/store"
)

// alphaByHand is Cronbach's alpha written out with its own variance.
func alphaByHand(items [][]float64) float64 {
	v := func(xs []float64) float64 {
		m := 0.0
		for _, x := range xs {
			m += x
		}
		m /= float64(len(xs))
		s := 0.0
		for _, x := range xs {
			s += (x - m) * (x - m)
		}
		return s / float64(len(xs)-1)
	}
	k := float64(len(items))
	total := make([]float64, len(items[0]))
	sv := 0.0
	for _, it := range items {
		sv += v(it)
		for i, x := range it {
			total[i] += x
		}
	}
	return k / (k - 1) * (1 - sv/v(total))
}

var matrix = [][]float64{{2, 4, 3, 5, 1, 4}, {1, 3, 3, 4, 2, 5}, {2, 5, 4, 4, 1, 3}}

func TestCronbachAlpha(t *testing.T) {
	t.Parallel()
	if a := CronbachAlpha([][]float64{{1, 2, 3, 4}, {2, 3, 4, 5}}); math.Abs(a-1) > 1e-12 {
		t.Errorf("two parallel items: alpha %v, want 1", a)
	}
	if a, h := CronbachAlpha(matrix), alphaByHand(matrix); math.Abs(a-h) > 1e-12 {
		t.Errorf("alpha %v, by hand %v", a, h)
	}
	if a := CronbachAlpha([][]float64{{1, 2, 3}, {3, 2, 1}}); !math.IsNaN(a) {
		t.Errorf("items that cancel out: alpha %v, want NaN", a)
	}
}

func TestPCAClosedFormForTwoVariables(t *testing.T) {
	t.Parallel()
	x := []float64{1, 2, 3, 4, 5, 7}
	y := []float64{2, 1, 4, 3, 6, 5}
	shares, load, ok := compute.PCA([][]float64{x, y})
	if !ok {
		t.Fatal("no PCA")
	}
	// correlation matrix [[1 r] [r 1]]: eigenvalues 1 ± r, loadings √((1+r)/2)
	mx, my := 22.0/6, 21.0/6
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	r := sxy / math.Sqrt(sxx*syy)
	if math.Abs(shares[0]-(1+r)/2) > 1e-12 || math.Abs(shares[1]-(1-r)/2) > 1e-12 {
		t.Errorf("shares %v, want %v %v", shares, (1+r)/2, (1-r)/2)
	}
	for _, l := range load {
		if math.Abs(l-math.Sqrt((1+r)/2)) > 1e-12 {
			t.Errorf("loading %v, want %v", l, math.Sqrt((1+r)/2))
		}
	}
}

// TestAgainstNumpy checks alpha and the PCA variance shares of a 3 x 6 matrix with
// numpy (Debian's python3-numpy) when it is installed.
func TestAgainstNumpy(t *testing.T) {
	t.Parallel()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skip("skipping: numpy not installed (apt-get install python3-numpy)")
	}
	script := `import numpy as np
m = np.array(` + pyMatrix(matrix) + `, dtype=float)
k = m.shape[0]
alpha = k/(k-1)*(1 - m.var(axis=1, ddof=1).sum()/m.sum(axis=0).var(ddof=1))
ev = np.sort(np.linalg.eigvalsh(np.corrcoef(m)))[::-1]
print(repr(alpha), *[repr(e/k) for e in ev])`
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v %s", err, out)
	}
	f := strings.Fields(string(out))
	want := make([]float64, len(f))
	for i, s := range f {
		want[i], _ = strconv.ParseFloat(s, 64)
	}
	if a := CronbachAlpha(matrix); math.Abs(a-want[0]) > 1e-12 {
		t.Errorf("alpha %v, numpy %v", a, want[0])
	}
	shares, _, _ := compute.PCA(matrix)
	for i, s := range shares {
		if math.Abs(s-want[i+1]) > 1e-12 {
			t.Errorf("share %d: %v, numpy %v", i, s, want[i+1])
		}
	}
}

func pyMatrix(m [][]float64) string {
	var rows []string
	for _, r := range m {
		var c []string
		for _, x := range r {
			c = append(c, strconv.FormatFloat(x, 'g', -1, 64))
		}
		rows = append(rows, "["+strings.Join(c, ",")+"]")
	}
	return "[" + strings.Join(rows, ",") + "]"
}

func dbWith(t *testing.T, csv string) *store.DB {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "t.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := filepath.Join(dir, "in.csv")
	os.WriteFile(p, []byte(csv), 0o644)
	if _, err := ingest.ImportIndicators(context.Background(), db, []string{p}, ingest.IndicatorOptions{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	return db
}

const auditFW = `id: a
root: idx
nodes:
  - {id: idx, children: [d1, d2]}
  - {id: d1, normalise: minmax, children: [x, x2, z]}
  - {id: d2, normalise: minmax, children: [y]}
indicators:
  - {id: x, normalise: zscore, cap: 10}
  - {id: x2, normalise: zscore}
  - {id: z, normalise: zscore}
  - {id: y, normalise: zscore, impute: mean}
`

func TestAuditFiguresAndFlags(t *testing.T) {
	t.Parallel()
	// x2 = 2x (redundant with x), z runs against x, y is missing for E
	csv := "unit,year,indicator,value\n"
	xv := []float64{1, 2, 3, 4, 12}
	zv := []float64{5, 4, 3, 1, 1}
	yv := []float64{3, 1, 4, 1}
	for i, u := range []string{"A", "B", "C", "D", "E"} {
		csv += u + ",2022,x," + strconv.FormatFloat(xv[i], 'g', -1, 64) + "\n"
		csv += u + ",2022,x2," + strconv.FormatFloat(2*xv[i], 'g', -1, 64) + "\n"
		csv += u + ",2022,z," + strconv.FormatFloat(zv[i], 'g', -1, 64) + "\n"
		if i < 4 {
			csv += u + ",2022,y," + strconv.FormatFloat(yv[i], 'g', -1, 64) + "\n"
		}
	}
	db := dbWith(t, csv)
	f, err := framework.Parse([]byte(auditFW), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := RunAudit(context.Background(), db, f, "t", 2022)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]IndicatorStats{}
	for _, s := range a.Indicators {
		by[s.ID] = s
	}
	if s := by["y"]; s.Present != 4 || s.Units != 5 || s.Imputed != 1 || math.Abs(s.Missing-0.2) > 1e-12 || math.Abs(s.Mean-2.25) > 1e-12 {
		t.Errorf("y: %+v", s)
	}
	if s := by["x"]; s.Treated != "1 capped" || math.Abs(s.Mean-4.4) > 1e-12 {
		t.Errorf("x: treated %q, mean %v", s.Treated, s.Mean)
	}
	flags := strings.Join(a.Flags, "\n")
	for _, want := range []string{"x and x2 in d1 are redundant", "z correlates negative with its parent d1", "d1: Cronbach's alpha"} {
		if !strings.Contains(flags, want) {
			t.Errorf("flags lack %q:\n%s", want, flags)
		}
	}
}

func TestWhatIfMatchesARecomputedFramework(t *testing.T) {
	t.Parallel()
	csv := "unit,year,indicator,value\nA,2022,x,1\nB,2022,x,2\nC,2022,x,3\nA,2022,y,3\nB,2022,y,1\nC,2022,y,2\n"
	db := dbWith(t, csv)
	f, _ := framework.Parse([]byte("id: w\nroot: n\nnodes:\n  - {id: n, children: [x, y]}\nindicators:\n  - {id: x}\n  - {id: y}\n"), "w.yaml")
	// weight 3 on x: values (3x + y) / 4 = A 1.5, B 1.75, C 2.75
	g, err := Apply(f, []Change{{"weight", "x", "3"}})
	if err != nil {
		t.Fatal(err)
	}
	shifts, err := WhatIf(context.Background(), db, f, g, "t", 2022)
	if err != nil {
		t.Fatal(err)
	}
	// before: C 2.5, A 2, B 1.5 (ranks 1, 2, 3); after: B moves up one, A down one
	want := map[string][3]float64{"C": {2.5, 2.75, 0}, "B": {1.5, 1.75, 1}, "A": {2, 1.5, -1}}
	for _, s := range shifts {
		w := want[s.Unit]
		if math.Abs(s.Before-w[0]) > 1e-12 || math.Abs(s.After-w[1]) > 1e-12 || float64(s.Shift) != w[2] {
			t.Errorf("%s: before %v after %v shift %d, want %v", s.Unit, s.Before, s.After, s.Shift, w)
		}
	}
	if shifts[0].Unit != "C" || shifts[0].RankAfter != 1 {
		t.Errorf("first after the change: %+v", shifts[0])
	}
	for _, bad := range []string{"weight:q=1", "size:x=1", "agg:x=geometric", "norm:n=robust"} {
		c, err := ParseChange(bad)
		if err == nil {
			_, err = Apply(f, []Change{c})
		}
		if err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// Spearman's rho and the p-values of both correlations agree with scipy
// (scipy.stats.pearsonr and spearmanr) when it is installed.
func TestCorrelationsAgainstScipy(t *testing.T) {
	t.Parallel()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import scipy.stats").Run(); err != nil {
		t.Skip("skipping: scipy not installed (apt-get install python3-scipy)")
	}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10}
	y := []float64{2, 1, 4, 3, 7, 5, 6, 9, 8, 12, 11}
	out, err := exec.Command(py, "-c", `import scipy.stats as s
x = `+pyMatrix([][]float64{x})+`[0]
y = `+pyMatrix([][]float64{y})+`[0]
r = s.pearsonr(x, y); rho = s.spearmanr(x, y)
print(repr(r[0]), repr(r[1]), repr(rho[0]), repr(rho[1]))`).CombinedOutput()
	if err != nil {
		t.Fatalf("scipy: %v %s", err, out)
	}
	var want []float64
	for _, f := range strings.Fields(string(out)) {
		v, _ := strconv.ParseFloat(f, 64)
		want = append(want, v)
	}
	c := correlate("x", "y", "sibling", x, y)
	for i, got := range []float64{c.R, c.PR, c.Rho, c.PRho} {
		if math.Abs(got-want[i]) > 1e-10 {
			t.Errorf("statistic %d: %v, scipy %v", i, got, want[i])
		}
	}
}
