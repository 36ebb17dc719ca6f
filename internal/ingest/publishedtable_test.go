package ingest

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/egdi/egdi/data"
)

// unEgovFiles returns the UN's files in ../shared/data/un-egov, skipping the test when
// they are not beside the project.
func unEgovFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", "un-egov", "*.csv"))
	if len(files) == 0 {
		t.Skip("skipping: the UN's files are not at ../shared/data/un-egov (the shipped table is rebuilt from them)")
	}
	return files
}

func shippedTable(t *testing.T) []byte {
	t.Helper()
	b, err := data.FS.ReadFile(PublishedTableFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The shipped table is exactly what the builder makes of the UN's files today: a
// change to the importer or the files that changes one value fails here.
func TestShippedPublishedTableRebuilds(t *testing.T) {
	var buf bytes.Buffer
	if err := BuildPublishedTable(&buf, unEgovFiles(t)); err != nil {
		t.Fatal(err)
	}
	shipped := shippedTable(t)
	if bytes.Equal(buf.Bytes(), shipped) {
		return
	}
	got, want := strings.Split(buf.String(), "\n"), strings.Split(string(shipped), "\n")
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			t.Fatalf("data/%s differs from a rebuild at line %d:\nshipped: %s\nrebuilt: %s\n(rebuild it: go run -tags duckdb_arrow ./data/scripts/published ../shared/data/un-egov/*.csv > data/published/un-egov-published.csv)", PublishedTableFile, i+1, want[i], got[i])
		}
	}
	t.Fatalf("data/%s has %d lines, a rebuild %d", PublishedTableFile, len(want), len(got))
}

// Every value of the shipped table is the UN's, read here without egdi's importer:
// each file row is found by edition and name, and its rank and five indices compared.
func TestShippedPublishedTableHoldsTheUNValues(t *testing.T) {
	files := unEgovFiles(t)
	shipped, err := csv.NewReader(bytes.NewReader(shippedTable(t))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ year, name string }
	rows := map[key][]string{}
	perYear := map[string]int{}
	for _, r := range shipped[1:] {
		rows[key{r[0], r[2]}] = r
		perYear[r[0]]++
	}
	if len(perYear) != 11 {
		t.Fatalf("editions in the shipped table: %v", perYear)
	}
	for y, n := range perYear {
		if n != 193 {
			t.Errorf("%s: %d states, want 193", y, n)
		}
	}
	// Each file's columns, by header: the Data Center's, or the re-export's.
	cols := map[string]string{
		"Survey Year": "year", "Country Name": "name", "country-name": "name",
		"E-Government Rank": "rank", "e-gov-rank": "rank",
		"E-Government Index": "egdi", "e-gov-index": "egdi",
		"E-Participation Index": "epi", "e-pat-index": "epi",
		"Online Service Index": "osi", "osi": "osi",
		"Human Capital Index": "hci", "hci": "hci",
		"Telecommunication Infrastructure Index": "tii", "tii": "tii",
	}
	field := map[string]int{"egdi": 3, "osi": 4, "tii": 5, "hci": 6, "epi": 7, "rank": 8}
	checked := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		year := ""
		if i := strings.LastIndexAny(f, "-_"); i >= 0 {
			year = strings.TrimSuffix(f[i+1:], ".csv")
		}
		for _, rec := range recs[1:] {
			get := map[string]string{}
			for i, h := range recs[0] {
				if c, ok := cols[strings.TrimSpace(h)]; ok {
					get[c] = strings.TrimSpace(rec[i])
				}
			}
			y := year
			if get["year"] != "" {
				y = get["year"]
			}
			row, ok := rows[key{y, get["name"]}]
			if !ok {
				t.Errorf("%s: %s %q is not in the shipped table", filepath.Base(f), y, get["name"])
				continue
			}
			for c, i := range field {
				want, have := get[c], row[i]
				if want == "" || have == "" {
					if want != "" && row[9] != "not_assessed" {
						t.Errorf("%s %s %s: file %q, table blank", y, get["name"], c, want)
					}
					continue
				}
				w, err1 := strconv.ParseFloat(want, 64)
				h, err2 := strconv.ParseFloat(have, 64)
				if err1 != nil || err2 != nil || math.Abs(w-h) > 5e-7 {
					t.Errorf("%s %s %s: file %q, table %q", y, get["name"], c, want, have)
				}
				checked++
			}
		}
	}
	if checked < 11*193*5 {
		t.Errorf("only %d values compared", checked)
	}
}
