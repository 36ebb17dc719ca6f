package analysis

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// CronbachAlpha of k items over the same units (items[i][u]): k/(k−1) × (1 − Σ var(item)
// / var(Σ items)), with sample variances. NaN with fewer than two items or units.
func CronbachAlpha(items [][]float64) float64 {
	k := len(items)
	if k < 2 || len(items[0]) < 2 {
		return math.NaN()
	}
	n := len(items[0])
	total := make([]float64, n)
	sumVar := 0.0
	for _, it := range items {
		sumVar += stat.Variance(it, nil)
		for u, v := range it {
			total[u] += v
		}
	}
	vt := stat.Variance(total, nil)
	if vt == 0 {
		return math.NaN()
	}
	return float64(k) / float64(k-1) * (1 - sumVar/vt)
}

// tukeyOutliers counts values outside [Q1 − 1.5 IQR, Q3 + 1.5 IQR].
func tukeyOutliers(xs []float64) int {
	if len(xs) < 4 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	q1 := stat.Quantile(0.25, stat.LinInterp, s, nil)
	q3 := stat.Quantile(0.75, stat.LinInterp, s, nil)
	lo, hi := q1-1.5*(q3-q1), q3+1.5*(q3-q1)
	n := 0
	for _, x := range s {
		if x < lo || x > hi {
			n++
		}
	}
	return n
}

// complete returns the columns restricted to the units present in all of them.
func complete(cols []map[string]float64) [][]float64 {
	if len(cols) == 0 {
		return nil
	}
	var units []string
	for u := range cols[0] {
		ok := true
		for _, c := range cols[1:] {
			if _, has := c[u]; !has {
				ok = false
				break
			}
		}
		if ok {
			units = append(units, u)
		}
	}
	sort.Strings(units)
	out := make([][]float64, len(cols))
	for i, c := range cols {
		for _, u := range units {
			out[i] = append(out[i], c[u])
		}
	}
	return out
}
