package uncertainty

import (
	"context"
	"fmt"
	"github.com/egdi/egdi/internal/compute"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/egdi/egdi/internal/store"
)

// Options of a run.
type Options struct {
	Samples int    // replications; with Sobol, base samples (N)
	Seed    uint64 // the run's seed: every replication's generator derives from it and its number
	Sobol   bool   // a Saltelli design of N·(k+2) evaluations, and Sobol indices
	PerUnit bool   // Sobol indices of each unit's rank too
	Workers int    // goroutines; 0: one per core. Results do not depend on it.
	// Progress, when set, is called from time to time with the evaluations done.
	Progress func(done, total int)
	// Bootstrap resamples for the Sobol indices' intervals (default 1000).
	Bootstrap int
}

// Result is a run's every evaluation and its summaries.
type Result struct {
	Inputs      []*Input
	Samples     int
	Evaluations int
	Seed        uint64
	Sobol       bool
	Dim         int         // uniform numbers per evaluation
	U           []float64   // Evaluations × Dim: the numbers each evaluation was drawn from
	Ranks       []int32     // Evaluations × units: each unit's rank (0: no value)
	Values      []float64   // Evaluations × units: each unit's root value (NaN: none)
	Units       []UnitStats // target-year units, in the plan's order
	Indices     []Index     // Sobol indices (Sobol only)
	Shift       []float64   // per evaluation: the mean absolute rank shift from the nominal ranking
	NoValue     int         // evaluations in which a unit ranked at the framework's choices got no value
	Bands       []string    // the framework's bands, in order
}

// UnitStats summarises one unit's ranks over the evaluations.
type UnitStats struct {
	Code, Name   string
	NameZh       string
	NominalValue float64
	NominalRank  int
	Ranked       int // evaluations in which it has a rank
	Mean, Median float64
	P05, P95     float64
	BandShare    []float64 // per band of Result.Bands: the share of evaluations in it
}

// Index is one input's Sobol indices with bootstrap 95% intervals, for the mean
// absolute rank shift (Unit "") or one unit's rank.
type Index struct {
	Factor                  string
	Unit                    string
	First, FirstLo, FirstHi float64
	Total, TotalLo, TotalHi float64
}

// Run evaluates the plan under the inputs: Samples replications drawn at random, or
// with Sobol a Saltelli design. Evaluation e draws its numbers from a generator seeded
// by (Seed, e) (with Sobol, base sample j from (Seed, j)), so the results are the same
// whatever the number of workers. ctx stops it between evaluations.
func Run(ctx context.Context, p *compute.Plan, inputs []*Input, o Options) (*Result, error) {
	if o.Samples < 1 {
		return nil, fmt.Errorf("--samples must be at least 1")
	}
	k := len(inputs)
	if k == 0 {
		return nil, fmt.Errorf("give at least one --vary")
	}
	if o.Sobol && o.Samples < 2 {
		return nil, fmt.Errorf("--sobol needs --samples of at least 2 base samples (100 or more for useful intervals)")
	}
	offs := make([]int, k+1)
	for i, in := range inputs {
		offs[i+1] = offs[i] + in.Dim
	}
	dim := offs[k]
	evals := o.Samples
	if o.Sobol {
		evals = o.Samples * (k + 2)
	}
	const limit = 50_000_000 // ranks and values kept: 12 bytes each
	units := len(p.Target())
	if evals*units > limit {
		return nil, fmt.Errorf("%d evaluations × %d units is more than egdi keeps (%d ranks, about %d MB); use fewer --samples", evals, units, limit, limit*12/1_000_000)
	}
	r := &Result{Inputs: inputs, Samples: o.Samples, Evaluations: evals, Seed: o.Seed, Sobol: o.Sobol, Dim: dim,
		Ranks: make([]int32, evals*units), Values: make([]float64, evals*units)}
	for _, b := range p.F.Bands {
		r.Bands = append(r.Bands, b.ID)
	}
	dims := make([]int, k)
	for i, in := range inputs {
		dims[i] = in.Dim
	}
	r.U = Design(o.Samples, dims, o.Seed, o.Sobol)
	nominal := p.Nominal()
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, evals))
	evaluated := store.Step("uncertainty: evaluations")
	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	const chunk = 16
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			e := p.NewEvaluator()
			q := p.Nominal()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= evals {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				for ev := start; ev < min(start+chunk, evals); ev++ {
					reset(&q, &nominal)
					u := r.U[ev*dim : (ev+1)*dim]
					for i, in := range inputs {
						in.Apply(u[offs[i]:offs[i+1]], &q, &nominal)
					}
					if err := e.Evaluate(&q); err != nil {
						errs[w] = err
						return
					}
					for i := range e.Rank {
						r.Ranks[ev*units+i] = int32(e.Rank[i])
						r.Values[ev*units+i] = e.Value[i]
					}
				}
				if n := done.Add(int64(min(chunk, evals-start))); o.Progress != nil && w == 0 {
					o.Progress(int(n), evals)
				}
			}
		}(w)
	}
	wg.Wait()
	evaluated()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if o.Progress != nil {
		o.Progress(evals, evals)
	}
	// the framework's own ranking, evaluated here: the reference of every shift
	e := p.NewEvaluator()
	if err := e.Evaluate(&nominal); err != nil {
		return nil, err
	}
	summarised := store.Step("uncertainty: summaries")
	r.summarise(p, e)
	if o.Sobol {
		r.sobol(o, units)
	}
	summarised()
	return r, nil
}

// Design draws the numbers of every evaluation (evaluation e's dims numbers at
// [e·Σdims, (e+1)·Σdims)): samples rows at random, row e from a generator seeded by
// (seed, e); with sobol, a Saltelli design of samples base rows, each from (seed, j):
// A_j, B_j, then A_j with input i's numbers from B_j for each input i, so N·(k+2)
// rows. An input of several numbers (noisy weights) is swapped as one block.
func Design(samples int, dims []int, seed uint64, sobol bool) []float64 {
	k := len(dims)
	offs := make([]int, k+1)
	for i, d := range dims {
		offs[i+1] = offs[i] + d
	}
	dim := offs[k]
	if !sobol {
		u := make([]float64, samples*dim)
		for e := 0; e < samples; e++ {
			g := rand.New(rand.NewPCG(seed, uint64(e)))
			for d := 0; d < dim; d++ {
				u[e*dim+d] = g.Float64()
			}
		}
		return u
	}
	u := make([]float64, samples*(k+2)*dim)
	ab := make([]float64, 2*dim)
	for j := 0; j < samples; j++ {
		g := rand.New(rand.NewPCG(seed, uint64(j)))
		for d := range ab {
			ab[d] = g.Float64()
		}
		a, b := ab[:dim], ab[dim:]
		base := j * (k + 2)
		copy(u[base*dim:], a)
		copy(u[(base+1)*dim:], b)
		for i := 0; i < k; i++ {
			row := u[(base+2+i)*dim : (base+3+i)*dim]
			copy(row, a)
			copy(row[offs[i]:offs[i+1]], b[offs[i]:offs[i+1]])
		}
	}
	return u
}

// reset sets q to the nominal choices without allocating.
func reset(q, nominal *compute.Params) {
	copy(q.Impute, nominal.Impute)
	copy(q.MaxPoints, nominal.MaxPoints)
	copy(q.LeafNorm, nominal.LeafNorm)
	copy(q.NodeNorm, nominal.NodeNorm)
	copy(q.Agg, nominal.Agg)
	copy(q.Drop, nominal.Drop)
	for i := range q.Weights {
		copy(q.Weights[i], nominal.Weights[i])
	}
}

func (r *Result) summarise(p *compute.Plan, nom *compute.Evaluator) {
	units := len(p.Target())
	r.Units = make([]UnitStats, units)
	// ranks are whole numbers from 1 to the units: a count of each gives the mean and
	// the quantiles exactly, without sorting
	counts := make([]int, units+2)
	for i, row := range p.Target() {
		u := &r.Units[i]
		u.Code, u.Name, u.NameZh = p.D.Units[row].Code, p.D.Units[row].Name, p.D.Units[row].NameZh
		u.NominalValue, u.NominalRank = nom.Value[i], nom.Rank[i]
		u.BandShare = make([]float64, len(r.Bands))
		clear(counts)
		sum := 0
		for ev := 0; ev < r.Evaluations; ev++ {
			if rk := int(r.Ranks[ev*units+i]); rk > 0 {
				counts[rk]++
				sum += rk
				u.Ranked++
				if len(r.Bands) > 0 {
					if b := p.BandIndex(r.Values[ev*units+i]); b >= 0 {
						u.BandShare[b]++
					}
				}
			}
		}
		u.Mean, u.Median, u.P05, u.P95 = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if u.Ranked > 0 {
			u.Mean = float64(sum) / float64(u.Ranked)
			u.Median, u.P05, u.P95 = countQuantile(counts, u.Ranked, 0.5), countQuantile(counts, u.Ranked, 0.05), countQuantile(counts, u.Ranked, 0.95)
			for b := range u.BandShare {
				u.BandShare[b] /= float64(u.Ranked)
			}
		}
	}
	r.Shift = make([]float64, r.Evaluations)
	for ev := 0; ev < r.Evaluations; ev++ {
		sum, n, lost := 0.0, 0, false
		for i := 0; i < units; i++ {
			nr := nom.Rank[i]
			if nr == 0 {
				continue
			}
			rk := r.Ranks[ev*units+i]
			if rk == 0 {
				lost = true
				continue
			}
			sum += math.Abs(float64(int(rk) - nr))
			n++
		}
		if lost {
			r.NoValue++
		}
		r.Shift[ev] = math.NaN()
		if n > 0 {
			r.Shift[ev] = sum / float64(n)
		}
	}
}

// sobol estimates each input's first-order index (Saltelli et al. 2010) and total index
// (Jansen 1999) from the design's outputs, with bootstrap percentile intervals.
func (r *Result) sobol(o Options, units int) {
	k := len(r.Inputs)
	n := r.Samples
	boot := o.Bootstrap
	if boot <= 0 {
		boot = 1000
	}
	outputs := []struct {
		unit string
		y    func(ev int) float64
	}{{"", func(ev int) float64 { return r.Shift[ev] }}}
	if o.PerUnit {
		for i := range r.Units {
			i := i
			outputs = append(outputs, struct {
				unit string
				y    func(ev int) float64
			}{r.Units[i].Code, func(ev int) float64 {
				if rk := r.Ranks[ev*units+i]; rk > 0 {
					return float64(rk)
				}
				return math.NaN()
			}})
		}
	}
	fa, fb, fab := make([]float64, n), make([]float64, n), make([][]float64, k)
	for i := range fab {
		fab[i] = make([]float64, n)
	}
	idx := make([]int, n)
	for _, out := range outputs {
		for j := 0; j < n; j++ {
			base := j * (k + 2)
			fa[j], fb[j] = out.y(base), out.y(base+1)
			for i := 0; i < k; i++ {
				fab[i][j] = out.y(base + 2 + i)
			}
		}
		for i := range idx {
			idx[i] = i
		}
		first, total := SobolIndices(fa, fb, fab, idx)
		lo1, hi1, loT, hiT := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
		bs1, bsT := make([][]float64, k), make([][]float64, k)
		g := rand.New(rand.NewPCG(o.Seed^0x9e3779b97f4a7c15, 0xb007))
		for b := 0; b < boot; b++ {
			for j := range idx {
				idx[j] = g.IntN(n)
			}
			s1, sT := SobolIndices(fa, fb, fab, idx)
			for i := 0; i < k; i++ {
				bs1[i] = append(bs1[i], s1[i])
				bsT[i] = append(bsT[i], sT[i])
			}
		}
		for i := 0; i < k; i++ {
			lo1[i], hi1[i] = interval(bs1[i])
			loT[i], hiT[i] = interval(bsT[i])
			r.Indices = append(r.Indices, Index{Factor: r.Inputs[i].Text, Unit: out.unit,
				First: first[i], FirstLo: lo1[i], FirstHi: hi1[i], Total: total[i], TotalLo: loT[i], TotalHi: hiT[i]})
		}
	}
}

// countQuantile is the type-7 quantile (quantile) of m whole numbers given as counts
// (counts[v] values equal to v).
func countQuantile(counts []int, m int, q float64) float64 {
	h := q * float64(m-1)
	lo := int(math.Floor(h))
	at := func(k int) float64 { // the k-th smallest, from 0
		seen := 0
		for v, c := range counts {
			seen += c
			if seen > k {
				return float64(v)
			}
		}
		return math.NaN()
	}
	a := at(lo)
	if lo+1 >= m {
		return a
	}
	return a + (h-float64(lo))*(at(lo+1)-a)
}

// interval is the 2.5 and 97.5 percentiles of the finite values.
func interval(xs []float64) (float64, float64) {
	var f []float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			f = append(f, x)
		}
	}
	if len(f) == 0 {
		return math.NaN(), math.NaN()
	}
	sort.Float64s(f)
	return compute.Quantile(f, 0.025), compute.Quantile(f, 0.975)
}

// SobolIndices estimates first-order and total Sobol indices from a Saltelli design's
// outputs fA, fB and fAB[i] (A with input i's columns from B), over the base samples
// idx (all of them, or a bootstrap resample): S_i = mean(fB·(fAB_i − fA)) / V
// (Saltelli et al. 2010) and ST_i = mean((fA − fAB_i)²) / (2V) (Jansen 1999), V the
// variance of fA and fB together. Samples with a missing output are left out; an
// output without variance gives NaN.
func SobolIndices(fa, fb []float64, fab [][]float64, idx []int) (first, total []float64) {
	k := len(fab)
	first, total = make([]float64, k), make([]float64, k)
	var sum float64
	m := 0
	for _, j := range idx {
		for _, y := range [2]float64{fa[j], fb[j]} {
			if !math.IsNaN(y) {
				sum += y
				m++
			}
		}
	}
	v := math.NaN()
	if m > 1 {
		mean, ss := sum/float64(m), 0.0
		for _, j := range idx {
			for _, y := range [2]float64{fa[j], fb[j]} {
				if !math.IsNaN(y) {
					ss += (y - mean) * (y - mean)
				}
			}
		}
		v = ss / float64(m)
	}
	for i := 0; i < k; i++ {
		var s1, sT float64
		c := 0
		for _, j := range idx {
			a, b, ab := fa[j], fb[j], fab[i][j]
			if math.IsNaN(a) || math.IsNaN(b) || math.IsNaN(ab) {
				continue
			}
			s1 += b * (ab - a)
			sT += (a - ab) * (a - ab)
			c++
		}
		first[i], total[i] = math.NaN(), math.NaN()
		if c > 0 && v > 0 {
			first[i] = s1 / float64(c) / v
			total[i] = sT / float64(c) / 2 / v
		}
	}
	return first, total
}
