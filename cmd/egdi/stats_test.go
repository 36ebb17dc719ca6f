package main

import "math"

// maeCorr returns the mean absolute error and Pearson correlation of two series.
func maeCorr(x, y []float64) (mae, r float64) {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		mae += math.Abs(x[i] - y[i])
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var cxy, cxx, cyy float64
	for i := range x {
		cxy += (x[i] - mx) * (y[i] - my)
		cxx += (x[i] - mx) * (x[i] - mx)
		cyy += (y[i] - my) * (y[i] - my)
	}
	return mae / n, cxy / math.Sqrt(cxx*cyy)
}
