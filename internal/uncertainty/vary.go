package uncertainty

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/egdi/egdi/internal/compute"
	"github.com/egdi/egdi/internal/framework"
)

// Input is one uncertain choice (--vary): its text as given, and what it sets. Each
// input is drawn from Dim uniform numbers in [0, 1); for the Sobol indices it is one
// factor however many numbers it takes (noisy weights: one per child).
type Input struct {
	Text string
	Kind string // weight, weights, norm, agg, impute, winsorise, drop
	ID   string // the node or indicator, or *
	Dim  int

	lo, hi  float64  // weight: the range; weights: the factor's half-width P
	edges   [][2]int // weight, weights: (node, child) pairs
	leaves  []int    // norm, impute, winsorise: the indicators
	nodes   []int    // norm, agg, drop: the nodes
	options []string // norm, agg, impute: the choices
	alts    [][]int  // impute: per option, per leaf of leaves: the alternative in Data.Raw
	points  [2]int   // winsorise: max_points from..to
}

// Kinds of input.
var kinds = []string{"weight", "weights", "norm", "agg", "impute", "winsorise", "drop"}

// Syntax is the forms of --vary, for messages and help.
const Syntax = `weight:ID=LO..HI, weights:NODE=±P% (or weights:*=±P%), norm:ID=a,b,..., agg:NODE=a,b,..., impute:ID=a,b,..., winsorise:ID=max_points:LO..HI, drop:NODE (ID may be * for every indicator; agg:* for every node)`

// ParseInput reads one --vary text. What it names is checked by Resolve.
func ParseInput(s string) (*Input, error) {
	in := &Input{Text: s, Dim: 1}
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || !slices.Contains(kinds, kind) {
		return nil, fmt.Errorf("--vary %q: write one of %s", s, Syntax)
	}
	in.Kind = kind
	if kind == "drop" {
		if rest == "" || strings.Contains(rest, "=") {
			return nil, fmt.Errorf("--vary %q: write drop:NODE, e.g. drop:osi (one child of NODE left out, or none)", s)
		}
		in.ID = rest
		return in, nil
	}
	id, spec, ok := strings.Cut(rest, "=")
	if !ok || id == "" || spec == "" {
		return nil, fmt.Errorf("--vary %q: write %s:ID=..., one of %s", s, kind, Syntax)
	}
	in.ID = id
	switch kind {
	case "weight":
		lo, hi, err := rangeOf(spec)
		if err != nil || lo < 0 || !(hi > lo) {
			return nil, fmt.Errorf("--vary %q: write weight:ID=LO..HI with 0 ≤ LO < HI, e.g. weight:tii=0.2..0.5", s)
		}
		in.lo, in.hi = lo, hi
	case "weights":
		t := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(spec, "±"), "+-"), "%")
		p, err := strconv.ParseFloat(t, 64)
		if err != nil || !strings.HasSuffix(spec, "%") || !(p > 0 && p < 100) {
			return nil, fmt.Errorf("--vary %q: write weights:NODE=±P%% with 0 < P < 100, e.g. weights:egdi=±25%%", s)
		}
		in.hi = p / 100
	case "norm", "agg", "impute":
		in.options = SplitOptions(spec)
		seen := map[string]bool{}
		for _, o := range in.options {
			if o == "" || seen[o] {
				return nil, fmt.Errorf("--vary %q: the choices must be distinct and not empty", s)
			}
			seen[o] = true
		}
		if len(in.options) < 2 {
			return nil, fmt.Errorf("--vary %q: give at least two choices (a single one is not uncertain: use egdi whatif --set %s:%s=%s)", s, kind, id, spec)
		}
	case "winsorise":
		r, ok := strings.CutPrefix(spec, "max_points:")
		lo, hi, err := rangeOf(r)
		if !ok || err != nil || lo != math.Trunc(lo) || hi != math.Trunc(hi) || lo < 0 || !(hi > lo) || hi > 1000 {
			return nil, fmt.Errorf("--vary %q: write winsorise:ID=max_points:LO..HI with whole numbers 0 ≤ LO < HI, e.g. winsorise:*=max_points:1..5", s)
		}
		in.points = [2]int{int(lo), int(hi)}
	}
	return in, nil
}

// SplitOptions splits a,b,c at commas outside parentheses (minmax(1,100),zscore(10,2)),
// as --vary reads choices.
func SplitOptions(s string) []string {
	pieces := SplitOutside(s, ",")
	for i, p := range pieces {
		pieces[i] = strings.TrimSpace(strings.TrimSuffix(p, ","))
	}
	return pieces
}

// SplitOutside cuts s after each of the characters seps where it stands outside
// parentheses; each piece keeps its separator, and the last is the rest (perhaps "").
func SplitOutside(s, seps string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch {
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.ContainsRune(seps, c):
			out = append(out, s[start:i+len(string(c))])
			start = i + len(string(c))
		}
	}
	return append(out, s[start:])
}

func rangeOf(s string) (float64, float64, error) {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return 0, 0, fmt.Errorf("no ..")
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return 0, 0, fmt.Errorf("not numbers")
	}
	return lo, hi, nil
}

// ImputeAlternatives are the imputation rules the inputs need loaded, per indicator
// (always with none, which tells where values are missing).
func ImputeAlternatives(f *framework.Framework, inputs []*Input) map[string][]string {
	out := map[string][]string{}
	for _, in := range inputs {
		if in.Kind != "impute" {
			continue
		}
		ids := []string{in.ID}
		if in.ID == "*" {
			ids = f.UsedIndicators()
		}
		for _, id := range ids {
			ind := f.Indicator(id)
			if ind == nil {
				continue
			}
			for _, o := range append([]string{framework.ImputeNone}, in.options...) {
				if o != ind.Impute && slices.Contains(framework.Imputes, o) && !slices.Contains(out[id], o) {
					out[id] = append(out[id], o)
				}
			}
		}
	}
	return out
}

// Resolve checks every input against the plan and ties it to what it sets: an input
// that cannot take effect is refused with the reason, before anything runs.
func Resolve(p *compute.Plan, inputs []*Input) error {
	f := p.F
	leafNum, nodeNum := map[string]int{}, map[string]int{}
	for l, id := range p.D.Leaves {
		leafNum[id] = l
	}
	for i, n := range p.Nodes() {
		nodeNum[n.ID] = i
	}
	set := map[string]string{} // what each input sets → the input, to refuse two setting one thing
	claim := func(in *Input, what string) error {
		if other, ok := set[what]; ok {
			return fmt.Errorf("--vary %q and --vary %q both set %s; give one", other, in.Text, what)
		}
		set[what] = in.Text
		return nil
	}
	refuse := func(in *Input, format string, a ...any) error {
		return fmt.Errorf("--vary %q: %s", in.Text, fmt.Sprintf(format, a...))
	}
	unknown := func(in *Input) error {
		return refuse(in, "%q is neither a node nor an indicator of %s", in.ID, f.ID)
	}
	for _, in := range inputs {
		_, isLeaf := leafNum[in.ID]
		_, isNode := nodeNum[in.ID]
		if in.ID != "*" && !isLeaf && !isNode {
			if f.Indicator(in.ID) != nil {
				return refuse(in, "indicator %s is not used by any node of %s", in.ID, f.ID)
			}
			return unknown(in)
		}
		switch in.Kind {
		case "weight":
			if in.ID == "*" {
				return refuse(in, "weight: takes one node or indicator; for every weight use weights:*=±P%%")
			}
			for i := range p.Nodes() {
				for j := range p.Nodes()[i].Children {
					if leaf, k := p.Child(i, j); (leaf && isLeaf && k == leafNum[in.ID]) || (!leaf && isNode && k == nodeNum[in.ID]) {
						if err := weighable(p, i, in, refuse); err != nil {
							return err
						}
						in.edges = append(in.edges, [2]int{i, j})
						if err := claim(in, "the weight of "+in.ID+" in "+p.Nodes()[i].ID); err != nil {
							return err
						}
					}
				}
			}
			if len(in.edges) == 0 {
				return refuse(in, "%s is the root; it has no weight", in.ID)
			}
		case "weights":
			var nodes []int
			if in.ID == "*" {
				for i := range p.Nodes() {
					if len(p.Nodes()[i].Children) > 1 && p.Nodes()[i].Weights != "pca" {
						nodes = append(nodes, i)
					}
				}
				if len(nodes) == 0 {
					return refuse(in, "no node of %s has two children with weights of their own", f.ID)
				}
			} else {
				if !isNode {
					return refuse(in, "%s is an indicator; weights: takes a node and varies its children's weights", in.ID)
				}
				if err := weighable(p, nodeNum[in.ID], in, refuse); err != nil {
					return err
				}
				nodes = []int{nodeNum[in.ID]}
			}
			for _, i := range nodes {
				for j := range p.Nodes()[i].Children {
					in.edges = append(in.edges, [2]int{i, j})
					if err := claim(in, "the weight of "+p.Nodes()[i].Children[j].ID+" in "+p.Nodes()[i].ID); err != nil {
						return err
					}
				}
			}
			in.Dim = len(in.edges)
		case "norm":
			if in.ID == "*" || isLeaf {
				in.leaves = targetsOf(p, in.ID, leafNum)
				for _, o := range in.options {
					m, err := compute.ParseMethod(o)
					if err != nil {
						return refuse(in, "%v", err)
					}
					for _, l := range in.leaves {
						ind := p.Leaves()[l]
						if err := leafMethodOK(ind, m.Name()); err != nil {
							return refuse(in, "%v", err)
						}
					}
				}
				for _, l := range in.leaves {
					if err := claim(in, "the normalisation of "+p.D.Leaves[l]); err != nil {
						return err
					}
				}
			} else {
				in.nodes = []int{nodeNum[in.ID]}
				for _, o := range in.options {
					m, err := compute.ParseMethod(o)
					if err != nil {
						return refuse(in, "%v", err)
					}
					if !slices.Contains(framework.NodeNorms, m.Name()) {
						return refuse(in, "a node is normalised by one of %s, not %q", strings.Join(framework.NodeNorms, ", "), o)
					}
				}
				if err := claim(in, "the normalisation of "+in.ID); err != nil {
					return err
				}
			}
		case "agg":
			switch {
			case in.ID == "*":
				for i := range p.Nodes() {
					in.nodes = append(in.nodes, i)
				}
			case isNode:
				in.nodes = []int{nodeNum[in.ID]}
			default:
				return refuse(in, "%s is an indicator; aggregation belongs to nodes", in.ID)
			}
			for _, o := range in.options {
				if !slices.Contains(framework.Aggregations, o) {
					return refuse(in, "%q is not an aggregation: use %s", o, strings.Join(framework.Aggregations, ", "))
				}
			}
			for _, i := range in.nodes {
				if err := claim(in, "the aggregation of "+p.Nodes()[i].ID); err != nil {
					return err
				}
			}
		case "impute":
			if isNode {
				return refuse(in, "%s is a node; imputation belongs to indicators", in.ID)
			}
			in.leaves = targetsOf(p, in.ID, leafNum)
			for _, o := range in.options {
				if !slices.Contains(framework.Imputes, o) {
					return refuse(in, "%q is not an imputation rule: use %s", o, strings.Join(framework.Imputes, ", "))
				}
			}
			missing := false
			for _, l := range in.leaves {
				a := p.D.Alternative(l, framework.ImputeNone)
				for _, r := range p.Target() {
					missing = missing || (a >= 0 && math.IsNaN(p.D.Raw[a][l][r]))
				}
			}
			if !missing {
				what := "indicator " + in.ID + " has"
				if in.ID == "*" {
					what = "none of the indicators has"
				}
				return refuse(in, "%s no missing value in %d, so no imputation rule can change anything", what, p.D.Year)
			}
			for _, o := range in.options {
				var row []int
				for _, l := range in.leaves {
					a := p.D.Alternative(l, o)
					if a < 0 {
						return fmt.Errorf("--vary %q: imputation %s of %s was not loaded", in.Text, o, p.D.Leaves[l])
					}
					row = append(row, a)
				}
				in.alts = append(in.alts, row)
			}
			for _, l := range in.leaves {
				if err := claim(in, "the imputation of "+p.D.Leaves[l]); err != nil {
					return err
				}
			}
		case "winsorise":
			if isNode {
				return refuse(in, "%s is a node; winsorisation belongs to indicators", in.ID)
			}
			for _, l := range targetsOf(p, in.ID, leafNum) {
				w := p.Leaves()[l].Winsorise
				if w == nil || w.Rule == "" {
					if in.ID != "*" {
						return refuse(in, "indicator %s is not winsorised by the skew-kurtosis rule (winsorise: {rule: skew-kurtosis}), so max_points means nothing to it", in.ID)
					}
					continue
				}
				in.leaves = append(in.leaves, l)
			}
			if len(in.leaves) == 0 {
				return refuse(in, "no indicator of %s is winsorised by the skew-kurtosis rule", f.ID)
			}
			if !anyFails(p, in.leaves) {
				return refuse(in, "every indicator it names passes the skew-kurtosis rule in %d untreated, so no max_points changes anything", p.D.Year)
			}
			for _, l := range in.leaves {
				if err := claim(in, "the winsorisation of "+p.D.Leaves[l]); err != nil {
					return err
				}
			}
		case "drop":
			if !isNode || in.ID == "*" {
				return refuse(in, "drop: takes a node, whose children are left out one at a time")
			}
			i := nodeNum[in.ID]
			if len(p.Nodes()[i].Children) < 2 {
				return refuse(in, "node %s has one child; leaving it out leaves nothing", in.ID)
			}
			in.nodes = []int{i}
			if err := claim(in, "the children of "+in.ID); err != nil {
				return err
			}
		}
	}
	return checkAggregations(p, inputs)
}

// weighable refuses weights on node i that cannot take effect.
func weighable(p *compute.Plan, i int, in *Input, refuse func(*Input, string, ...any) error) error {
	n := p.Nodes()[i]
	if n.Weights == "pca" {
		return refuse(in, "node %s derives its children's weights (weights: pca), so weights given to them are not used", n.ID)
	}
	if len(p.Nodes()[i].Children) < 2 {
		return refuse(in, "node %s has one child; a relative weight of one child changes nothing", n.ID)
	}
	return nil
}

func targetsOf(p *compute.Plan, id string, leafNum map[string]int) []int {
	if id != "*" {
		return []int{leafNum[id]}
	}
	out := make([]int, len(p.Leaves()))
	for l := range out {
		out[l] = l
	}
	return out
}

// leafMethodOK says whether an indicator can be normalised by method.
func leafMethodOK(ind *framework.Indicator, method string) error {
	if !slices.Contains(framework.LeafNorms, method) {
		return fmt.Errorf("an indicator is normalised by one of %s, not %q", strings.Join(framework.LeafNorms, ", "), method)
	}
	switch {
	case method == framework.NormGoalposts && len(ind.Goalposts) != 2:
		return fmt.Errorf("indicator %s has no goalposts, which goalposts needs", ind.ID)
	case (method == framework.NormTarget || method == framework.NormDistTarget) && ind.Target == nil:
		return fmt.Errorf("indicator %s has no target, which %s needs", ind.ID, method)
	case method == framework.NormReference && ind.Reference == "":
		return fmt.Errorf("indicator %s has no reference unit, which reference needs", ind.ID)
	}
	return nil
}

// anyFails reports whether some of the indicators fails the skew-kurtosis rule in the
// target year before treatment (else max_points changes nothing).
func anyFails(p *compute.Plan, leaves []int) bool {
	for _, l := range leaves {
		w := p.Leaves()[l].Winsorise
		var xs []float64
		for _, r := range p.Target() {
			v := p.D.Raw[0][l][r]
			if math.IsNaN(v) {
				continue
			}
			in := p.Leaves()[l]
			if in.Cap != nil && v > *in.Cap {
				v = *in.Cap
			} else if in.Floor != nil && v < *in.Floor {
				v = *in.Floor
			}
			xs = append(xs, v)
		}
		if t := compute.SkewKurtosis(xs, w); !t.Pass {
			return true
		}
	}
	return false
}

// checkAggregations refuses a geometric or harmonic choice that leaves units without a
// value at the framework's own normalisations (negative children), unless a norm input
// may change them; then the run counts such replications instead.
func checkAggregations(p *compute.Plan, inputs []*Input) error {
	for _, in := range inputs {
		if in.Kind == "norm" {
			return nil
		}
	}
	e := p.NewEvaluator()
	nominal := p.Nominal()
	if err := e.Evaluate(&nominal); err != nil {
		return err
	}
	base := rankedUnits(e.Rank)
	for _, in := range inputs {
		if in.Kind != "agg" {
			continue
		}
		for _, o := range in.options {
			q := p.Nominal()
			for _, i := range in.nodes {
				q.Agg[i] = o
			}
			if err := e.Evaluate(&q); err != nil {
				return err
			}
			if n := rankedUnits(e.Rank); n < base {
				return fmt.Errorf("--vary %q: with %s, %d of %d units get no value: a %s mean of negative values (z-scores) has none. Normalise onto positive values first, e.g. --vary 'norm:*=minmax(1,100),zscore(10,2)', or drop %s from the choices",
					in.Text, o, base-n, base, o, o)
			}
		}
	}
	return nil
}

// rankedUnits is the number of units ranks gives a rank (0: none).
func rankedUnits(ranks []int) int {
	n := 0
	for _, r := range ranks {
		if r > 0 {
			n++
		}
	}
	return n
}

// Apply sets the input's choice drawn from u (Dim numbers in [0, 1)) in q; nominal
// is the plan's own parameters (the weights noisy weights multiply).
func (in *Input) Apply(u []float64, q, nominal *compute.Params) {
	pick := func(x float64, n int) int { return min(int(x*float64(n)), n-1) }
	switch in.Kind {
	case "weight":
		w := in.lo + u[0]*(in.hi-in.lo)
		for _, e := range in.edges {
			q.Weights[e[0]][e[1]] = w
		}
	case "weights":
		for d, e := range in.edges {
			q.Weights[e[0]][e[1]] = nominal.Weights[e[0]][e[1]] * (1 - in.hi + 2*in.hi*u[d])
		}
	case "norm":
		o := in.options[pick(u[0], len(in.options))]
		for _, l := range in.leaves {
			q.LeafNorm[l] = o
		}
		for _, i := range in.nodes {
			q.NodeNorm[i] = o
		}
	case "agg":
		o := in.options[pick(u[0], len(in.options))]
		for _, i := range in.nodes {
			q.Agg[i] = o
		}
	case "impute":
		row := in.alts[pick(u[0], len(in.options))]
		for k, l := range in.leaves {
			q.Impute[l] = row[k]
		}
	case "winsorise":
		pts := in.points[0] + pick(u[0], in.points[1]-in.points[0]+1)
		for _, l := range in.leaves {
			q.MaxPoints[l] = pts
		}
	case "drop":
		q.Drop[in.nodes[0]] = pick(u[0], len(q.Weights[in.nodes[0]])+1) - 1
	}
}

// Drawn is one drawn value of an input, as recorded: a number (weights, max_points) or
// a choice (normalisation, aggregation, imputation, the child left out).
type Drawn struct {
	Component string // the weight's node/child for weights:, else ""
	Value     float64
	Choice    string
	IsChoice  bool
}

// Draws describes the values drawn from u, for the record (what Apply sets).
func (in *Input) Draws(p *compute.Plan, u []float64, nominal *compute.Params) []Drawn {
	pick := func(x float64, n int) int { return min(int(x*float64(n)), n-1) }
	switch in.Kind {
	case "weight":
		return []Drawn{{Value: in.lo + u[0]*(in.hi-in.lo)}}
	case "weights":
		out := make([]Drawn, len(in.edges))
		for d, e := range in.edges {
			out[d] = Drawn{Component: p.Nodes()[e[0]].ID + "/" + p.Nodes()[e[0]].Children[e[1]].ID,
				Value: nominal.Weights[e[0]][e[1]] * (1 - in.hi + 2*in.hi*u[d])}
		}
		return out
	case "winsorise":
		return []Drawn{{Value: float64(in.points[0] + pick(u[0], in.points[1]-in.points[0]+1))}}
	case "drop":
		n := p.Nodes()[in.nodes[0]]
		c := "none"
		if d := pick(u[0], len(n.Children)+1) - 1; d >= 0 {
			c = n.Children[d].ID
		}
		return []Drawn{{Choice: c, IsChoice: true}}
	}
	return []Drawn{{Choice: in.options[pick(u[0], len(in.options))], IsChoice: true}}
}
