package store

import (
	"errors"
	"fmt"
	"strings"
)

// ErrResources says DuckDB ran out of memory or disk.
var ErrResources = errors.New("out of resources")

// Explain puts DuckDB's out-of-memory and disk-full errors in egdi's words: what ran
// out, the limit egdi set and how to raise it (DuckDB's own advice names SQL settings a
// user of egdi cannot give). Other errors are returned as they are.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	first := msg
	if i := strings.Index(first, "\n"); i >= 0 {
		first = strings.TrimSpace(first[:i])
	}
	switch {
	case strings.Contains(msg, "No space left on device") || strings.Contains(msg, "maximum temp directory size") || strings.Contains(msg, "disk is full"):
		return fmt.Errorf("%w: the disk is full (%s): free space where the database is, and in the temporary folder DuckDB spills to beside it (DB.tmp), then run the command again; the database is as it was before it", ErrResources, first)
	case strings.Contains(msg, "Out of Memory Error"):
		return fmt.Errorf("%w: DuckDB needed more memory than egdi's limit of %s (%s): raise it with EGDI_MEMORY_LIMIT (e.g. EGDI_MEMORY_LIMIT=4GB egdi ...), or give less at once (fewer files, years or units); the database is as it was before the command", ErrResources, memoryLimit(), first)
	}
	return err
}
