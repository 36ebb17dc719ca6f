package ingest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/egdi/egdi/internal/store"
)

// IndicatorOptions tune an import of raw indicators.
type IndicatorOptions struct {
	Dataset     string // default "default"
	Synthetic   bool   // mark the dataset as synthetic (shown wherever it appears)
	Description string
	Indicator   string // the indicator id of a one-series file (OWID) when its header is not known
	ShiftYears  int    // added to the file's years: data year → survey edition
	OnlyYear    int    // keep only rows whose (shifted) year is this, when non-zero
	// CarryBack, with OnlyYear, fills a unit's missing value with its most recent one
	// from up to CarryBack years earlier, as the UN filled ITU gaps with the latest year.
	CarryBack int
	// AnyYear accepts (shifted) years outside 1990–2100, which are otherwise surely a
	// mistake (a survey edition, or the year a value serves).
	AnyYear bool
}

// Plausible years: a year outside them is refused unless AnyYear.
const minYear, maxYear = 1990, 2100

// yearRange is the SQL condition (after OR) of a staged year outside the plausible
// ones: "" with AnyYear, for the ITU's and Our World in Data's series (decades of data
// years, of which --year picks one) and when --year picks one.
func yearRange(opt IndicatorOptions, l *layout) string {
	if opt.AnyYear || opt.OnlyYear != 0 || l.kind == "itu" || l.kind == "owid" {
		return ""
	}
	return fmt.Sprintf("OR year < %d OR year > %d", minYear, maxYear)
}

// checkOptions refuses options that are surely mistakes.
func checkOptions(opt IndicatorOptions) error {
	switch {
	case opt.ShiftYears > 100 || opt.ShiftYears < -100:
		return fmt.Errorf("--shift-years %d is not a plausible shift between a data year and an edition (at most 100 years either way)", opt.ShiftYears)
	case opt.CarryBack < 0:
		return fmt.Errorf("--carry-back %d: give a number of years from 0", opt.CarryBack)
	case opt.CarryBack > 0 && opt.OnlyYear == 0:
		return fmt.Errorf("--carry-back fills gaps in the year given with --year; give --year too")
	case opt.OnlyYear != 0 && !opt.AnyYear && (opt.OnlyYear < minYear || opt.OnlyYear > maxYear):
		return fmt.Errorf("--year %d is not a year between %d and %d (--any-year accepts others)", opt.OnlyYear, minYear, maxYear)
	}
	return nil
}

// IndicatorResult summarises one imported file.
type IndicatorResult struct {
	File       string
	Layout     string
	Rows       int64
	Units      int64
	Years      []int
	Indicators []string
	Skipped    []string // series in the file that map to no egdi indicator
}

// layout says how a file's columns become (unit, year, indicator, value).
type layout struct {
	kind      string // long, wide, itu, owid
	unit      int
	year      int
	indicator int      // long
	value     int      // long, itu, owid
	wide      []int    // wide: the indicator columns
	name      int      // optional unit name column, -1 when absent
	nameZh    int      // optional Chinese name column
	series    int      // itu: seriesCode
	owidID    string   // owid: the indicator id
	header    []string // as in the file
}

var (
	unitHeads      = map[string]bool{"unit": true, "code": true, "iso3": true, "id": true, "unit code": true, "country code": true, "单位": true, "代码": true, "地区代码": true}
	yearHeads      = map[string]bool{"year": true, "edition": true, "年份": true, "年度": true}
	indicatorHeads = map[string]bool{"indicator": true, "indicator id": true, "指标": true}
	valueHeads     = map[string]bool{"value": true, "值": true, "数值": true}
	nameHeads      = map[string]bool{"name": true, "unit name": true, "名称": true}
	nameZhHeads    = map[string]bool{"name zh": true, "中文名称": true}
)

func detectLayout(file string, header []string, opt IndicatorOptions) (*layout, error) {
	l := &layout{unit: -1, year: -1, indicator: -1, value: -1, name: -1, nameZh: -1, series: -1, header: header}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	// ITU DataHub export.
	if s, ok := idx["seriesCode"]; ok {
		for _, need := range []string{"entityIso", "dataValue", "dataYear"} {
			if _, ok := idx[need]; !ok {
				return nil, fmt.Errorf("%s: missing column %q: the file looks like an ITU DataHub export (it has seriesCode) but lacks %s", file, need, need)
			}
		}
		l.kind, l.series, l.unit, l.value, l.year = "itu", s, idx["entityIso"], idx["dataValue"], idx["dataYear"]
		if n, ok := idx["entityName"]; ok {
			l.name = n
		}
		return l, nil
	}
	// Our World in Data grapher export: Entity,Code,Year,<one series>.
	if e, ok := idx["Entity"]; ok && len(header) == 4 {
		c, ok1 := idx["Code"]
		y, ok2 := idx["Year"]
		if ok1 && ok2 {
			v := 6 - e - c - y
			id := opt.Indicator
			if id == "" {
				id = indicatorForHeader(header[v])
			}
			if id == "" {
				return nil, fmt.Errorf("%s: the series %q is not a known egdi indicator; name it with --indicator ID", file, header[v])
			}
			l.kind, l.unit, l.year, l.value, l.name, l.owidID = "owid", c, y, v, e, id
			return l, nil
		}
	}
	for i, h := range header {
		k := headerKey(h)
		switch {
		case unitHeads[k] && l.unit < 0:
			l.unit = i
		case yearHeads[k] && l.year < 0:
			l.year = i
		case indicatorHeads[k] && l.indicator < 0:
			l.indicator = i
		case valueHeads[k] && l.value < 0:
			l.value = i
		case nameHeads[k] && l.name < 0:
			l.name = i
		case nameZhHeads[k] && l.nameZh < 0:
			l.nameZh = i
		default:
			l.wide = append(l.wide, i)
		}
	}
	var missing []string
	if l.unit < 0 {
		missing = append(missing, "unit")
	}
	if l.year < 0 {
		missing = append(missing, "year")
	}
	switch {
	case l.indicator >= 0 || l.value >= 0:
		l.kind = "long"
		if l.indicator < 0 {
			missing = append(missing, "indicator")
		}
		if l.value < 0 {
			missing = append(missing, "value")
		}
		if len(missing) == 0 && len(l.wide) > 0 {
			return nil, fmt.Errorf("%s: unexpected column %q in a long file (unit,year,indicator,value)", file, header[l.wide[0]])
		}
	default:
		l.kind = "wide"
		if len(l.wide) == 0 {
			missing = append(missing, "at least one indicator column")
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: missing column %s; the header is %s. A long file has unit,year,indicator,value; a wide one unit,year and one column per indicator",
			file, strings.Join(missing, ", "), quoteList(header))
	}
	return l, nil
}

func indicatorForHeader(h string) string {
	reg, _ := Registry()
	for _, e := range reg {
		for _, x := range e.Heads {
			if headerKey(x) == headerKey(h) {
				return e.ID
			}
		}
	}
	return ""
}

// readHeader returns the first record of a CSV file.
func readHeader(path string, delim rune) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = delim
	r.FieldsPerRecord = -1
	h, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: cannot read the header: %v", path, err)
	}
	return h, nil
}

// sqlString is store.Quote.
var sqlString = store.Quote

// CheckDatasetName refuses the names a dataset of raw indicators cannot take: empty
// ones, and "published" (and "published-…"), kept for the UN's published editions.
func CheckDatasetName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("a dataset needs a name, like --dataset provinces")
	}
	if name == store.PublishedDataset || strings.HasPrefix(name, store.PublishedDataset+"-") {
		return fmt.Errorf("dataset name %q is reserved for the published UN editions (egdi import indices); choose another, like --dataset my-%s", name, name)
	}
	return nil
}

// sqlIdent is store.Ident.
var sqlIdent = store.Ident

// loadSource puts the file's cells, as text, into the temp table src(rec, c0, c1, ...),
// rec being the data record's ordinal (1 = the first record after the header).
func loadSource(ctx context.Context, tx querier, path, format string) ([]string, error) {
	if err := dropSrc(ctx, tx); err != nil {
		return nil, err
	}
	switch format {
	case "csv":
		delim, err := Sniff(path)
		if err != nil {
			return nil, err
		}
		header, err := readHeader(path, delim)
		if err != nil {
			return nil, err
		}
		cols := make([]string, len(header))
		for i := range header {
			cols[i] = fmt.Sprintf("'c%d': 'VARCHAR'", i)
		}
		// No record numbers here: a window over the whole file would serialise the
		// parallel reader. Problems are traced back to their line by key (see locate).
		// A view: the file is parsed once, by the statement that stages it.
		// a very wide file is read by one thread: DuckDB's parallel reader holds a
		// vector per column per thread, which at 10,000 columns exceeds the memory limit
		parallel := ""
		if len(header) > 1000 {
			parallel = ", parallel = false"
		}
		q := fmt.Sprintf(`CREATE TEMP VIEW src AS SELECT NULL::BIGINT AS rec, * FROM read_csv(%s,
			header = true, auto_detect = false, delim = %s, quote = '"', escape = '"',
			columns = {%s}, strict_mode = true%s)`, store.File(path), sqlString(string(delim)), strings.Join(cols, ", "), parallel)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %s", path, duckMessage(err))
		}
		return header, nil
	case "parquet":
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(%s))`, store.File(path)))
		if err != nil {
			return nil, fmt.Errorf("%s: not a readable Parquet file: %s", path, duckMessage(err))
		}
		var header, sel []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			sel = append(sel, fmt.Sprintf("CAST(%s AS VARCHAR) AS c%d", sqlIdent(c), len(header)))
			header = append(header, c)
		}
		rows.Close()
		// records are numbered by DuckDB's file_row_number, unless the file has a column
		// of that name (DuckDB cannot give both): then by their order, read serially
		rec, opts := "file_row_number + 1", ", file_row_number = true"
		for _, c := range header {
			if c == "file_row_number" {
				rec, opts = "row_number() OVER ()", ""
			}
		}
		q := fmt.Sprintf(`CREATE TEMP TABLE src AS SELECT %s AS rec, %s FROM read_parquet(%s%s)`,
			rec, strings.Join(sel, ", "), store.File(path), opts)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %s", path, duckMessage(err))
		}
		return header, nil
	}
	return xlsxSource(ctx, tx, path)
}

// xlsxSource stages a workbook's first sheet as src: streamed row by row into a
// temporary CSV (the sheet's row numbers first, so errors point at the rows users
// see), which DuckDB reads in one statement, whatever the number of rows.
func xlsxSource(ctx context.Context, tx querier, path string) ([]string, error) {
	tmp, err := os.CreateTemp("", "egdi-xlsx-*.csv")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	w := csv.NewWriter(bw)
	var header []string
	rec := make([]string, 0, 64)
	progress := ctxProgress(ctx)
	if _, err := xlsxRows(path, func(row, total int, cells []string) error {
		if header == nil {
			if len(cells) > 0 {
				header = cells
				rec = append(rec[:0], "rec")
				for i := range header {
					rec = append(rec, fmt.Sprintf("c%d", i))
				}
				return w.Write(rec)
			}
			return nil
		}
		if row%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress("reading "+filepath.Base(path)+": rows", row, total)
		}
		rec = append(rec[:0], strconv.Itoa(row))
		for i := range header {
			c := ""
			if i < len(cells) {
				c = strings.TrimSpace(cells[i])
			}
			rec = append(rec, c)
		}
		return w.Write(rec)
	}); err != nil {
		return nil, err
	}
	if header == nil {
		return nil, fmt.Errorf("%s: the first sheet is empty", path)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	cols := []string{"'rec': 'BIGINT'"}
	for i := range header {
		cols = append(cols, fmt.Sprintf("'c%d': 'VARCHAR'", i))
	}
	q := fmt.Sprintf(`CREATE TEMP TABLE src AS SELECT * FROM read_csv(%s, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
		columns = {%s}, strict_mode = true, nullstr = '')`, store.File(tmp.Name()), strings.Join(cols, ", "))
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return nil, fmt.Errorf("%s: %s", path, duckMessage(err))
	}
	return header, nil
}

// duckMessage shortens a DuckDB error to its first meaningful lines.
func duckMessage(err error) string {
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	var keep []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Possible fixes") || strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "file =") {
			continue
		}
		keep = append(keep, l)
		if len(keep) == 3 {
			break
		}
	}
	return strings.Join(keep, " ")
}

// stageSQL turns src into (rec, unit, name, name_zh, year_raw, indicator, value_raw, col).
func stageSQL(l *layout, opt IndicatorOptions) (string, error) {
	c := func(i int) string { return fmt.Sprintf("c%d", i) }
	nameExpr := "NULL::VARCHAR"
	if l.name >= 0 {
		nameExpr = c(l.name)
	}
	nameZhExpr := "NULL::VARCHAR"
	if l.nameZh >= 0 {
		nameZhExpr = c(l.nameZh)
	}
	switch l.kind {
	case "long":
		return fmt.Sprintf(`SELECT rec, trim(%s) AS unit, %s AS name, %s AS name_zh, trim(%s) AS year_raw, trim(%s) AS indicator, trim(%s) AS value_raw, %d AS col FROM src`,
			c(l.unit), nameExpr, nameZhExpr, c(l.year), c(l.indicator), c(l.value), l.value), nil
	case "owid":
		return fmt.Sprintf(`SELECT rec, trim(%s) AS unit, %s AS name, NULL::VARCHAR AS name_zh, trim(%s) AS year_raw, %s AS indicator, trim(%s) AS value_raw, %d AS col
			FROM src WHERE coalesce(trim(%s), '') <> '' AND NOT starts_with(%s, 'OWID_')`,
			c(l.unit), nameExpr, c(l.year), sqlString(l.owidID), c(l.value), l.value, c(l.unit), c(l.unit)), nil
	case "itu":
		reg, err := Registry()
		if err != nil {
			return "", err
		}
		var whens []string
		for _, e := range reg {
			for _, code := range e.ITU {
				whens = append(whens, fmt.Sprintf("WHEN %s THEN %s", sqlString(code), sqlString(e.ID)))
			}
		}
		return fmt.Sprintf(`SELECT * FROM (SELECT rec, trim(%s) AS unit, %s AS name, NULL::VARCHAR AS name_zh, trim(%s) AS year_raw,
			CASE trim(%s) %s END AS indicator, trim(%s) AS value_raw, %d AS col FROM src) WHERE indicator IS NOT NULL`,
			c(l.unit), nameExpr, c(l.year), c(l.series), strings.Join(whens, " "), c(l.value), l.value), nil
	}
	// wide: one row per non-blank indicator cell, by one UNPIVOT whatever the width (a
	// UNION ALL of a SELECT per column costs the square of the columns to plan), the
	// columns' indicator ids joined from a small table.
	keep := []string{"rec", c(l.unit), c(l.year)}
	for _, i := range []int{l.name, l.nameZh} {
		if i >= 0 {
			keep = append(keep, c(i))
		}
	}
	var on, ids []string
	for _, i := range l.wide {
		on = append(on, c(i))
		ids = append(ids, fmt.Sprintf("(%s, %s, %d)", sqlString(c(i)), sqlString(strings.TrimSpace(l.header[i])), i))
	}
	u := func(e string) string {
		if strings.HasPrefix(e, "c") {
			return "u." + e
		}
		return e
	}
	return fmt.Sprintf(`SELECT u.rec, trim(u.%s) AS unit, %s AS name, %s AS name_zh, trim(u.%s) AS year_raw, m.indicator, trim(u.value_raw) AS value_raw, m.col
		FROM (UNPIVOT (SELECT %s, %s FROM src) ON %s INTO NAME cname VALUE value_raw) u
		JOIN (VALUES %s) m(cname, indicator, col) USING (cname)
		WHERE coalesce(trim(u.value_raw), '') <> ''`,
		c(l.unit), u(nameExpr), u(nameZhExpr), c(l.year), strings.Join(keep, ", "), strings.Join(on, ", "), strings.Join(on, ", "), strings.Join(ids, ", ")), nil
}

// problem is one bad record found by a validation query.
type problem struct {
	rec   int64 // record ordinal where known (sheets, Parquet); 0 for CSV
	col   int
	what  string
	other int64 // for duplicates: the record that gave the key first
	// The key of the bad record, to find it in a CSV file.
	unit, year, indicator, value string
	dup                          bool
}

// validate runs the checks over stage and returns the first problem, if any; each of
// its three checks (records, ranges, duplicates) is a step of v, run or not.
func validate(ctx context.Context, tx querier, l *layout, shift int, present []string, badRecords bool, v *phase) (*problem, error) {
	var p problem
	// Record-level checks, when the pass that found the indicators saw a bad record:
	// the first one, for the message.
	done := store.Step("validate records")
	query := fmt.Sprintf(`SELECT coalesce(rec, 0), CASE kind WHEN 'unit' THEN %d WHEN 'year' THEN %d ELSE col END, kind,
		coalesce(unit, ''), coalesce(bad_year, CAST(year - %d AS VARCHAR), ''), coalesce(indicator, ''), coalesce(bad_value, CAST(value AS VARCHAR), '') FROM (
		SELECT *, CASE
			WHEN coalesce(unit, '') = '' THEN 'unit'
			WHEN bad_year IS NOT NULL THEN 'year'
			WHEN coalesce(indicator, '') = '' THEN 'indicator'
			WHEN value IS NULL THEN 'number'
			WHEN isnan(value) OR isinf(value) THEN 'finite' END AS kind
		FROM stage) WHERE kind IS NOT NULL ORDER BY rec NULLS LAST LIMIT 1`, l.unit, l.year, shift)
	var kind string
	err := sql.ErrNoRows
	if badRecords {
		err = tx.QueryRowContext(ctx, query).Scan(&p.rec, &p.col, &kind, &p.unit, &p.year, &p.indicator, &p.value)
	}
	done()
	v.step()
	detail := p.value
	switch kind {
	case "year": // the bad cell is the year, which is what locate compares
		detail, p.value = p.year, p.year
	case "unit":
		p.value = ""
	}
	if err == nil {
		switch kind {
		case "unit":
			p.what = "the unit code is blank"
		case "year":
			p.what = fmt.Sprintf("%q is not a year", detail)
			if y, err := strconv.ParseFloat(detail, 64); err == nil && y == math.Trunc(y) {
				ys := strconv.FormatFloat(y, 'f', -1, 64)
				p.what = fmt.Sprintf("%s (with --shift-years %d: %.0f) is not a year between %d and %d; years are survey editions (--any-year accepts others)", ys, shift, y+float64(shift), minYear, maxYear)
				if shift == 0 {
					p.what = fmt.Sprintf("%s is not a year between %d and %d; years are survey editions (--any-year accepts others)", ys, minYear, maxYear)
				}
			}
		case "indicator":
			p.what = "the indicator id is blank"
		case "number":
			p.what = fmt.Sprintf("%q is not a number", detail)
		case "finite":
			p.what = fmt.Sprintf("%q is not a finite number (NaN and infinity are not values; leave the cell blank for a missing value)", detail)
		}
		return &p, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	// Range checks from the registry, for the registry's indicators in this file: a
	// CASE per indicator, so files without them cost nothing and others no join.
	reg, err := Registry()
	if err != nil {
		return nil, err
	}
	var conds []string
	ranges := map[string]RegistryEntry{}
	for _, e := range reg {
		if !slices.Contains(present, e.ID) || (e.Min == nil && e.Max == nil) {
			continue
		}
		ranges[e.ID] = e
		var c []string
		if e.Min != nil {
			c = append(c, fmt.Sprintf("value < %v", *e.Min))
		}
		if e.Max != nil {
			c = append(c, fmt.Sprintf("value > %v", *e.Max))
		}
		conds = append(conds, fmt.Sprintf("WHEN %s THEN %s", sqlString(e.ID), strings.Join(c, " OR ")))
	}
	if len(conds) > 0 {
		var v float64
		var id string
		done = store.Step("validate ranges")
		err = tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT coalesce(rec, 0), col, indicator, value, unit, CAST(year - %d AS VARCHAR)
			FROM stage WHERE CASE indicator %s ELSE false END ORDER BY rec NULLS LAST LIMIT 1`, shift, strings.Join(conds, " "))).
			Scan(&p.rec, &p.col, &id, &v, &p.unit, &p.year)
		done()
		if err == nil {
			e := ranges[id]
			p.indicator, p.value = id, strconv.FormatFloat(v, 'g', -1, 64)
			switch {
			case e.Min != nil && v < *e.Min && *e.Min == 0:
				p.what = fmt.Sprintf("%s is %g; it counts %s and cannot be negative", id, v, e.Unit)
			case e.Min != nil && v < *e.Min:
				p.what = fmt.Sprintf("%s is %g, below its minimum %g", id, v, *e.Min)
			default:
				p.what = fmt.Sprintf("%s is %g, above its maximum %g (%s)", id, v, *e.Max, e.Unit)
			}
			return &p, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	v.step()
	// Duplicates: one value per (unit, year, indicator).
	done = store.Step("validate duplicates")
	defer done()
	dup, err := groupKeys(ctx, tx, present, l.name >= 0 || l.nameZh >= 0)
	if err != nil {
		return nil, err
	}
	v.step()
	if !dup {
		return nil, nil
	}
	// A duplicate exists: find the first one exactly, for the message.
	var first, second int64
	var u, ind string
	var y int
	err = tx.QueryRowContext(ctx, `SELECT unit, year, indicator, coalesce(min(rec), 0), coalesce(max(rec), 0) FROM stage
		SEMI JOIN (SELECT unit, year FROM stage_keys WHERE dup) k USING (unit, year)
		GROUP BY unit, year, indicator HAVING count(*) > 1 ORDER BY min(rec) LIMIT 1`).Scan(&u, &y, &ind, &first, &second)
	if err == nil {
		return &problem{rec: second, col: l.unit, other: first, dup: true, unit: u, year: strconv.Itoa(y - shift), indicator: ind,
			what: fmt.Sprintf("duplicate value for unit %s, year %d, indicator %s", u, y, ind)}, nil
	}
	return nil, err
}

// groupKeys groups stage by (unit, year) into stage_keys (unit, year, rows, name,
// name_zh, dup) and reports whether any (unit, year, indicator) occurs twice. Each
// indicator of the file is a bit of a mask: a group has a duplicate exactly when its
// row count exceeds the number of bits set. Grouping by (unit, year) is far cheaper than
// grouping every (unit, year, indicator), and the groups give the counts and the units
// of the import too. Names are taken only from files that have them (names).
func groupKeys(ctx context.Context, tx querier, present []string, names bool) (bool, error) {
	if len(present) == 0 {
		present = []string{""}
	}
	idx := make([]string, len(present))
	for i, id := range present {
		idx[i] = fmt.Sprintf("(%s, %d)", sqlString(id), i)
	}
	var masks, bits []string
	for w := 0; w*64 < len(present); w++ {
		masks = append(masks, fmt.Sprintf("bit_or(1::UBIGINT << (i %% 64)) FILTER (i // 64 = %d) AS m%d", w, w))
		bits = append(bits, fmt.Sprintf("coalesce(bit_count(m%d)::BIGINT, 0)", w))
	}
	nameCols := "NULL::VARCHAR AS name, NULL::VARCHAR AS name_zh"
	if names {
		nameCols = "any_value(s.name) AS name, any_value(s.name_zh) AS name_zh"
	}
	distinct, maskCols := strings.Join(bits, " + "), strings.Join(masks, ", ")
	if len(present) > 256 {
		// a mask word per 64 indicators costs each row a filter per word: with
		// thousands of indicators, counting them is cheaper
		distinct, maskCols = "nd", "count(DISTINCT x.i) AS nd"
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stage_ix AS SELECT * FROM (VALUES %s) t(indicator, i);
		CREATE OR REPLACE TEMP TABLE stage_keys AS SELECT unit, year, rows, name, name_zh, rows <> %s AS dup FROM (
			SELECT s.unit, s.year, count(*) AS rows, %s, %s
			FROM stage s JOIN stage_ix x ON x.indicator = s.indicator GROUP BY s.unit, s.year)`,
		strings.Join(idx, ", "), distinct, nameCols, maskCols))
	if err != nil {
		return false, err
	}
	var dup bool
	err = tx.QueryRowContext(ctx, `SELECT count(*) FILTER (dup) > 0 FROM stage_keys`).Scan(&dup)
	return dup, err
}

// locate turns a data record ordinal into a file position for messages.
func locate(path, format string, header []string, l *layout, p *problem) string {
	colName := ""
	if p.col >= 0 && p.col < len(header) {
		colName = fmt.Sprintf(": column %q", header[p.col])
	}
	pos := func(rec int64) string {
		switch format {
		case "xlsx":
			return fmt.Sprintf("row %d", rec)
		case "parquet":
			return fmt.Sprintf("record %d", rec)
		}
		return fmt.Sprintf("record %d", rec)
	}
	if format == "csv" {
		lines := csvLines(path, l, p)
		if p.dup && len(lines) >= 2 {
			p.what += fmt.Sprintf(" (first given at line %d)", lines[0])
			lines = lines[1:]
		}
		if len(lines) > 0 {
			return fmt.Sprintf("%s:%d%s", path, lines[0], colName)
		}
		return path + colName
	}
	if p.other > 0 {
		p.what += " (first given at " + pos(p.other) + ")"
	}
	at := pos(p.rec)
	if strings.HasPrefix(at, "line ") {
		return fmt.Sprintf("%s:%s%s", path, strings.TrimPrefix(at, "line "), colName)
	}
	return fmt.Sprintf("%s: %s%s", path, at, colName)
}

// sameValue: equal text, or the same number written differently ("2022" and "2022.0").
func sameValue(cell, want string) bool {
	if cell == want {
		return true
	}
	// 1e400 is read as infinity (strconv says so with ErrRange)
	parse := func(s string) (float64, bool) {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return x, err == nil || errors.Is(err, strconv.ErrRange)
	}
	a, ok1 := parse(cell)
	b, ok2 := parse(want)
	return ok1 && ok2 && (a == b || (a != a && b != b))
}

// csvLines re-reads a CSV file to find the lines of the records matching the
// problem's key (unit, year, and for long files the indicator; the value too unless
// it is a duplicate), at most two.
func csvLines(path string, l *layout, p *problem) []int {
	delim, err := Sniff(path)
	if err != nil {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	cell := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var lines []int
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF || (err != nil && n == 0) {
			return lines
		}
		if err != nil || n == 0 {
			continue
		}
		if !strings.EqualFold(cell(rec, l.unit), p.unit) || !sameValue(cell(rec, l.year), p.year) {
			continue
		}
		if l.kind == "long" && cell(rec, l.indicator) != p.indicator {
			continue
		}
		if l.kind == "wide" && p.indicator != "" && p.col >= 0 && p.col < len(l.header) && strings.TrimSpace(l.header[p.col]) != p.indicator {
			continue
		}
		if !p.dup && p.col >= 0 && !sameValue(cell(rec, p.col), p.value) {
			continue
		}
		line, _ := r.FieldPos(0)
		lines = append(lines, line)
		if len(lines) == 2 || !p.dup {
			return lines
		}
	}
}

// ImportIndicators reads the files into dataset in one transaction: all of them or
// none. Values for the same (unit, year, indicator) already in the dataset are replaced.
func ImportIndicators(ctx context.Context, db *store.DB, files []string, opt IndicatorOptions) ([]IndicatorResult, error) {
	return importIndicators(ctx, db, files, opt, nil)
}

// importIndicators is ImportIndicators with more writes in the same transaction (the
// groupings of a COINr coin).
func importIndicators(ctx context.Context, db *store.DB, files []string, opt IndicatorOptions, also func(tx *sql.Tx) error) ([]IndicatorResult, error) {
	if err := checkOptions(opt); err != nil {
		return nil, err
	}
	if opt.Dataset == "" {
		opt.Dataset = "default"
	}
	if err := CheckDatasetName(opt.Dataset); err != nil {
		return nil, err
	}
	var results []IndicatorResult
	var existing, named bool
	// The validation's steps: per file, its staging and the checks of importOne; then
	// the checks of the files together.
	perFile := validateSteps
	if opt.OnlyYear != 0 && opt.CarryBack > 0 {
		perFile++
	}
	valid := &phase{progress: ctxProgress(ctx), what: Validating, total: perFile*len(files) + 1}
	if len(files) > 1 {
		valid.total++
	}
	// The files' checksums (recorded with the import) are read while DuckDB stages them.
	sums := make([]string, len(files))
	hashed := make(chan struct{})
	go func() {
		for i, f := range files {
			sums[i] = fileSHA256(f)
		}
		close(hashed)
	}()
	defer func() { <-hashed }()
	cleanup := []string{"incoming", "incoming_units", "stage", "stage_keys", "stage_ix", "src", "src_long", "egdi_rejects", "egdi_reject_scans"}
	for i := range files {
		cleanup = append(cleanup, fmt.Sprintf("stage_%d", i), fmt.Sprintf("units_%d", i), fmt.Sprintf("slim_%d", i))
	}
	// Files are staged and validated outside the transaction (temporary tables only);
	// the transaction holds the writes, so an import is still all or nothing.
	stage := func(c *sql.Conn) error {
		// Each file is staged as its own table; incoming is their union, without a copy.
		var parts, unitParts []string
		for i, path := range files {
			res, err := importOne(ctx, c, i, path, opt, valid)
			if err != nil {
				return err
			}
			results = append(results, *res)
			parts = append(parts, fmt.Sprintf(`SELECT unit, year, indicator, value, %s AS file FROM stage_%d`, sqlString(path), i))
			unitParts = append(unitParts, fmt.Sprintf(`SELECT unit, name, name_zh FROM units_%d`, i))
		}
		// units_N are already one row per unit; several files need merging
		unitsView := unitParts[0]
		if len(unitParts) > 1 {
			unitsView = `SELECT unit, any_value(name) AS name, any_value(name_zh) AS name_zh
			FROM (` + strings.Join(unitParts, " UNION ALL ") + `) GROUP BY unit`
		}
		if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP VIEW incoming AS `+strings.Join(parts, " UNION ALL ")+`;
			CREATE OR REPLACE TEMP VIEW incoming_units AS `+unitsView); err != nil {
			return err
		}
		if len(files) > 1 {
			// The same key in two files of one import is as ambiguous as within one file.
			var u, ind, f1, f2 string
			var y int
			err := c.QueryRowContext(ctx, `SELECT unit, year, indicator, min(file), max(file) FROM incoming
				GROUP BY unit, year, indicator HAVING count(*) > 1 LIMIT 1`).Scan(&u, &y, &ind, &f1, &f2)
			if err == nil {
				return fmt.Errorf("%s and %s both give unit %s, year %d, indicator %s; import them separately if one should replace the other", f1, f2, u, y, ind)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			valid.step()
		}
		// A new code whose key another code already has would share its values: checked
		// here, before the write, against the units stored.
		done := store.Step("unit keys")
		err := store.CheckUnitKeys(ctx, c, `SELECT unit, `+store.UnitKey("unit")+` AS unit_key FROM incoming_units`)
		done()
		if err != nil {
			return err
		}
		if err := c.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM raw_values v JOIN codes d ON d.id = v.dataset_id WHERE d.code = ?)`, opt.Dataset).Scan(&existing); err != nil {
			return err
		}
		if err := c.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM incoming_units WHERE name IS NOT NULL)`).Scan(&named); err != nil {
			return err
		}
		valid.step()
		return nil
	}
	// Storing's steps: the codes, each statement, the import's record, the commit.
	storing := &phase{progress: ctxProgress(ctx), what: Storing}
	write := func(tx *sql.Tx) error {
		// Dataset and indicator names are stored as numbers (store.Codes).
		names := []string{opt.Dataset}
		for _, r := range results {
			names = append(names, r.Indicators...)
		}
		codes, err := store.Codes(ctx, tx, names...)
		if err != nil {
			return fmt.Errorf("storing the import: %w", err)
		}
		indicatorCodes := map[string]int{}
		for _, r := range results {
			for _, id := range r.Indicators {
				indicatorCodes[id] = codes[id]
			}
		}
		ds, ix := codes[opt.Dataset], store.CodeTable(indicatorCodes)
		// Units are stored by key (store.UnitKey), computed from the code: the values need
		// no lookup of their units. A few indicators are numbered by a CASE, more by a join.
		values := fmt.Sprintf(`INSERT INTO raw_values SELECT %d, %s, n.year, c.id, n.value FROM incoming n JOIN %s c ON c.name = n.indicator`, ds, store.UnitKey("n.unit"), ix)
		if inds, ok := store.CodeOf("n.indicator", indicatorCodes); ok {
			values = fmt.Sprintf(`INSERT INTO raw_values SELECT %d, %s, n.year, %s, n.value FROM incoming n`, ds, store.UnitKey("n.unit"), inds)
		}
		stmts := []string{
			// a custom unit's name (its code unless given) and kind are NULL in unit_list
			`INSERT INTO unit_list (unit_key, unit, name, name_zh)
			   SELECT ` + store.UnitKey("n.unit") + `, n.unit, n.name, n.name_zh FROM incoming_units n
			   ANTI JOIN unit_list u ON u.unit_key = ` + store.UnitKey("n.unit"),
			values,
			`INSERT OR IGNORE INTO datasets VALUES ($1, $2, $3)`,
			`UPDATE datasets SET synthetic = $2 OR synthetic, description = coalesce(nullif($3, ''), description) WHERE dataset = $1`,
		}
		if named {
			stmts = append([]string{`UPDATE unit_list SET name = n.name, name_zh = coalesce(n.name_zh, unit_list.name_zh)
			   FROM (SELECT * FROM incoming_units WHERE name IS NOT NULL) n
			   WHERE unit_list.unit = n.unit AND unit_list.kind IS DISTINCT FROM 'country'`}, stmts...)
		}
		if existing {
			// Replace the values of the same keys; a join, not a tuple IN, keeps this set-wise.
			stmts = append([]string{fmt.Sprintf(`DELETE FROM raw_values iv
			   USING (SELECT DISTINCT %s AS unit_key, n.year, c.id FROM incoming n JOIN %s c ON c.name = n.indicator) n
			   WHERE iv.dataset_id = %d AND iv.unit_key = n.unit_key AND iv.year = n.year AND iv.indicator_id = n.id`, store.UnitKey("n.unit"), ix, ds)}, stmts...)
		}
		storing.total = 1 + len(stmts) + 2
		storing.step() // the codes
		for i, s := range stmts {
			done := store.Step(fmt.Sprintf("store statement %d", i+1))
			args := []any{}
			if strings.Contains(s, "$3") {
				args = []any{opt.Dataset, opt.Synthetic, opt.Description}
			} else if strings.Contains(s, "$1") {
				args = []any{opt.Dataset}
			}
			if _, err := tx.ExecContext(ctx, s, args...); err != nil {
				return fmt.Errorf("storing the import: %w", err)
			}
			done()
			storing.step()
		}
		done := store.Step("checksums, record")
		defer done()
		<-hashed
		for i, r := range results {
			if err := recordImportSum(tx, "indicators", opt.Dataset, r.File, sums[i], int(r.Rows)); err != nil {
				return err
			}
		}
		if also != nil {
			defer store.Step("more writes")()
			if err := also(tx); err != nil {
				return err
			}
		}
		storing.step()
		return nil
	}
	if err := db.Staged(ctx, stage, write, cleanup); err != nil {
		return nil, err
	}
	storing.step() // the commit
	return results, nil
}

// precheck reads a long or wide CSV in Go before DuckDB stages it, one streaming pass
// over its bytes, and stops at the first line that cannot be data — another number of
// fields than the header, a year or value that is not a number — naming it: a file of
// text garbage is refused at its first bad line, at once and in constant memory,
// instead of after DuckDB has scanned all of it (200 MB of garbage took 64 s and 6 GB,
// and the line named was not the first bad one). A file with quoted fields, or a line
// longer than DuckDB reads, is left to DuckDB's reader from there on (it names the
// line itself). About 1 GB/s.
func precheck(path string, l *layout, progress Progress) error {
	delim, err := Sniff(path)
	if err != nil {
		return err
	}
	if delim >= 0x80 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// what each column must hold: 1 a year, 2 a number
	kind := make([]byte, len(l.header)+1)
	if l.year >= 0 {
		kind[l.year] = 1
	}
	values := l.wide
	if l.kind == "long" {
		values = []int{l.value}
	}
	for _, c := range values {
		kind[c] = 2
	}
	d := byte(delim)
	buf := make([]byte, 1<<20)
	// a file of 64 MB or more reports the megabytes checked (DuckDB reads it meanwhile)
	size, read := 0, 0
	if fi, err := f.Stat(); err == nil && fi.Size() >= 64<<20 {
		size = int(fi.Size() >> 20)
	}
	what := "checking " + filepath.Base(path) + ": MB"
	var cell []byte // the current cell, when it spans two reads
	line, field, lineLen := 1, 0, 0
	check := func(c []byte) error {
		if field >= len(l.header) {
			return nil // counted at the line's end
		}
		switch kind[field] {
		case 1:
			if c = trimCell(c); len(c) > 0 && !isYear(c) {
				return fmt.Errorf("%s:%d: column %q: %q is not a year; nothing was imported", path, line, l.header[field], clip(string(c)))
			}
		case 2:
			if c = trimCell(c); len(c) > 0 && !isNumber(c) {
				return fmt.Errorf("%s:%d: column %q: %q is not a number; nothing was imported", path, line, l.header[field], clip(string(c)))
			}
		}
		return nil
	}
	header := true
	for {
		n, rerr := f.Read(buf)
		b := buf[:n]
		start := 0
		if read += n; size > 0 && read>>20 != (read-n)>>20 {
			progress(what, read>>20, size)
		}
		for i := 0; i < len(b); i++ {
			c := b[i]
			if header {
				if c == '\n' {
					header, line, start = false, 2, i+1
				}
				continue
			}
			switch c {
			case '"':
				return nil // quoted fields: DuckDB's reader from here
			case d, '\n':
				part := b[start:i]
				if len(cell) > 0 {
					part = append(cell, part...)
					cell = cell[:0]
				}
				if c == '\n' && len(part) > 0 && part[len(part)-1] == '\r' {
					part = part[:len(part)-1]
				}
				if c == d || lineLen+i-start > 0 || field > 0 {
					if err := check(part); err != nil {
						return err
					}
				}
				if c == d {
					field++
				} else {
					if (field > 0 || lineLen+i-start > 0) && field+1 != len(l.header) {
						return fmt.Errorf("%s:%d: %d fields where the header has %d; nothing was imported", path, line, field+1, len(l.header))
					}
					line, field, lineLen = line+1, 0, 0
				}
				start = i + 1
			}
		}
		if start < len(b) && !header {
			if lineLen += len(b) - start; lineLen > 1<<20 {
				return nil // a line over 1 MB: DuckDB's reader says what it makes of it
			}
			cell = append(cell, b[start:]...)
		}
		if rerr != nil {
			if len(cell) > 0 || field > 0 { // a last line without a newline
				if err := check(cell); err != nil {
					return err
				}
				if field+1 != len(l.header) {
					return fmt.Errorf("%s:%d: %d fields where the header has %d; nothing was imported", path, line, field+1, len(l.header))
				}
			}
			if size > 0 {
				progress(what, size, size)
			}
			return nil
		}
	}
}

// trimCell is a cell without surrounding spaces.
func trimCell(f []byte) []byte {
	for len(f) > 0 && (f[0] == ' ' || f[0] == '\t') {
		f = f[1:]
	}
	for len(f) > 0 && (f[len(f)-1] == ' ' || f[len(f)-1] == '\t' || f[len(f)-1] == '\r') {
		f = f[:len(f)-1]
	}
	return f
}

// isYear reports whether b is a whole number (2022, 2022.0, +2022).
func isYear(b []byte) bool {
	digits := 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case i == 0 && (c == '+' || c == '-'):
		default:
			v, err := strconv.ParseFloat(string(b), 64)
			return err == nil && v == math.Trunc(v)
		}
	}
	return digits > 0
}

// isNumber reports whether b is a number as DuckDB reads a DOUBLE: the common forms
// checked byte by byte, the others (inf, nan, …) by strconv.
func isNumber(b []byte) bool {
	i, digits := 0, 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			digits++
		}
	}
	if digits > 0 && i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			i = -1
		}
	}
	if digits > 0 && i == len(b) {
		return true
	}
	_, err := strconv.ParseFloat(string(b), 64)
	return err == nil
}

// clip shortens a cell for a message: its first 60 characters.
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// querier is what staging needs of a connection or transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// validateSteps are the steps of the validation of a file in importOne, each reported
// as it ends: staging (the typed scan), the codes, the three checks of validate, and
// the counts and units (and one more for --carry-back).
const validateSteps = 6

// importOne stages one file, validated, as the temp table stage_n; valid hears the
// steps of its validation.
func importOne(ctx context.Context, tx querier, n int, path string, opt IndicatorOptions, valid *phase) (result *IndicatorResult, failed error) {
	format, err := Format(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	header, err := loadSource(ctx, tx, path, format)
	if err != nil {
		return nil, err
	}
	l, err := detectLayout(path, header, opt)
	if err != nil {
		return nil, err
	}
	sel, err := stageSQL(l, opt)
	if err != nil {
		return nil, err
	}
	prechecked := func() error { return nil }
	if format == "csv" && (l.kind == "long" || l.kind == "wide") {
		// precheck streams the file beside DuckDB's scan (the second core); a bad line it
		// finds stops the scan at once and is the error reported
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		checked := make(chan error, 1)
		go func() {
			err := precheck(path, l, ctxProgress(ctx))
			if err != nil {
				cancel()
			}
			checked <- err
		}()
		var once sync.Once
		var perr error
		prechecked = func() error {
			once.Do(func() { perr = <-checked })
			return perr
		}
		defer func() {
			if err := prechecked(); err != nil {
				result, failed = nil, err
			}
			cancel()
		}()
	}
	if format == "csv" && l.kind == "wide" {
		// A wide CSV is turned long in one streaming pass in Go: DuckDB holds a vector
		// per column, which at thousands of columns outgrows the memory limit.
		long, cleanup, err := wideToLong(path, l)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP VIEW src_long AS SELECT * FROM read_csv(%s, header = true, auto_detect = false,
			delim = ',', quote = '"', escape = '"', strict_mode = true,
			columns = {'unit': 'VARCHAR', 'name': 'VARCHAR', 'name_zh': 'VARCHAR', 'year': 'VARCHAR', 'indicator': 'VARCHAR', 'value': 'VARCHAR', 'col': 'INTEGER'})`, store.File(long))); err != nil {
			return nil, fmt.Errorf("%s: %s", path, duckMessage(err))
		}
		sel = `SELECT NULL::BIGINT AS rec, trim(unit) AS unit, name, name_zh, trim(year) AS year_raw, indicator, trim(value) AS value_raw, col FROM src_long`
	}
	table := "stage" // the table behind stage, for updates
	if format == "csv" && l.kind == "long" && opt.OnlyYear == 0 {
		// The common bulk case: one typed, parallel scan into a slim table.
		table = fmt.Sprintf("slim_%d", n)
		if err := stageLongCSV(ctx, tx, path, table, l, opt); err != nil {
			return nil, err
		}
	} else {
		// Stage typed values. Blank values are missing data points, not zeros, and are
		// dropped here; the raw text of a year or value is kept only where it does not
		// parse, for the error message.
		q := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stage AS
			SELECT rec, unit, name, name_zh, indicator, col, year, value,
			       CASE WHEN year IS NULL OR yd <> year - %[1]d %[3]s THEN coalesce(year_raw, '') END AS bad_year,
			       CASE WHEN value IS NULL THEN value_raw END AS bad_value
			FROM (SELECT *, TRY_CAST(year_raw AS DOUBLE) AS yd, TRY_CAST(TRY_CAST(TRY_CAST(year_raw AS DOUBLE) AS BIGINT) + %[1]d AS INTEGER) AS year,
			             TRY_CAST(value_raw AS DOUBLE) AS value
			      FROM (%[2]s) WHERE coalesce(value_raw, '') <> '')`, opt.ShiftYears, sel, yearRange(opt, l))
		done := store.Step("stage (parse, cast)")
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %s", path, duckMessage(err))
		}
		done()
		if opt.OnlyYear != 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM stage WHERE year IS DISTINCT FROM ? AND NOT (year BETWEEN ? AND ?)`,
				opt.OnlyYear, opt.OnlyYear-opt.CarryBack, opt.OnlyYear); err != nil {
				return nil, err
			}
		}
	}
	// Staged: the rest of the validation waits for the precheck (its first bad line is
	// the error; its progress, the megabytes, is over before the validation's).
	if err := prechecked(); err != nil {
		return nil, err
	}
	valid.step()
	// One pass finds the indicators present (for the range checks and the summary),
	// whether any record is bad (blank code, bad year, missing or non-finite value; which
	// and where is found only then), whether any code has spaces at either end (then
	// they are trimmed and the pass runs again), and whether any unit code is three
	// letters not all upper case: Member State ISO3 codes in any case attach to the
	// country, which takes a rewrite only when there are some. The CASE upper-cases only
	// the codes of three bytes (a FILTER's AND would evaluate upper() on every row); the
	// bad records show in aggregates, which are cheaper than a test of each row (a NaN is
	// the largest value, and -Inf the smallest).
	res := &IndicatorResult{File: path, Layout: l.kind}
	done := store.Step("indicators present, unit codes")
	var inds sql.NullString
	var lower, bad, padded bool
	const padding = `unit LIKE ' %' OR unit LIKE '% ' OR indicator LIKE ' %' OR indicator LIKE '% '`
	for pass := 0; pass == 0 || padded && pass < 2; pass++ { // trimmed codes have no padding left
		if pass > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET unit = trim(unit), indicator = trim(indicator) WHERE `+padding); err != nil {
				return nil, err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT array_to_string(array_sort(list(DISTINCT indicator)), chr(31)),
			count(*) FILTER (CASE WHEN strlen(unit) = 3 THEN unit <> upper(unit) ELSE false END) > 0,
			coalesce(count(unit) < count(*) OR min(strlen(unit)) = 0 OR count(indicator) < count(*) OR min(strlen(indicator)) = 0
			  OR count(bad_year) > 0 OR count(value) < count(*) OR NOT (isfinite(min(value)) AND isfinite(max(value))), false),
			count(*) FILTER (`+padding+`) > 0
			FROM stage`).Scan(&inds, &lower, &bad, &padded); err != nil {
			return nil, err
		}
	}
	if inds.Valid && inds.String != "" {
		res.Indicators = strings.Split(inds.String, "\x1f")
	}
	if lower {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET unit = upper(unit) WHERE length(unit) = 3 AND unit <> upper(unit)
			  AND upper(unit) IN (SELECT unit FROM units WHERE kind = 'country')`); err != nil {
			return nil, err
		}
	}
	done()
	valid.step()
	p, err := validate(ctx, tx, l, opt.ShiftYears, res.Indicators, bad, valid)
	if err != nil {
		return nil, err
	}
	if p != nil {
		where := locate(path, format, header, l, p)
		return nil, fmt.Errorf("%s: %s; nothing was imported", where, p.what)
	}
	if opt.OnlyYear != 0 && opt.CarryBack > 0 {
		// Keep each unit's latest value in the window and label it with the edition.
		if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE stage AS
			SELECT * REPLACE (?::INTEGER AS year) FROM stage
			QUALIFY row_number() OVER (PARTITION BY unit, indicator ORDER BY year DESC) = 1`, opt.OnlyYear); err != nil {
			return nil, err
		}
		// regroup: the rows kept are the counts and units of the import
		if _, err := groupKeys(ctx, tx, res.Indicators, l.name >= 0 || l.nameZh >= 0); err != nil {
			return nil, err
		}
		valid.step()
	}
	// Counts and units come from the (unit, year) groups of the duplicate check.
	done = store.Step("counts, units")
	defer done()
	var years sql.NullString
	var groups int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(rows), 0), array_to_string(array_sort(list(DISTINCT year)), ','), count(*)
		FROM stage_keys`).Scan(&res.Rows, &years, &groups); err != nil {
		return nil, err
	}
	if res.Rows == 0 {
		what := "no data rows under the header"
		if opt.OnlyYear != 0 {
			what = fmt.Sprintf("no values for year %d", opt.OnlyYear)
		}
		return nil, fmt.Errorf("%s: %s; nothing was imported", path, what)
	}
	for _, y := range strings.Split(years.String, ",") {
		if v, err := strconv.Atoi(y); err == nil {
			res.Years = append(res.Years, v)
		}
	}
	// The file's units with their names, once, for the units table: with one year, the
	// (unit, year) groups are already one per unit.
	kind := "TABLE"
	if table != "stage" {
		kind = "VIEW"
	}
	units := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE units_%d AS
		SELECT unit, any_value(name) AS name, any_value(name_zh) AS name_zh FROM stage_keys GROUP BY unit`, n)
	if len(res.Years) == 1 {
		units, res.Units = fmt.Sprintf(`ALTER TABLE stage_keys RENAME TO units_%d`, n), groups
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER `+kind+` stage RENAME TO stage_%d; `, n)+units); err != nil {
		return nil, err
	}
	if len(res.Years) > 1 {
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM units_%d`, n)).Scan(&res.Units); err != nil {
			return nil, err
		}
	}
	// codes are plain text: a control character in one (ESC, a newline) would reach
	// terminals and reports
	var ctrl string
	err = tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT unit FROM units_%d WHERE regexp_matches(unit, '[[:cntrl:]]') LIMIT 1`, n)).Scan(&ctrl)
	if err == nil {
		return nil, fmt.Errorf("%s: unit code %q holds a control character; codes are plain text", path, ctrl)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	for _, id := range res.Indicators {
		if strings.ContainsFunc(id, unicode.IsControl) {
			return nil, fmt.Errorf("%s: indicator id %q holds a control character; ids are plain text", path, id)
		}
	}
	if l.kind == "itu" {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT trim(c%d) FROM src WHERE trim(c%d) NOT IN (%s) ORDER BY 1`, l.series, l.series, ituCodes()))
		if err == nil {
			for rows.Next() {
				var s sql.NullString
				rows.Scan(&s)
				if s.Valid {
					res.Skipped = append(res.Skipped, s.String)
				}
			}
			rows.Close()
		}
		sort.Strings(res.Skipped)
	}
	valid.step()
	return res, nil
}

// ituCodes lists the ITU series codes the registry maps, as a SQL list.
func ituCodes() string {
	reg, _ := Registry()
	codes := []string{"''"}
	for _, e := range reg {
		for _, c := range e.ITU {
			codes = append(codes, sqlString(c))
		}
	}
	return strings.Join(codes, ", ")
}

// dropSrc drops the previous file's source, a view (CSV) or a table (sheet, Parquet):
// DROP of the wrong kind is an error, which would abort the import's transaction.
func dropSrc(ctx context.Context, tx querier) error { return dropTemp(ctx, tx, "src") }

// dropTemp drops the temporary table or view name, if it exists.
func dropTemp(ctx context.Context, tx querier, name string) error {
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main' AND table_catalog = 'temp'`, name).Scan(&kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case kind == "VIEW":
		_, err = tx.ExecContext(ctx, `DROP VIEW `+sqlIdent(name))
	default:
		_, err = tx.ExecContext(ctx, `DROP TABLE `+sqlIdent(name))
	}
	return err
}

// wideToLong writes a wide CSV's non-blank indicator cells as a long CSV (unit, name,
// name_zh, year, indicator, value, col), row by row: memory holds one record whatever
// the width or length of the file. The returned function removes it.
func wideToLong(path string, l *layout) (string, func(), error) {
	delim, err := Sniff(path)
	if err != nil {
		return "", nil, err
	}
	in, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp("", "egdi-wide-*.csv")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(tmp.Name()) }
	br := bufio.NewReaderSize(in, 1<<20)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma, r.FieldsPerRecord, r.ReuseRecord = delim, -1, true
	w := csv.NewWriter(bufio.NewWriterSize(tmp, 1<<20))
	w.Write([]string{"unit", "name", "name_zh", "year", "indicator", "value", "col"})
	ids := make([]string, len(l.header))
	for _, i := range l.wide {
		ids[i] = strings.TrimSpace(l.header[i])
	}
	cell := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	first := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tmp.Close()
			cleanup()
			return "", nil, fmt.Errorf("%s: %v", path, err)
		}
		if first { // the header
			first = false
			continue
		}
		unit, name, nameZh, year := cell(rec, l.unit), cell(rec, l.name), cell(rec, l.nameZh), cell(rec, l.year)
		for _, i := range l.wide {
			v := strings.TrimSpace(cell(rec, i))
			if v == "" {
				continue
			}
			w.Write([]string{unit, name, nameZh, year, ids[i], v, strconv.Itoa(i)})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		cleanup()
		return "", nil, err
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return tmp.Name(), cleanup, nil
}
