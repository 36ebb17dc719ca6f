package present

import (
	"fmt"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/panel"
)

// runText names a run as a source: the published edition, or the computation.
func runText(r *panel.Run, lang Lang) string {
	if r.Source == panel.Published {
		return lang.Tr(fmt.Sprintf("UN E-Government Survey %d (published)", r.Year), fmt.Sprintf("联合国电子政务调查报告 %d 年公布值", r.Year))
	}
	return lang.Tr(fmt.Sprintf("computed by egdi (%s, dataset %s, run %d)", r.Method, r.Dataset, r.ID),
		fmt.Sprintf("egdi 计算（方法 %s，数据集 %s，运行 %d）", r.Method, r.Dataset, r.ID))
}

// Sources are the source lines of the values of nodes shown for years: the published
// editions, the computations (method, dataset and run), and, for a year whose values
// come from more than one run, which node came from where and for how many units; then
// a warning when any of it is a synthetic sample.
func Sources(p *panel.Panel, years []int, nodes []string, lang Lang) []string {
	return SourcesOf(p.Selection, p, years, nodes, lang)
}

// SourcesOf are Sources of the values c counted of selection sel (a panel streamed
// rather than held: panel.Counts).
func SourcesOf(sel *panel.Selection, c panel.Contributor, years []int, nodes []string, lang Lang) []string {
	var published []string
	var computed []*panel.Run // the runs of years of one computation, in year order
	var mixed []string
	synthetic := false
	for _, y := range years {
		// each node's contributions, largest first
		type part struct {
			run *panel.Run
			n   int
		}
		phrase := map[string][]string{} // the source phrase → the nodes it covers
		var order []string
		runs := map[*panel.Run]bool{}
		for _, node := range nodes {
			cs := c.Contributions(y, node)
			if len(cs) == 0 {
				continue
			}
			var parts []part
			for r, n := range cs {
				parts = append(parts, part{r, n})
				runs[r] = true
				synthetic = synthetic || r.Synthetic
			}
			sort.Slice(parts, func(i, j int) bool {
				if parts[i].n != parts[j].n {
					return parts[i].n > parts[j].n
				}
				return parts[i].run.ID < parts[j].run.ID
			})
			var s string
			if len(parts) == 1 {
				s = runText(parts[0].run, lang)
			} else {
				var ps []string
				for _, x := range parts {
					units := "units"
					if x.n == 1 {
						units = "unit"
					}
					ps = append(ps, runText(x.run, lang)+lang.Tr(fmt.Sprintf(" for %d %s", x.n, units), fmt.Sprintf("%d个", x.n)))
				}
				s = strings.Join(ps, lang.Tr(", ", "，"))
			}
			if _, ok := phrase[s]; !ok {
				order = append(order, s)
			}
			phrase[s] = append(phrase[s], NodeShort(sel, node, lang))
		}
		switch {
		case len(runs) == 0:
		case len(order) == 1 && len(runs) == 1:
			for r := range runs {
				if r.Source == panel.Published {
					published = append(published, fmt.Sprint(y))
				} else {
					computed = append(computed, r)
				}
			}
		default:
			var ps []string
			for _, s := range order {
				ps = append(ps, strings.Join(phrase[s], lang.Tr(", ", "、"))+lang.Tr(": ", "：")+s)
			}
			mixed = append(mixed, lang.Tr(fmt.Sprintf("Sources %d: ", y), fmt.Sprintf("%d年来源：", y))+strings.Join(ps, lang.Tr("; ", "；")))
		}
	}
	var out []string
	if len(published) > 0 {
		out = append(out, lang.Tr("Source: UN E-Government Survey "+strings.Join(published, ", ")+" (published values)",
			"来源：联合国电子政务调查报告 "+strings.Join(published, "、")+" 年公布值"))
	}
	if len(computed) > 0 {
		out = append(out, computedText(computed, lang))
	}
	out = append(out, mixed...)
	if synthetic {
		out = append(out, lang.Tr("NOTE: SYNTHETIC SAMPLE DATA, not official figures.", "注意：合成样本数据，非官方数据。"))
	}
	return out
}

// computedText says which computations the years' values come from: the years of one
// method and dataset together, with their runs.
func computedText(runs []*panel.Run, lang Lang) string {
	type key struct{ method, dataset string }
	var order []key
	years, ids := map[key][]string{}, map[key][]string{}
	for _, r := range runs {
		k := key{r.Method, r.Dataset}
		if _, ok := years[k]; !ok {
			order = append(order, k)
		}
		years[k] = append(years[k], fmt.Sprint(r.Year))
		ids[k] = append(ids[k], fmt.Sprint(r.ID))
	}
	var parts []string
	for _, k := range order {
		run := lang.Tr("run", "运行")
		if len(ids[k]) > 1 {
			run = lang.Tr("runs", "运行")
		}
		parts = append(parts, lang.Tr(
			fmt.Sprintf("%s (%s, dataset %s, %s %s)", strings.Join(years[k], ", "), k.method, k.dataset, run, strings.Join(ids[k], ", ")),
			fmt.Sprintf("%s年（方法 %s，数据集 %s，%s %s）", strings.Join(years[k], "、"), k.method, k.dataset, run, strings.Join(ids[k], "、"))))
	}
	return lang.Tr("Source: computed by egdi, "+strings.Join(parts, "; "), "来源：egdi 计算，"+strings.Join(parts, "；"))
}

// NotAssessed is the line that lists a year's units listed without values, or "".
func NotAssessed(rows []panel.Row, year int, lang Lang) string {
	var names []string
	placeholders := 0
	for _, r := range rows {
		if r.Year == year && !r.Assessed() {
			names = append(names, Name(r.Unit, lang))
			if r.Status == "placeholder" {
				placeholders++
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	s := lang.Tr(fmt.Sprintf("Not assessed in %d (%d, left out of ranks, counts and means", year, len(names)),
		fmt.Sprintf("%d年未参评（%d个，不计入排名、数量与均值", year, len(names)))
	if placeholders > 0 {
		s += lang.Tr(fmt.Sprintf("; %d of them ranked with EGDI 0, a placeholder", placeholders), fmt.Sprintf("；其中%d个以EGDI为0列于末位，系占位而非得分", placeholders))
	}
	return s + lang.Tr("): ", "）：") + strings.Join(names, lang.Tr(", ", "、")) + lang.Tr(".", "。")
}
