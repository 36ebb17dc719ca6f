package compute

import (
	"context"
	"database/sql"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
)

// asemDir is COINr's ASEM example in ../shared (its inputs and results after every
// step); the test skips without it.
func asemDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "coinr-asem")
	if _, err := os.Stat(filepath.Join(dir, "ASEM_iData.csv")); err != nil {
		t.Skipf("skipping: COINr's ASEM example not found at %s", dir)
	}
	return dir
}

// coinrTable reads one of COINr's data sets (uCode and a column per code) as
// unit → code → value; blank cells are missing.
func coinrTable(t *testing.T, path string) map[string]map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, r := range recs[1:] {
		row := map[string]float64{}
		for i, h := range recs[0][1:] {
			if x, err := strconv.ParseFloat(r[i+1], 64); err == nil {
				row[h] = x
			}
		}
		out[r[0]] = row
	}
	return out
}

// relNear compares with a relative tolerance (COINr's files hold 17 significant digits).
func relNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// COINr's ASEM example, rebuilt with egdi from COINr's own iData and iMeta
// (egdi import coinr) and data/frameworks/asem.yaml, equals COINr's results at every
// step: the denominated, imputed, treated and normalised data sets, the treatment
// table (skewness, kurtosis and points winsorised per indicator) and every aggregate.
func TestASEMReproducesCOINr(t *testing.T) {
	t.Parallel()
	dir := asemDir(t)
	ctx := context.Background()
	db, _ := newDB(t)
	coin, err := ingest.ReadCoin(filepath.Join(dir, "ASEM_iData.csv"), filepath.Join(dir, "ASEM_iMeta.csv"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.ImportCoin(ctx, db, coin, ingest.IndicatorOptions{Dataset: "asem"}); err != nil {
		t.Fatal(err)
	}
	f, err := framework.Load(filepath.Join("..", "..", "data", "frameworks", "asem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type cell struct{ unit, code string }
	got := map[string]map[cell]float64{} // step → values
	treat := map[string][5]sql.NullFloat64{}
	read := func(c *sql.Conn) error {
		for step, q := range map[string]string{
			"Denominated": `SELECT u.unit, r.node, r.value FROM c_raw r JOIN unit_list u USING (unit_key) WHERE NOT r.imputed`,
			"Imputed":     `SELECT u.unit, r.node, r.value FROM c_raw r JOIN unit_list u USING (unit_key)`,
			"Treated":     `SELECT u.unit, r.node, r.x FROM c_leafval r JOIN unit_list u USING (unit_key)`,
			"Normalised":  `SELECT u.unit, r.node, r.value FROM c_leafval r JOIN unit_list u USING (unit_key)`,
			"Aggregated":  `SELECT u.unit, r.node, r.value FROM c_val r JOIN unit_list u USING (unit_key)`,
		} {
			rows, err := c.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			got[step] = map[cell]float64{}
			for rows.Next() {
				var k cell
				var v float64
				if err := rows.Scan(&k.unit, &k.code, &v); err != nil {
					rows.Close()
					return err
				}
				got[step][k] = v
			}
			rows.Close()
		}
		rows, err := c.QueryContext(ctx, `SELECT node, skew0, kurt0, points, skew1, kurt1 FROM c_wins`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var v [5]sql.NullFloat64
			if err := rows.Scan(&id, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
				return err
			}
			treat[id] = v
		}
		return rows.Err()
	}
	res, err := Evaluate(ctx, db, f, Options{Dataset: "asem"}, read)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Units != 51 || res[0].Imputed != 65 || len(res[0].Screened) != 0 {
		t.Fatalf("ASEM 2018: %+v", res)
	}
	inds := f.UsedIndicators()
	for _, step := range []string{"Denominated", "Imputed", "Treated", "Normalised", "Aggregated"} {
		want := coinrTable(t, filepath.Join(dir, "coinr_"+step+".csv"))
		n, bad := 0, 0
		for unit, row := range want {
			codes := inds
			if step == "Aggregated" {
				codes = nil
				for _, nd := range f.Nodes {
					codes = append(codes, nd.ID)
				}
			}
			for _, code := range codes {
				w, has := row[code]
				g, ok := got[step][cell{unit, code}]
				switch {
				case !has && ok:
					t.Errorf("%s: %s %s = %v, missing in COINr's", step, unit, code, g)
					bad++
				case has && !ok:
					t.Errorf("%s: %s %s missing, COINr has %v", step, unit, code, w)
					bad++
				case has && !relNear(g, w):
					t.Errorf("%s: %s %s = %.17g, COINr %.17g", step, unit, code, g, w)
					bad++
				}
				if has {
					n++
				}
				if bad > 10 {
					t.FailNow()
				}
			}
		}
		if n < 51*11 {
			t.Errorf("%s: only %d values compared", step, n)
		}
	}
	// the treatment table, indicator by indicator
	fd, err := os.Open(filepath.Join(dir, "coinr_treat_details.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	recs, err := csv.NewReader(fd).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	winsorised := 0
	for _, r := range recs[1:] {
		id := r[0]
		tr, ok := treat[id]
		if !ok {
			t.Errorf("no treatment recorded for %s", id)
			continue
		}
		num := func(s string) (float64, bool) { x, err := strconv.ParseFloat(s, 64); return x, err == nil }
		if x, ok := num(r[2]); ok && !relNear(tr[0].Float64, x) {
			t.Errorf("%s: skewness %v, COINr %v", id, tr[0].Float64, x)
		}
		if x, ok := num(r[3]); ok && !relNear(tr[1].Float64, x) {
			t.Errorf("%s: kurtosis %v, COINr %v", id, tr[1].Float64, x)
		}
		if x, ok := num(r[4]); ok {
			winsorised++
			if tr[2].Float64 != x {
				t.Errorf("%s: %v points winsorised, COINr %v", id, tr[2].Float64, x)
			}
			if y, ok := num(r[6]); ok && !relNear(tr[3].Float64, y) {
				t.Errorf("%s: skewness after %v, COINr %v", id, tr[3].Float64, y)
			}
		} else if tr[2].Float64 != 0 {
			t.Errorf("%s: %v points winsorised, COINr none", id, tr[2].Float64)
		}
	}
	if winsorised != 15 {
		t.Errorf("%d indicators winsorised, COINr 15", winsorised)
	}
}
