package framework

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/egdi/egdi/data"
)

// Normalisation methods. The UN way is zscore on the indicators and minmax on the
// node that averages them (min-max of a single z-scored series equals its min-max).
const (
	NormNone       = "none"
	NormZScore     = "zscore"     // (x − mean) / sd (population sd); 0 when sd is 0
	NormMinMax     = "minmax"     // (x − min) / (max − min) × scale; scale/2 when max = min
	NormGoalposts  = "goalposts"  // (x − low) / (high − low) × scale, clamped to [0, scale]
	NormRank       = "rank"       // competition rank from the lowest (1 = worst)
	NormPercentile = "percentile" // percent rank (0 = worst, scale = best)
	NormBest       = "best"       // distance to the best performer: x / max × scale
	NormTarget     = "target"     // distance to a target: min(x / target, 1) × scale
	// NormDistTarget is COINr's distance to target: (x − min) / (target − min) × scale
	// (for a negative direction (max − x) / (max − target)), above the target capped at
	// scale when cap_target is set.
	NormDistTarget = "distance-to-target"
	NormBorda      = "borda"     // Borda score: the number of units below (ties: the average), 0 = worst
	NormReference  = "reference" // distance to a reference unit: x / x(reference) × scale (negative: x(reference) / x)
)

// Standard deviations a z-score divides by.
const (
	SDPopulation = "population" // √(Σ(x − μ)² / n): the UN's (default)
	SDSample     = "sample"     // √(Σ(x − μ)² / (n − 1)): COINr's and R's sd()
)

// What a node does when some of its children have no value for a unit.
const (
	MissingRequire = "require" // no value for the node (default; the UN way)
	MissingSkip    = "skip"    // the mean of the children present, weights renormalised over them
)

// Aggregation methods of a node.
const (
	AggArithmetic = "arithmetic" // Σ w·x / Σ w
	AggGeometric  = "geometric"  // exp(Σ w·ln x / Σ w); negatives give no value
	AggHarmonic   = "harmonic"   // Σ w / Σ (w / x); negatives give no value
)

// Imputation methods for a missing indicator value.
const (
	ImputeNone        = "none"         // the unit gets no value for the indicator's parents
	ImputeMean        = "mean"         // mean of the units of the year
	ImputeMedian      = "median"       // median of the units of the year
	ImputeGroupMean   = "group-mean"   // mean of the unit's group (impute_group) that year
	ImputeGroupMedian = "group-median" // median of the unit's group that year
	ImputePrevious    = "previous"     // the unit's latest earlier value in the dataset
	ImputeNext        = "next"         // the unit's earliest later value in the dataset
	ImputeLinear      = "linear"       // linear between the unit's nearest earlier and later values; at the ends of its series, the nearest value
)

// Fallbacks of the skew-kurtosis rule when winsorising up to max_points values does not
// bring the indicator within the thresholds.
const (
	FallbackNone   = "none"   // keep the winsorised values
	FallbackLog    = "log"    // COINr's log_CT: the raw values shifted to start at 1, then ln (mirrored for negative skew)
	FallbackBoxCox = "boxcox" // Box-Cox of the raw values shifted to start at 1, λ = lambda (default 0.5)
)

// Transforms applied after caps and winsorisation.
const (
	TransformNone  = "none"
	TransformLog   = "log"   // ln(x); needs x > 0
	TransformLog1p = "log1p" // ln(1 + x); needs x > −1
)

// Winsorise clamps an indicator's tails before normalisation, per year: either at the
// Lower and Upper quantiles, or by Rule "skew-kurtosis" (COINr's default): while
// |skewness| > Skew and kurtosis > Kurtosis, the most extreme value on the skewed side
// is set to the next one, up to MaxPoints values.
//
// The rule's defaults are COINr's (Treat, its winsorise and check_SkewKurt): skew 2,
// kurtosis 3.5, max_points 5, both on the sample-adjusted moments (e1071 type 2).
// Fallback says what to do when max_points values were winsorised and the rule still
// fails: none (default), log (COINr's log_CT) or boxcox (with Lambda).
type Winsorise struct {
	Lower     *float64 `yaml:"lower" json:"lower,omitempty"`
	Upper     *float64 `yaml:"upper" json:"upper,omitempty"`
	Rule      string   `yaml:"rule" json:"rule,omitempty"`
	MaxPoints int      `yaml:"max_points" json:"max_points,omitempty"`
	Skew      float64  `yaml:"skew" json:"skew,omitempty"`
	Kurtosis  float64  `yaml:"kurtosis" json:"kurtosis,omitempty"`
	Fallback  string   `yaml:"fallback" json:"fallback,omitempty"`
	Lambda    *float64 `yaml:"lambda" json:"lambda,omitempty"`
}

// Denominate divides an indicator by another indicator of the same unit and year (GDP,
// population, area) times Scale, before anything else (COINr's Denominate). A unit
// without the denominator is an error (Missing "error", default), or its value is
// left missing, for imputation, as COINr does (Missing "drop").
type Denominate struct {
	By      string  `yaml:"by" json:"by"`
	Scale   float64 `yaml:"scale" json:"scale,omitempty"`
	Missing string  `yaml:"missing" json:"missing,omitempty"`
}

// Screen leaves out of a computation the units with less than MinCoverage of the
// framework's indicators present (COINr's Screen with unit_screen "byNA"), counted on
// the raw values (Stage "raw", default) or after imputation ("imputed", as COINr's
// example does). Screened units are recorded with the run, with their coverage.
type Screen struct {
	MinCoverage float64 `yaml:"min_coverage" json:"min_coverage"`
	Stage       string  `yaml:"stage" json:"stage,omitempty"`
}

// Ranking rules.
const (
	RankCompetition = "competition" // 1224: ties share a rank, the next rank is skipped
	RankDense       = "dense"       // 1223: ties share a rank, the next rank follows
)

// Universes: which units a normalisation runs over.
const (
	UniverseAll     = "all"           // every unit with data in the dataset for the year
	UniverseMembers = "member-states" // only the 193 UN Member States
)

// Label is a bilingual text. In YAML it is either a plain string (English) or a map
// {en: ..., zh: ...}.
type Label struct {
	En string `yaml:"en" json:"en"`
	Zh string `yaml:"zh" json:"zh,omitempty"`
}

// In returns the label in lang ("en" or "zh"), falling back to English.
func (l Label) In(lang string) string {
	if lang == "zh" && l.Zh != "" {
		return l.Zh
	}
	return l.En
}

// UnmarshalYAML accepts a string or an {en, zh} map.
func (l *Label) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		l.En = v.Value
		return nil
	}
	type plain Label
	return v.Decode((*plain)(l))
}

// Child is one input of a node with its (unnormalised) weight.
type Child struct {
	ID     string  `json:"id"`
	Weight float64 `json:"weight"`
}

// UnmarshalYAML accepts a bare id (weight 1) or {id: x, weight: w}; w may be a
// fraction written "2/9".
func (c *Child) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		c.ID, c.Weight = v.Value, 1
		return nil
	}
	var raw struct {
		ID     string `yaml:"id"`
		Weight string `yaml:"weight"`
	}
	if err := v.Decode(&raw); err != nil {
		return err
	}
	c.ID, c.Weight = raw.ID, 1
	if raw.Weight != "" {
		w, err := parseNumber(raw.Weight)
		if err != nil {
			return fmt.Errorf("line %d: weight of %q: %v", v.Line, raw.ID, err)
		}
		c.Weight = w
	}
	return nil
}

func parseNumber(s string) (float64, error) {
	if a, b, ok := strings.Cut(s, "/"); ok {
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || y == 0 {
			return 0, fmt.Errorf("%q is not a number or fraction", s)
		}
		return x / y, nil
	}
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}

// Node combines its children into one value.
type Node struct {
	ID        string  `yaml:"id" json:"id"`
	Label     Label   `yaml:"label" json:"label"`
	Aggregate string  `yaml:"aggregate" json:"aggregate"`
	Zeros     string  `yaml:"zeros" json:"zeros,omitempty"` // geometric/harmonic: "zero" (a zero child gives 0) or "epsilon" (treated as 1e-6 × scale)
	Normalise string  `yaml:"normalise" json:"normalise"`
	SD        string  `yaml:"sd" json:"sd,omitempty"` // zscore: population (default) or sample
	Children  []Child `yaml:"children" json:"children"`
	// Missing is require (default: every child needed) or skip (the children present,
	// weights renormalised over them); MinCoverage, with skip, the share of children (by
	// count) a unit needs.
	Missing     string   `yaml:"missing" json:"missing,omitempty"`
	MinCoverage *float64 `yaml:"min_coverage" json:"min_coverage,omitempty"`
	// Weights "pca" derives the children's weights each year from the first principal
	// component of their values (the squared loadings, summing to 1: OECD/JRC Handbook,
	// COINr); the weights used are recorded with the run.
	Weights string `yaml:"weights" json:"weights,omitempty"`
	Note    string `yaml:"note" json:"note,omitempty"`
	Line    int    `yaml:"-" json:"-"`
}

// Indicator is a leaf: a raw series and how it is treated and normalised.
type Indicator struct {
	ID         string      `yaml:"id" json:"id"`
	Label      Label       `yaml:"label" json:"label"`
	Unit       string      `yaml:"unit" json:"unit,omitempty"`
	Direction  string      `yaml:"direction" json:"direction"` // "positive" (default) or "negative"
	Cap        *float64    `yaml:"cap" json:"cap,omitempty"`
	Floor      *float64    `yaml:"floor" json:"floor,omitempty"`
	Normalise  string      `yaml:"normalise" json:"normalise"`
	Goalposts  []float64   `yaml:"goalposts" json:"goalposts,omitempty"`
	Target     *float64    `yaml:"target" json:"target,omitempty"` // for normalise: target, distance-to-target
	CapTarget  bool        `yaml:"cap_target" json:"cap_target,omitempty"`
	Reference  string      `yaml:"reference" json:"reference,omitempty"` // for normalise: reference, a unit's code
	SD         string      `yaml:"sd" json:"sd,omitempty"`               // zscore: population (default) or sample
	Denominate *Denominate `yaml:"denominate" json:"denominate,omitempty"`
	Transform  string      `yaml:"transform" json:"transform,omitempty"`
	Winsorise  *Winsorise  `yaml:"winsorise" json:"winsorise,omitempty"`
	Impute     string      `yaml:"impute" json:"impute,omitempty"`
	// ImputeGroup is the unit attribute whose groups group-mean/median use: region
	// (default) or subregion.
	ImputeGroup string `yaml:"impute_group" json:"impute_group,omitempty"`
	Note        string `yaml:"note" json:"note,omitempty"`
	Line        int    `yaml:"-" json:"-"`
}

// Band is an ordered lower bound on the rounded root value, e.g. the UN "very high"
// group from 0.75. Classes use the same type and name their band in Band.
type Band struct {
	ID    string  `yaml:"id" json:"id"`
	Min   float64 `yaml:"min" json:"min"`
	Label Label   `yaml:"label" json:"label"`
	Band  string  `yaml:"band" json:"band,omitempty"`
	Line  int     `yaml:"-" json:"-"`
}

// Framework is one methodology.
type Framework struct {
	ID          string       `yaml:"id" json:"id"`
	Title       Label        `yaml:"title" json:"title"`
	Edition     int          `yaml:"edition" json:"edition,omitempty"`
	Source      string       `yaml:"source" json:"source,omitempty"`
	Digits      int          `yaml:"digits" json:"digits"`
	Scale       float64      `yaml:"scale" json:"scale"`
	Ranking     string       `yaml:"ranking" json:"ranking"`
	Universe    string       `yaml:"universe" json:"universe"`
	Root        string       `yaml:"root" json:"root"`
	Assumptions []string     `yaml:"assumptions" json:"assumptions,omitempty"`
	Nodes       []*Node      `yaml:"nodes" json:"nodes"`
	Indicators  []*Indicator `yaml:"indicators" json:"indicators"`
	Bands       []*Band      `yaml:"bands" json:"bands,omitempty"`
	Classes     []*Band      `yaml:"classes" json:"classes,omitempty"`
	Screen      *Screen      `yaml:"screen" json:"screen,omitempty"`
	// NormaliseOver is "year" (default: each year's units) or "all" (one normalisation
	// over every year, COINr's global = TRUE, so scores compare across years).
	NormaliseOver string `yaml:"normalise_over" json:"normalise_over,omitempty"`

	// Origin is "built-in" or the file path; SHA256 is the checksum of the file's bytes.
	Origin string `yaml:"-" json:"origin"`
	SHA256 string `yaml:"-" json:"sha256"`
}

// UnmarshalYAML records the line of each node so validation errors can point at it.
func (n *Node) UnmarshalYAML(v *yaml.Node) error {
	type plain Node
	if err := v.Decode((*plain)(n)); err != nil {
		return err
	}
	n.Line = v.Line
	return nil
}

// UnmarshalYAML records the line of the indicator.
func (in *Indicator) UnmarshalYAML(v *yaml.Node) error {
	type plain Indicator
	if err := v.Decode((*plain)(in)); err != nil {
		return err
	}
	in.Line = v.Line
	return nil
}

// UnmarshalYAML records the line of the band.
func (b *Band) UnmarshalYAML(v *yaml.Node) error {
	type plain Band
	if err := v.Decode((*plain)(b)); err != nil {
		return err
	}
	b.Line = v.Line
	return nil
}

// Limits of a framework file: its size, and the text it expands to when its aliases are
// followed (1,000 aliases of a 1 MB string would be a gigabyte).
const (
	maxFileSize = 4 << 20
	maxExpanded = 16 << 20
)

// expanded is the text a YAML node holds with its aliases followed (memo: per node, so
// a chain of aliases of aliases is counted without expanding it); it stops counting
// past maxExpanded.
func expanded(n *yaml.Node, memo map[*yaml.Node]int) int {
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = 0 // a cycle counts once
	total := len(n.Value) + len(n.Tag) + 1
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		total += expanded(n.Alias, memo)
	}
	for _, c := range n.Content {
		total += expanded(c, memo)
		if total > maxExpanded {
			break
		}
	}
	memo[n] = total
	return total
}

// Clone is a deep copy of f, to change (what-if runs, imputation alternatives).
func (f *Framework) Clone() (*Framework, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var g Framework
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// ErrNotFound is returned by Load for a name that is neither built in nor a file.
var ErrNotFound = errors.New("no such framework")

// Parse reads a framework from YAML bytes; origin names the source in errors.
func Parse(b []byte, origin string) (*Framework, error) {
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s: %d MB is more than a framework file may be (%d MB); a framework lists nodes and indicators, not data", origin, len(b)>>20, maxFileSize>>20)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", origin, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if n := expanded(&doc, map[*yaml.Node]int{}); n > maxExpanded {
		return nil, fmt.Errorf("%s: its aliases (*name) expand it to more than %d MB of text, more than a framework may be; write the repeated parts out or use fewer aliases", origin, maxExpanded>>20)
	}
	var f Framework
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v", origin, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	f.Origin = origin
	sum := sha256.Sum256(b)
	f.SHA256 = hex.EncodeToString(sum[:])
	f.setDefaults()
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	return &f, nil
}

func (f *Framework) setDefaults() {
	if f.Digits == 0 {
		f.Digits = 4
	}
	if f.Scale == 0 {
		f.Scale = 1
	}
	if f.Ranking == "" {
		f.Ranking = RankCompetition
	}
	if f.Universe == "" {
		f.Universe = UniverseAll
	}
	if f.NormaliseOver == "" {
		f.NormaliseOver = "year"
	}
	if f.Screen != nil && f.Screen.Stage == "" {
		f.Screen.Stage = "raw"
	}
	for _, n := range f.Nodes {
		if n.Aggregate == "" {
			n.Aggregate = AggArithmetic
		}
		if n.Zeros == "" {
			n.Zeros = "zero"
		}
		if n.Normalise == "" {
			n.Normalise = NormNone
		}
		if n.SD == "" {
			n.SD = SDPopulation
		}
		if n.Missing == "" {
			n.Missing = MissingRequire
		}
		if n.Label.En == "" {
			n.Label.En = n.ID
		}
	}
	for _, in := range f.Indicators {
		if in.Direction == "" {
			in.Direction = "positive"
		}
		if in.Normalise == "" {
			in.Normalise = NormNone
		}
		if in.Transform == "" {
			in.Transform = TransformNone
		}
		if in.Impute == "" {
			in.Impute = ImputeNone
		}
		if in.ImputeGroup == "" {
			in.ImputeGroup = "region"
		}
		if in.SD == "" {
			in.SD = SDPopulation
		}
		if d := in.Denominate; d != nil {
			if d.Scale == 0 {
				d.Scale = 1
			}
			if d.Missing == "" {
				d.Missing = "error"
			}
		}
		if w := in.Winsorise; w != nil && w.Rule != "" {
			if w.MaxPoints == 0 {
				w.MaxPoints = 5
			}
			if w.Skew == 0 {
				w.Skew = 2
			}
			if w.Kurtosis == 0 {
				w.Kurtosis = 3.5
			}
			if w.Fallback == "" {
				w.Fallback = FallbackNone
			}
			if w.Fallback == FallbackBoxCox && w.Lambda == nil {
				l := 0.5
				w.Lambda = &l
			}
		}
		if in.Label.En == "" {
			in.Label.En = in.ID
		}
	}
}

// BuiltinNames lists the embedded frameworks by id, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(data.FS, "methods")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// Load returns a built-in framework by id (e.g. "un-2022") or reads a YAML file.
func Load(name string) (*Framework, error) {
	if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || strings.Contains(name, "/") {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("framework %s: %w", name, err)
		}
		return Parse(b, name)
	}
	b, err := data.FS.ReadFile(path.Join("methods", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("%w %q; built-in frameworks: %s (or give a path to a .yaml file)",
			ErrNotFound, name, strings.Join(BuiltinNames(), ", "))
	}
	f, err := Parse(b, "built-in "+name)
	if err != nil {
		return nil, err
	}
	f.Origin = "built-in"
	return f, nil
}

var (
	builtinsOnce sync.Once
	builtins     []*Framework
	builtinsErr  error
)

// Builtins loads every embedded framework, once per process; callers must not modify
// the frameworks returned.
func Builtins() ([]*Framework, error) {
	builtinsOnce.Do(func() {
		for _, n := range BuiltinNames() {
			f, err := Load(n)
			if err != nil {
				builtinsErr = err
				return
			}
			builtins = append(builtins, f)
		}
	})
	return builtins, builtinsErr
}

// Node returns the node with the id, or nil.
func (f *Framework) Node(id string) *Node {
	for _, n := range f.Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// Indicator returns the indicator with the id, or nil.
func (f *Framework) Indicator(id string) *Indicator {
	for _, in := range f.Indicators {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// LabelOf returns the label of a node or indicator id in lang, or the id itself.
func (f *Framework) LabelOf(id, lang string) string {
	if n := f.Node(id); n != nil {
		return n.Label.In(lang)
	}
	if in := f.Indicator(id); in != nil {
		return in.Label.In(lang)
	}
	return id
}

// Levels orders the nodes so that every node comes after all its children: level 0
// holds nodes whose children are all indicators, level 1 nodes whose children are at
// most level 0, and so on. Validate guarantees there is no cycle.
func (f *Framework) Levels() [][]*Node {
	level := map[string]int{}
	var depth func(id string) int
	depth = func(id string) int {
		if l, ok := level[id]; ok {
			return l
		}
		n := f.Node(id)
		if n == nil {
			return -1 // an indicator
		}
		d := 0
		for _, c := range n.Children {
			if cd := depth(c.ID) + 1; cd > d {
				d = cd
			}
		}
		level[id] = d
		return d
	}
	var out [][]*Node
	for _, n := range f.Nodes {
		d := depth(n.ID)
		for len(out) <= d {
			out = append(out, nil)
		}
		out[d] = append(out[d], n)
	}
	return out
}

// UsedIndicators lists the indicator ids that some node uses, in framework order.
func (f *Framework) UsedIndicators() []string {
	used := map[string]bool{}
	for _, n := range f.Nodes {
		for _, c := range n.Children {
			if f.Indicator(c.ID) != nil {
				used[c.ID] = true
			}
		}
	}
	var out []string
	for _, in := range f.Indicators {
		if used[in.ID] {
			out = append(out, in.ID)
		}
	}
	return out
}

// TopNodes are the root and the supplementary indices (nodes that are no node's child,
// like the UN's EPI), in file order after the root.
func (f *Framework) TopNodes() []string {
	isChild := map[string]bool{}
	for _, n := range f.Nodes {
		for _, c := range n.Children {
			isChild[c.ID] = true
		}
	}
	out := []string{f.Root}
	for _, n := range f.Nodes {
		if n.ID != f.Root && !isChild[n.ID] {
			out = append(out, n.ID)
		}
	}
	return out
}

// IndexNodes lists the root first, then the supplementary indices (nodes that are no
// node's child), then the other nodes, in file order.
func (f *Framework) IndexNodes() []string {
	out := f.TopNodes()
	for _, n := range f.Nodes {
		if !slices.Contains(out, n.ID) {
			out = append(out, n.ID)
		}
	}
	return out
}

// BandOf returns the band and class ids for a rounded root value ("" when none fits).
func (f *Framework) BandOf(v float64) (band, class string) {
	for _, b := range f.Bands {
		if v >= b.Min {
			band = b.ID
			break
		}
	}
	for _, c := range f.Classes {
		if v >= c.Min {
			class = c.ID
			break
		}
	}
	return band, class
}

// ForEdition returns the built-in UN framework that governs a survey year's groups and
// rounding: the edition's own, else the latest earlier one, else the earliest (the group
// thresholds have not changed since groups were introduced).
func ForEdition(year int) *Framework {
	var best, first *Framework
	fs, err := Builtins()
	if err != nil {
		return nil
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.ID, "un-") || f.Edition == 0 {
			continue
		}
		if first == nil || f.Edition < first.Edition {
			first = f
		}
		if f.Edition <= year && (best == nil || f.Edition > best.Edition) {
			best = f
		}
	}
	if best == nil {
		return first
	}
	return best
}

// PublishedDigits is the number of decimals the UN published a survey year's index
// values to: 5 before the 2012 edition (the 2003–2010 tables), else the digits of the
// edition's framework (4 since 2012; ../shared/docs/METHODOLOGY.md).
func PublishedDigits(year int) int {
	if year < 2012 {
		return 5
	}
	if f := ForEdition(year); f != nil {
		return f.Digits
	}
	return 4
}
