package output

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// Files are written whole or not at all: into a temporary file beside the target,
// named .NAME.NNN.part (unique: a user's own NAME.part is never touched), renamed
// over the target when complete. A temporary file is removed when the write fails and
// when egdi is interrupted (SIGINT, SIGTERM); one left by a killed egdi is removed by
// the next write of the same target.

var (
	tempMu  sync.Mutex
	tempSet = map[string]bool{} // temporary files in flight
	once    sync.Once
)

// Temp is a temporary file for target, empty and closed, in target's folder; done
// renames it over the target (commit) or removes it.
type Temp struct {
	Path, target string
}

// NewTemp reserves a temporary file for target, refusing targets egdi should not
// create (a new file under /dev, /proc or /sys: write to - for standard output).
func NewTemp(target string) (*Temp, error) {
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	dir, base := filepath.Dir(target), filepath.Base(target)
	// a killed egdi's leftovers for this target
	if old, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".*.part")); len(old) > 0 {
		for _, p := range old {
			os.Remove(p)
		}
	}
	f, err := os.CreateTemp(dir, "."+base+".*.part")
	if err != nil {
		return nil, writeError(target, err)
	}
	f.Close()
	once.Do(removeOnSignal)
	tempMu.Lock()
	tempSet[f.Name()] = true
	tempMu.Unlock()
	return &Temp{Path: f.Name(), target: target}, nil
}

// Commit renames the temporary file over the target.
func (t *Temp) Commit() error {
	os.Chmod(t.Path, 0o644)
	err := os.Rename(t.Path, t.target)
	t.forget()
	if err != nil {
		os.Remove(t.Path)
		return writeError(t.target, err)
	}
	return nil
}

// Abort removes the temporary file.
func (t *Temp) Abort() {
	os.Remove(t.Path)
	t.forget()
}

func (t *Temp) forget() {
	tempMu.Lock()
	delete(tempSet, t.Path)
	tempMu.Unlock()
}

// removeOnSignal removes the temporary files in flight when egdi is interrupted, then
// exits as the signal would (130, 143).
func removeOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-ch
		tempMu.Lock()
		for p := range tempSet {
			os.Remove(p)
		}
		tempMu.Unlock()
		code := 130
		if s == syscall.SIGTERM {
			code = 143
		}
		os.Exit(code)
	}()
}

// checkTarget refuses to create a file where egdi has no business: under /dev, /proc
// or /sys (an existing device such as /dev/stdout is written directly by WriteFile).
func checkTarget(target string) error {
	abs, err := filepath.Abs(target)
	if err != nil {
		return err
	}
	for _, p := range []string{"/dev/", "/proc/", "/sys/"} {
		if strings.HasPrefix(abs, p) {
			return fmt.Errorf("cannot write %s: egdi does not create files under %s (write to - for standard output)", target, strings.TrimSuffix(p, "/"))
		}
	}
	return nil
}

func globEscape(s string) string {
	r := strings.NewReplacer("*", `\*`, "?", `\?`, "[", `\[`, `\`, `\\`)
	return r.Replace(s)
}

// WriteFile writes b to path through a temporary file in the same folder and a rename,
// so a file appears whole or not at all. Paths that are not regular files (a pipe,
// /dev/stdout) are written directly.
func WriteFile(path string, b []byte) error {
	return WriteWith(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeError is the error of a failed write of target. A full disk is said in egdi's
// words, not the system's or DuckDB's: which file, in which folder, and that an
// existing target is unchanged (the write went to a temporary file, removed); the
// error wraps syscall.ENOSPC, which tells store.Explain it is already explained.
func writeError(target string, err error) error {
	if !DiskFull(err) {
		return fmt.Errorf("cannot write %s: %w", target, unwrapPath(err))
	}
	was := "nothing was written"
	if fi, serr := os.Stat(target); serr == nil && fi.Mode().IsRegular() {
		was = "the existing " + target + " is unchanged"
	}
	return fmt.Errorf("cannot write %s: the disk is full (%w): free space in %s, or write the file elsewhere; %s",
		target, syscall.ENOSPC, filepath.Dir(target), was)
}

// DiskFull reports whether err says the disk is full: the system's ENOSPC, or DuckDB's
// message for it (its errors carry text, not the errno).
func DiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "No space left on device")
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	if le, ok := err.(*os.LinkError); ok {
		return le.Err
	}
	return err
}
