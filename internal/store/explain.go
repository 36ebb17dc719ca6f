package store

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
)

// ErrResources says DuckDB ran out of memory or disk.
var ErrResources = errors.New("out of resources")

// Explain puts DuckDB's out-of-memory and disk-full errors in egdi's words: what ran
// out, the limit egdi set or the file DuckDB could not write, and what to do (DuckDB's
// own advice names SQL settings a user of egdi cannot give). db is the database the
// command used: DuckDB spills what does not fit in memory into the folder db + ".tmp"
// beside it. An error that wraps syscall.ENOSPC is one egdi has worded already (a file
// it could not write, naming it); it and other errors are returned as they are.
func Explain(err error, db string) error {
	if err == nil || errors.Is(err, syscall.ENOSPC) {
		return err
	}
	msg := err.Error()
	first := msg
	if i := strings.Index(first, "\n"); i >= 0 {
		first = strings.TrimSpace(first[:i])
	}
	spill := "the folder DuckDB spills to beside the database (its name and .tmp)"
	if db != "" {
		spill = db + ".tmp, the folder DuckDB spills to beside the database"
	}
	switch {
	case strings.Contains(msg, "max_temp_directory_size") || strings.Contains(msg, "maximum temp directory size") || strings.Contains(msg, "failed to offload"):
		// DuckDB's limit on the spill folder is most of the free space of its disk
		return fmt.Errorf("%w: DuckDB needed more memory than egdi's limit of %s, and the disk it spills the rest to is full (%s; %s): free space there, or raise the limit with EGDI_MEMORY_LIMIT (e.g. EGDI_MEMORY_LIMIT=4GB egdi ...), then run the command again; the database is as it was before the command", ErrResources, memoryLimit(), spill, duckSentence(first))
	case strings.Contains(msg, "No space left on device") || strings.Contains(msg, "disk is full"):
		file := "a file"
		if m := couldNotWrite.FindStringSubmatch(msg); m != nil {
			file = m[1]
		}
		if db != "" && file == "a file" {
			file = "the database " + db + " or a file in " + db + ".tmp, the folder it spills to beside it"
		}
		return fmt.Errorf("%w: the disk is full: DuckDB could not write %s (no space left on device): free space on its disk, then run the command again; the database is as it was before the command", ErrResources, file)
	case strings.Contains(msg, "Out of Memory Error"):
		return fmt.Errorf("%w: DuckDB needed more memory than egdi's limit of %s (%s): raise it with EGDI_MEMORY_LIMIT (e.g. EGDI_MEMORY_LIMIT=4GB egdi ...), or give less at once (fewer files, years or units); the database is as it was before the command", ErrResources, memoryLimit(), first)
	}
	return err
}

// couldNotWrite finds the file in DuckDB's IO errors (`Could not write file "X": ...`).
var couldNotWrite = regexp.MustCompile(`Could not write file "([^"]*)"`)

// duckSentence is DuckDB's message up to its first full stop, without the advice that
// follows (settings of its SQL).
func duckSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
