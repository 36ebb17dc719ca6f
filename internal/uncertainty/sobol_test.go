package uncertainty

import (
	"math"
	"testing"
)

// sobolOf runs the design for a model y(x) of inputs of the given dimensions (x in
// [0, 1) each) and returns the estimated indices.
func sobolOf(n int, dims []int, seed uint64, y func(x []float64) float64) (first, total []float64) {
	k := len(dims)
	dim := 0
	for _, d := range dims {
		dim += d
	}
	u := Design(n, dims, seed, true)
	fa, fb, fab := make([]float64, n), make([]float64, n), make([][]float64, k)
	for i := range fab {
		fab[i] = make([]float64, n)
	}
	for j := 0; j < n; j++ {
		row := func(m int) []float64 { e := j*(k+2) + m; return u[e*dim : (e+1)*dim] }
		fa[j], fb[j] = y(row(0)), y(row(1))
		for i := 0; i < k; i++ {
			fab[i][j] = y(row(2 + i))
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return SobolIndices(fa, fb, fab, idx)
}

func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f ± %.3f", what, got, want, tol)
	} else {
		t.Logf("%s = %.4f (exact %.4f)", what, got, want)
	}
}

// The Ishigami function, whose Sobol indices are known analytically: a = 7, b = 0.1,
// x uniform on [−π, π]³.
func TestSobolIshigami(t *testing.T) {
	const a, b = 7.0, 0.1
	y := func(u []float64) float64 {
		x1, x2, x3 := -math.Pi+2*math.Pi*u[0], -math.Pi+2*math.Pi*u[1], -math.Pi+2*math.Pi*u[2]
		return math.Sin(x1) + a*math.Sin(x2)*math.Sin(x2) + b*math.Pow(x3, 4)*math.Sin(x1)
	}
	// analytic values
	v := a*a/8 + b*math.Pow(math.Pi, 4)/5 + b*b*math.Pow(math.Pi, 8)/18 + 0.5
	v1 := 0.5 * math.Pow(1+b*math.Pow(math.Pi, 4)/5, 2)
	v2 := a * a / 8
	v13 := b * b * math.Pow(math.Pi, 8) * (1.0/18 - 1.0/50)
	s := []float64{v1 / v, v2 / v, 0}
	st := []float64{(v1 + v13) / v, v2 / v, v13 / v}
	if math.Abs(s[0]-0.3139) > 1e-4 || math.Abs(st[2]-0.2437) > 1e-4 {
		t.Fatalf("analytic values wrong: %v %v", s, st)
	}
	first, total := sobolOf(200_000, []int{1, 1, 1}, 42, y)
	for i := range s {
		within(t, "S"+string(rune('1'+i)), first[i], s[i], 0.02)
		within(t, "ST"+string(rune('1'+i)), total[i], st[i], 0.02)
	}
}

// A linear model y = x1 + 2·x2 + 3·x3 of independent uniforms: each input's share of
// the variance is c_i²/Σc², first and total alike; a group of inputs (one input of
// two numbers, as noisy weights are) has the sum of its members'.
func TestSobolLinearAndGroups(t *testing.T) {
	first, total := sobolOf(200_000, []int{1, 1, 1}, 7, func(u []float64) float64 { return u[0] + 2*u[1] + 3*u[2] })
	for i, want := range []float64{1.0 / 14, 4.0 / 14, 9.0 / 14} {
		within(t, "S", first[i], want, 0.015)
		within(t, "ST", total[i], want, 0.015)
	}
	first, total = sobolOf(200_000, []int{2, 1}, 9, func(u []float64) float64 { return u[0] + u[1] + 2*u[2] })
	within(t, "S(group x1,x2)", first[0], 2.0/6, 0.03)
	within(t, "ST(group x1,x2)", total[0], 2.0/6, 0.015)
	within(t, "S(x3)", first[1], 4.0/6, 0.03) // the first-order estimator is the noisier
}

// The design: N·(k+2) rows; A and B independent; row 2+i equals A but for input i's
// block, which is B's.
func TestSaltelliDesign(t *testing.T) {
	dims := []int{1, 3, 2}
	u := Design(5, dims, 1, true)
	const dim, k = 6, 3
	if len(u) != 5*(k+2)*dim {
		t.Fatalf("%d numbers", len(u))
	}
	row := func(j, m int) []float64 { e := j*(k+2) + m; return u[e*dim : (e+1)*dim] }
	offs := []int{0, 1, 4, 6}
	for j := 0; j < 5; j++ {
		a, b := row(j, 0), row(j, 1)
		for i := 0; i < k; i++ {
			ab := row(j, 2+i)
			for d := 0; d < dim; d++ {
				want := a[d]
				if d >= offs[i] && d < offs[i+1] {
					want = b[d]
				}
				if ab[d] != want {
					t.Fatalf("row %d, input %d, number %d: %v, want %v", j, i, d, ab[d], want)
				}
			}
		}
	}
	// same seed, same numbers
	v := Design(5, dims, 1, true)
	for i := range u {
		if u[i] != v[i] {
			t.Fatal("the design depends on more than its seed")
		}
	}
}
