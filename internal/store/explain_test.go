package store

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// DuckDB's disk-full and spill errors are said in egdi's words, naming the file, the
// spill folder beside the database and the limit; an error egdi worded already (one
// wrapping ENOSPC) and others pass as they are.
func TestExplainDiskFull(t *testing.T) {
	t.Setenv("EGDI_MEMORY_LIMIT", "48MB")
	for _, c := range []struct {
		duck    string
		want    []string
		notWant []string
	}{
		{`storing the import: IO Error: Could not write file "/data/e.duckdb.wal": No space left on device`,
			[]string{"the disk is full: DuckDB could not write /data/e.duckdb.wal (no space left on device): free space on its disk", "the database is as it was"},
			[]string{"IO Error"}},
		{`TransactionContext Error: Failed to commit: disk is full`,
			[]string{"the disk is full: DuckDB could not write the database /data/e.duckdb or a file in /data/e.duckdb.tmp"}, nil},
		{"big.csv: Out of Memory Error: failed to offload data block of size 256.0 KiB (0 bytes/57.5 KiB used). This limit was set by the 'max_temp_directory_size' setting. By default, this setting utilizes the available disk space on the drive where the 'temp_directory' is located.",
			[]string{"egdi's limit of 48MB, and the disk it spills the rest to is full (/data/e.duckdb.tmp, the folder DuckDB spills to beside the database; big.csv: Out of Memory Error: failed to offload data block of size 256.0 KiB (0 bytes/57.5 KiB used))", "EGDI_MEMORY_LIMIT=4GB"},
			[]string{"max_temp_directory_size", "temp_directory'"}},
		{"Out of Memory Error: could not allocate block of size 30.5 MiB (4.0 KiB/45.7 MiB used)",
			[]string{"DuckDB needed more memory than egdi's limit of 48MB", "raise it with EGDI_MEMORY_LIMIT"}, []string{"spills"}},
	} {
		err := Explain(errors.New(c.duck), "/data/e.duckdb")
		if !errors.Is(err, ErrResources) {
			t.Errorf("%s: not ErrResources: %v", c.duck, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s:\n got %v\nwant %q", c.duck, err, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v says %q", c.duck, err, w)
			}
		}
	}
	worded := fmt.Errorf("cannot write x.csv: the disk is full (%w)", syscall.ENOSPC)
	if Explain(worded, "/data/e.duckdb") != worded {
		t.Error("an error egdi worded already was rewritten")
	}
}
