package main

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Prepared databases are built once per test run and shared: tests that only read use
// the file itself (opened read-only, several at once), tests that write a copy. That
// keeps make test fast: importing and computing the same data again in every test was
// most of its time.

var publishedFiles = []string{
	"un-egov/EGOV_DATA_2003.csv", "un-egov/EGOV_DATA_2004.csv", "un-egov/EGOV_DATA_2005.csv",
	"un-egov/EGOV_DATA_2008.csv", "un-egov/egdi-2010.csv", "un-egov/egdi-2012.csv", "un-egov/egdi-2014.csv",
	"un-egov/egdi-2016.csv", "un-egov/egdi-2018.csv", "un-egov/EGOV_DATA_2020.csv", "un-egov/EGOV_DATA_2022.csv",
}

// ituFiles are the ITU and World Bank series behind TII 2022.
var ituFiles = []string{
	"raw/ITU_individuals_using_internet.csv", "raw/ITU_active_mobile_broadband_subscriptions.csv",
	"raw/ITU_fixed_broadband_subscriptions.csv", "raw/OWID_mobile-cellular-subscriptions-per-100-people.csv",
}

var (
	preparedMu   sync.Mutex
	preparedDir  string
	preparedOnce = map[string]*sync.Once{}
	preparedPath = map[string]string{}
	preparedErr  = map[string]string{}
)

// importPublished imports every published edition, 2003–2022, from the table egdi
// ships (TestBuiltinPanelIsTheUNFiles holds it to the UN's own files).
func importPublished(t *testing.T, db string) {
	mustRun(t, db, "import", "indices", "--builtin")
}

// importUNFiles imports the same editions from the UN's files in ../shared.
func importUNFiles(t *testing.T, db string) {
	var files []string
	for _, f := range publishedFiles {
		files = append(files, shared(t, f))
	}
	mustRun(t, db, append([]string{"import", "indices"}, files...)...)
}

// recipes build the prepared databases, each into an empty file.
var recipes = map[string]func(t *testing.T, db string){
	"published": importPublished,
	// the README's workflow: the published editions, then TII 2022 computed from the
	// ITU series (un-2022 over dataset itu: TII alone, the other inputs missing)
	"workflow": func(t *testing.T, db string) {
		importPublished(t, db)
		var files []string
		for _, f := range ituFiles {
			files = append(files, shared(t, f))
		}
		mustRun(t, db, append([]string{"import", "indicators", "--dataset", "itu", "--shift-years", "2", "--year", "2022", "--carry-back", "5"}, files...)...)
		mustRun(t, db, "compute", "--method", "un-2022", "--dataset", "itu", "--year", "2022")
	},
	// the provincial sample computed under cn-province-2022 (dataset provinces), with
	// the shipped economic regions
	"provinces": func(t *testing.T, db string) {
		mustRun(t, db, "import", "indicators", filepath.Join("..", "..", "data", "sample", "cn-provinces-synthetic.csv"), "--dataset", "provinces", "--synthetic")
		mustRun(t, db, "import", "groups", "--builtin", "cn-economic-regions")
		mustRun(t, db, "compute", "--method", "cn-province-2022", "--dataset", "provinces")
	},
}

// prepared is the path of prepared database name, built on first use; read it only.
func prepared(t *testing.T, name string) string {
	t.Helper()
	preparedMu.Lock()
	if preparedDir == "" {
		d, err := os.MkdirTemp("", "egdi-test-db")
		if err != nil {
			preparedMu.Unlock()
			t.Fatal(err)
		}
		preparedDir = d
	}
	once := preparedOnce[name]
	if once == nil {
		once = &sync.Once{}
		preparedOnce[name] = once
	}
	preparedMu.Unlock()
	once.Do(func() {
		path := filepath.Join(preparedDir, name+".duckdb")
		// a sub-test builds it, so that a skip (no shared data) or failure is its own
		built := false
		t.Run("prepare "+name, func(t *testing.T) {
			recipes[name](t, path)
			built = !t.Failed()
		})
		preparedMu.Lock()
		if built {
			preparedPath[name] = path
		} else {
			preparedErr[name] = "not built (skipped or failed: see its prepare subtest)"
		}
		preparedMu.Unlock()
	})
	preparedMu.Lock()
	defer preparedMu.Unlock()
	if p, ok := preparedPath[name]; ok {
		return p
	}
	t.Skipf("prepared database %s: %s", name, preparedErr[name])
	return ""
}

// writable is a copy of prepared database name for a test that writes to it.
func writable(t *testing.T, name string) string {
	t.Helper()
	src := prepared(t, name)
	dst := filepath.Join(t.TempDir(), name+".duckdb")
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// isPrepared reports whether db is a shared prepared database (while its recipe is not
// building it).
func isPrepared(db string) bool {
	preparedMu.Lock()
	defer preparedMu.Unlock()
	for _, p := range preparedPath {
		if p == db {
			return true
		}
	}
	return false
}

func removePrepared() {
	if preparedDir != "" {
		os.RemoveAll(preparedDir)
	}
}

// publishedDB is the prepared database of every published edition (read only).
func publishedDB(t *testing.T) string { return prepared(t, "published") }

// provincesDB is the prepared provincial database (read only).
func provincesDB(t *testing.T) string { return prepared(t, "provinces") }
