package ingest

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/egdi/egdi/data"
)

// PublishedTableFile is the embedded table of every published UN value egdi ships
// (data/published), which import indices --builtin loads.
const PublishedTableFile = "published/un-egov-published.csv"

// PublishedTableHeader is the header of the shipped table, one row per edition and
// Member State listed.
var PublishedTableHeader = []string{"year", "unit", "name", "egdi", "osi", "tii", "hci", "epi", "rank", "status"}

// WritePublishedTable writes published rows (as ParseIndices reads them from the UN's
// files) as egdi's own tidy table: year, the Member State's ISO3 code and its name as
// that edition spelt it, the five indices, the rank, and status assessed or
// not_assessed; sorted by year and code. Values are written to at most six decimals,
// which every published value fits in: it drops the binary noise of re-exported files
// (0.6955600000000001 for 0.69556).
func WritePublishedTable(w io.Writer, rows []PublishedRow) error {
	sorted := append([]PublishedRow(nil), rows...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Year != sorted[j].Year {
			return sorted[i].Year < sorted[j].Year
		}
		return sorted[i].Unit < sorted[j].Unit
	})
	cw := csv.NewWriter(w)
	cw.Write(PublishedTableHeader)
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(math.Round(*p*1e6)/1e6, 'f', -1, 64)
	}
	for _, r := range sorted {
		rank, status := "", "assessed"
		if r.Rank != nil {
			rank = strconv.Itoa(*r.Rank)
		}
		if !r.Assessed {
			status = "not_assessed"
		}
		cw.Write([]string{strconv.Itoa(r.Year), r.Unit, r.Name, num(r.EGDI), num(r.OSI), num(r.TII), num(r.HCI), num(r.EPI), rank, status})
	}
	cw.Flush()
	return cw.Error()
}

// BuildPublishedTable reads the UN's files and writes the tidy table (data/scripts
// publishes it with this).
func BuildPublishedTable(w io.Writer, files []string) error {
	var all []PublishedRow
	seen := map[int]string{}
	for _, f := range files {
		rows, err := ParseIndices(f, IndexOptions{})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if other, ok := seen[r.Year]; ok && other != f {
				return fmt.Errorf("%s: edition %d is also in %s", f, r.Year, other)
			}
			seen[r.Year] = f
		}
		all = append(all, rows...)
	}
	return WritePublishedTable(w, all)
}

// BuiltinPublishedFile writes the shipped table to a temporary file (removed by the
// returned function) for ImportIndices.
func BuiltinPublishedFile() (string, func(), error) {
	return EmbeddedFile(PublishedTableFile)
}

// EmbeddedFile writes a file of the embedded data tree to a temporary folder under its
// own name, for the importers, which read files; the returned function removes it.
func EmbeddedFile(name string) (string, func(), error) {
	b, err := data.FS.ReadFile(name)
	if err != nil {
		return "", nil, fmt.Errorf("egdi ships no %s: %w", name, err)
	}
	dir, err := os.MkdirTemp("", "egdi-embedded")
	if err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, path.Base(name))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return p, func() { os.RemoveAll(dir) }, nil
}
