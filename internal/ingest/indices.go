package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/store"
)

// IndexFields are the fields a published index table maps onto.
var IndexFields = []string{"unit", "name", "year", "egdi", "osi", "tii", "hci", "epi", "rank"}

// indexHeaders maps folded column titles of known exports onto fields.
var indexHeaders = map[string]string{
	"survey year": "year", "year": "year", "edition": "year",
	"country name": "name", "country": "name", "name": "name", "country or area": "name",
	"country code": "unit", "iso3": "unit", "iso": "unit", "code": "unit", "unit": "unit", "iso3 code": "unit",
	"e government rank": "rank", "e gov rank": "rank", "rank": "rank", "egdi rank": "rank",
	"e government index": "egdi", "e gov index": "egdi", "egdi": "egdi", "e government development index": "egdi",
	"e participation index": "epi", "e pat index": "epi", "epi": "epi",
	"online service index": "osi", "osi": "osi",
	"human capital index": "hci", "hci": "hci",
	"telecommunication infrastructure index": "tii", "tii": "tii",
}

// IndexOptions tune an import of published indices.
type IndexOptions struct {
	Year int               // used when the file has no year column and no year in its name
	Map  map[string]string // extra header → field mappings from --map
}

// PublishedRow is one unit's published values for one edition.
type PublishedRow struct {
	Year                     int
	Unit, Name, File         string
	EGDI, OSI, TII, HCI, EPI *float64
	Rank                     *int
	Assessed                 bool
}

// IndexResult summarises one imported file.
type IndexResult struct {
	File        string
	Years       []int
	Rows        int
	NotAssessed []string
}

var yearInName = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)`)

// ParseIndices reads one published index table and returns its rows, or an error that
// names the file, line and column.
func ParseIndices(path string, opt IndexOptions) ([]PublishedRow, error) {
	t, err := ReadTable(path)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range t.Header {
		field := ""
		if f, ok := opt.Map[strings.TrimSpace(h)]; ok {
			field = f
		} else if f, ok := indexHeaders[headerKey(h)]; ok {
			field = f
		}
		if field == "" {
			continue
		}
		if _, dup := col[field]; dup {
			return nil, fmt.Errorf("%s: two columns map onto %q (%q and %q); use --map to say which is which",
				t.File, field, t.Header[col[field]], h)
		}
		col[field] = i
	}
	if _, ok := col["unit"]; !ok {
		if _, ok := col["name"]; !ok {
			return nil, fmt.Errorf("%s: missing column: no country code or name column among %s; map one with --map \"Header=unit\" or \"Header=name\"",
				t.File, quoteList(t.Header))
		}
	}
	if _, ok := col["egdi"]; !ok {
		return nil, fmt.Errorf("%s: missing column: no EGDI column among %s; map it with --map \"Header=egdi\"", t.File, quoteList(t.Header))
	}
	fileYear := 0
	if _, ok := col["year"]; !ok {
		if m := yearInName.FindStringSubmatch(filepath.Base(path)); m != nil {
			fileYear, _ = strconv.Atoi(m[1])
		} else if opt.Year != 0 {
			fileYear = opt.Year
		} else {
			return nil, fmt.Errorf("%s: no survey year: the file has no year column and no year in its name; give --year", t.File)
		}
	}
	var out []PublishedRow
	seen := map[string]int{} // year/unit → position
	for _, r := range t.Rows {
		if allBlank(r.Cells) {
			continue
		}
		loc := func(field string) string {
			return fmt.Sprintf("%s:%s %d: column %q", t.File, t.Where, r.Pos, t.Header[col[field]])
		}
		if t.Where == "line" {
			loc = func(field string) string { return fmt.Sprintf("%s:%d: column %q", t.File, r.Pos, t.Header[col[field]]) }
		}
		pr := PublishedRow{Year: fileYear, File: filepath.Base(path)}
		if i, ok := col["year"]; ok {
			y, err := strconv.ParseFloat(strings.TrimSpace(r.Cell(i)), 64)
			if err != nil || y != math.Trunc(y) || y < 1990 || y > 2100 {
				return nil, fmt.Errorf("%s: %q is not a survey year", loc("year"), r.Cell(i))
			}
			pr.Year = int(y)
		}
		var c *refdata.Country
		if i, ok := col["unit"]; ok && strings.TrimSpace(r.Cell(i)) != "" {
			c = refdata.ByISO3(r.Cell(i))
			if c == nil {
				return nil, fmt.Errorf("%s: unknown country code %q (egdi knows the 193 UN Member States by ISO3 code)", loc("unit"), r.Cell(i))
			}
		}
		if i, ok := col["name"]; ok {
			pr.Name = strings.TrimSpace(r.Cell(i))
			if c == nil {
				c = refdata.Match(pr.Name)
				if c == nil {
					hint := ""
					if s := refdata.Suggest(pr.Name, 3); len(s) > 0 {
						hint = "; did you mean " + strings.Join(s, ", ") + "?"
					}
					return nil, fmt.Errorf("%s: unknown country name %q%s (add its ISO3 code in a code column, or fix the name)", loc("name"), pr.Name, hint)
				}
			}
		}
		if c == nil {
			return nil, fmt.Errorf("%s:%d: the row names no country", t.File, r.Pos)
		}
		pr.Unit = c.ISO3
		key := fmt.Sprintf("%d/%s", pr.Year, pr.Unit)
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s appears twice for %d (also %s %d)", t.File, r.Pos, c.Name, pr.Year, t.Where, prev)
		}
		seen[key] = r.Pos
		allZero := true
		for _, f := range []struct {
			name string
			dst  **float64
		}{{"egdi", &pr.EGDI}, {"osi", &pr.OSI}, {"tii", &pr.TII}, {"hci", &pr.HCI}, {"epi", &pr.EPI}} {
			i, ok := col[f.name]
			if !ok {
				continue
			}
			s := strings.TrimSpace(r.Cell(i))
			if s == "" || strings.EqualFold(s, "na") || s == ".." || s == "-" {
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", loc(f.name), s)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: %q is not a finite number", loc(f.name), s)
			}
			if v < 0 {
				return nil, fmt.Errorf("%s: %s is negative; index values run from 0 to 1", loc(f.name), s)
			}
			// the UN published a few values a little above 1 (HCI 2003: Micronesia
			// 1.422), which are kept and flagged by egdi check; far above is surely a
			// table on another scale
			if v > 1.5 {
				return nil, fmt.Errorf("%s: %s is above 1; the UN publishes its indices from 0 to 1 (is this table on a 0-100 scale? divide it by 100)", loc(f.name), s)
			}
			if v != 0 {
				allZero = false
			}
			*f.dst = &v
		}
		if i, ok := col["rank"]; ok {
			s := strings.TrimSpace(r.Cell(i))
			if s != "" {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || v != math.Trunc(v) || v < 1 {
					return nil, fmt.Errorf("%s: %q is not a rank", loc("rank"), s)
				}
				if v > 10000 {
					return nil, fmt.Errorf("%s: rank %s is beyond any ranking of countries (at most 193 are ranked)", loc("rank"), s)
				}
				n := int(v)
				pr.Rank = &n
			}
		}
		// A blank rank with all-zero or blank scores is the survey's way of saying the
		// state was not assessed (Montenegro and South Sudan before they were members).
		pr.Assessed = !(pr.Rank == nil && allZero)
		if !pr.Assessed {
			pr.EGDI, pr.OSI, pr.TII, pr.HCI, pr.EPI = nil, nil, nil, nil, nil
		}
		out = append(out, pr)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no data rows under the header", t.File)
	}
	return out, nil
}

// ImportIndices parses every file first and then, in one transaction, replaces the
// editions they hold. Nothing is written if any file is bad.
func ImportIndices(ctx context.Context, db *store.DB, files []string, opt IndexOptions) ([]IndexResult, error) {
	var all []PublishedRow
	var results []IndexResult
	yearFile := map[int]string{}
	for _, f := range files {
		rows, err := ParseIndices(f, opt)
		if err != nil {
			return nil, err
		}
		res := IndexResult{File: f, Rows: len(rows)}
		ys := map[int]bool{}
		for _, r := range rows {
			if other, ok := yearFile[r.Year]; ok && other != f {
				return nil, fmt.Errorf("%s: edition %d is also in %s; import one file per edition", f, r.Year, other)
			}
			ys[r.Year] = true
			if !r.Assessed {
				res.NotAssessed = append(res.NotAssessed, r.Unit)
			}
		}
		for y := range ys {
			yearFile[y] = f
			res.Years = append(res.Years, y)
		}
		sort.Ints(res.Years)
		results = append(results, res)
		all = append(all, rows...)
	}
	var eds []store.Edition
	for y, f := range yearFile {
		eds = append(eds, store.EditionOf(y, filepath.Base(f)))
	}
	sort.Slice(eds, func(i, j int) bool { return eds[i].Year < eds[j].Year })
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE OR REPLACE TEMP TABLE egdi_indices (year INTEGER, unit VARCHAR, egdi DOUBLE, osi DOUBLE, tii DOUBLE,
			hci DOUBLE, epi DOUBLE, rank INTEGER, assessed BOOLEAN)`); err != nil {
			return err
		}
		defer tx.Exec(`DROP TABLE IF EXISTS egdi_indices`)
		stmt, err := tx.Prepare(`INSERT INTO egdi_indices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range all {
			if _, err := stmt.Exec(r.Year, r.Unit, r.EGDI, r.OSI, r.TII, r.HCI, r.EPI, r.Rank, r.Assessed); err != nil {
				return fmt.Errorf("%s: %s %d: %w", r.File, r.Unit, r.Year, err)
			}
		}
		if err := store.PutPublished(ctx, tx, `SELECT * FROM egdi_indices`, eds); err != nil {
			return err
		}
		for _, res := range results {
			if err := recordImport(tx, "indices", store.PublishedDataset, res.File, res.Rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func recordImport(tx *sql.Tx, kind, dataset, file string, rows int) error {
	return recordImportSum(tx, kind, dataset, file, fileSHA256(file), rows)
}

// recordImportSum records an import whose file checksum is known.
func recordImportSum(tx *sql.Tx, kind, dataset, file, sum string, rows int) error {
	_, err := tx.Exec(`INSERT INTO imports VALUES (?, ?, ?, ?, ?, now())`, kind, dataset, file, sum, rows)
	return err
}

// fileSHA256 is the hex SHA-256 of a file's bytes, or "" when it cannot be read.
func fileSHA256(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func quoteList(h []string) string {
	q := make([]string, len(h))
	for i, s := range h {
		q[i] = strconv.Quote(strings.TrimSpace(s))
	}
	return strings.Join(q, ", ")
}
