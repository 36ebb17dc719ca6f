package uncertainty

import (
	"encoding/json"
	"fmt"
	"github.com/egdi/egdi/internal/compute"
	"io"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/present"
)

// In is the unit's name in Chinese (zh) or English.
func (u UnitStats) In(zh bool) string {
	if zh {
		return u.NameZh
	}
	return u.Name
}

// ordered are the units in nominal order (ranked first, then by code).
func ordered(r *Result) []UnitStats {
	us := append([]UnitStats(nil), r.Units...)
	sort.SliceStable(us, func(i, j int) bool {
		a, b := us[i].NominalRank, us[j].NominalRank
		if (a == 0) != (b == 0) {
			return a != 0
		}
		if a != b {
			return a < b
		}
		return us[i].Code < us[j].Code
	})
	return us
}

// UnitTable is every unit's nominal value and rank and its ranks over the evaluations,
// with the share of evaluations in each band.
func UnitTable(r *Result, f *framework.Framework, zh bool) *output.Table {
	t := &output.Table{Columns: []string{"unit", "name", "nominal_value", "nominal_rank", "mean_rank", "median_rank", "p05_rank", "p95_rank"}, Digits: f.Digits}
	headers := []string{"代码", "名称", "名义值", "名义排名", "平均排名", "排名中位数", "排名5%分位", "排名95%分位"}
	for _, b := range f.Bands {
		t.Columns = append(t.Columns, "share_"+b.ID)
		headers = append(headers, b.Label.In("zh")+"占比")
	}
	if zh {
		t.Headers = headers
	}
	for _, u := range ordered(r) {
		name, nr := u.In(zh), rankOrNil(u.NominalRank)
		row := []any{u.Code, name, output.Finite(u.NominalValue), nr, output.Finite(u.Mean), output.Finite(u.Median), output.Finite(u.P05), output.Finite(u.P95)}
		for b := range f.Bands {
			row = append(row, output.Finite(u.BandShare[b]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// SobolTable is each input's first-order and total Sobol indices with their intervals
// (per unit too with --per-unit).
func SobolTable(r *Result, zh bool) *output.Table {
	t := &output.Table{Columns: []string{"factor", "output", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"}, Digits: 3}
	if zh {
		t.Headers = []string{"输入", "输出", "一阶指数", "一阶下限", "一阶上限", "总效应指数", "总效应下限", "总效应上限"}
	}
	for _, x := range r.Indices {
		out := "mean |rank shift|"
		if zh {
			out = "平均排名变动"
		}
		if x.Unit != "" {
			out = "rank of " + x.Unit
			if zh {
				out = x.Unit + " 排名"
			}
		}
		t.Rows = append(t.Rows, []any{x.Factor, out, output.Finite(x.First), output.Finite(x.FirstLo), output.Finite(x.FirstHi), output.Finite(x.Total), output.Finite(x.TotalLo), output.Finite(x.TotalHi)})
	}
	return t
}

// Notes say what was run, for under the tables.
func Notes(r *Result, f *framework.Framework, dataset string, year int, synthetic, zhs bool) []string {
	var inputs []string
	for _, in := range r.Inputs {
		inputs = append(inputs, in.Text)
	}
	k := len(r.Inputs)
	l := present.Lang("en")
	if zhs {
		l = "zh"
	}
	tr := l.Tr
	what := fmt.Sprintf(tr("%d replications", "%d 次重复"), r.Evaluations)
	if r.Sobol {
		what = fmt.Sprintf(tr("a Saltelli design: N = %d base samples × (k + 2) = %d evaluations (k = %d inputs)",
			"Saltelli 设计：N = %d 个基础样本 × (k + 2) = %d 次计算（k = %d 个输入）"), r.Samples, r.Evaluations, k)
	}
	if synthetic {
		dataset += l.SyntheticMark()
	}
	notes := []string{
		fmt.Sprintf(tr("%s on dataset %s, %d: %s, seed %d.", "%s，数据集 %s，%d 年；%s，种子 %d。"), f.ID, dataset, year, what, r.Seed),
		tr("Uncertain inputs: ", "不确定输入：") + strings.Join(inputs, tr("; ", "；")),
	}
	if r.Sobol {
		notes = append(notes, tr("Sobol indices of the mean absolute rank shift from the nominal ranking: first order after Saltelli et al. (2010), total after Jansen (1999); 95% bootstrap intervals.",
			"Sobol 指数的输出为相对名义排名的平均绝对排名变动：一阶指数按 Saltelli 等（2010）估计，总效应指数按 Jansen（1999）估计；区间为 95% 自助法区间。"))
	}
	if r.NoValue > 0 {
		notes = append(notes, fmt.Sprintf(tr("In %d evaluations some unit ranked at the framework's own choices got no value (a geometric or harmonic mean of negative values); its ranks there are left out of its statistics.",
			"有 %d 次计算中，名义排名内的单位没有得分（如几何平均遇到负值），未计入其排名统计。"), r.NoValue))
	}
	return notes
}

// Write prints the result as format (table, csv or json): the units' rank statistics
// and, with Sobol indices, their table (first in CSV; after the units on a terminal,
// under the notes that say what was run).
func Write(w io.Writer, r *Result, p *compute.Plan, dataset, format string, zh bool) error {
	units := UnitTable(r, p.F, zh)
	switch format {
	case "json":
		return WriteJSON(w, r, p.F, zh)
	case "csv":
		if r.Sobol {
			if err := output.Write(w, SobolTable(r, zh), "csv"); err != nil {
				return err
			}
			fmt.Fprintln(w)
		}
		return output.Write(w, units, "csv")
	}
	units.Notes = Notes(r, p.F, dataset, p.D.Year, p.D.Synthetic, zh)
	if err := output.Write(w, units, "table"); err != nil {
		return err
	}
	if r.Sobol {
		fmt.Fprintln(w)
		return output.Write(w, SobolTable(r, zh), "table")
	}
	return nil
}

// WriteJSON prints the result as one object: samples, evaluations, seed, inputs,
// units and sobol.
func WriteJSON(w io.Writer, r *Result, f *framework.Framework, zh bool) error {
	type unit struct {
		Unit         string         `json:"unit"`
		Name         string         `json:"name"`
		NominalValue any            `json:"nominal_value"`
		NominalRank  any            `json:"nominal_rank"`
		MeanRank     any            `json:"mean_rank"`
		MedianRank   any            `json:"median_rank"`
		P05Rank      any            `json:"p05_rank"`
		P95Rank      any            `json:"p95_rank"`
		Bands        map[string]any `json:"band_share,omitempty"`
	}
	type sobol struct {
		Factor  string `json:"factor"`
		Unit    string `json:"unit,omitempty"`
		First   any    `json:"first"`
		FirstLo any    `json:"first_lo"`
		FirstHi any    `json:"first_hi"`
		Total   any    `json:"total"`
		TotalLo any    `json:"total_lo"`
		TotalHi any    `json:"total_hi"`
	}
	out := struct {
		Samples     int      `json:"samples"`
		Evaluations int      `json:"evaluations"`
		Seed        uint64   `json:"seed"`
		Inputs      []string `json:"inputs"`
		Units       []unit   `json:"units"`
		Sobol       []sobol  `json:"sobol"`
	}{Samples: r.Samples, Evaluations: r.Evaluations, Seed: r.Seed, Units: []unit{}, Sobol: []sobol{}}
	for _, in := range r.Inputs {
		out.Inputs = append(out.Inputs, in.Text)
	}
	for _, u := range ordered(r) {
		name, nr := u.In(zh), rankOrNil(u.NominalRank)
		x := unit{Unit: u.Code, Name: name, NominalValue: output.Finite(u.NominalValue), NominalRank: nr, MeanRank: output.Finite(u.Mean), MedianRank: output.Finite(u.Median), P05Rank: output.Finite(u.P05), P95Rank: output.Finite(u.P95)}
		if len(f.Bands) > 0 {
			x.Bands = map[string]any{}
			for b, band := range f.Bands {
				x.Bands[band.ID] = output.Finite(u.BandShare[b])
			}
		}
		out.Units = append(out.Units, x)
	}
	for _, s := range r.Indices {
		out.Sobol = append(out.Sobol, sobol{Factor: s.Factor, Unit: s.Unit, First: output.Finite(s.First), FirstLo: output.Finite(s.FirstLo), FirstHi: output.Finite(s.FirstHi),
			Total: output.Finite(s.Total), TotalLo: output.Finite(s.TotalLo), TotalHi: output.Finite(s.TotalHi)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
