package uncertainty

import (
	"encoding/json"
	"fmt"
	"github.com/egdi/egdi/internal/compute"
	"io"
	"math"
	"sort"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
)

// Removal is the framework evaluated with one child of a node left out (COINr's
// remove_elements): each unit's rank, and the mean and largest absolute rank shift from
// the nominal ranking.
type Removal struct {
	Child        string
	Ranks        []int // per target unit, as Plan.Target
	MeanAbsShift float64
	MaxAbsShift  int
}

// DropEach evaluates the plan with each child of node left out in turn.
func DropEach(p *compute.Plan, node string) (nominal []int, out []Removal, err error) {
	i := -1
	for k, n := range p.Nodes() {
		if n.ID == node {
			i = k
		}
	}
	if i < 0 {
		if p.F.Indicator(node) != nil {
			return nil, nil, fmt.Errorf("%s is an indicator; --node takes a node, whose children are left out in turn", node)
		}
		return nil, nil, fmt.Errorf("%s has no node %q", p.F.ID, node)
	}
	if len(p.Nodes()[i].Children) < 2 {
		return nil, nil, fmt.Errorf("node %s has one child; leaving it out leaves nothing", node)
	}
	e := p.NewEvaluator()
	q := p.Nominal()
	if err := e.Evaluate(&q); err != nil {
		return nil, nil, err
	}
	nominal = append([]int(nil), e.Rank...)
	for j, c := range p.Nodes()[i].Children {
		q.Drop[i] = j
		if err := e.Evaluate(&q); err != nil {
			return nil, nil, err
		}
		rm := Removal{Child: c.ID, Ranks: append([]int(nil), e.Rank...)}
		sum, n := 0.0, 0
		for u, r := range rm.Ranks {
			if r == 0 || nominal[u] == 0 {
				continue
			}
			d := r - nominal[u]
			if d < 0 {
				d = -d
			}
			sum += float64(d)
			n++
			rm.MaxAbsShift = max(rm.MaxAbsShift, d)
		}
		rm.MeanAbsShift = math.NaN()
		if n > 0 {
			rm.MeanAbsShift = sum / float64(n)
		}
		out = append(out, rm)
	}
	return nominal, out, nil
}

// DropTables are the shifts per child and each unit's rank without each child, units
// in nominal order.
func DropTables(p *compute.Plan, node, dataset string, nominal []int, rs []Removal, zh bool) (children, units *output.Table) {
	children = &output.Table{Columns: []string{"child", "label", "mean_abs_shift", "max_abs_shift"}, Digits: 2}
	if zh {
		children.Headers = []string{"去掉的子项", "名称", "平均绝对排名变动", "最大绝对排名变动"}
	}
	lang := "en"
	if zh {
		lang = "zh"
	}
	l := present.Lang(lang)
	if p.D.Synthetic {
		dataset += l.SyntheticMark()
	}
	children.Notes = []string{l.Tr(
		fmt.Sprintf("%s on dataset %s, %d: node %s with each child left out in turn.", p.F.ID, dataset, p.D.Year, node),
		fmt.Sprintf("%s，数据集 %s，%d 年：依次去掉节点 %s 的每个子项。", p.F.ID, dataset, p.D.Year, node))}
	for _, r := range rs {
		children.Rows = append(children.Rows, []any{r.Child, p.F.LabelOf(r.Child, lang), output.Finite(r.MeanAbsShift), r.MaxAbsShift})
	}
	units = &output.Table{Columns: []string{"unit", "name", "nominal_rank"}}
	headers := []string{"代码", "名称", "名义排名"}
	for _, r := range rs {
		units.Columns = append(units.Columns, "rank_without_"+r.Child)
		headers = append(headers, "去掉 "+r.Child+" 后排名")
	}
	if zh {
		units.Headers = headers
	}
	for _, i := range nominalOrder(p, nominal) {
		u := p.D.Units[p.Target()[i]]
		name := u.Name
		if zh {
			name = u.NameZh
		}
		row := []any{u.Code, name, rankOrNil(nominal[i])}
		for _, r := range rs {
			row = append(row, rankOrNil(r.Ranks[i]))
		}
		units.Rows = append(units.Rows, row)
	}
	return children, units
}

// WriteDropJSON prints one object: node, children (with their shifts) and units (with
// their rank without each child).
func WriteDropJSON(w io.Writer, p *compute.Plan, node string, nominal []int, rs []Removal, zh bool) error {
	type child struct {
		Child        string `json:"child"`
		MeanAbsShift any    `json:"mean_abs_shift"`
		MaxAbsShift  int    `json:"max_abs_shift"`
	}
	type unit struct {
		Unit        string         `json:"unit"`
		Name        string         `json:"name"`
		NominalRank any            `json:"nominal_rank"`
		Without     map[string]any `json:"rank_without"`
	}
	out := struct {
		Node     string  `json:"node"`
		Children []child `json:"children"`
		Units    []unit  `json:"units"`
	}{Node: node}
	for _, r := range rs {
		out.Children = append(out.Children, child{r.Child, output.Finite(r.MeanAbsShift), r.MaxAbsShift})
	}
	for _, i := range nominalOrder(p, nominal) {
		u := p.D.Units[p.Target()[i]]
		name := u.Name
		if zh {
			name = u.NameZh
		}
		x := unit{Unit: u.Code, Name: name, NominalRank: rankOrNil(nominal[i]), Without: map[string]any{}}
		for _, r := range rs {
			x.Without[r.Child] = rankOrNil(r.Ranks[i])
		}
		out.Units = append(out.Units, x)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func rankOrNil(r int) any {
	if r == 0 {
		return nil
	}
	return r
}

// nominalOrder is the target units' positions by nominal rank (unranked last, by code).
func nominalOrder(p *compute.Plan, nominal []int) []int {
	idx := make([]int, len(nominal))
	for i := range idx {
		idx[i] = i
	}
	code := func(i int) string { return p.D.Units[p.Target()[i]].Code }
	less := func(a, b int) bool {
		ra, rb := nominal[a], nominal[b]
		if (ra == 0) != (rb == 0) {
			return ra != 0
		}
		if ra != rb {
			return ra < rb
		}
		return code(a) < code(b)
	}
	sort.SliceStable(idx, func(a, b int) bool { return less(idx[a], idx[b]) })
	return idx
}
