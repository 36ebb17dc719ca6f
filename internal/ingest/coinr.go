package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/egdi/egdi/internal/store"
)

// A Coin is a COINr coin's input as its users keep it: iData (one row per unit and
// time, a column per indicator, denominator and grouping) and iMeta (one row per
// indicator, aggregate, denominator and group: Level, iCode, iName, Direction, Weight,
// Unit, Target, Denominator, Parent, Type).
type Coin struct {
	IData, IMeta string
	Units        []CoinUnit
	Meta         []CoinMeta
	Years        []int
	values       []coinValue
	groups       []groupRow
}

// CoinUnit is a unit of iData.
type CoinUnit struct{ Code, Name string }

// CoinMeta is a row of iMeta.
type CoinMeta struct {
	Level       int
	Code, Name  string
	Direction   float64 // 1 or −1 (indicators)
	Weight      float64 // within the parent (indicators and aggregates)
	Unit        string
	Target      *float64
	Denominator string
	Parent      string
	Type        string // Indicator, Aggregate, Group, Denominator or Other
	Pos         int    // its row in iMeta
}

type coinValue struct {
	unit, indicator string
	year            int
	value           float64
}

// ReadCoin reads and checks iData and iMeta (CSV, XLSX or Parquet). Every problem is
// an error naming the file, row and column. year labels iData without a Time column.
func ReadCoin(idata, imeta string, year int) (*Coin, error) {
	c := &Coin{IData: idata, IMeta: imeta}
	if err := c.readMeta(); err != nil {
		return nil, err
	}
	if err := c.readData(year); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Coin) readMeta() error {
	t, err := ReadTable(c.IMeta)
	if err != nil {
		return err
	}
	col := columns(t.Header)
	for _, need := range []string{"iCode", "Type"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("%s: iMeta has no %s column (found %s); COINr's iMeta has Level, iCode, iName, Direction, Weight, Parent, Type", c.IMeta, need, strings.Join(t.Header, ", "))
		}
	}
	get := func(r Row, name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(r.Cell(i))
		}
		return ""
	}
	where := func(r Row, name string) string {
		return fmt.Sprintf("%s: %s %d, column %s", c.IMeta, t.Where, r.Pos, name)
	}
	seen := map[string]int{}
	for _, r := range t.Rows {
		m := CoinMeta{Code: get(r, "iCode"), Name: get(r, "iName"), Unit: get(r, "Unit"), Denominator: na(get(r, "Denominator")),
			Parent: na(get(r, "Parent")), Type: get(r, "Type"), Pos: r.Pos, Weight: 1, Direction: 1}
		if m.Code == "" {
			return fmt.Errorf("%s: a row without an iCode", where(r, "iCode"))
		}
		if strings.ContainsFunc(m.Code, unicode.IsControl) || strings.ContainsAny(m.Code, " ,=") {
			return fmt.Errorf("%s: iCode %q holds a space, a comma, = or a control character; codes are plain text", where(r, "iCode"), m.Code)
		}
		if p, dup := seen[m.Code]; dup {
			return fmt.Errorf("%s: iCode %q is also on %s %d", where(r, "iCode"), m.Code, t.Where, p)
		}
		seen[m.Code] = r.Pos
		switch m.Type {
		case "Indicator", "Aggregate", "Group", "Denominator", "Other":
		default:
			return fmt.Errorf("%s: Type %q is not Indicator, Aggregate, Group, Denominator or Other", where(r, "Type"), m.Type)
		}
		if m.Type == "Indicator" || m.Type == "Aggregate" {
			lv, err := strconv.Atoi(na(get(r, "Level")))
			if err != nil || lv < 1 {
				return fmt.Errorf("%s: Level %q of %s is not a whole number from 1", where(r, "Level"), get(r, "Level"), m.Code)
			}
			m.Level = lv
			if w := na(get(r, "Weight")); w != "" {
				x, err := strconv.ParseFloat(w, 64)
				if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
					return fmt.Errorf("%s: Weight %q of %s is not a number of zero or more", where(r, "Weight"), w, m.Code)
				}
				m.Weight = x
			}
		}
		if m.Type == "Indicator" {
			switch d := na(get(r, "Direction")); d {
			case "1", "1.0", "":
			case "-1", "-1.0":
				m.Direction = -1
			default:
				return fmt.Errorf("%s: Direction %q of %s is not 1 or -1", where(r, "Direction"), d, m.Code)
			}
			if tg := na(get(r, "Target")); tg != "" {
				x, err := strconv.ParseFloat(tg, 64)
				if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
					return fmt.Errorf("%s: Target %q of %s is not a number", where(r, "Target"), tg, m.Code)
				}
				m.Target = &x
			}
		}
		c.Meta = append(c.Meta, m)
	}
	byCode := map[string]*CoinMeta{}
	for i := range c.Meta {
		byCode[c.Meta[i].Code] = &c.Meta[i]
	}
	roots := 0
	for _, m := range c.Meta {
		switch m.Type {
		case "Indicator", "Aggregate":
			if m.Parent == "" {
				if m.Type == "Indicator" {
					return fmt.Errorf("%s: %s %d, column Parent: indicator %s has no Parent", c.IMeta, t.Where, m.Pos, m.Code)
				}
				roots++
				continue
			}
			p, ok := byCode[m.Parent]
			if !ok || p.Type != "Aggregate" {
				return fmt.Errorf("%s: %s %d, column Parent: %s's Parent %q is not an aggregate of iMeta", c.IMeta, t.Where, m.Pos, m.Code, m.Parent)
			}
			if p.Level <= m.Level {
				return fmt.Errorf("%s: %s %d, column Parent: %s (Level %d) has Parent %s of Level %d; a parent's Level is higher", c.IMeta, t.Where, m.Pos, m.Code, m.Level, p.Code, p.Level)
			}
		}
		if m.Denominator != "" {
			if d, ok := byCode[m.Denominator]; !ok || d.Type != "Denominator" {
				return fmt.Errorf("%s: %s %d, column Denominator: %s's Denominator %q is not a row of Type Denominator", c.IMeta, t.Where, m.Pos, m.Code, m.Denominator)
			}
		}
	}
	if roots != 1 {
		return fmt.Errorf("%s: %d aggregates have no Parent; COINr's tree has one top aggregate (the index)", c.IMeta, roots)
	}
	return nil
}

// na reads R's missing value as blank.
func na(s string) string {
	if s == "NA" {
		return ""
	}
	return s
}

func columns(header []string) map[string]int {
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	return col
}

func (c *Coin) readData(year int) error {
	t, err := ReadTable(c.IData)
	if err != nil {
		return err
	}
	col := columns(t.Header)
	ucode, ok := col["uCode"]
	if !ok {
		return fmt.Errorf("%s: iData has no uCode column (found %s)", c.IData, strings.Join(t.Header, ", "))
	}
	uname, hasName := col["uName"]
	tcol, hasTime := col["Time"]
	if !hasTime && year == 0 {
		return fmt.Errorf("%s: iData has no Time column; give the year with --year", c.IData)
	}
	var series []CoinMeta
	for _, m := range c.Meta {
		if m.Type == "Indicator" || m.Type == "Denominator" || m.Type == "Group" {
			if _, ok := col[m.Code]; !ok {
				return fmt.Errorf("%s: iData has no column %s, which iMeta (%s row %d) lists as %s", c.IData, m.Code, c.IMeta, m.Pos, strings.ToLower(m.Type))
			}
			series = append(series, m)
		}
	}
	units := map[string]bool{}
	keys := map[string]int{}
	years := map[int]bool{}
	for _, r := range t.Rows {
		code := strings.TrimSpace(r.Cell(ucode))
		if code == "" {
			return fmt.Errorf("%s: %s %d, column uCode: a row without a unit code", c.IData, t.Where, r.Pos)
		}
		if strings.ContainsFunc(code, unicode.IsControl) {
			return fmt.Errorf("%s: %s %d, column uCode: unit code %q holds a control character; codes are plain text", c.IData, t.Where, r.Pos, code)
		}
		y := year
		if hasTime {
			v := strings.TrimSpace(r.Cell(tcol))
			n, err := strconv.Atoi(strings.TrimSuffix(v, ".0"))
			if err != nil {
				return fmt.Errorf("%s: %s %d, column Time: %q is not a year", c.IData, t.Where, r.Pos, v)
			}
			y = n
		}
		key := code + "\x00" + strconv.Itoa(y)
		if p, dup := keys[key]; dup {
			return fmt.Errorf("%s: %s %d: unit %s, time %d is also on %s %d", c.IData, t.Where, r.Pos, code, y, t.Where, p)
		}
		keys[key] = r.Pos
		years[y] = true
		if !units[code] {
			units[code] = true
			u := CoinUnit{Code: code}
			if hasName {
				u.Name = strings.TrimSpace(r.Cell(uname))
			}
			c.Units = append(c.Units, u)
		}
		for _, m := range series {
			cell := na(strings.TrimSpace(r.Cell(col[m.Code])))
			if cell == "" {
				continue
			}
			if m.Type == "Group" {
				c.groups = append(c.groups, groupRow{unit: code, grouping: m.Code, group: cell, label: m.Name, pos: len(c.groups)})
				continue
			}
			x, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
				return fmt.Errorf("%s: %s %d, column %s: %q is not a number (unit %s)", c.IData, t.Where, r.Pos, m.Code, cell, code)
			}
			c.values = append(c.values, coinValue{unit: code, indicator: m.Code, year: y, value: x})
		}
	}
	for y := range years {
		c.Years = append(c.Years, y)
	}
	slices.Sort(c.Years)
	return nil
}

// CoinResult summarises an imported coin.
type CoinResult struct {
	Units, Indicators, Denominators, Values int
	Groupings                               []string
	Years                                   []int
}

// ImportCoin stores a coin in dataset: the indicators and denominators as raw values,
// the group columns as groupings, the units with their names; in one transaction.
func ImportCoin(ctx context.Context, db *store.DB, c *Coin, opt IndicatorOptions) (*CoinResult, error) {
	dir, err := os.MkdirTemp("", "egdi-coin")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	long := filepath.Join(dir, strings.TrimSuffix(filepath.Base(c.IData), filepath.Ext(c.IData))+".csv")
	f, err := os.Create(long)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range c.Units {
		names[u.Code] = u.Name
	}
	w := csv.NewWriter(f)
	w.Write([]string{"unit", "name", "year", "indicator", "value"})
	for _, v := range c.values {
		w.Write([]string{v.unit, names[v.unit], strconv.Itoa(v.year), v.indicator, strconv.FormatFloat(v.value, 'g', -1, 64)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	res := &CoinResult{Units: len(c.Units), Values: len(c.values), Years: c.Years}
	gres := GroupResult{File: c.IData, Layout: "coinr", Groupings: map[string]int{}}
	for _, g := range c.groups {
		gres.Groupings[g.grouping]++
	}
	for _, m := range c.Meta {
		switch m.Type {
		case "Indicator":
			res.Indicators++
		case "Denominator":
			res.Denominators++
		case "Group":
			res.Groupings = append(res.Groupings, m.Code)
		}
	}
	var also func(tx *sql.Tx) error
	if len(c.groups) > 0 {
		also = func(tx *sql.Tx) error { return writeGroups(ctx, tx, []GroupResult{gres}, c.groups) }
	}
	if _, err := importIndicators(ctx, db, []string{long}, opt, also); err != nil {
		return nil, err
	}
	return res, nil
}

// FrameworkYAML is an egdi framework with the coin's tree, weights, directions,
// denominators and targets, and COINr's default construction steps (Treat's
// skew-kurtosis winsorisation, Normalise's min-max on 0–100, Aggregate's arithmetic
// mean), ready to edit.
func (c *Coin) FrameworkYAML(id string) []byte {
	var b strings.Builder
	quote := func(s string) string { return strconv.Quote(s) }
	fmt.Fprintf(&b, "# Built by egdi import coinr from %s and %s: the coin's tree, weights,\n", filepath.Base(c.IMeta), filepath.Base(c.IData))
	b.WriteString("# directions, denominators and targets, with COINr's default steps (Treat: winsorise\n")
	b.WriteString("# by the skew-kurtosis rule, up to 5 points; Normalise: min-max on 0-100; Aggregate:\n")
	b.WriteString("# arithmetic means). Edit it (data/frameworks/example.yaml documents every option) and\n")
	b.WriteString("# compute with egdi compute --method THIS.yaml --dataset DATASET.\n")
	fmt.Fprintf(&b, "id: %s\ntitle: {en: %s}\nscale: 100\ndigits: 2\nranking: competition\nuniverse: all\n", id, quote(id+" (from COINr's iMeta)"))
	root := ""
	children := map[string][]CoinMeta{}
	for _, m := range c.Meta {
		if m.Type == "Aggregate" && m.Parent == "" {
			root = m.Code
		}
		if m.Parent != "" && (m.Type == "Indicator" || m.Type == "Aggregate") {
			children[m.Parent] = append(children[m.Parent], m)
		}
	}
	fmt.Fprintf(&b, "root: %s\n\nnodes:\n", root)
	// nodes from the top level down
	var aggs []CoinMeta
	for _, m := range c.Meta {
		if m.Type == "Aggregate" {
			aggs = append(aggs, m)
		}
	}
	slices.SortStableFunc(aggs, func(a, b CoinMeta) int { return b.Level - a.Level })
	for _, m := range aggs {
		fmt.Fprintf(&b, "  - id: %s\n", m.Code)
		if m.Name != "" {
			fmt.Fprintf(&b, "    label: %s\n", quote(m.Name))
		}
		b.WriteString("    children:\n")
		for _, ch := range children[m.Code] {
			fmt.Fprintf(&b, "      - {id: %s, weight: %s}\n", ch.Code, strconv.FormatFloat(ch.Weight, 'g', -1, 64))
		}
	}
	b.WriteString("\nindicators:\n")
	for _, m := range c.Meta {
		if m.Type != "Indicator" {
			continue
		}
		fmt.Fprintf(&b, "  - id: %s\n", m.Code)
		if m.Name != "" {
			fmt.Fprintf(&b, "    label: %s\n", quote(m.Name))
		}
		if m.Unit != "" {
			fmt.Fprintf(&b, "    unit: %s\n", quote(m.Unit))
		}
		if m.Direction < 0 {
			b.WriteString("    direction: negative\n")
		}
		if m.Denominator != "" {
			fmt.Fprintf(&b, "    denominate: {by: %s, missing: drop}  # as COINr: no denominator, a missing value\n", m.Denominator)
		}
		if m.Target != nil {
			fmt.Fprintf(&b, "    target: %s  # for normalise: distance-to-target\n", strconv.FormatFloat(*m.Target, 'g', -1, 64))
		}
		b.WriteString("    winsorise: {rule: skew-kurtosis, max_points: 5}\n    normalise: minmax\n")
	}
	return []byte(b.String())
}
