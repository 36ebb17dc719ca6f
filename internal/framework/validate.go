package framework

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// The choices a framework offers: normalisations of indicators (LeafNorms) and of nodes
// (NodeNorms), imputation rules and aggregations.
var (
	LeafNorms    = []string{NormNone, NormZScore, NormMinMax, NormGoalposts, NormRank, NormPercentile, NormBest, NormTarget, NormDistTarget, NormBorda, NormReference}
	NodeNorms    = []string{NormNone, NormZScore, NormMinMax, NormRank, NormPercentile, NormBest, NormBorda}
	Imputes      = []string{ImputeNone, ImputeMean, ImputeMedian, ImputeGroupMean, ImputeGroupMedian, ImputePrevious, ImputeNext, ImputeLinear}
	Aggregations = []string{AggArithmetic, AggGeometric, AggHarmonic}
)

// Validate checks the framework's structure and reports every problem found, each
// with the line of the node, indicator or band it concerns.
func (f *Framework) Validate() error {
	var errs []string
	add := func(line int, format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		if line > 0 {
			msg = fmt.Sprintf("line %d: %s", line, msg)
		}
		errs = append(errs, msg)
	}
	if f.ID == "" {
		add(0, "the framework has no id")
	}
	// ids are plain text: a control character (a NUL, ESC, a newline) would reach SQL
	// literals, terminals and reports
	plain := func(line int, what, id string) {
		if strings.ContainsFunc(id, unicode.IsControl) {
			add(line, "%s id %q holds a control character; ids are plain text", what, id)
		}
	}
	plain(0, "the framework's", f.ID)
	for _, in := range f.Indicators {
		plain(in.Line, "indicator", in.ID)
	}
	for _, n := range f.Nodes {
		plain(n.Line, "node", n.ID)
	}
	if f.Digits < 0 || f.Digits > 10 {
		add(0, "digits must be between 0 and 10, not %d", f.Digits)
	}
	if !(f.Scale > 0) || math.IsInf(f.Scale, 0) {
		add(0, "scale must be positive (1 for 0–1, 100 for 0–100), not %g", f.Scale)
	}
	if f.Ranking != RankCompetition && f.Ranking != RankDense {
		add(0, "ranking %q is not one of competition (1224), dense (1223)", f.Ranking)
	}
	if f.Universe != UniverseAll && f.Universe != UniverseMembers {
		add(0, "universe %q is not one of all, member-states", f.Universe)
	}
	if f.NormaliseOver != "year" && f.NormaliseOver != "all" {
		add(0, "normalise_over %q is not year (each year's units) or all (every year at once)", f.NormaliseOver)
	}
	if sc := f.Screen; sc != nil {
		if !(sc.MinCoverage > 0 && sc.MinCoverage <= 1) {
			add(0, "screen: min_coverage %g must be in (0, 1], the share of the framework's indicators a unit needs", sc.MinCoverage)
		}
		if sc.Stage != "raw" && sc.Stage != "imputed" {
			add(0, "screen: stage %q is not raw (before imputation) or imputed", sc.Stage)
		}
	}
	seen := map[string]int{}
	for _, in := range f.Indicators {
		if in.ID == "" {
			add(in.Line, "an indicator has no id")
			continue
		}
		if l, dup := seen[in.ID]; dup {
			add(in.Line, "id %q is defined twice (first on line %d)", in.ID, l)
		}
		seen[in.ID] = in.Line
		switch in.Normalise {
		case NormNone, NormZScore, NormMinMax, NormRank, NormPercentile, NormBest, NormBorda:
		case NormDistTarget:
			if in.Target == nil {
				add(in.Line, "indicator %q: normalise distance-to-target needs a target: value", in.ID)
			}
		case NormReference:
			if strings.TrimSpace(in.Reference) == "" {
				add(in.Line, "indicator %q: normalise reference needs reference: UNIT, the code of the unit to compare with", in.ID)
			}
		case NormGoalposts:
			if len(in.Goalposts) != 2 || in.Goalposts[0] == in.Goalposts[1] {
				add(in.Line, "indicator %q: goalposts needs two different values [low, high]", in.ID)
			}
		case NormTarget:
			if in.Target == nil || *in.Target <= 0 {
				add(in.Line, "indicator %q: normalise target needs a positive target: value", in.ID)
			}
		default:
			add(in.Line, "indicator %q: normalise %q is not one of %s", in.ID, in.Normalise, strings.Join(LeafNorms, ", "))
		}
		switch in.Transform {
		case TransformNone, TransformLog, TransformLog1p:
		default:
			add(in.Line, "indicator %q: transform %q is not one of none, log, log1p", in.ID, in.Transform)
		}
		if !slices.Contains(Imputes, in.Impute) {
			add(in.Line, "indicator %q: impute %q is not one of %s", in.ID, in.Impute, strings.Join(Imputes, ", "))
		}
		if in.SD != SDPopulation && in.SD != SDSample {
			add(in.Line, "indicator %q: sd %q is not population or sample", in.ID, in.SD)
		}
		if d := in.Denominate; d != nil {
			switch {
			case d.By == "":
				add(in.Line, "indicator %q: denominate needs by: INDICATOR, the indicator to divide by", in.ID)
			case d.By == in.ID:
				add(in.Line, "indicator %q: denominate by itself", in.ID)
			case strings.ContainsAny(d.By, " ,=") || f.Node(d.By) != nil:
				add(in.Line, "indicator %q: denominate by %q, which is not an indicator id (a denominator is imported like any indicator and need not be in the tree)", in.ID, d.By)
			}
			if !(d.Scale > 0) || math.IsInf(d.Scale, 0) {
				add(in.Line, "indicator %q: denominate scale %g must be a positive number", in.ID, d.Scale)
			}
			if d.Missing != "error" && d.Missing != "drop" {
				add(in.Line, "indicator %q: denominate missing %q is not error (a unit without the denominator is refused) or drop (its value is left missing)", in.ID, d.Missing)
			}
		}
		if strings.TrimSpace(in.ImputeGroup) == "" || strings.ContainsAny(in.ImputeGroup, "=,") {
			add(in.Line, "indicator %q: impute_group %q is not a grouping name (region, subregion, or one imported with egdi import groups)", in.ID, in.ImputeGroup)
		}
		finite := func(what string, p *float64) {
			if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
				add(in.Line, "indicator %q: %s %g is not a finite number", in.ID, what, *p)
			}
		}
		finite("cap", in.Cap)
		finite("floor", in.Floor)
		finite("target", in.Target)
		for i := range in.Goalposts {
			finite("goalpost", &in.Goalposts[i])
		}
		if w := in.Winsorise; w != nil {
			finite("winsorise lower", w.Lower)
			finite("winsorise upper", w.Upper)
			for _, x := range []float64{w.Skew, w.Kurtosis} {
				finite("winsorise threshold", &x)
			}
		}
		if w := in.Winsorise; w != nil {
			switch {
			case w.Rule == "" && w.Lower == nil && w.Upper == nil:
				add(in.Line, "indicator %q: winsorise needs lower/upper quantiles or rule: skew-kurtosis", in.ID)
			case w.Rule != "" && w.Rule != "skew-kurtosis":
				add(in.Line, "indicator %q: winsorise rule %q is not skew-kurtosis", in.ID, w.Rule)
			case w.Rule != "" && (w.Lower != nil || w.Upper != nil):
				add(in.Line, "indicator %q: winsorise by quantiles or by rule, not both", in.ID)
			case w.Lower != nil && (*w.Lower < 0 || *w.Lower >= 0.5):
				add(in.Line, "indicator %q: winsorise lower quantile %g must be in [0, 0.5)", in.ID, *w.Lower)
			case w.Upper != nil && (*w.Upper <= 0.5 || *w.Upper > 1):
				add(in.Line, "indicator %q: winsorise upper quantile %g must be in (0.5, 1]", in.ID, *w.Upper)
			case w.Rule != "" && w.MaxPoints < 1:
				add(in.Line, "indicator %q: winsorise max_points must be at least 1", in.ID)
			case w.Rule == "" && w.Fallback != "":
				add(in.Line, "indicator %q: winsorise fallback is for rule: skew-kurtosis", in.ID)
			case w.Rule != "" && w.Fallback != FallbackNone && w.Fallback != FallbackLog && w.Fallback != FallbackBoxCox:
				add(in.Line, "indicator %q: winsorise fallback %q is not one of none, log, boxcox", in.ID, w.Fallback)
			case w.Lambda != nil && (w.Fallback != FallbackBoxCox || math.IsNaN(*w.Lambda) || math.IsInf(*w.Lambda, 0)):
				add(in.Line, "indicator %q: winsorise lambda is a finite number, for fallback: boxcox", in.ID)
			}
		}
		if in.Direction != "positive" && in.Direction != "negative" {
			add(in.Line, "indicator %q: direction %q is not positive or negative", in.ID, in.Direction)
		}
		if in.Cap != nil && in.Floor != nil && *in.Floor > *in.Cap {
			add(in.Line, "indicator %q: floor %g is above cap %g", in.ID, *in.Floor, *in.Cap)
		}
	}
	for _, n := range f.Nodes {
		if n.ID == "" {
			add(n.Line, "a node has no id")
			continue
		}
		if l, dup := seen[n.ID]; dup {
			add(n.Line, "id %q is defined twice (first on line %d)", n.ID, l)
		}
		seen[n.ID] = n.Line
	}
	if f.Root == "" {
		add(0, "the framework names no root node")
	} else if f.Node(f.Root) == nil {
		add(0, "root %q is not a node", f.Root)
	}
	for _, n := range f.Nodes {
		switch n.Aggregate {
		case AggArithmetic, AggGeometric, AggHarmonic:
		default:
			add(n.Line, "node %q: aggregate %q is not one of arithmetic, geometric, harmonic", n.ID, n.Aggregate)
		}
		if n.Zeros != "zero" && n.Zeros != "epsilon" {
			add(n.Line, "node %q: zeros %q is not zero or epsilon", n.ID, n.Zeros)
		}
		if !slices.Contains(NodeNorms, n.Normalise) {
			add(n.Line, "node %q: normalise %q is not one of %s", n.ID, n.Normalise, strings.Join(NodeNorms, ", "))
		}
		if n.SD != SDPopulation && n.SD != SDSample {
			add(n.Line, "node %q: sd %q is not population or sample", n.ID, n.SD)
		}
		if n.Missing != MissingRequire && n.Missing != MissingSkip {
			add(n.Line, "node %q: missing %q is not require (every child needed) or skip (the children present)", n.ID, n.Missing)
		}
		if m := n.MinCoverage; m != nil {
			if !(*m > 0 && *m <= 1) {
				add(n.Line, "node %q: min_coverage %g must be in (0, 1], the share of children a unit needs", n.ID, *m)
			} else if n.Missing != MissingSkip {
				add(n.Line, "node %q: min_coverage is for missing: skip", n.ID)
			}
		}
		if n.Weights != "" && n.Weights != "pca" {
			add(n.Line, "node %q: weights %q is not pca (or leave it out for the children's own weights)", n.ID, n.Weights)
		}
		if len(n.Children) == 0 {
			add(n.Line, "node %q has no children", n.ID)
		}
		total := 0.0
		kids := map[string]bool{}
		for _, c := range n.Children {
			if _, ok := seen[c.ID]; !ok {
				add(n.Line, "node %q: child %q is neither a node nor an indicator of this framework", n.ID, c.ID)
			}
			if kids[c.ID] {
				add(n.Line, "node %q lists child %q twice", n.ID, c.ID)
			}
			kids[c.ID] = true
			if c.Weight < 0 || math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) {
				add(n.Line, "node %q: weight of %q is %g; weights must be zero or positive", n.ID, c.ID, c.Weight)
			}
			total += c.Weight
		}
		if len(n.Children) > 0 && total <= 0 {
			add(n.Line, "node %q: the weights of its children sum to %g; they must sum to more than 0", n.ID, total)
		}
	}
	if cyc := f.cycle(); cyc != nil {
		n := f.Node(cyc[0])
		add(n.Line, "the nodes form a cycle: %s", strings.Join(cyc, " → "))
	}
	validateBands(f.Bands, "band", add)
	validateBands(f.Classes, "class", add)
	bandIDs := map[string]bool{}
	for _, b := range f.Bands {
		bandIDs[b.ID] = true
	}
	for _, c := range f.Classes {
		if c.Band != "" && !bandIDs[c.Band] {
			add(c.Line, "class %q names band %q, which is not defined", c.ID, c.Band)
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// validateBands checks that lower bounds are listed from the highest down with no
// two equal (an overlap) and that the lowest starts at or below 0 (no gap at the bottom:
// every value gets a band).
func validateBands(bs []*Band, what string, add func(int, string, ...any)) {
	ids := map[string]bool{}
	for i, b := range bs {
		if b.ID == "" {
			add(b.Line, "a %s has no id", what)
		}
		if ids[b.ID] {
			add(b.Line, "%s %q is defined twice", what, b.ID)
		}
		ids[b.ID] = true
		if math.IsNaN(b.Min) || math.IsInf(b.Min, 0) {
			add(b.Line, "%s %q: min %g is not a finite number", what, b.ID, b.Min)
		}
		if i > 0 && b.Min >= bs[i-1].Min {
			add(b.Line, "%s %q starts at %g, not below the %s above it (%q from %g): list %ss from the highest down, without overlap",
				what, b.ID, b.Min, what, bs[i-1].ID, bs[i-1].Min, what)
		}
	}
	if len(bs) > 0 && bs[len(bs)-1].Min > 0 {
		last := bs[len(bs)-1]
		add(last.Line, "the lowest %s %q starts at %g, leaving values below it without a %s (a gap): let it start at 0",
			what, last.ID, last.Min, what)
	}
}

// cycle returns the ids along a cycle among nodes, or nil.
func (f *Framework) cycle() []string {
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	var stack []string
	var found []string
	var visit func(id string) bool
	visit = func(id string) bool {
		n := f.Node(id)
		if n == nil {
			return false
		}
		switch colour[id] {
		case grey:
			for i, s := range stack {
				if s == id {
					found = append(append([]string{}, stack[i:]...), id)
				}
			}
			return true
		case black:
			return false
		}
		colour[id] = grey
		stack = append(stack, id)
		for _, c := range n.Children {
			if visit(c.ID) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		colour[id] = black
		return false
	}
	for _, n := range f.Nodes {
		if visit(n.ID) {
			return found
		}
	}
	return nil
}
