// Package query answers the analyst's questions over the panel of index values
// (published or computed, edition by edition): rankings, group and regional summaries,
// trends, side-by-side comparisons and consistency checks of published data. Each
// question is one SQL query over a panel CTE that picks, per survey year, the source the
// user asked for — by default the computed values where they exist, else the published.
package query

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/store"
)

// Indices are the UN index nodes a query can address.
var Indices = []string{"egdi", "osi", "tii", "hci", "epi"}

// Source values.
const (
	Published = "published"
	Computed  = "computed"
)

// Request selects which values a query sees.
type Request struct {
	Source  string // "", "published" or "computed"
	Dataset string // computed dataset; "" = the most recently computed for each year
}

// Choice is where one year's values come from.
type Choice struct {
	Year      int
	Source    string
	Dataset   string
	Method    string
	Root      string // the computed framework's root, stored in root_values only
	Digits    int
	Synthetic bool
}

// Choose resolves the source of each year that has data, in year order.
func Choose(ctx context.Context, db *store.DB, req Request) ([]Choice, error) {
	if req.Source != "" && req.Source != Published && req.Source != Computed {
		return nil, fmt.Errorf("unknown source %q; use published or computed", req.Source)
	}
	byYear := map[int]Choice{}
	if req.Source != Published {
		rows, err := db.QueryContext(ctx, `SELECT r.year, r.dataset, r.method, coalesce(r.root, ''), r.digits, coalesce(d.synthetic, false)
			FROM runs r LEFT JOIN datasets d USING (dataset)
			WHERE r.source = 'computed' AND (? = '' OR r.dataset = ?) ORDER BY r.computed_at`, req.Dataset, req.Dataset)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c Choice
			if err := rows.Scan(&c.Year, &c.Dataset, &c.Method, &c.Root, &c.Digits, &c.Synthetic); err != nil {
				rows.Close()
				return nil, err
			}
			c.Source = Computed
			byYear[c.Year] = c // later runs win
		}
		rows.Close()
	}
	if req.Source != Computed {
		rows, err := db.QueryContext(ctx, `SELECT DISTINCT year FROM published`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var y int
			rows.Scan(&y)
			if _, ok := byYear[y]; !ok {
				digits := 4
				if f := framework.ForEdition(y); f != nil {
					digits = f.Digits
				}
				byYear[y] = Choice{Year: y, Source: Published, Digits: digits}
			}
		}
		rows.Close()
	}
	var out []Choice
	for _, c := range byYear {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

func q(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func bandCase(expr string, bs []*framework.Band) string {
	if len(bs) == 0 {
		return "NULL"
	}
	var w []string
	for _, b := range bs {
		w = append(w, fmt.Sprintf("WHEN %s >= %v THEN %s", expr, b.Min, q(b.ID)))
	}
	return "CASE " + strings.Join(w, " ") + " END"
}

const unitCols = `u.name, u.name_zh, u.kind, u.region, u.region_zh, u.subregion, u.subregion_zh, u.ldc, u.lldc, u.sids`

// panelSQL is a SELECT over the chosen years with the columns
// unit, year, egdi, osi, tii, hci, epi, rank, grp, class, source, dataset, digits,
// synthetic, and the unit's name and groupings.
func panelSQL(choices []Choice) string {
	if len(choices) == 0 {
		return `SELECT NULL::VARCHAR AS unit, NULL::INTEGER AS year, NULL::DOUBLE AS egdi, NULL::DOUBLE AS osi, NULL::DOUBLE AS tii,
			NULL::DOUBLE AS hci, NULL::DOUBLE AS epi, NULL::INTEGER AS rank, NULL::VARCHAR AS grp, NULL::VARCHAR AS class,
			NULL::VARCHAR AS source, NULL::VARCHAR AS dataset, NULL::INTEGER AS digits, NULL::BOOLEAN AS synthetic,
			NULL::VARCHAR AS name, NULL::VARCHAR AS name_zh, NULL::VARCHAR AS kind, NULL::VARCHAR AS region, NULL::VARCHAR AS region_zh,
			NULL::VARCHAR AS subregion, NULL::VARCHAR AS subregion_zh, NULL::BOOLEAN AS ldc, NULL::BOOLEAN AS lldc, NULL::BOOLEAN AS sids WHERE false`
	}
	var parts []string
	for _, c := range choices {
		if c.Source == Published {
			f := framework.ForEdition(c.Year)
			var bands, classes []*framework.Band
			if f != nil {
				bands = f.Bands
				if f.Edition == c.Year || c.Year >= 2020 {
					classes = f.Classes
				}
			}
			parts = append(parts, fmt.Sprintf(`SELECT p.unit, p.year, p.egdi, p.osi, p.tii, p.hci, p.epi, p.rank,
				%s AS grp, %s AS class, 'published' AS source, NULL::VARCHAR AS dataset, %d AS digits, false AS synthetic, %s
				FROM published p JOIN units u USING (unit) WHERE p.assessed AND p.year = %d`,
				bandCase("p.egdi", bands), bandCase("p.egdi", classes), c.Digits, unitCols, c.Year))
			continue
		}
		// The root's value and rank come from root_values, the UN sub-indices from
		// node_values (only those nodes are read; a root named like one of them is in
		// root_values only); a unit may have either without the other. The tables are
		// read directly, by unit key, so that each value meets its unit once, for the code
		// and the names together.
		ds := fmt.Sprintf("(SELECT id FROM codes WHERE code = %s)", q(c.Dataset))
		sub := map[string]string{}
		for _, n := range []string{"osi", "tii", "hci", "epi"} {
			sub[n] = "s." + n
			if n == c.Root {
				sub[n] = "st.value"
			}
		}
		parts = append(parts, fmt.Sprintf(`SELECT u.unit, %[5]d AS year, st.value AS egdi, %[7]s AS osi, %[8]s AS tii, %[9]s AS hci, %[10]s AS epi, st.rank,
			b.code AS grp, k.code AS class, 'computed' AS source, %[1]s AS dataset, %[2]d AS digits, %[3]v AS synthetic, %[4]s
			FROM (SELECT v.unit_key,
			        max(v.value) FILTER (WHERE n.code = 'osi') AS osi, max(v.value) FILTER (WHERE n.code = 'tii') AS tii,
			        max(v.value) FILTER (WHERE n.code = 'hci') AS hci, max(v.value) FILTER (WHERE n.code = 'epi') AS epi
			      FROM node_values v JOIN codes n ON n.id = v.node_id
			      WHERE v.dataset_id = %[6]s AND v.year = %[5]d AND n.code IN ('osi', 'tii', 'hci', 'epi') GROUP BY v.unit_key) s
			FULL JOIN (SELECT unit_key, value, rank, band_id, class_id FROM root_values WHERE dataset_id = %[6]s AND year = %[5]d) st
			  ON st.unit_key = s.unit_key
			JOIN units u ON u.unit_key = coalesce(st.unit_key, s.unit_key)
			LEFT JOIN codes b ON b.id = st.band_id LEFT JOIN codes k ON k.id = st.class_id
			WHERE coalesce(st.value, s.osi, s.tii, s.hci, s.epi) IS NOT NULL`,
			q(c.Dataset), c.Digits, c.Synthetic, unitCols, c.Year, ds, sub["osi"], sub["tii"], sub["hci"], sub["epi"]))
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// ResolveUnits turns codes or names (any spelling of a Member State, or a custom unit's
// code or name) into unit codes, with a clear error for unknown ones.
func ResolveUnits(ctx context.Context, db *store.DB, in []string) ([]string, error) {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		var code string
		err := db.QueryRowContext(ctx, `SELECT unit FROM units WHERE upper(unit) = upper(?) OR lower(name) = lower(?) OR name_zh = ? LIMIT 1`, s, s, s).Scan(&code)
		if err == sql.ErrNoRows {
			if c := matchCountry(s); c != "" {
				code = c
			} else {
				return nil, fmt.Errorf("unknown unit %q: give an ISO3 code (CHN), a country name, or the code of a unit in your data", s)
			}
		} else if err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no units given; list them like --units CHN,KOR,JPN")
	}
	return out, nil
}
