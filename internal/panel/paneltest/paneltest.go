// Package paneltest builds small panels by hand, without a database, for the tests
// of the packages that read panels (query, chart, report): their numbers can then be
// checked against values worked out on paper.
package paneltest

import (
	"math"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/panel"
)

// Framework is the hand panel's framework: an index of two dimensions a and b on
// 0–100, ranked on two decimals, banded high from 50.
const Framework = `id: hand
title: {en: Hand index, zh: 手算指数}
scale: 100
digits: 2
root: idx
nodes:
  - {id: idx, label: {en: Hand index, zh: 手算指数}, children: [a, b]}
  - {id: a, label: {en: Access, zh: 接入}, children: [x]}
  - {id: b, label: {en: Benefit, zh: 效益}, children: [y]}
indicators:
  - {id: x}
  - {id: y}
bands:
  - {id: high, min: 50, label: {en: High, zh: 高}}
  - {id: low, min: 0, label: {en: Low, zh: 低}}
`

// Unit is a hand unit: its code, zone, and its values of idx, a and b per year (NaN:
// none).
type Unit struct {
	Code, Name, Zone string
	Values           map[int][3]float64
}

// Units are the hand panel's units. In 2022 idx is 80, 60, 60 and 20 (U3 and U2 tie;
// U4 has no b), in 2020 70, 75, 40 and 10.
var Units = []Unit{
	{"U1", "Alpha", "North", map[int][3]float64{2020: {70, 60, 80}, 2022: {80, 90, 70}}},
	{"U2", "Beta", "North", map[int][3]float64{2020: {75, 70, 80}, 2022: {60, 50, 70}}},
	{"U3", "Gamma", "South", map[int][3]float64{2020: {40, 30, 50}, 2022: {60, 65, 55}}},
	{"U4", "Delta", "South", map[int][3]float64{2020: {10, 10, 10}, 2022: {20, 20, math.NaN()}}},
}

// New is the hand panel: one computed run a year of the framework above, with the
// ranks a computation stores (competition ranks on two decimals) and the bands.
func New() *panel.Panel {
	f, err := framework.Parse([]byte(Framework), "hand.yaml")
	if err != nil {
		panic(err)
	}
	nodes := []string{"idx", "a", "b"}
	p := &panel.Panel{Units: map[string]*panel.Unit{}, Selection: &panel.Selection{Framework: f, Nodes: nodes}}
	for _, u := range Units {
		p.Units[u.Code] = &panel.Unit{Code: u.Code, Name: u.Name, NameZh: u.Name + "（中）", Kind: "custom",
			Groups: map[string]panel.Group{"zone": {Name: u.Zone, Zh: map[string]string{"North": "北", "South": "南"}[u.Zone]}}}
	}
	for i, y := range []int{2020, 2022} {
		run := &panel.Run{ID: i + 1, Dataset: "hand", Year: y, Source: panel.Computed, Method: "hand", Root: "idx", Digits: 2,
			Ranking: framework.RankCompetition, Framework: f, Nodes: map[string]int{"idx": 4, "a": 4, "b": 4}}
		p.Years = append(p.Years, panel.Year{Year: y, Runs: []*panel.Run{run}, Digits: 2, Ranking: framework.RankCompetition})
		for _, u := range Units {
			r := panel.Row{Unit: p.Units[u.Code], Year: y, Cells: make([]panel.Cell, 3)}
			for k := range nodes {
				v := u.Values[y][k]
				if math.IsNaN(v) {
					r.Cells[k] = panel.Cell{Value: math.NaN()}
					continue
				}
				rank := 1
				for _, o := range Units {
					if o.Values[y][k] > v {
						rank++
					}
				}
				r.Cells[k] = panel.Cell{Value: v, Rank: rank, Run: run}
			}
			r.Band = "low"
			if u.Values[y][0] >= 50 {
				r.Band = "high"
			}
			p.Rows = append(p.Rows, r)
		}
	}
	return p
}
