package compute

import (
	"math"
	"sort"

	"github.com/egdi/egdi/internal/framework"
)

// Skewness is the sample skewness G1 (e1071 type 2, Excel's SKEW, COINr's skew):
// √(n(n−1))/(n−2) · √n·Σd³/(Σd²)^1.5 with d = x − mean; NaN below 3 values or
// without spread.
func Skewness(xs []float64) float64 {
	n := float64(len(xs))
	if n < 3 {
		return math.NaN()
	}
	m2, m3 := moments(xs)
	if m2 == 0 {
		return math.NaN()
	}
	g := math.Sqrt(n) * m3 / math.Pow(m2, 1.5)
	return g * math.Sqrt(n*(n-1)) / (n - 2)
}

// Kurtosis is the sample excess kurtosis G2 (e1071 type 2, Excel's KURT, COINr's
// kurt): ((n+1)(r−3)+6)(n−1)/((n−2)(n−3)) with r = n·Σd⁴/(Σd²)²; NaN below 4 values
// or without spread.
func Kurtosis(xs []float64) float64 {
	n := float64(len(xs))
	if n < 4 {
		return math.NaN()
	}
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var s2, s4 float64
	for _, x := range xs {
		d := (x - mean) * (x - mean)
		s2 += d
		s4 += d * d
	}
	if s2 == 0 {
		return math.NaN()
	}
	r := n * s4 / (s2 * s2)
	return ((n+1)*(r-3) + 6) * (n - 1) / ((n - 2) * (n - 3))
}

// moments returns Σd² and Σd³ about the mean.
func moments(xs []float64) (s2, s3 float64) {
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		d := x - mean
		s2 += d * d
		s3 += d * d * d
	}
	return s2, s3
}

// Treatment is what the skew-kurtosis rule did to one indicator in one year, as
// COINr's treatment table reports it.
type Treatment struct {
	SkewBefore, KurtBefore float64
	Pass                   bool     // within the thresholds before any treatment
	Lo, Hi                 *float64 // winsorisation clamps (nil: that end untouched)
	Points                 int      // values winsorised
	SkewAfter, KurtAfter   float64  // after the winsorisation (or the fallback)
	PassAfter              bool
	Fallback               string  // the transform applied instead ("" when none)
	Min, Range             float64 // of the values, for the fallback's shift
}

// fails is COINr's check_SkewKurt failing: |skewness| ≥ skew and kurtosis ≥ kurtosis.
func fails(xs []float64, skew, kurt float64) (sk, ku float64, fail bool) {
	sk, ku = Skewness(xs), Kurtosis(xs)
	if math.IsNaN(sk) || math.IsNaN(ku) {
		return sk, ku, false
	}
	return sk, ku, math.Abs(sk) >= skew && ku >= kurt
}

// SkewKurtosis applies the skew-kurtosis rule to one indicator's values in one year,
// as COINr's Treat does by default: while the values fail the rule and fewer than
// max_points have been winsorised, every value at the end the skewness points to
// (positive: the top) is set to the next distinct value; the count is the number of
// values at that end's clamp (tied values go together). When the rule still fails,
// the fallback (log_CT or Box-Cox) is applied to the values as they were, instead.
func SkewKurtosis(values []float64, w *framework.Winsorise) Treatment {
	xs := append([]float64(nil), values...)
	sort.Float64s(xs)
	t := Treatment{Pass: true}
	if len(xs) > 0 {
		t.Min, t.Range = xs[0], xs[len(xs)-1]-xs[0]
	}
	sk, ku, fail := fails(xs, w.Skew, w.Kurtosis)
	t.SkewBefore, t.KurtBefore, t.SkewAfter, t.KurtAfter = sk, ku, sk, ku
	if !fail {
		t.PassAfter = true
		return t
	}
	t.Pass = false
	var nlo, nhi int // values at the low and high clamp after the latest step there
	for fail && nlo+nhi < w.MaxPoints {
		if Skewness(xs) >= 0 {
			top := xs[len(xs)-1]
			i := len(xs) - 1
			for i >= 0 && xs[i] == top {
				i--
			}
			if i < 0 {
				break // every value equal: nothing to winsorise
			}
			next := xs[i]
			nhi = len(xs) - 1 - i
			for j := i + 1; j < len(xs); j++ {
				xs[j] = next
			}
			v := next
			t.Hi = &v
		} else {
			bottom := xs[0]
			i := 0
			for i < len(xs) && xs[i] == bottom {
				i++
			}
			if i == len(xs) {
				break
			}
			next := xs[i]
			nlo = i
			for j := 0; j < i; j++ {
				xs[j] = next
			}
			v := next
			t.Lo = &v
		}
		sk, ku, fail = fails(xs, w.Skew, w.Kurtosis)
	}
	t.Points = nlo + nhi
	t.SkewAfter, t.KurtAfter, t.PassAfter = sk, ku, !fail
	if fail && w.Fallback != framework.FallbackNone && w.Fallback != "" {
		t.Lo, t.Hi, t.Points = nil, nil, 0
		t.Fallback = w.Fallback
		ys := make([]float64, len(values))
		for i, x := range values {
			ys[i] = Fallback(x, t.Min, t.Range, w)
		}
		sort.Float64s(ys)
		t.SkewAfter, t.KurtAfter, fail = fails(ys, w.Skew, w.Kurtosis)
		t.PassAfter = !fail
	}
	return t
}

// Fallback is the transform the rule falls back to, of a value x of a series with
// minimum mn and range rg: COINr's log_CT, ln(x − min + 0.01·range), or its Box-Cox
// of x − min + 1 with λ (ln at λ = 0).
func Fallback(x, mn, rg float64, w *framework.Winsorise) float64 {
	switch w.Fallback {
	case framework.FallbackLog:
		return math.Log(x - mn + 0.01*rg)
	case framework.FallbackBoxCox:
		y, l := x-mn+1, *w.Lambda
		if l == 0 {
			return math.Log(y)
		}
		return (math.Pow(y, l) - 1) / l
	}
	return x
}
