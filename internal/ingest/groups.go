package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode"

	"github.com/egdi/egdi/data"
	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/store"
)

// GroupResult summarises one imported groupings file.
type GroupResult struct {
	File      string
	Layout    string         // long or wide
	Groupings map[string]int // grouping → units in a group of it
	NewUnits  []string       // units the file named that the database did not have
}

// builtInGroupings are the groupings egdi computes from the Member States' M49 data,
// and the words summary --by takes for bands: no imported grouping takes these names.
var builtInGroupings = []string{"region", "subregion", "ldc", "lldc", "sids", "band", "group", "class"}

// BuiltinGroupings lists the groupings shipped in data/groups, by file name without
// the extension.
func BuiltinGroupings() []string {
	entries, _ := fs.ReadDir(data.FS, "groups")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") {
			out = append(out, strings.TrimSuffix(e.Name(), ".csv"))
		}
	}
	sort.Strings(out)
	return out
}

// BuiltinGroupingFile writes a shipped grouping to a temporary file (removed by the
// returned function) for ImportGroups.
func BuiltinGroupingFile(name string) (string, func(), error) {
	if _, err := fs.Stat(data.FS, path.Join("groups", name+".csv")); err != nil {
		return "", nil, fmt.Errorf("no built-in grouping %q; egdi ships %s", name, strings.Join(BuiltinGroupings(), ", "))
	}
	return EmbeddedFile(path.Join("groups", name+".csv"))
}

// groupRow is one unit's group in one grouping, and where the file says so; label and
// labelZh name the grouping itself (long files).
type groupRow struct {
	unit, name, nameZh, grouping, group, groupZh, label, labelZh string
	pos                                                          int
}

// parseGroups reads a groupings file: long (unit, grouping, group, and optionally
// group_zh, name, name_zh) or wide (unit and one column per grouping, with <grouping>_zh
// columns for Chinese labels, and optionally name, name_zh).
func parseGroups(file string) ([]groupRow, string, error) {
	t, err := ReadTable(file)
	if err != nil {
		return nil, "", err
	}
	col := map[string]int{}
	for i, h := range t.Header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[k]; dup {
			return nil, "", fmt.Errorf("%s: two columns are named %q", t.File, strings.TrimSpace(h))
		}
		col[k] = i
	}
	unitCol := -1
	for _, k := range []string{"unit", "code", "iso3", "country code"} {
		if i, ok := col[k]; ok {
			unitCol = i
			break
		}
	}
	if unitCol < 0 {
		return nil, "", fmt.Errorf("%s: missing column: no unit column among %s; name the units' codes unit", t.File, quoteList(t.Header))
	}
	where := func(r Row) string {
		if t.Where == "line" {
			return fmt.Sprintf("%s:%d", t.File, r.Pos)
		}
		return fmt.Sprintf("%s:%s %d", t.File, t.Where, r.Pos)
	}
	opt := func(r Row, k string) string {
		if i, ok := col[k]; ok {
			return strings.TrimSpace(r.Cell(i))
		}
		return ""
	}
	_, hasG := col["grouping"]
	_, hasV := col["group"]
	layout := "wide"
	var groupings []string // wide: the grouping columns
	if hasG && hasV {
		layout = "long"
		for k := range col {
			if !map[string]bool{"unit": true, "code": true, "iso3": true, "country code": true, "name": true, "name_zh": true, "grouping": true, "group": true,
				"group_zh": true, "grouping_name": true, "grouping_name_zh": true}[k] {
				return nil, "", fmt.Errorf("%s: unknown column %q in a long groupings file (unit, grouping, group, group_zh, grouping_name, grouping_name_zh, name, name_zh)", t.File, t.Header[col[k]])
			}
		}
	} else {
		for i, h := range t.Header {
			k := strings.ToLower(strings.TrimSpace(h))
			if i == unitCol || k == "name" || k == "name_zh" || strings.HasSuffix(k, "_zh") {
				continue
			}
			groupings = append(groupings, strings.TrimSpace(h))
		}
		for k := range col {
			if strings.HasSuffix(k, "_zh") && k != "name_zh" {
				if _, ok := col[strings.TrimSuffix(k, "_zh")]; !ok {
					return nil, "", fmt.Errorf("%s: column %q labels a grouping %q the file does not have", t.File, t.Header[col[k]], strings.TrimSuffix(k, "_zh"))
				}
			}
		}
		if len(groupings) == 0 {
			return nil, "", fmt.Errorf("%s: no grouping: a long file has unit, grouping and group columns, a wide one a column per grouping beside unit", t.File)
		}
	}
	var out []groupRow
	seen := map[string]groupRow{}
	add := func(r Row, g groupRow) error {
		if err := checkGroupingName(g.grouping); err != nil {
			return fmt.Errorf("%s: %w", where(r), err)
		}
		key := g.unit + "\x00" + g.grouping
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: unit %s is given a group in %s twice (also at %s %d)", where(r), g.unit, g.grouping, t.Where, prev.pos)
		}
		seen[key] = g
		out = append(out, g)
		return nil
	}
	for _, r := range t.Rows {
		if allBlank(r.Cells) {
			continue
		}
		unit := strings.TrimSpace(r.Cell(unitCol))
		if unit == "" {
			return nil, "", fmt.Errorf("%s: column %q: no unit code", where(r), t.Header[unitCol])
		}
		if strings.ContainsFunc(unit, unicode.IsControl) {
			return nil, "", fmt.Errorf("%s: column %q: unit code %q holds a control character; codes are plain text", where(r), t.Header[unitCol], unit)
		}
		if c := refdata.ByISO3(unit); c != nil {
			unit = c.ISO3
		}
		base := groupRow{unit: unit, name: opt(r, "name"), nameZh: opt(r, "name_zh"), pos: r.Pos}
		if layout == "long" {
			g := base
			g.grouping, g.group, g.groupZh = opt(r, "grouping"), opt(r, "group"), opt(r, "group_zh")
			g.label, g.labelZh = opt(r, "grouping_name"), opt(r, "grouping_name_zh")
			if g.grouping == "" || g.group == "" {
				return nil, "", fmt.Errorf("%s: a row needs a grouping and a group (unit %s)", where(r), unit)
			}
			if err := add(r, g); err != nil {
				return nil, "", err
			}
			continue
		}
		for _, gname := range groupings {
			g := base
			g.grouping, g.group, g.groupZh = gname, strings.TrimSpace(r.Cell(col[strings.ToLower(gname)])), opt(r, strings.ToLower(gname)+"_zh")
			if g.group == "" {
				continue // the unit is in no group of this grouping
			}
			if err := add(r, g); err != nil {
				return nil, "", err
			}
		}
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("%s: no unit is given a group", t.File)
	}
	return out, layout, nil
}

// checkGroupingName refuses a grouping name egdi uses itself, or one the command line
// could not name (--group GROUPING=GROUP, --by GROUPING).
func checkGroupingName(g string) error {
	for _, b := range builtInGroupings {
		if strings.EqualFold(g, b) {
			return fmt.Errorf("grouping %q is egdi's own (the M49 groupings of the Member States, and the bands); name yours otherwise, like my_%s", g, g)
		}
	}
	if strings.ContainsAny(g, "=,") || strings.TrimSpace(g) != g || strings.ContainsFunc(g, unicode.IsControl) {
		return fmt.Errorf("grouping name %q: no '=', ',', control characters or surrounding spaces", g)
	}
	return nil
}

// ImportGroups reads groupings files into the database in one transaction: all of
// them or none. A grouping the files name replaces the stored one of that name. Units
// are matched by code (the Member States by ISO3 code in any case); a code the
// database does not know becomes a unit of its own (named by the file's name columns),
// reported in NewUnits.
func ImportGroups(ctx context.Context, db *store.DB, files []string) ([]GroupResult, error) {
	var results []GroupResult
	var all []groupRow
	owner := map[string]string{} // grouping → file
	for _, f := range files {
		rows, layout, err := parseGroups(f)
		if err != nil {
			return nil, err
		}
		res := GroupResult{File: f, Layout: layout, Groupings: map[string]int{}}
		for _, r := range rows {
			if other, ok := owner[r.grouping]; ok && other != f {
				return nil, fmt.Errorf("%s: grouping %s is also in %s; give a grouping in one file", f, r.grouping, other)
			}
			res.Groupings[r.grouping]++
		}
		for g := range res.Groupings {
			owner[g] = f
		}
		results = append(results, res)
		all = append(all, rows...)
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error { return writeGroups(ctx, tx, results, all) })
	if err != nil {
		return nil, err
	}
	return results, nil
}

// writeGroups stores parsed groupings (all, from the files of results) in tx: a
// grouping named replaces the stored one; unknown codes become units of their own,
// reported in NewUnits.
func writeGroups(ctx context.Context, tx *sql.Tx, results []GroupResult, all []groupRow) error {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE egdi_groups (unit VARCHAR, name VARCHAR, name_zh VARCHAR,
		grouping VARCHAR, grp VARCHAR, grp_zh VARCHAR, file INTEGER, label VARCHAR, label_zh VARCHAR, pos INTEGER)`); err != nil {
		return err
	}
	defer tx.ExecContext(context.Background(), `DROP TABLE IF EXISTS egdi_groups`)
	fileOf := map[string]int{}
	for i, res := range results {
		for g := range res.Groupings {
			fileOf[g] = i
		}
	}
	// the rows as columns (store.Unnest), in one statement: a statement per row costs
	// a millisecond each, and rows of VALUES several times what lists do
	var unit, name, nameZh, grouping, grp, grpZh, label, labelZh []string
	var file, pos []int32
	for i, r := range all {
		unit, name, nameZh = append(unit, r.unit), append(name, r.name), append(nameZh, r.nameZh)
		grouping, grp, grpZh = append(grouping, r.grouping), append(grp, r.group), append(grpZh, r.groupZh)
		label, labelZh = append(label, r.label), append(labelZh, r.labelZh)
		file, pos = append(file, int32(fileOf[r.grouping])), append(pos, int32(i))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO egdi_groups SELECT u, nullif(n, ''), nullif(nz, ''), g, gr, nullif(gz, ''), f, nullif(l, ''), nullif(lz, ''), p
		FROM `+store.Unnest("u VARCHAR", "n VARCHAR", "nz VARCHAR", "g VARCHAR", "gr VARCHAR", "gz VARCHAR", "f INTEGER", "l VARCHAR", "lz VARCHAR", "p INTEGER"),
		unit, name, nameZh, grouping, grp, grpZh, file, label, labelZh, pos); err != nil {
		return err
	}
	newUnits := `SELECT DISTINCT n.unit, ` + store.UnitKey("n.unit") + ` AS unit_key FROM egdi_groups n ANTI JOIN unit_list u ON u.unit = n.unit`
	if err := store.CheckUnitKeys(ctx, tx, newUnits); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT g.file, g.unit FROM egdi_groups g ANTI JOIN unit_list u ON u.unit = g.unit ORDER BY ALL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var i int
		var u string
		if err := rows.Scan(&i, &u); err != nil {
			rows.Close()
			return err
		}
		results[i].NewUnits = append(results[i].NewUnits, u)
	}
	rows.Close()
	for _, s := range []string{
		`INSERT INTO unit_list (unit_key, unit, name, name_zh)
		   SELECT ` + store.UnitKey("unit") + `, unit, any_value(name), any_value(name_zh) FROM egdi_groups
		   WHERE unit NOT IN (SELECT unit FROM unit_list) GROUP BY unit`,
		`DELETE FROM groupings WHERE grouping IN (SELECT DISTINCT grouping FROM egdi_groups)`,
		`INSERT INTO groupings SELECT e.grouping, ` + store.UnitKey("e.unit") + `, e.grp, e.grp_zh, o.ord FROM egdi_groups e
		   JOIN (SELECT grouping, grp, row_number() OVER (PARTITION BY grouping ORDER BY min(pos)) AS ord FROM egdi_groups GROUP BY grouping, grp) o
		   USING (grouping, grp)`,
		`DELETE FROM grouping_labels WHERE grouping IN (SELECT DISTINCT grouping FROM egdi_groups)`,
		`INSERT INTO grouping_labels SELECT grouping, max(label), max(label_zh) FROM egdi_groups GROUP BY grouping HAVING max(label) IS NOT NULL OR max(label_zh) IS NOT NULL`,
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("storing the groupings: %w", err)
		}
	}
	for _, res := range results {
		n := 0
		for _, c := range res.Groupings {
			n += c
		}
		if err := recordImport(tx, "groups", "", res.File, n); err != nil {
			return err
		}
	}
	return nil
}
