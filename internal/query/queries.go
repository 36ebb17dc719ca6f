package query

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/egdi/egdi/internal/output"
	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/store"
)

func matchCountry(s string) string {
	if c := refdata.Match(s); c != nil {
		return c.ISO3
	}
	return ""
}

// zhHeaders names output columns in Chinese for --lang zh text tables.
var zhHeaders = map[string]string{
	"unit": "代码", "name": "名称", "year": "年份", "egdi": "EGDI", "osi": "OSI", "tii": "TII", "hci": "HCI", "epi": "EPI",
	"rank": "排名", "group": "组别", "class": "评级", "key": "分组", "count": "数量", "share": "占比",
	"mean_egdi": "EGDI均值", "mean_osi": "OSI均值", "mean_tii": "TII均值", "mean_hci": "HCI均值", "mean_epi": "EPI均值",
	"value": "数值", "index": "指数", "check": "检查项", "severity": "级别", "detail": "说明", "source": "来源",
}

// groupLabels are the UN group names; the ids are what CSV and JSON carry.
var groupLabels = map[string][2]string{
	"very_high": {"Very high", "非常高"}, "high": {"High", "高"}, "middle": {"Middle", "中"}, "low": {"Low", "低"},
}

// Lang is "en" or "zh".
type Lang string

func (l Lang) headers(cols []string) []string {
	if l != "zh" {
		return nil
	}
	h := make([]string, len(cols))
	for i, c := range cols {
		if z, ok := zhHeaders[c]; ok {
			h[i] = z
		} else {
			h[i] = c
		}
	}
	return h
}

// groupText shows a group id as a label in the text table, keeping ids in CSV/JSON.
func groupText(id sql.NullString, lang Lang, format string) any {
	if !id.Valid {
		return nil
	}
	if format != "table" && format != "" {
		return id.String
	}
	if l, ok := groupLabels[id.String]; ok {
		if lang == "zh" {
			return l[1]
		}
		return l[0]
	}
	return id.String
}

func nameIn(en, zh sql.NullString, lang Lang) string {
	if lang == "zh" && zh.Valid && zh.String != "" {
		return zh.String
	}
	return en.String
}

func nf(v sql.NullFloat64) any {
	if !v.Valid {
		return nil
	}
	return v.Float64
}

func ni(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

// Notes describes where the values of the chosen years come from.
func Notes(choices []Choice, lang Lang) []string {
	var pub, comp []string
	synthetic := false
	for _, c := range choices {
		if c.Source == Published {
			pub = append(pub, fmt.Sprint(c.Year))
		} else {
			if lang == "zh" {
				comp = append(comp, fmt.Sprintf("%d年（方法 %s，数据集 %s）", c.Year, c.Method, c.Dataset))
			} else {
				comp = append(comp, fmt.Sprintf("%d (%s, dataset %s)", c.Year, c.Method, c.Dataset))
			}
			synthetic = synthetic || c.Synthetic
		}
	}
	var out []string
	if lang == "zh" {
		if len(pub) > 0 {
			out = append(out, "来源：联合国电子政务调查报告 "+strings.Join(pub, "、")+" 年公布值")
		}
		if len(comp) > 0 {
			out = append(out, "来源：egdi 计算，"+strings.Join(comp, "；"))
		}
		if synthetic {
			out = append(out, "注意：合成样本数据，非官方数据。")
		}
		return out
	}
	if len(pub) > 0 {
		out = append(out, "Source: UN E-Government Survey "+strings.Join(pub, ", ")+" (published values)")
	}
	if len(comp) > 0 {
		out = append(out, "Source: computed by egdi, "+strings.Join(comp, ", "))
	}
	if synthetic {
		out = append(out, "NOTE: SYNTHETIC SAMPLE DATA, not official figures.")
	}
	return out
}

func pick(choices []Choice, year int) (Choice, bool) {
	for _, c := range choices {
		if c.Year == year {
			return c, true
		}
	}
	return Choice{}, false
}

func years(choices []Choice) string {
	var ys []string
	for _, c := range choices {
		ys = append(ys, fmt.Sprint(c.Year))
	}
	if len(ys) == 0 {
		return "none"
	}
	return strings.Join(ys, ", ")
}

// yearChoice resolves one year (0 = the latest available).
func yearChoice(ctx context.Context, db *store.DB, req Request, year int) (Choice, []Choice, error) {
	choices, err := Choose(ctx, db, req)
	if err != nil {
		return Choice{}, nil, err
	}
	if len(choices) == 0 {
		return Choice{}, nil, noValues(req)
	}
	if year == 0 {
		return choices[len(choices)-1], choices, nil
	}
	c, ok := pick(choices, year)
	if !ok {
		src := ""
		if req.Source != "" {
			src = " " + req.Source
		}
		return Choice{}, nil, fmt.Errorf("no%s values for %d; years with data: %s", src, year, years(choices))
	}
	return c, choices, nil
}

// rankExpr is a unit's rank by index within its year: the stored rank for EGDI, else
// the competition rank of the value rounded as published.
func rankExpr(index string) string {
	if index == "egdi" {
		return "rank"
	}
	return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL ELSE rank() OVER (PARTITION BY year ORDER BY round(%s, digits) DESC NULLS LAST) END", index, index)
}

// checkIndex defaults an empty index to egdi and refuses unknown ones.
func checkIndex(index string) (string, error) {
	if index == "" {
		index = "egdi"
	}
	return index, validIndex(index)
}

func validIndex(index string) error {
	for _, i := range Indices {
		if i == index {
			return nil
		}
	}
	return fmt.Errorf("unknown index %q; use one of %s", index, strings.Join(Indices, ", "))
}

// RankOptions are the arguments of egdi rank.
type RankOptions struct {
	Request
	Year   int
	Index  string
	Node   string // a node of the year's framework (id or label); computed data only
	Region string
	Top    int
	Lang   Lang
	Format string
}

// Rank lists units by an index for one year: unit,name,year,egdi,osi,tii,hci,epi,rank,group,class.
// Ranks by EGDI are the published (or computed) ones; by another index they are
// competition ranks on the values rounded as published.
func Rank(ctx context.Context, db *store.DB, o RankOptions) (*output.Table, error) {
	var err error
	if o.Index, err = checkIndex(o.Index); err != nil {
		return nil, err
	}
	c, _, err := yearChoice(ctx, db, o.Request, o.Year)
	if err != nil {
		return nil, err
	}
	// Frameworks other than the UN's, and --node, rank by the framework's own nodes.
	if f, node, err := frameworkNode(ctx, db, c, o.Node); err != nil {
		return nil, err
	} else if f != nil {
		return nodeRank(ctx, db, c, f, node, o)
	}
	where := ""
	args := []any{}
	if o.Region != "" {
		where = `WHERE lower(region) = lower(?) OR lower(subregion) = lower(?) OR region_zh = ? OR subregion_zh = ?`
		args = append(args, o.Region, o.Region, o.Region, o.Region)
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM units `+where, args...).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("unknown region %q; use an M49 region (Africa, Americas, Asia, Europe, Oceania) or sub-region (e.g. Eastern Asia)", o.Region)
		}
	}
	limit := ""
	if o.Top > 0 {
		limit = fmt.Sprintf("LIMIT %d", o.Top)
	}
	sqlText := fmt.Sprintf(`WITH panel AS (%s), ranked AS (SELECT *, %s AS r FROM panel)
		SELECT unit, name, name_zh, year, egdi, osi, tii, hci, epi, r, grp, class FROM ranked %s
		ORDER BY r NULLS LAST, name %s`, panelSQL([]Choice{c}), rankExpr(o.Index), where, limit)
	rows, err := db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &output.Table{Columns: []string{"unit", "name", "year", "egdi", "osi", "tii", "hci", "epi", "rank", "group", "class"}, Digits: c.Digits}
	for rows.Next() {
		var unit string
		var name, nameZh, grp, class sql.NullString
		var year int
		var e, os, ti, hc, ep sql.NullFloat64
		var r sql.NullInt64
		if err := rows.Scan(&unit, &name, &nameZh, &year, &e, &os, &ti, &hc, &ep, &r, &grp, &class); err != nil {
			return nil, err
		}
		var cls any
		if class.Valid {
			cls = class.String
		}
		t.Rows = append(t.Rows, []any{unit, nameIn(name, nameZh, o.Lang), year, nf(e), nf(os), nf(ti), nf(hc), nf(ep), ni(r), groupText(grp, o.Lang, o.Format), cls})
	}
	t.Headers = o.Lang.headers(t.Columns)
	t.Notes = Notes([]Choice{c}, o.Lang)
	return t, rows.Err()
}

// SummaryOptions are the arguments of egdi summary.
type SummaryOptions struct {
	Request
	Year   int // 0: every year
	By     string
	Node   string // average this node of the framework (computed data) instead of the UN indices
	Lang   Lang
	Format string
}

// SummaryKeys are the accepted --by values.
var SummaryKeys = []string{"group", "class", "region", "subregion", "ldc", "lldc", "sids"}

// Summary counts units and averages the indices per group, class, region or country
// grouping: year,key,count,share,mean_egdi,mean_osi,mean_tii,mean_hci,mean_epi.
func Summary(ctx context.Context, db *store.DB, o SummaryOptions) (*output.Table, error) {
	var key, order string
	switch o.By {
	case "group", "":
		o.By = "group"
		key, order = "grp", "CASE grp WHEN 'very_high' THEN 1 WHEN 'high' THEN 2 WHEN 'middle' THEN 3 WHEN 'low' THEN 4 END"
	case "class":
		key, order = "class", "max(egdi) DESC"
	case "region":
		key, order = "region", "key"
		if o.Lang == "zh" {
			key = "region_zh"
		}
	case "subregion":
		key, order = "subregion", "key"
		if o.Lang == "zh" {
			key = "subregion_zh"
		}
	case "ldc", "lldc", "sids":
		key = fmt.Sprintf("CASE WHEN %s THEN '%s' WHEN %s IS NULL THEN NULL ELSE 'other' END", o.By, o.By, o.By)
		order = "key"
	default:
		return nil, fmt.Errorf("cannot summarise by %q; use one of %s", o.By, strings.Join(SummaryKeys, ", "))
	}
	var choices []Choice
	if o.Year != 0 {
		c, _, err := yearChoice(ctx, db, o.Request, o.Year)
		if err != nil {
			return nil, err
		}
		choices = []Choice{c}
	} else {
		var err error
		if choices, err = Choose(ctx, db, o.Request); err != nil {
			return nil, err
		}
		if len(choices) == 0 {
			return nil, noValues(o.Request)
		}
	}
	if o.Node != "" {
		return nodeSummary(ctx, db, choices, key, order, o)
	}
	sqlText := fmt.Sprintf(`WITH panel AS (%s)
		SELECT year, %s AS key, count(*) AS n, count(*) / sum(count(*)) OVER (PARTITION BY year) AS share,
		       avg(egdi), avg(osi), avg(tii), avg(hci), avg(epi), max(digits)
		FROM panel WHERE egdi IS NOT NULL GROUP BY year, %s HAVING %s IS NOT NULL ORDER BY year, %s`,
		panelSQL(choices), key, key, key, order)
	rows, err := db.QueryContext(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &output.Table{Columns: []string{"year", "key", "count", "share", "mean_egdi", "mean_osi", "mean_tii", "mean_hci", "mean_epi"}}
	for rows.Next() {
		var year int
		var k sql.NullString
		var n int64
		var share float64
		var e, os, ti, hc, ep sql.NullFloat64
		var digits sql.NullInt64
		if err := rows.Scan(&year, &k, &n, &share, &e, &os, &ti, &hc, &ep, &digits); err != nil {
			return nil, err
		}
		var keyOut any = k.String
		if o.By == "group" {
			keyOut = groupText(k, o.Lang, o.Format)
		}
		t.Rows = append(t.Rows, []any{year, keyOut, n, share, nf(e), nf(os), nf(ti), nf(hc), nf(ep)})
	}
	t.Headers = o.Lang.headers(t.Columns)
	t.Notes = Notes(choices, o.Lang)
	return t, rows.Err()
}

// TrendOptions are the arguments of egdi trend.
type TrendOptions struct {
	Request
	Units    []string
	Index    string
	Node     string // a node of the dataset's framework (id or label); computed data
	From, To int
	Lang     Lang
	Format   string
}

// Trend follows units across editions: unit,name,year,value,rank,group. The rank is the
// unit's rank by the chosen index in that year.
func Trend(ctx context.Context, db *store.DB, o TrendOptions) (*output.Table, error) {
	var err error
	if o.Index, err = checkIndex(o.Index); err != nil {
		return nil, err
	}
	units, err := ResolveUnits(ctx, db, o.Units)
	if err != nil {
		return nil, err
	}
	all, err := Choose(ctx, db, o.Request)
	if err != nil {
		return nil, err
	}
	var choices []Choice
	for _, c := range all {
		if (o.From == 0 || c.Year >= o.From) && (o.To == 0 || c.Year <= o.To) {
			choices = append(choices, c)
		}
	}
	if len(choices) == 0 {
		return nil, fmt.Errorf("no values between %d and %d; years with data: %s", o.From, o.To, years(all))
	}
	if o.Node != "" {
		return nodeTrend(ctx, db, choices, units, o.Node, o)
	}
	list := make([]string, len(units))
	for i, u := range units {
		list[i] = q(u)
	}
	sqlText := fmt.Sprintf(`WITH panel AS (%s), ranked AS (SELECT *, %s AS r FROM panel)
		SELECT unit, name, name_zh, year, %s, r, grp FROM ranked WHERE unit IN (%s)
		ORDER BY list_position([%s], unit), year`, panelSQL(choices), rankExpr(o.Index), o.Index, strings.Join(list, ", "), strings.Join(list, ", "))
	rows, err := db.QueryContext(ctx, sqlText)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &output.Table{Columns: []string{"unit", "name", "year", "value", "rank", "group"}}
	for rows.Next() {
		var unit string
		var name, nameZh, grp sql.NullString
		var year int
		var v sql.NullFloat64
		var r sql.NullInt64
		if err := rows.Scan(&unit, &name, &nameZh, &year, &v, &r, &grp); err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, []any{unit, nameIn(name, nameZh, o.Lang), year, nf(v), ni(r), groupText(grp, o.Lang, o.Format)})
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("no %s values for %s in %s", o.Index, strings.Join(units, ", "), years(choices))
	}
	t.Headers = o.Lang.headers(t.Columns)
	t.Notes = Notes(choices, o.Lang)
	return t, rows.Err()
}

// CompareOptions are the arguments of egdi compare.
type CompareOptions struct {
	Request
	Units  []string
	Year   int
	Node   string // compare on this node of the framework and its child nodes (computed data)
	Lang   Lang
	Format string
}

// Compare sets units side by side for one year: one row per index, one column per unit,
// then the difference of each further unit from the first.
func Compare(ctx context.Context, db *store.DB, o CompareOptions) (*output.Table, error) {
	units, err := ResolveUnits(ctx, db, o.Units)
	if err != nil {
		return nil, err
	}
	if len(units) < 2 {
		return nil, fmt.Errorf("compare needs at least two units, like --units CHN,KOR")
	}
	c, _, err := yearChoice(ctx, db, o.Request, o.Year)
	if err != nil {
		return nil, err
	}
	if f, node, err := frameworkNode(ctx, db, c, o.Node); err != nil {
		return nil, err
	} else if f != nil {
		return nodeCompare(ctx, db, c, f, node, units, o)
	}
	list := make([]string, len(units))
	for i, u := range units {
		list[i] = q(u)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`WITH panel AS (%s)
		SELECT unit, egdi, osi, tii, hci, epi, rank, grp FROM panel WHERE unit IN (%s)`, panelSQL([]Choice{c}), strings.Join(list, ", ")))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type vals struct {
		v   [5]sql.NullFloat64
		r   sql.NullInt64
		grp sql.NullString
	}
	got := map[string]vals{}
	for rows.Next() {
		var u string
		var x vals
		if err := rows.Scan(&u, &x.v[0], &x.v[1], &x.v[2], &x.v[3], &x.v[4], &x.r, &x.grp); err != nil {
			return nil, err
		}
		got[u] = x
	}
	for _, u := range units {
		if _, ok := got[u]; !ok {
			return nil, fmt.Errorf("%s has no values for %d", u, c.Year)
		}
	}
	t := &output.Table{Columns: []string{"index"}, Digits: c.Digits}
	for _, u := range units {
		t.Columns = append(t.Columns, strings.ToLower(u))
	}
	for _, u := range units[1:] {
		t.Columns = append(t.Columns, strings.ToLower(u)+"_minus_"+strings.ToLower(units[0]))
	}
	for i, idx := range Indices {
		row := []any{idx}
		for _, u := range units {
			row = append(row, nf(got[u].v[i]))
		}
		base := got[units[0]].v[i]
		for _, u := range units[1:] {
			x := got[u].v[i]
			if x.Valid && base.Valid {
				row = append(row, x.Float64-base.Float64)
			} else {
				row = append(row, nil)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	rankRow := []any{"rank"}
	for _, u := range units {
		rankRow = append(rankRow, ni(got[u].r))
	}
	for _, u := range units[1:] {
		a, b := got[u].r, got[units[0]].r
		if a.Valid && b.Valid {
			rankRow = append(rankRow, a.Int64-b.Int64)
		} else {
			rankRow = append(rankRow, nil)
		}
	}
	t.Rows = append(t.Rows, rankRow)
	grpRow := []any{"group"}
	for _, u := range units {
		grpRow = append(grpRow, groupText(got[u].grp, o.Lang, o.Format))
	}
	for range units[1:] {
		grpRow = append(grpRow, nil)
	}
	t.Rows = append(t.Rows, grpRow)
	if o.Lang == "zh" {
		t.Headers = append([]string{"指数"}, t.Columns[1:]...)
	}
	t.Notes = Notes([]Choice{c}, o.Lang)
	return t, rows.Err()
}
