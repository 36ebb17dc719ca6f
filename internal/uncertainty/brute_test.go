package uncertainty

import (
	"bytes"
	"context"
	"fmt"
	"github.com/egdi/egdi/internal/compute"
	"math"
	"testing"

	"github.com/egdi/egdi/internal/framework"
)

// On a small index, the sampled mean ranks and Sobol indices equal a brute-force
// computation over every combination of the inputs (the weight on a grid of 400
// points, both aggregations, both normalisations), within sampling error.
func TestSampledEqualsBruteForce(t *testing.T) {
	f, err := framework.Parse([]byte(`id: small
root: top
nodes:
  - {id: top, children: [i1, i2, i3]}
indicators:
  - {id: i1, normalise: minmax}
  - {id: i2, normalise: minmax}
  - {id: i3, normalise: minmax}
`), "small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db := newDB(t)
	importCSV(t, db, "s", func(b *bytes.Buffer) error {
		fmt.Fprintln(b, "unit,year,indicator,value")
		vals := [][3]float64{{10, 80, 40}, {30, 20, 90}, {50, 60, 10}, {70, 40, 60}, {90, 10, 30}, {20, 95, 70}, {60, 50, 50}, {85, 70, 20}}
		for u, v := range vals {
			for k, x := range v {
				fmt.Fprintf(b, "U%d,2022,i%d,%v\n", u+1, k+1, x)
			}
		}
		return nil
	})
	d, err := Load(context.Background(), db, f, "s", 2022, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compute.NewPlan(f, d)
	if err != nil {
		t.Fatal(err)
	}
	specs := []string{"weight:i1=0.5..2", "agg:top=arithmetic,geometric", "norm:i2=minmax,rank"}
	var inputs []*Input
	for _, s := range specs {
		in, err := ParseInput(s)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	if err := Resolve(p, inputs); err != nil {
		t.Fatal(err)
	}
	// brute force: every combination, the parameters set by hand
	const grid = 400
	e := p.NewEvaluator()
	nominal := p.Nominal()
	if err := e.Evaluate(&nominal); err != nil {
		t.Fatal(err)
	}
	nomRank := append([]int(nil), e.Rank...)
	units := len(nomRank)
	y := make([][2][2]float64, grid) // y[weight][agg][norm]
	meanRank := make([]float64, units)
	for w := 0; w < grid; w++ {
		for a, agg := range []string{"arithmetic", "geometric"} {
			for n, norm := range []string{"minmax", "rank"} {
				q := p.Nominal()
				q.Weights[0][0] = 0.5 + 1.5*(float64(w)+0.5)/grid
				q.Agg[0] = agg
				q.LeafNorm[1] = norm
				if err := e.Evaluate(&q); err != nil {
					t.Fatal(err)
				}
				shift := 0.0
				for i, r := range e.Rank {
					shift += math.Abs(float64(r - nomRank[i]))
					meanRank[i] += float64(r) / (grid * 4)
				}
				y[w][a][n] = shift / float64(units)
			}
		}
	}
	// exact variance shares over the grid (uniform over the combinations)
	all, mean := 0.0, 0.0
	for w := range y {
		for a := 0; a < 2; a++ {
			for n := 0; n < 2; n++ {
				mean += y[w][a][n] / (grid * 4)
			}
		}
	}
	for w := range y {
		for a := 0; a < 2; a++ {
			for n := 0; n < 2; n++ {
				all += (y[w][a][n] - mean) * (y[w][a][n] - mean) / (grid * 4)
			}
		}
	}
	// first order: the variance of the conditional means
	cond := func(fix int) float64 {
		var means []float64
		switch fix {
		case 0:
			for w := range y {
				means = append(means, (y[w][0][0]+y[w][0][1]+y[w][1][0]+y[w][1][1])/4)
			}
		case 1, 2:
			for v := 0; v < 2; v++ {
				s := 0.0
				for w := range y {
					for o := 0; o < 2; o++ {
						if fix == 1 {
							s += y[w][v][o]
						} else {
							s += y[w][o][v]
						}
					}
				}
				means = append(means, s/(grid*2))
			}
		}
		v := 0.0
		for _, m := range means {
			v += (m - mean) * (m - mean) / float64(len(means))
		}
		return v / all
	}
	// total: the mean over the others of the variance along one
	total := func(fix int) float64 {
		v, cnt := 0.0, 0
		add := func(xs []float64) {
			m := 0.0
			for _, x := range xs {
				m += x / float64(len(xs))
			}
			for _, x := range xs {
				v += (x - m) * (x - m) / float64(len(xs))
			}
			cnt++
		}
		switch fix {
		case 0:
			for a := 0; a < 2; a++ {
				for n := 0; n < 2; n++ {
					var xs []float64
					for w := range y {
						xs = append(xs, y[w][a][n])
					}
					add(xs)
				}
			}
		case 1:
			for w := range y {
				for n := 0; n < 2; n++ {
					add([]float64{y[w][0][n], y[w][1][n]})
				}
			}
		case 2:
			for w := range y {
				for a := 0; a < 2; a++ {
					add([]float64{y[w][a][0], y[w][a][1]})
				}
			}
		}
		return v / float64(cnt) / all
	}
	r, err := Run(context.Background(), p, inputs, Options{Samples: 200000, Seed: 5, Sobol: true, Bootstrap: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.Evaluations != 200000*5 {
		t.Fatalf("%d evaluations, want N·(k+2) = 100000", r.Evaluations)
	}
	for i, x := range r.Indices {
		within(t, "first "+x.Factor, x.First, cond(i), 0.02)
		within(t, "total "+x.Factor, x.Total, total(i), 0.02)
		if !(x.FirstLo <= x.First && x.First <= x.FirstHi && x.TotalLo <= x.Total && x.Total <= x.TotalHi) {
			t.Errorf("%s: the intervals [%v, %v], [%v, %v] do not hold the estimates %v, %v", x.Factor, x.FirstLo, x.FirstHi, x.TotalLo, x.TotalHi, x.First, x.Total)
		}
	}
	for i, u := range r.Units {
		within(t, "mean rank of "+u.Code, u.Mean, meanRank[i], 0.05)
	}
}
