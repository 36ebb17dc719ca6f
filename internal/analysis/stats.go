package analysis

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
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

// PCA of the items' correlation matrix: the share of variance each component explains
// (largest first) and the loadings of the first component (eigenvector × √eigenvalue,
// signed so that most are positive).
func PCA(items [][]float64) (shares []float64, loadings []float64, ok bool) {
	k := len(items)
	if k < 2 || len(items[0]) < 3 {
		return nil, nil, false
	}
	corr := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			r := 1.0
			if i != j {
				r = stat.Correlation(items[i], items[j], nil)
			}
			if math.IsNaN(r) {
				return nil, nil, false
			}
			corr.SetSym(i, j, r)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(corr, true) {
		return nil, nil, false
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	for _, i := range order {
		shares = append(shares, math.Max(vals[i], 0)/float64(k))
	}
	first := order[0]
	pos := 0
	for i := 0; i < k; i++ {
		l := vecs.At(i, first) * math.Sqrt(math.Max(vals[first], 0))
		loadings = append(loadings, l)
		if l > 0 {
			pos++
		}
	}
	if pos*2 < k {
		for i := range loadings {
			loadings[i] = -loadings[i]
		}
	}
	return shares, loadings, true
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
