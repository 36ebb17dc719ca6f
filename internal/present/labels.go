// Package present turns egdi's answers into what a reader sees: column headers, node,
// band and group labels in English or Chinese, the number of decimals, and the source
// lines that say which values are published and which computed. Query results become
// output tables here; charts and reports take their labels and source lines from here,
// so that a table, a chart and a report of the same numbers say the same things.
package present

import (
	"fmt"
	"slices"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
)

// SyntheticMark is what follows a title or a dataset's name when the data are a
// synthetic sample.
func (l Lang) SyntheticMark() string { return l.Tr(" (synthetic sample)", "（合成样本）") }

// Lang is "en" or "zh".
type Lang string

// Check refuses a language egdi does not write.
func (l Lang) Check() error {
	if l != "en" && l != "zh" && l != "" {
		return fmt.Errorf("unknown --lang %q; use en or zh", string(l))
	}
	return nil
}

// ZH reports whether the language is Chinese.
func (l Lang) ZH() bool { return l == "zh" }

// Tr picks the English or the Chinese text.
func (l Lang) Tr(en, zh string) string {
	if l.ZH() {
		return zh
	}
	return en
}

// List joins items as prose: "a, b and c", or 「a、b、c」.
func (l Lang) List(items []string) string {
	if l.ZH() {
		return strings.Join(items, "、")
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Year is a year as a reader writes it: 2022, or 2022年.
func (l Lang) Year(y int) string {
	if l.ZH() {
		return fmt.Sprintf("%d年", y)
	}
	return fmt.Sprint(y)
}

// headers are the Chinese names of output columns.
var headers = map[string]string{
	"unit": "代码", "name": "名称", "year": "年份", "rank": "排名", "group": "组别", "band": "等级", "class": "评级",
	"key": "分组", "count": "数量", "share": "占比", "value": "数值", "index": "指数", "node": "指标",
	"check": "检查项", "severity": "级别", "detail": "说明", "source": "来源", "dataset": "数据集",
	"change": "变化", "cagr": "年均复合增长率",
}

// unNode reports whether node is one of the UN's published indices in sel (EGDI, OSI,
// TII, HCI, EPI), named by its acronym.
func unNode(sel *panel.Selection, node string) bool {
	return sel.UN() && (node == sel.Root() || slices.Contains(store.PublishedComponents, node))
}

// label is node's label in sel's frameworks (the labelling one first), or its id.
func label(sel *panel.Selection, node string, lang Lang) string {
	if n := sel.Framework.Node(node); n != nil {
		return n.Label.In(string(lang))
	}
	for _, r := range sel.Runs() {
		if n := r.Framework.Node(node); n != nil {
			return n.Label.In(string(lang))
		}
	}
	return node
}

// NodeShort names a node in a table header or a legend: EGDI, OSI, ... for the UN's
// indices, else its label.
func NodeShort(sel *panel.Selection, node string, lang Lang) string {
	if unNode(sel, node) {
		return strings.ToUpper(node)
	}
	return label(sel, node, lang)
}

// NodeName names a node in a title: "Online Service Index (OSI)", or its label.
func NodeName(sel *panel.Selection, node string, lang Lang) string {
	l := label(sel, node, lang)
	if unNode(sel, node) {
		return l + lang.Tr(" ("+strings.ToUpper(node)+")", "（"+strings.ToUpper(node)+"）")
	}
	return l
}

// Range is the value range of sel's scale: (0–1) or (0–100).
func Range(sel *panel.Selection, lang Lang) string {
	if sel.Framework.Scale == 100 {
		return lang.Tr(" (0–100)", "（0–100）")
	}
	return lang.Tr(" (0–1)", "（0–1）")
}

// bands are the band and class definitions of sel's frameworks, the labelling one first.
func bands(sel *panel.Selection) []*framework.Band {
	var out []*framework.Band
	fs := []*framework.Framework{sel.Framework}
	for _, r := range sel.Runs() {
		fs = append(fs, r.Framework)
	}
	for _, f := range fs {
		out = append(out, f.Bands...)
		out = append(out, f.Classes...)
	}
	return out
}

// BandLabel names a band or class id of sel in lang (the id itself when it has no label).
func BandLabel(sel *panel.Selection, id string, lang Lang) string {
	for _, b := range bands(sel) {
		if b.ID == id {
			if l := b.Label.In(string(lang)); l != "" {
				return l
			}
		}
	}
	return id
}

// BandIDs are the bands of sel's framework, highest first.
func BandIDs(sel *panel.Selection) []string {
	var out []string
	for _, b := range sel.Framework.Bands {
		out = append(out, b.ID)
	}
	return out
}

// BandWord is what a framework calls its bands: the UN's groups, or bands.
func BandWord(sel *panel.Selection, lang Lang) string {
	if sel.UN() {
		return lang.Tr("group", "组别")
	}
	return lang.Tr("band", "等级")
}

// BandKey is the key of the band column: group for the UN's index, else band.
func BandKey(sel *panel.Selection) string {
	if sel.UN() {
		return "group"
	}
	return "band"
}

// UnitsWord is what the units are: countries for the UN's index, else units.
func UnitsWord(sel *panel.Selection, lang Lang) string {
	if sel.UN() {
		return lang.Tr("countries", "个国家")
	}
	return lang.Tr("units", "个地区")
}

// GroupingName names a grouping in lang: the M49 ones by their names, others by the
// names their import gave them, else by id.
func GroupingName(p *panel.Panel, grouping string, lang Lang) string {
	if l, ok := p.Labels[grouping]; ok {
		return l.In(string(lang))
	}
	names := map[string][2]string{
		"region": {"region", "区域"}, "subregion": {"sub-region", "次区域"},
		"ldc": {"LDC status", "是否最不发达国家"}, "lldc": {"LLDC status", "是否内陆发展中国家"},
		"sids": {"SIDS status", "是否小岛屿发展中国家"}, "band": {"band", "等级"}, "group": {"group", "组别"}, "class": {"rating class", "评级"},
	}
	if n, ok := names[grouping]; ok {
		return lang.Tr(n[0], n[1])
	}
	return grouping
}

// Name is a unit's name in lang.
func Name(u *panel.Unit, lang Lang) string { return u.NameIn(string(lang)) }

// Digits is the number of decimals sel's values are shown with in year (0: the latest).
func Digits(sel *panel.Selection, year int) int {
	for _, y := range sel.Years {
		if y.Year == year {
			return y.Digits
		}
	}
	return sel.Years[len(sel.Years)-1].Digits
}
