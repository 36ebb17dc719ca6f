package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/egdi/egdi/internal/chart"
	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/present"
	"github.com/egdi/egdi/internal/uncertainty"
	"github.com/egdi/egdi/internal/version"
)

// RunKinds are the reports of a stored uncertainty run (egdi uncertainty), built by
// Uncertainty from the run rather than by Build from a panel.
var RunKinds = []string{"uncertainty"}

// UncertaintyOptions choose what an uncertainty report shows.
type UncertaintyOptions struct {
	Lang       present.Lang
	Run        *uncertainty.Stored
	Provenance uncertainty.Provenance
	// Framework is the run's framework, for the names of nodes, indicators and bands
	// (nil: they are shown by id).
	Framework *framework.Framework
	Charts    bool // draw charts (not needed for CSV, JSON or Excel)
	// CSV puts the rank intervals first: a CSV report holds one table, the first.
	CSV bool
}

// Uncertainty assembles the report of a stored uncertainty run as a methodological
// annex prints it: (a) the run — framework, data, design, estimators, engine; (b) the
// uncertain inputs and what each draws, in words; (c) each unit's rank interval, with
// its chart; (d) with a Saltelli design, the Sobol indices, with their chart (and each
// unit's, when the run computed them). Every number in the text is read from the rows
// of the tables.
func Uncertainty(o UncertaintyOptions) (*Report, error) {
	if o.Run == nil {
		return nil, fmt.Errorf("uncertainty report: no run")
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	u := &uaBuilder{o: o, r: o.Run, lang: o.Lang, fw: o.Framework, rep: &Report{Kind: "uncertainty", Lang: o.Lang}}
	u.meta()
	blocks := []Block{u.runBlock(), u.inputsBlock()}
	ranks, err := u.ranksBlock()
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, ranks)
	if u.r.Sobol {
		sb, err := u.sobolBlocks()
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, sb...)
	}
	if o.CSV {
		blocks = append([]Block{ranks}, append(blocks[:2:2], blocks[3:]...)...)
	}
	u.rep.Blocks = blocks
	return u.rep, nil
}

type uaBuilder struct {
	o    UncertaintyOptions
	r    *uncertainty.Stored
	lang present.Lang
	fw   *framework.Framework
	rep  *Report
}

func (u *uaBuilder) tr(en, zh string) string { return u.lang.Tr(en, zh) }

// name is the framework's title, or the run's method.
func (u *uaBuilder) name() string {
	if u.fw != nil {
		if t := u.fw.Title.In(string(u.lang)); t != "" {
			return t
		}
	}
	return u.r.Method
}

// label names a node or indicator: "Online government service capability index
// (index)", or the id.
func (u *uaBuilder) label(id string) string {
	if u.fw == nil {
		return id
	}
	if l := u.fw.LabelOf(id, string(u.lang)); l != id && l != "" {
		return fmt.Sprintf(u.tr("%s (%s)", "%s（%s）"), l, id)
	}
	return id
}

// origin is where the run read its framework from: built-in, or the file.
func (u *uaBuilder) origin() string {
	switch u.r.MethodOrigin {
	case "":
		return u.tr("origin not recorded", "来源未记录")
	case "built-in":
		return u.tr("built-in", "内置")
	}
	return u.r.MethodOrigin
}

func (u *uaBuilder) dataset() string {
	if u.o.Provenance.Synthetic {
		return u.r.Dataset + u.lang.SyntheticMark()
	}
	return u.r.Dataset
}

func (u *uaBuilder) meta() {
	r := u.r
	u.rep.Title = fmt.Sprintf(u.tr("Uncertainty analysis of the ranks: %s, %d", "排名的不确定性分析：%s，%d年"), u.name(), r.Year)
	if r.Sobol {
		u.rep.Title = fmt.Sprintf(u.tr("Uncertainty and sensitivity analysis of the ranks: %s, %d", "排名的不确定性与敏感性分析：%s，%d年"), u.name(), r.Year)
	}
	if u.o.Provenance.Synthetic {
		u.rep.Title += u.lang.SyntheticMark()
	}
	origin := u.origin()
	u.rep.Meta = []Field{
		{u.tr("Sources", "数据来源"), fmt.Sprintf(u.tr("egdi uncertainty run %d: %s on dataset %s, %d", "egdi 不确定性分析运行 %d：%s，数据集 %s，%d年"), r.ID, r.Method, u.dataset(), r.Year)},
		{u.tr("Methodology", "方法"), fmt.Sprintf(u.tr("%s (%s); uncertainty and sensitivity analysis after the OECD/JRC Handbook on Constructing Composite Indicators (2008)",
			"%s（%s）；不确定性与敏感性分析依照 OECD/JRC《综合指标构建手册》（2008）"), r.Method, origin)},
		{u.tr("Engine", "引擎"), "egdi " + version.Version},
		{u.tr("Generated", "生成时间"), generated().Format("2006-01-02 15:04 UTC")},
	}
}

// runBlock is (a): the framework, the data, the design, the estimators and the engine.
func (u *uaBuilder) runBlock() Block {
	r, p := u.r, u.o.Provenance
	var text []string
	method := r.Method
	if u.fw != nil && u.name() != r.Method {
		method = fmt.Sprintf(u.tr("%s (%s)", "%s（%s）"), u.name(), r.Method)
	}
	sha := ""
	if r.MethodSHA256 != "" {
		sha = fmt.Sprintf(u.tr(", SHA-256 %s", "，SHA-256 %s"), short(r.MethodSHA256))
	}
	origin := u.origin()
	text = append(text, fmt.Sprintf(u.tr("Framework: %s; %s%s.", "框架：%s；%s%s。"), method, origin, sha))
	switch {
	case u.fw == nil:
		text = append(text, u.tr("The framework could not be loaded now: nodes, indicators and bands are shown by id.", "现在无法载入该框架：节点、指标和等级以代码显示。"))
	case r.MethodSHA256 != "" && u.fw.SHA256 != "" && u.fw.SHA256 != r.MethodSHA256:
		text = append(text, fmt.Sprintf(u.tr("The framework has changed since the run (now SHA-256 %s): names are read from the current version.",
			"该框架在运行后已修改（现 SHA-256 %s）：名称取自当前版本。"), short(u.fw.SHA256)))
	}
	checksum := ""
	if r.InputsChecksum != "" {
		checksum = fmt.Sprintf(u.tr("; inputs checksum %s", "；输入校验和 %s"), short(r.InputsChecksum))
	}
	text = append(text, fmt.Sprintf(u.tr("Data: dataset %s, %d, %d units%s.", "数据：数据集 %s，%d年，%d 个地区%s。"), u.dataset(), r.Year, len(r.Units), checksum))
	k := len(r.Inputs)
	if r.Sobol {
		text = append(text, fmt.Sprintf(u.tr("Design: Saltelli design, N = %d base samples × (k + 2) = %d evaluations for k = %d inputs; seed %d.",
			"设计：Saltelli 设计，N = %d 个基础样本 × (k + 2) = %d 次计算，k = %d 个输入；种子 %d。"), r.Samples, r.Evaluations, k, r.Seed))
		text = append(text, u.tr("Estimators: first-order indices after Saltelli et al. (2010), total indices after Jansen (1999), of the mean absolute rank shift from the nominal ranking; bootstrap 95% intervals (percentiles over resamples of the base samples).",
			"估计量：一阶指数按 Saltelli 等（2010），总效应指数按 Jansen（1999），输出为相对名义排名的平均绝对排名变动；95%区间为对基础样本重抽样的自助法百分位区间。"))
	} else {
		text = append(text, fmt.Sprintf(u.tr("Design: %d replications, each input drawn at random and independently of the others (Monte Carlo); seed %d.",
			"设计：%d 次重复，各输入独立随机抽取（蒙特卡罗）；种子 %d。"), r.Evaluations, r.Seed))
	}
	text = append(text, u.tr("Rank statistics: each unit's mean and median rank and the 5th and 95th percentiles of its ranks over the evaluations in which it is ranked; band shares are the share of those evaluations in each band. The nominal rank is the rank at the framework's own choices.",
		"排名统计：各地区在其获得排名的各次计算中的平均排名、排名中位数及第5和第95百分位；等级占比为这些计算中落入各等级的比例。名义排名按框架本身的选择计算。"))
	text = append(text, u.tr("Each evaluation draws from a generator seeded by the seed and its own number, so the run gives the same numbers on any number of cores.",
		"每次计算的随机数由种子和计算序号确定，因此无论使用多少个处理器核心，结果都相同。"))
	engine := p.Engine
	if engine == "" {
		engine = u.tr("not recorded", "未记录")
	}
	at := ""
	if !p.ComputedAt.IsZero() {
		at = fmt.Sprintf(u.tr(", stored %s", "，存储于 %s"), p.ComputedAt.Format("2006-01-02 15:04 UTC"))
	}
	text = append(text, fmt.Sprintf(u.tr("Engine: egdi %s (run %d%s).", "引擎：egdi %s（运行 %d%s）。"), engine, r.ID, at))
	return Block{Heading: u.tr("The run", "分析设置"), Text: text}
}

// inputsBlock is (b): the uncertain inputs and what each draws.
func (u *uaBuilder) inputsBlock() Block {
	t := &Table{Sheet: u.tr("Inputs", "不确定输入"), Columns: []Column{
		{Key: "input_no", Label: "#", Kind: "int"},
		{Key: "input", Label: u.tr("Input (--vary)", "输入（--vary）"), Kind: "text"},
		{Key: "kind", Label: u.tr("Choice", "选择类型"), Kind: "text"},
		// keyed name, as it names the input in words: the HTML layout wraps that column alone
		{Key: "name", Label: u.tr("What is drawn", "抽取内容"), Kind: "text"}}}
	for i, s := range u.r.Inputs {
		kind, meaning := u.describe(s)
		t.Rows = append(t.Rows, []any{i + 1, s, kind, meaning})
	}
	text := []string{fmt.Sprintf(u.tr("%d uncertain inputs; the framework's other choices stay as they are.", "共 %d 个不确定输入；框架的其他选择保持不变。"), len(u.r.Inputs))}
	if u.r.Sobol {
		text = append(text, u.tr("Each input is one factor of the Sobol analysis, however many numbers it draws (noisy weights draw one per child).",
			"每个输入在 Sobol 分析中是一个因子，无论它抽取多少个数（噪声权重为每个子项各抽一个）。"))
	}
	return Block{Heading: u.tr("Uncertain inputs", "不确定输入"), Text: text, Table: t}
}

// describe says in words what a --vary text draws, and names its kind.
func (u *uaBuilder) describe(s string) (kind, meaning string) {
	in, err := uncertainty.ParseInput(s)
	if err != nil {
		return "", s
	}
	_, spec, _ := strings.Cut(s[len(in.Kind)+1:], "=")
	every := func(indicators bool) string {
		if indicators {
			return u.tr("every indicator", "每个指标")
		}
		return u.tr("every node", "每个节点")
	}
	what := u.label(in.ID)
	equally := u.tr(", each equally likely", "，等概率抽取")
	switch in.Kind {
	case "weight":
		lo, hi, _ := strings.Cut(spec, "..")
		return u.tr("Weight", "权重"), fmt.Sprintf(u.tr("the weight of %s within its parent, uniform in [%s, %s]", "%s在其上级节点中的权重，在 [%s, %s] 上均匀取值"), what, num3(lo), num3(hi))
	case "weights":
		t := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(spec, "±"), "+-"), "%")
		p, _ := strconv.ParseFloat(t, 64)
		lo, hi := fmtNum(1-p/100), fmtNum(1+p/100)
		if in.ID == "*" {
			return u.tr("Noisy weights", "噪声权重"), fmt.Sprintf(u.tr("every child weight of every node times a factor of its own, uniform in [%s, %s]", "每个节点的每个子项权重乘以各自在 [%s, %s] 上均匀取值的因子"), lo, hi)
		}
		return u.tr("Noisy weights", "噪声权重"), fmt.Sprintf(u.tr("every child weight of %s times a factor of its own, uniform in [%s, %s]", "%s的每个子项权重乘以各自在 [%s, %s] 上均匀取值的因子"), what, lo, hi)
	case "norm":
		if in.ID == "*" {
			what = every(true)
		}
		return u.tr("Normalisation", "标准化"), fmt.Sprintf(u.tr("the normalisation of %s: %s", "%s的标准化方法：%s"), what, u.orList(uncertainty.SplitOptions(spec), nil)) + equally
	case "agg":
		if in.ID == "*" {
			what = every(false)
		}
		names := map[string]string{"arithmetic": u.tr("arithmetic", "算术平均"), "geometric": u.tr("geometric", "几何平均"), "harmonic": u.tr("harmonic", "调和平均")}
		return u.tr("Aggregation", "聚合"), fmt.Sprintf(u.tr("the aggregation of %s: the %s mean", "%s的聚合方法：%s"), what, u.orList(uncertainty.SplitOptions(spec), names)) + equally
	case "impute":
		if in.ID == "*" {
			what = every(true)
		}
		return u.tr("Imputation", "缺失值填补"), fmt.Sprintf(u.tr("the imputation of the missing values of %s: %s", "%s缺失值的填补方法：%s"), what, u.orList(uncertainty.SplitOptions(spec), nil)) + equally
	case "winsorise":
		if in.ID == "*" {
			what = u.tr("every winsorised indicator", "每个缩尾处理的指标")
		}
		lo, hi, _ := strings.Cut(strings.TrimPrefix(spec, "max_points:"), "..")
		return u.tr("Winsorisation", "缩尾处理"), fmt.Sprintf(u.tr("the most points winsorised in %s: a whole number from %s to %s", "%s最多缩尾的点数：%s 至 %s 之间的整数"), what, strings.TrimSpace(lo), strings.TrimSpace(hi)) + equally
	case "drop":
		k := 0
		if u.fw != nil {
			if n := u.fw.Node(in.ID); n != nil {
				k = len(n.Children)
			}
		}
		if k > 0 {
			return u.tr("Structure", "结构"), fmt.Sprintf(u.tr("one of the %d children of %s left out, or none (%d choices, each equally likely)", "去掉%[2]s的 %[1]d 个子项之一，或不去掉（%[3]d 种选择，等概率抽取）"), k, what, k+1)
		}
		return u.tr("Structure", "结构"), fmt.Sprintf(u.tr("one child of %s left out, or none", "去掉%s的一个子项，或不去掉"), what) + equally
	}
	return in.Kind, s
}

// orList is "a, b or c" (zh: a、b 或 c), each item renamed by names where it has one.
func (u *uaBuilder) orList(items []string, names map[string]string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = s
		if n, ok := names[s]; ok {
			out[i] = n
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	if u.lang.ZH() {
		or := "或"
		if isASCII(out[len(out)-1]) { // minmax 或 zscore; 算术平均或几何平均
			or = " 或 "
		}
		return strings.Join(out[:len(out)-1], "、") + or + out[len(out)-1]
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

func isASCII(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return false
		}
	}
	return true
}

func num3(s string) string {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return s
	}
	return fmtNum(v)
}

// fmtNum is v with as many decimals as it needs (0.75, 1.25, 2).
func fmtNum(v float64) string { return strconv.FormatFloat(math.Round(v*1e9)/1e9, 'f', -1, 64) }

// short is the first 12 characters of a checksum.
func short(s string) string { return s[:min(12, len(s))] }

// unitName is a unit's name in the report's language.
func (u *uaBuilder) unitName(s uncertainty.UnitStats) string {
	if u.lang.ZH() && s.NameZh != "" {
		return s.NameZh
	}
	return s.Name
}

// bandLabel names a band: its label in the framework, or its id.
func (u *uaBuilder) bandLabel(id string) string {
	if u.fw != nil {
		for _, b := range u.fw.Bands {
			if b.ID == id {
				return b.Label.In(string(u.lang))
			}
		}
	}
	return id
}

// ranksBlock is (c): each unit's nominal value and rank beside its ranks over the
// evaluations, with the rank-interval chart.
func (u *uaBuilder) ranksBlock() (Block, error) {
	r := u.r
	digits := 2
	if u.fw != nil {
		digits = u.fw.Digits
	}
	unitWord, unitsWord := u.tr("Unit", "地区"), u.tr("units", "地区")
	if u.fw != nil && u.fw.Root == "egdi" {
		unitWord, unitsWord = u.tr("Country", "国家"), u.tr("countries", "国家")
	}
	partial := false
	for _, s := range r.Units {
		partial = partial || (s.Ranked < r.Evaluations && s.NominalRank > 0)
	}
	t := &Table{Sheet: u.tr("Rank intervals", "排名区间"), Sortable: true, Columns: []Column{
		{Key: "nominal_rank", Label: u.tr("Nominal rank", "名义排名"), Kind: "int"},
		{Key: "unit", Label: u.tr("Code", "代码"), Kind: "text"},
		{Key: "name", Label: unitWord, Kind: "text"},
		{Key: "nominal_value", Label: u.tr("Nominal value", "名义值"), Kind: "float", Digits: digits},
		{Key: "mean_rank", Label: u.tr("Mean rank", "平均排名"), Kind: "float", Digits: 2},
		{Key: "median_rank", Label: u.tr("Median rank", "排名中位数"), Kind: "float", Digits: 2},
		{Key: "p05_rank", Label: u.tr("5th percentile", "第5百分位"), Kind: "float", Digits: 2},
		{Key: "p95_rank", Label: u.tr("95th percentile", "第95百分位"), Kind: "float", Digits: 2}}}
	if partial {
		t.Columns = append(t.Columns, Column{Key: "ranked", Label: u.tr("Evaluations ranked", "获得排名的计算次数"), Kind: "int"})
	}
	for _, b := range r.Bands {
		t.Columns = append(t.Columns, Column{Key: "share_" + b, Label: fmt.Sprintf(u.tr("%s (share)", "%s占比"), u.bandLabel(b)), Kind: "pct", Digits: 1})
	}
	type stat struct {
		name           string
		nominal        int
		lo, hi, median float64
		outside        float64 // share of evaluations outside the nominal band
	}
	var stats []stat
	for _, s := range r.Units {
		var nr any
		if s.NominalRank > 0 {
			nr = s.NominalRank
		}
		row := []any{nr, s.Code, u.unitName(s), num(s.NominalValue), num(s.Mean), num(s.Median), num(s.P05), num(s.P95)}
		if partial {
			row = append(row, s.Ranked)
		}
		for i := range r.Bands {
			v := math.NaN()
			if i < len(s.BandShare) {
				v = s.BandShare[i]
			}
			row = append(row, num(v))
		}
		t.Rows = append(t.Rows, row)
		if s.NominalRank > 0 && !math.IsNaN(s.P05) {
			st := stat{name: u.unitName(s), nominal: s.NominalRank, lo: s.P05, hi: s.P95, median: s.Median, outside: math.NaN()}
			if u.fw != nil && len(s.BandShare) == len(r.Bands) && !math.IsNaN(s.NominalValue) {
				pow := math.Pow(10, float64(u.fw.Digits))
				band, _ := u.fw.BandOf(math.Round(s.NominalValue*pow) / pow)
				for i, b := range r.Bands {
					if b == band {
						st.outside = 1 - s.BandShare[i]
					}
				}
			}
			stats = append(stats, st)
		}
	}
	text := []string{fmt.Sprintf(u.tr("Each unit's nominal rank beside its mean and median rank and the 5th and 95th percentiles of its ranks over the %d evaluations (the 5–95%% interval); the share columns give the evaluations in each band.",
		"各地区的名义排名，以及其在 %d 次计算中的平均排名、排名中位数和第5、第95百分位（5%%–95%%区间）；占比列为落入各等级的计算比例。"), r.Evaluations)}
	if len(stats) > 0 {
		single, moved := 0, 0
		for _, s := range stats {
			if s.lo == s.hi {
				single++
			}
			if s.median != float64(s.nominal) {
				moved++
			}
		}
		text = append(text, fmt.Sprintf(u.tr("Of the %[1]d ranked %[4]s, %[2]d keep a single rank across the 5–95%% interval, and %[3]d have a median rank other than their nominal rank.",
			"在 %[1]d 个参与排名的%[4]s中，%[2]d 个的5%%–95%%区间只有一个名次，%[3]d 个的排名中位数与名义排名不同。"), len(stats), single, moved, unitsWord))
		sort.SliceStable(stats, func(i, j int) bool { return stats[i].hi-stats[i].lo > stats[j].hi-stats[j].lo })
		w := stats[0].hi - stats[0].lo
		var widest []string
		for _, s := range stats {
			if s.hi-s.lo == w && len(widest) < 3 {
				widest = append(widest, fmt.Sprintf(u.tr("%s (nominal %d, %s to %s)", "%s（名义排名 %d，%s 至 %s）"), s.name, s.nominal, fmtRank(s.lo), fmtRank(s.hi)))
			}
		}
		if w > 0 {
			text = append(text, fmt.Sprintf(u.tr("The widest interval spans %s places: %s.", "最宽的区间跨 %s 个名次：%s。"), fmtRank(w), u.lang.List(widest)))
		}
		if u.fw != nil && len(r.Bands) > 0 {
			n := 0
			for _, s := range stats {
				if s.outside >= 0.05 {
					n++
				}
			}
			text = append(text, fmt.Sprintf(u.tr("%d %s fall outside their nominal band in at least 5%% of the evaluations.", "%d 个%s在至少5%%的计算中落在其名义等级之外。"), n, unitsWord))
		}
	}
	blk := Block{Heading: u.tr("Rank intervals", "排名区间"), Text: text, Table: t}
	if u.o.Charts {
		spec := chart.RunSpec{Lang: u.lang, Run: r, Synthetic: u.o.Provenance.Synthetic}
		if len(r.Units) > chartUnits {
			spec.Top = chartUnits
			blk.Text = append(blk.Text, fmt.Sprintf(u.tr("The chart shows the first %[1]d of the %[2]d units; the table holds them all.", "图中显示 %[2]d 个地区中的前 %[1]d 个；表中列出全部。"), chartUnits, len(r.Units)))
		}
		f, err := chart.RankIntervals(spec)
		if err != nil {
			return Block{}, fmt.Errorf("chart rank-intervals: %w", err)
		}
		blk.Charts = []Chart{{Name: "rank-intervals", Figure: f}}
	}
	return blk, nil
}

// chartUnits is the most units the report's rank-interval chart shows (a 100 cm
// figure); the table holds every unit.
const chartUnits = 200

// fmtRank shows a rank statistic with the decimals it has (3, 3.5, 3.05).
func fmtRank(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// sobolBlocks is (d): the Sobol indices of the mean absolute rank shift, with their
// chart, and each unit's when the run computed them.
func (u *uaBuilder) sobolBlocks() ([]Block, error) {
	cols := func(withUnit bool) []Column {
		c := []Column{{Key: "factor", Label: u.tr("Input", "输入"), Kind: "text"}}
		if withUnit {
			c = append(c, Column{Key: "unit", Label: u.tr("Rank of", "排名"), Kind: "text"})
		}
		return append(c,
			Column{Key: "first", Label: u.tr("First order", "一阶指数"), Kind: "float", Digits: 3},
			Column{Key: "first_lo", Label: u.tr("First order, 2.5%", "一阶下限"), Kind: "float", Digits: 3},
			Column{Key: "first_hi", Label: u.tr("First order, 97.5%", "一阶上限"), Kind: "float", Digits: 3},
			Column{Key: "total", Label: u.tr("Total", "总效应指数"), Kind: "float", Digits: 3},
			Column{Key: "total_lo", Label: u.tr("Total, 2.5%", "总效应下限"), Kind: "float", Digits: 3},
			Column{Key: "total_hi", Label: u.tr("Total, 97.5%", "总效应上限"), Kind: "float", Digits: 3})
	}
	t := &Table{Sheet: u.tr("Sobol indices", "Sobol 指数"), Columns: cols(false)}
	per := &Table{Sheet: u.tr("Sobol indices by unit", "各地区 Sobol 指数"), Columns: cols(true)}
	var main []uncertainty.Index
	for _, x := range u.r.Indices {
		vals := []any{num(x.First), num(x.FirstLo), num(x.FirstHi), num(x.Total), num(x.TotalLo), num(x.TotalHi)}
		if x.Unit == "" {
			main = append(main, x)
			t.Rows = append(t.Rows, append([]any{x.Factor}, vals...))
		} else {
			per.Rows = append(per.Rows, append([]any{x.Factor, x.Unit}, vals...))
		}
	}
	if len(main) == 0 {
		return nil, fmt.Errorf("uncertainty run %d has no Sobol indices of the mean absolute rank shift; run egdi uncertainty with --sobol", u.r.ID)
	}
	text := []string{u.tr("The first-order index of an input is the share of the variance of the mean absolute rank shift (from the nominal ranking) that the input explains alone; its total index adds its interactions with the other inputs.",
		"输入的一阶指数是它单独解释的平均绝对排名变动（相对名义排名）方差的比例；总效应指数还包括它与其他输入的交互作用。")}
	byTotal, byFirst := main[0], main[0]
	sum := 0.0
	var outside []string
	for _, x := range main {
		if x.Total > byTotal.Total || math.IsNaN(byTotal.Total) {
			byTotal = x
		}
		if x.First > byFirst.First || math.IsNaN(byFirst.First) {
			byFirst = x
		}
		if !math.IsNaN(x.First) {
			sum += x.First
		}
		if x.First < 0 || x.First > 1 {
			outside = append(outside, fmt.Sprintf(u.tr("%s: first order %s", "%s：一阶 %s"), x.Factor, u.fmt3(x.First)))
		}
		if x.Total < 0 || x.Total > 1 {
			outside = append(outside, fmt.Sprintf(u.tr("%s: total %s", "%s：总效应 %s"), x.Factor, u.fmt3(x.Total)))
		}
	}
	lead := fmt.Sprintf(u.tr("By total index the most influential input is %s (%s, 95%% interval %s to %s)", "按总效应指数，影响最大的输入是 %s（%s，95%%区间 %s 至 %s）"),
		byTotal.Factor, u.fmt3(byTotal.Total), u.fmt3(byTotal.TotalLo), u.fmt3(byTotal.TotalHi))
	if byFirst.Factor == byTotal.Factor {
		lead += fmt.Sprintf(u.tr("; it also has the largest first-order index (%s, %s to %s).", "；其一阶指数也最大（%s，%s 至 %s）。"),
			u.fmt3(byFirst.First), u.fmt3(byFirst.FirstLo), u.fmt3(byFirst.FirstHi))
	} else {
		lead += fmt.Sprintf(u.tr("; by first-order index, %s (%s, %s to %s).", "；按一阶指数为 %s（%s，%s 至 %s）。"),
			byFirst.Factor, u.fmt3(byFirst.First), u.fmt3(byFirst.FirstLo), u.fmt3(byFirst.FirstHi))
	}
	text = append(text, lead)
	s := fmt.Sprintf(u.tr("The first-order indices sum to %s", "一阶指数之和为 %s"), u.fmt3(sum))
	if sum < 0.9 {
		s += u.tr("; interactions between the inputs account for the rest of the variance", "；其余方差来自输入之间的交互作用")
	}
	text = append(text, s+u.tr(".", "。"))
	if len(outside) > 0 {
		text = append(text, fmt.Sprintf(u.tr("Estimates outside [0, 1] (%s) are Monte Carlo error; more base samples (--samples) narrow them and their intervals.",
			"超出 [0, 1] 的估计值（%s）来自蒙特卡罗误差；增加基础样本（--samples）可使其及区间收窄。"), strings.Join(outside, u.tr("; ", "；"))))
	}
	blk := Block{Heading: u.tr("Sobol indices", "Sobol 指数"), Text: text, Table: t}
	if u.o.Charts {
		f, err := chart.SensitivityIndices(chart.RunSpec{Lang: u.lang, Run: u.r, Synthetic: u.o.Provenance.Synthetic})
		if err != nil {
			return nil, fmt.Errorf("chart sensitivity: %w", err)
		}
		blk.Charts = []Chart{{Name: "sensitivity", Figure: f}}
	}
	blocks := []Block{blk}
	if len(per.Rows) > 0 {
		blocks = append(blocks, Block{Heading: u.tr("Sobol indices of each unit's rank", "各地区排名的 Sobol 指数"),
			Text: []string{u.tr("The same indices with each unit's rank as the output (--per-unit).", "以各地区排名为输出的同一组指数（--per-unit）。")}, Table: per})
	}
	return blocks, nil
}

// fmt3 shows an index with three decimals, and a minus sign in text.
func (u *uaBuilder) fmt3(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	s := strconv.FormatFloat(v, 'f', 3, 64)
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:]
	}
	return s
}
