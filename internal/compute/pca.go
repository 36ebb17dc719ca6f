package compute

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

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

// PCAWeights are the weights of the items from their first principal component: the
// squared loadings scaled to sum to 1 (OECD/JRC Handbook, 2008, on weights from
// factor analysis with one factor), which is the squared eigenvector. COINr's get_PCA
// uses the loadings themselves instead (signed, unit length).
func PCAWeights(items [][]float64) ([]float64, bool) {
	_, loadings, ok := PCA(items)
	if !ok {
		return nil, false
	}
	total := 0.0
	for _, l := range loadings {
		total += l * l
	}
	if !(total > 0) {
		return nil, false
	}
	w := make([]float64, len(loadings))
	for i, l := range loadings {
		w[i] = l * l / total
	}
	return w, true
}
