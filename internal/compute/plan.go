package compute

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/egdi/egdi/internal/framework"
)

// Data is what a plan evaluates: the framework's indicator values after denomination,
// screening and imputation (c_raw), one column per indicator and
// imputation alternative, over rows that are (year, unit) pairs. Only the target year's
// rows are ranked; other years are there when the framework normalises over every year.
type Data struct {
	Year   int      // the year ranked
	Units  []Unit   // one per row
	Years  []int    // each row's year
	Leaves []string // indicator ids, framework order (UsedIndicators)
	// Raw[a][l][r] is indicator l's value in row r under imputation alternative a
	// (alternative 0 is the framework's own); NaN where the unit has none.
	Raw [][][]float64
	// Imputes names each alternative per indicator: Imputes[a][l] is the rule that
	// produced Raw[a][l].
	Imputes [][]string
	// Checksum is egdi compute's checksum of the target year's inputs (runs.inputs_checksum).
	Checksum string
	// Synthetic says the dataset is a synthetic sample (every output says so).
	Synthetic bool
}

// Unit is a row's unit.
type Unit struct {
	Key                uint64
	Code, Name, NameZh string
}

// Params are the choices of one evaluation. A nil slice means the framework's own
// choice for every element.
type Params struct {
	Impute    []int       // per indicator: the imputation alternative (index into Data.Raw)
	MaxPoints []int       // per indicator: winsorisation points (skew-kurtosis rule); −1 = the framework's
	LeafNorm  []string    // per indicator: normalisation method (a method of Methods)
	NodeNorm  []string    // per node
	Agg       []string    // per node: arithmetic, geometric, harmonic
	Weights   [][]float64 // per node, per child
	Drop      []int       // per node: the child left out, −1 for none
}

// Plan is a framework compiled for fast evaluation over one Data: indicators and nodes
// by number, children by reference, levels in order. It holds no per-evaluation state;
// an Evaluator does.
type Plan struct {
	F        *framework.Framework
	D        *Data
	leaves   []*framework.Indicator
	nodes    []*framework.Node
	order    []int        // node numbers, children before parents
	kids     [][]childRef // per node
	plain    []bool       // per node: SQL's plain mean (every weight of its level is 1)
	root     int
	target   []int   // rows of the target year
	groups   [][]int // rows per partition of the normalisations: one per year, or one over all
	yearRows map[int][]int
	years    []int // the years of the rows, in order
	levelEnd []int // per level: its end in order
	// under marks the nodes the root's value depends on: only they are evaluated
	// (AllNodes evaluates the others too, the supplementary indices such as the EPI).
	under []bool
	pow   float64 // 10^digits, for rounding the root before ranking
}

// AllNodes makes the plan evaluate every node, not only those under the root.
func (p *Plan) AllNodes() {
	for i := range p.under {
		p.under[i] = true
	}
}

type childRef struct {
	leaf bool
	i    int
	w    float64
}

// NewPlan compiles f over d.
func NewPlan(f *framework.Framework, d *Data) (*Plan, error) {
	p := &Plan{F: f, D: d, root: -1, yearRows: map[int][]int{}, pow: math.Pow(10, float64(f.Digits))}
	leafNum := map[string]int{}
	for i, id := range d.Leaves {
		p.leaves = append(p.leaves, f.Indicator(id))
		leafNum[id] = i
	}
	nodeNum := map[string]int{}
	for i, n := range f.Nodes {
		nodeNum[n.ID] = i
		p.nodes = append(p.nodes, n)
		if n.ID == f.Root {
			p.root = i
		}
	}
	if p.root < 0 {
		return nil, fmt.Errorf("framework %s has no root node %q", f.ID, f.Root)
	}
	p.kids = make([][]childRef, len(f.Nodes))
	p.plain = make([]bool, len(f.Nodes))
	for _, level := range f.Levels() {
		plain := true
		for _, n := range level {
			plain = plain && n.Weights != "pca"
			for _, c := range n.Children {
				plain = plain && c.Weight == 1
			}
		}
		p.levelEnd = append(p.levelEnd, len(p.order)+len(level))
		for _, n := range level {
			i := nodeNum[n.ID]
			p.order = append(p.order, i)
			p.plain[i] = plain
			for _, c := range n.Children {
				if l, ok := leafNum[c.ID]; ok {
					p.kids[i] = append(p.kids[i], childRef{leaf: true, i: l, w: c.Weight})
				} else if j, ok := nodeNum[c.ID]; ok {
					p.kids[i] = append(p.kids[i], childRef{i: j, w: c.Weight})
				} else {
					return nil, fmt.Errorf("node %s: child %s is neither a node nor an indicator", n.ID, c.ID)
				}
			}
		}
	}
	p.under = make([]bool, len(p.nodes))
	var mark func(i int)
	mark = func(i int) {
		p.under[i] = true
		for _, k := range p.kids[i] {
			if !k.leaf {
				mark(k.i)
			}
		}
	}
	mark(p.root)
	for r, y := range d.Years {
		if _, ok := p.yearRows[y]; !ok {
			p.years = append(p.years, y)
		}
		p.yearRows[y] = append(p.yearRows[y], r)
		if y == d.Year {
			p.target = append(p.target, r)
		}
	}
	sort.Ints(p.years)
	if f.NormaliseOver == "all" {
		all := make([]int, len(d.Years))
		for r := range all {
			all[r] = r
		}
		p.groups = [][]int{all}
	} else {
		for _, y := range p.years {
			p.groups = append(p.groups, p.yearRows[y])
		}
	}
	return p, nil
}

// Nominal is the framework's own choice of every parameter.
func (p *Plan) Nominal() Params {
	q := Params{
		Impute:    make([]int, len(p.leaves)),
		MaxPoints: make([]int, len(p.leaves)),
		LeafNorm:  make([]string, len(p.leaves)),
		NodeNorm:  make([]string, len(p.nodes)),
		Agg:       make([]string, len(p.nodes)),
		Weights:   make([][]float64, len(p.nodes)),
		Drop:      make([]int, len(p.nodes)),
	}
	for l, in := range p.leaves {
		q.LeafNorm[l], q.MaxPoints[l] = in.Normalise, -1
	}
	for i, n := range p.nodes {
		q.NodeNorm[i], q.Agg[i], q.Drop[i] = n.Normalise, n.Aggregate, -1
		q.Weights[i] = make([]float64, len(p.kids[i]))
		for j, k := range p.kids[i] {
			q.Weights[i][j] = k.w
		}
	}
	return q
}

// col is a column of values over the rows: ok says the row has one (a row of c_raw or
// c_val), v is NaN where that value is SQL's NULL.
type col struct {
	v    []float64
	ok   []bool
	full bool // every row has a value, none NULL
	// wins are what winsorisation did each year, for an indicator it treats (treat)
	wins []Winsorised
}

// Winsorised is what an indicator's winsorisation did in one year: the quantiles'
// clamps and the values they moved (Lo, Hi, Points), or the skew-kurtosis rule's whole
// record.
type Winsorised struct {
	Year int
	Treatment
}

// setFull records whether every row has a value.
func (c *col) setFull() {
	c.full = true
	for r, ok := range c.ok {
		if !ok || math.IsNaN(c.v[r]) {
			c.full = false
			return
		}
	}
}

func newCol(n int) col {
	c := col{v: make([]float64, n), ok: make([]bool, n)}
	for i := range c.v {
		c.v[i] = math.NaN()
	}
	return c
}

// Evaluator evaluates a plan again and again, keeping each indicator's treated and
// normalised column per choice: a replication recomputes only what its choices change.
// Not safe for concurrent use: give each goroutine its own.
type Evaluator struct {
	p     *Plan
	cache map[leafKey]col
	nodes []col
	// scratch space, reused by every evaluation
	cols  []col
	ws    []float64
	raw   []float64
	rows  []int
	order []ranked
	rv    []float64
	// Value and Rank of the last evaluation, per row of the target year (p.target order);
	// Rank 0 where the unit has no root value.
	Value []float64
	Rank  []int
	// Weights are the weights a weights: pca node derived in the last evaluation (with
	// none of its children dropped): node number → year → weight per child.
	Weights map[int]map[int][]float64
	// Level, when set, hears each level evaluated (done of total).
	Level func(done, total int)
}

type leafKey struct {
	leaf, imp, points int
	norm              string
}

// NewEvaluator makes an evaluator of p.
func (p *Plan) NewEvaluator() *Evaluator {
	e := &Evaluator{p: p, cache: map[leafKey]col{}, nodes: make([]col, len(p.nodes)), Weights: map[int]map[int][]float64{}}
	for i := range e.nodes {
		e.nodes[i] = newCol(len(p.D.Years))
	}
	e.Value = make([]float64, len(p.target))
	e.Rank = make([]int, len(p.target))
	return e
}

// Node is node i's value in each row after the last evaluation (NaN: none).
func (e *Evaluator) Node(i int) []float64 { return e.nodes[i].v }

// Has reports whether row r has a value of node i after the last evaluation.
func (e *Evaluator) Has(i, r int) bool { return e.nodes[i].ok[r] }

// Leaf is indicator l's treated and normalised column under q.
func (e *Evaluator) Leaf(l int, q *Params) ([]float64, []bool) {
	c := e.leaf(l, q)
	return c.v, c.ok
}

// Prepare treats and normalises, with workers goroutines, every indicator column q
// needs that the evaluator does not hold yet: one evaluation of a large framework
// spends most of its time there, one indicator at a time otherwise.
func (e *Evaluator) Prepare(q *Params, workers int) {
	var todo []leafKey
	for l := range e.p.leaves {
		k := leafKey{leaf: l, imp: q.Impute[l], points: q.MaxPoints[l], norm: q.LeafNorm[l]}
		if _, ok := e.cache[k]; !ok {
			todo = append(todo, k)
		}
	}
	cols := make([]col, len(todo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, len(todo))) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(todo); i = int(next.Add(1) - 1) {
				cols[i] = e.p.leafColumn(todo[i].leaf, todo[i])
			}
		})
	}
	wg.Wait()
	for i, k := range todo {
		e.cache[k] = cols[i]
	}
}

func (e *Evaluator) leaf(l int, q *Params) col {
	k := leafKey{leaf: l, imp: q.Impute[l], points: q.MaxPoints[l], norm: q.LeafNorm[l]}
	if c, ok := e.cache[k]; ok {
		return c
	}
	c := e.p.leafColumn(l, k)
	e.cache[k] = c
	return c
}

// leafColumn treats and normalises one indicator: cap and floor, winsorisation (quantiles or the
// skew-kurtosis rule, each year) or the rule's fallback, transform, direction, then the
// normalisation over each partition.
func (p *Plan) leafColumn(l int, k leafKey) col {
	in := p.leaves[l]
	x := p.treat(l, k)
	n := len(x.v)
	dir := 1.0
	if in.Direction == "negative" {
		dir = -1
	}
	m := method(k.norm)
	// v is the value in its direction, which the forms read but goalposts, target and
	// best (they read x and apply the direction themselves): x itself when that is the
	// same (the columns are only read from here on)
	v := x.v
	switch m.name {
	case framework.NormGoalposts, framework.NormTarget, framework.NormBest:
	default:
		if dir != 1 {
			v = make([]float64, n)
			for r := range v {
				v[r] = dir * x.v[r]
			}
		}
	}
	out := newCol(n)
	copy(out.ok, x.ok)
	out.wins = x.wins
	pr := make([]int, 0, n)
	for _, rows := range p.groups {
		pr = pr[:0]
		for _, r := range rows {
			if x.ok[r] {
				pr = append(pr, r)
			}
		}
		if len(pr) == 0 {
			continue
		}
		s := statsOf(v, x.v, pr, in.SD, m.ranks())
		if normaliseRows(m, v, pr, &s, p.F.Scale, out.v) {
			continue
		}
		switch m.name {
		case framework.NormReference:
			s.vref = math.NaN()
			for _, r := range pr {
				if p.D.Units[r].Code == in.Reference && (math.IsNaN(s.vref) || v[r] > s.vref) {
					s.vref = v[r]
				}
			}
		}
		for _, r := range pr {
			out.v[r] = p.normaliseLeaf(m, in, dir, v[r], x.v[r], &s)
		}
	}
	out.setFull()
	return out
}

// Winsorisations are what indicator l's winsorisation did under q, year by year (none
// when it is not winsorised).
func (e *Evaluator) Winsorisations(l int, q *Params) []Winsorised { return e.leaf(l, q).wins }

// Treated is indicator l under q after its treatment (cap and floor, winsorisation or
// its fallback, transform), before its direction and normalisation.
func (e *Evaluator) Treated(l int, q *Params) ([]float64, []bool) {
	x := e.p.treat(l, leafKey{leaf: l, imp: q.Impute[l], points: q.MaxPoints[l], norm: q.LeafNorm[l]})
	return x.v, x.ok
}

// treat is indicator l's column treated (leafColumn's first part).
func (p *Plan) treat(l int, k leafKey) col {
	in := p.leaves[l]
	raw := p.D.Raw[k.imp][l]
	x := newCol(len(raw))
	for r, v := range raw {
		if math.IsNaN(v) {
			continue
		}
		x.ok[r] = true
		if in.Cap != nil && v > *in.Cap {
			v = *in.Cap
		} else if in.Floor != nil && v < *in.Floor {
			v = *in.Floor
		}
		x.v[r] = v
	}
	if w := in.Winsorise; w != nil {
		for _, rows := range p.yearGroups() {
			var vs []float64
			for _, r := range rows {
				if x.ok[r] {
					vs = append(vs, x.v[r])
				}
			}
			if len(vs) == 0 {
				continue
			}
			year := p.D.Years[rows[0]]
			if w.Rule == "" {
				lo, hi := math.Inf(-1), math.Inf(1)
				sorted := slices.Clone(vs)
				sort.Float64s(sorted)
				t := Winsorised{Year: year}
				if w.Lower != nil {
					lo = Quantile(sorted, *w.Lower)
					t.Lo = &lo
				}
				if w.Upper != nil {
					hi = Quantile(sorted, *w.Upper)
					t.Hi = &hi
				}
				for _, r := range rows {
					if x.ok[r] {
						if x.v[r] < lo || x.v[r] > hi {
							t.Points++
						}
						x.v[r] = clamp(x.v[r], lo, hi)
					}
				}
				x.wins = append(x.wins, t)
				continue
			}
			ww := *w
			if k.points >= 0 {
				ww.MaxPoints = k.points
			}
			t := SkewKurtosis(vs, &ww)
			x.wins = append(x.wins, Winsorised{Year: year, Treatment: t})
			for _, r := range rows {
				if !x.ok[r] {
					continue
				}
				if t.Fallback != "" {
					x.v[r] = Fallback(x.v[r], t.Min, t.Range, &ww)
					continue
				}
				if t.Hi != nil && x.v[r] > *t.Hi {
					x.v[r] = *t.Hi
				} else if t.Lo != nil && x.v[r] < *t.Lo {
					x.v[r] = *t.Lo
				}
			}
		}
	}
	switch in.Transform {
	case framework.TransformLog:
		for r := range x.v {
			x.v[r] = math.Log(x.v[r])
		}
	case framework.TransformLog1p:
		for r := range x.v {
			x.v[r] = math.Log(1 + x.v[r])
		}
	}
	return x
}

// yearGroups are the rows of each year (winsorisation is per year whatever the
// normalisation's partition).
func (p *Plan) yearGroups() [][]int {
	out := make([][]int, len(p.years))
	for i, y := range p.years {
		out[i] = p.yearRows[y]
	}
	return out
}

// stats are a partition's statistics of v (and of x, the value before its direction);
// sorted are its values of v in order, without NaN, for the rank normalisations.
type stats struct {
	n                int
	mu, sd, mn, mx   float64
	xmin, xmax, vref float64
	sorted           []float64
}

func statsOf(v, x []float64, rows []int, sdKind string, ranks bool) stats {
	s := stats{n: len(rows), mn: math.Inf(1), mx: math.Inf(-1), xmin: math.Inf(1), xmax: math.Inf(-1)}
	if ranks {
		s.sorted = make([]float64, 0, len(rows))
		for _, r := range rows {
			if !math.IsNaN(v[r]) {
				s.sorted = append(s.sorted, v[r])
			}
		}
		sort.Float64s(s.sorted)
	}
	sum := 0.0
	for _, r := range rows {
		a, b := v[r], x[r]
		sum += a
		if a < s.mn {
			s.mn = a
		}
		if a > s.mx {
			s.mx = a
		}
		if b < s.xmin {
			s.xmin = b
		}
		if b > s.xmax {
			s.xmax = b
		}
	}
	s.mu = sum / float64(len(rows))
	ss := 0.0
	for _, r := range rows {
		d := v[r] - s.mu
		ss += d * d
	}
	if sdKind == framework.SDSample {
		s.sd = math.NaN()
		if len(rows) > 1 {
			s.sd = math.Sqrt(ss / float64(len(rows)-1))
		}
	} else {
		s.sd = math.Sqrt(ss / float64(len(rows)))
	}
	return s
}

// Method is a normalisation with, for min-max and z-score, COINr's parameters: min-max
// onto [Lo, Hi] and z-scores of mean Lo and standard deviation Hi (COINr's n_minmax and
// n_zscore with f_n_para). Without parameters a method is the framework's.
type Method struct {
	name   string
	lo, hi float64
	param  bool
}

// ranks says the method normalises by rank (rank, Borda, percentile).
func (m Method) ranks() bool {
	return m.name == framework.NormRank || m.name == framework.NormBorda || m.name == framework.NormPercentile
}

// Name is the method's name (minmax, zscore, …).
func (m Method) Name() string { return m.name }

// method parses "minmax", "minmax(1,100)", "zscore(10,2)".
func method(s string) Method {
	m, err := ParseMethod(s)
	if err != nil {
		return Method{name: s}
	}
	return m
}

// ParseMethod reads a normalisation choice: a method name, or minmax(LO,HI) or
// zscore(MEAN,SD).
func ParseMethod(s string) (Method, error) {
	open := -1
	for i, c := range s {
		if c == '(' {
			open = i
			break
		}
	}
	if open < 0 {
		return Method{name: s}, nil
	}
	name := s[:open]
	if name != framework.NormMinMax && name != framework.NormZScore || s[len(s)-1] != ')' {
		return Method{}, fmt.Errorf("%q: only minmax(LO,HI) and zscore(MEAN,SD) take parameters", s)
	}
	var a, b float64
	if _, err := fmt.Sscanf(s[open:], "(%g,%g)", &a, &b); err != nil {
		return Method{}, fmt.Errorf("%q: write minmax(LO,HI) or zscore(MEAN,SD) with two numbers", s)
	}
	if math.IsNaN(a) || math.IsInf(a, 0) || math.IsNaN(b) || math.IsInf(b, 0) || (name == framework.NormMinMax && !(b > a)) || (name == framework.NormZScore && !(b > 0)) {
		return Method{}, fmt.Errorf("%q: minmax needs LO < HI and zscore SD > 0, finite numbers", s)
	}
	return Method{name: name, lo: a, hi: b, param: true}, nil
}

// normaliseLeaf is one indicator value normalised (compute's normalise, leaf forms).
func (p *Plan) normaliseLeaf(m Method, in *framework.Indicator, dir, v, x float64, s *stats) float64 {
	scale := p.F.Scale
	switch m.name {
	case framework.NormGoalposts:
		lo, hi := in.Goalposts[0], in.Goalposts[1]
		g := math.Max(0, math.Min(1, (x-lo)/(hi-lo)))
		if dir < 0 {
			g = 1 - g
		}
		return g * scale
	case framework.NormTarget:
		var t float64
		if dir > 0 {
			t = x / *in.Target
		} else {
			t = nullDiv(*in.Target, x)
		}
		return least(t, 1) * scale
	case framework.NormDistTarget:
		t := nullDiv(v-s.mn, dir**in.Target-s.mn)
		if in.CapTarget {
			t = least(t, 1)
		}
		return t * scale
	case framework.NormReference:
		t := nullDiv(v-s.mn, s.vref-s.mn)
		if in.CapTarget {
			t = least(t, 1)
		}
		return t * scale
	case framework.NormBest:
		if dir > 0 {
			return nullDiv(x, s.xmax) * scale
		}
		return nullDiv(s.xmin, x) * scale
	}
	return normaliseCommon(m, v, s, scale)
}

// normaliseCommon holds the forms nodes and indicators share.
func normaliseCommon(m Method, v float64, s *stats, scale float64) float64 {
	switch m.name {
	case framework.NormZScore:
		return normZScore(m, v, s)
	case framework.NormMinMax:
		return normMinMax(m, v, s, scale)
	case framework.NormRank, framework.NormBorda, framework.NormPercentile:
		below := 0 // the values below v: SQL's rank() OVER (ORDER BY v) is one more
		if !math.IsNaN(v) {
			below = sort.SearchFloat64s(s.sorted, v)
		}
		rk := float64(below + 1)
		switch m.name {
		case framework.NormRank:
			return rk
		case framework.NormBorda:
			return rk - 1
		}
		if s.n == 1 {
			return 0
		}
		return (rk - 1) / float64(s.n-1) * scale
	case framework.NormBest:
		return nullDiv(v, s.xmax) * scale
	}
	return v
}

// normaliseRows normalises rows pr of v into out, over their statistics s, when m is
// one of the two usual forms (z-score, min-max), in a loop of its own: normaliseLeaf
// and normaliseCommon choose their form value by value. It reports whether it did.
func normaliseRows(m Method, v []float64, pr []int, s *stats, scale float64, out []float64) bool {
	switch m.name {
	case framework.NormZScore:
		for _, r := range pr {
			out[r] = normZScore(m, v[r], s)
		}
	case framework.NormMinMax:
		for _, r := range pr {
			out[r] = normMinMax(m, v[r], s, scale)
		}
	default:
		return false
	}
	return true
}

// normZScore is v's z-score in s, or COINr's of mean m.lo and standard deviation m.hi
// (0 when s has no spread).
func normZScore(m Method, v float64, s *stats) float64 {
	z := 0.0
	if s.sd > 0 {
		z = (v - s.mu) / s.sd
	}
	if m.param {
		return m.lo + m.hi*z
	}
	return z
}

// normMinMax is v's place between s's least and greatest values, on 0…scale or on
// m.lo…m.hi (the middle when s has no spread).
func normMinMax(m Method, v float64, s *stats, scale float64) float64 {
	t := 0.5
	if s.mx > s.mn {
		t = (v - s.mn) / (s.mx - s.mn)
	}
	if m.param {
		return m.lo + (m.hi-m.lo)*t
	}
	return t * scale
}

// least is SQL's least(t, c): NULLs are ignored, so a NULL t gives c.
func least(t, c float64) float64 {
	if math.IsNaN(t) {
		return c
	}
	return math.Min(t, c)
}

// nullDiv is SQL's a / nullif(b, 0): NaN (NULL) for a zero divisor.
func nullDiv(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

func clamp(x, lo, hi float64) float64 {
	if x > hi {
		return hi
	}
	if x < lo {
		return lo
	}
	return x
}

// Quantile is DuckDB's quantile_cont (R's type 7) of sorted values.
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// Evaluate computes every node under q and ranks the root in the target year.
func (e *Evaluator) Evaluate(q *Params) error {
	p := e.p
	n := len(p.D.Years)
	eps := 1e-6 * p.F.Scale
	level := 0
	for k, i := range p.order {
		if e.Level != nil && k == p.levelEnd[level] {
			level++
			e.Level(level, len(p.levelEnd))
		}
		node := p.nodes[i]
		kids := p.kids[i]
		drop := q.Drop[i]
		// the children's columns and weights
		if !p.under[i] {
			continue
		}
		cols, ws := e.cols[:0], e.ws[:0]
		for j, k := range kids {
			if j == drop {
				continue
			}
			if k.leaf {
				cols = append(cols, e.leaf(k.i, q))
			} else {
				cols = append(cols, e.nodes[k.i])
			}
			ws = append(ws, q.Weights[i][j])
		}
		need := len(cols)
		if node.Missing == framework.MissingSkip {
			need = 1
			if m := node.MinCoverage; m != nil {
				need = max(1, int(math.Ceil(*m*float64(len(cols))-1e-9)))
			}
		}
		// weights: pca derives them each year from the children's values
		var yearWs map[int][]float64
		if node.Weights == "pca" {
			yearWs = map[int][]float64{}
			for _, y := range p.years {
				pw, err := p.pcaWeights(node, cols, p.yearRows[y], y)
				if err != nil {
					return err
				}
				yearWs[y] = pw
			}
			if drop < 0 {
				e.Weights[i] = yearWs
			}
		}
		e.cols, e.ws = cols, ws
		plain := p.plain[i] && drop < 0 && node.Weights != "pca"
		for _, w := range ws {
			plain = plain && w == 1
		}
		agg := q.Agg[i]
		out := &e.nodes[i]
		full := yearWs == nil && agg == framework.AggArithmetic
		for _, c := range cols {
			full = full && c.full
		}
		if full {
			// every child has every row: the weighted mean column by column
			sw := 0.0
			for c := range cols {
				sw += ws[c]
			}
			for r := range out.v {
				out.v[r] = 0
			}
			for c, cc := range cols {
				w := ws[c]
				if plain {
					w = 1
				}
				for r, x := range cc.v {
					out.v[r] += w * x
				}
			}
			div := sw
			if plain {
				div = float64(len(cols))
			}
			for r := range out.v {
				out.v[r] = nullDiv(out.v[r], div)
				out.ok[r] = !math.IsNaN(out.v[r])
			}
		}
		for r := 0; r < n && !full; r++ {
			out.ok[r], out.v[r] = false, math.NaN()
			if yearWs != nil {
				ws = yearWs[p.D.Years[r]]
			}
			cnt, nn := 0, 0
			var sw, swv, sgeo, sharm, vmin, sum float64
			vmin = math.Inf(1)
			for c, cc := range cols {
				if !cc.ok[r] {
					continue
				}
				cnt++
				sw += ws[c]
				x := cc.v[r]
				if math.IsNaN(x) {
					continue
				}
				nn++
				sum += x
				swv += ws[c] * x
				if x < vmin {
					vmin = x
				}
				if agg != framework.AggArithmetic {
					g := math.Max(x, eps)
					sgeo += ws[c] * math.Log(g)
					sharm += ws[c] / g
				}
			}
			if cnt == 0 || cnt < need || nn == 0 {
				continue
			}
			var v float64
			switch agg {
			case framework.AggArithmetic:
				if plain {
					v = sum / float64(nn)
				} else {
					v = nullDiv(swv, sw)
				}
			case framework.AggGeometric, framework.AggHarmonic:
				switch {
				case vmin < 0:
					v = math.NaN()
				case vmin == 0 && node.Zeros == "zero":
					v = 0
				case agg == framework.AggGeometric:
					v = math.Exp(nullDiv(sgeo, sw))
				default:
					v = nullDiv(sw, sharm)
				}
			}
			if math.IsNaN(v) {
				continue
			}
			out.ok[r], out.v[r] = true, v
		}
		// the node's normalisation over each partition
		m := method(q.NodeNorm[i])
		if m.name == framework.NormNone {
			out.setFull()
			continue
		}
		e.raw = append(e.raw[:0], out.v...)
		raw := e.raw
		for _, rows := range p.groups {
			pr := e.rows[:0]
			for _, r := range rows {
				if out.ok[r] {
					pr = append(pr, r)
				}
			}
			e.rows = pr
			if len(pr) == 0 {
				continue
			}
			s := statsOf(raw, raw, pr, node.SD, m.ranks())
			if !normaliseRows(m, raw, pr, &s, p.F.Scale, out.v) {
				for _, r := range pr {
					out.v[r] = normaliseCommon(m, raw[r], &s, p.F.Scale)
				}
			}
		}
		out.setFull()
	}
	if e.Level != nil {
		e.Level(len(p.levelEnd), len(p.levelEnd))
	}
	e.rank()
	return nil
}

// pcaWeights are a weights: pca node's weights from its children's values this
// evaluation in one year's rows (compute's pcaWeights).
func (p *Plan) pcaWeights(node *framework.Node, cols []col, yearRows []int, year int) ([]float64, error) {
	items := make([][]float64, len(cols))
	rows := slices.Clone(yearRows)
	sort.Slice(rows, func(a, b int) bool { return p.D.Units[rows[a]].Key < p.D.Units[rows[b]].Key })
	for _, r := range rows {
		full := true
		for _, c := range cols {
			full = full && c.ok[r] && !math.IsNaN(c.v[r])
		}
		if !full {
			continue
		}
		for i, c := range cols {
			items[i] = append(items[i], c.v[r])
		}
	}
	w, ok := PCAWeights(items)
	if !ok {
		return nil, fmt.Errorf("weights: pca of node %s in %d: its %d children need values with some spread for at least 3 units that have them all (%d have)", node.ID, year, len(cols), len(items[0]))
	}
	return w, nil
}

// rank ranks the root's values of the target year into Value and Rank.
func (e *Evaluator) rank() { e.Standings(e.p.target, e.Value, e.Rank) }

// Standings ranks the root's values in rows (of one year), rounded to the framework's
// digits, from the highest, competition or dense (egdi's standings): value[i] and
// rank[i] are row rows[i]'s, NaN and 0 where it has no root value.
func (e *Evaluator) Standings(rows []int, value []float64, rank []int) {
	p := e.p
	root := e.nodes[p.root]
	pow := p.pow
	if len(e.rv) < len(rows) {
		e.rv = make([]float64, len(rows))
	}
	rv := e.rv[:len(rows)]
	for i, r := range rows {
		value[i] = math.NaN()
		rv[i] = math.NaN()
		if root.ok[r] {
			value[i] = root.v[r]
			rv[i] = Round(root.v[r], pow)
		}
	}
	idx := e.order[:0]
	for i, v := range rv {
		rank[i] = 0
		if root.ok[rows[i]] && !math.IsNaN(v) {
			idx = append(idx, ranked{v, i})
		}
	}
	e.order = idx
	slices.SortFunc(idx, func(a, b ranked) int {
		if a.v > b.v {
			return -1
		}
		if a.v < b.v {
			return 1
		}
		return 0
	})
	dense := p.F.Ranking == framework.RankDense
	n := 0
	for k, x := range idx {
		if k == 0 || x.v != idx[k-1].v {
			if dense {
				n++
			} else {
				n = k + 1
			}
		}
		rank[x.i] = n
	}
}

// ranked is a value to rank and its unit's position.
type ranked struct {
	v float64
	i int
}

// Round is DuckDB's round(x, digits) of a double: round half away from zero of x × 10^d,
// divided back (pow is 10^d).
func Round(x, pow float64) float64 {
	r := math.Round(x*pow) / pow
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return x
	}
	return r
}

// Alternative is the index in d.Raw of indicator l imputed by rule (-1: none loaded).
func (d *Data) Alternative(l int, rule string) int {
	for a := range d.Raw {
		if d.Imputes[a][l] == rule {
			return a
		}
	}
	return -1
}

// Nodes are the framework's nodes, by number.
func (p *Plan) Nodes() []*framework.Node { return p.nodes }

// Leaves are the indicators, by number (Data.Leaves order).
func (p *Plan) Leaves() []*framework.Indicator { return p.leaves }

// Child is node i's child j: an indicator (leaf) or a node, and its number.
func (p *Plan) Child(i, j int) (leaf bool, k int) { return p.kids[i][j].leaf, p.kids[i][j].i }

// Target are the rows of the target year, in the order of Value and Rank.
func (p *Plan) Target() []int { return p.target }

// BandIndex is the position in the framework's bands of a value's band (the value
// rounded to its digits, as compute's standings), or −1.
func (p *Plan) BandIndex(v float64) int { return bandOf(p.F.Bands, Round(v, p.pow)) }

// bandOf is the position in bs (bands or classes, highest first) of the first whose
// minimum a rounded value reaches, or −1 (NaN reaches none).
func bandOf(bs []*framework.Band, rv float64) int {
	for i, b := range bs {
		if rv >= b.Min {
			return i
		}
	}
	return -1
}
