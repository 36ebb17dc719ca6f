package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The disk-full tests mount small tmpfs file systems (root with CAP_SYS_ADMIN, as CI
// runs): a full disk is a real one, not a simulation.

// tinyDisk mounts a tmpfs of size (as mount's size=, "256k") at dir, created, and
// unmounts it at the end of the test; it skips the test where mounting is not
// permitted.
func tinyDisk(t *testing.T, dir, size string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			t.Skipf("skipping: mounting a tmpfs at %s is not permitted (%v); the disk-full tests need root with CAP_SYS_ADMIN", dir, err)
		}
		t.Fatalf("mount tmpfs at %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// free is the space left on the file system of dir, in bytes.
func free(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// fill writes dir/filler until leave bytes (or less) are free on dir's file system,
// and returns a function that removes it.
func fill(t *testing.T, dir string, leave int64) func() {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := free(t, dir) - leave; n > 0 {
		if _, err := f.Write(make([]byte, n)); err != nil {
			t.Fatalf("filling %s: %v", dir, err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if left := free(t, dir); left > leave+4096 {
		t.Fatalf("%s: %d bytes free after filling, want at most %d", dir, left, leave)
	}
	return func() { os.Remove(p) }
}

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// egdi runs egdi with args against db as main does (the error explained, the exit
// code), and returns the exit code and what it wrote on stderr.
func egdi(t *testing.T, db string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, append([]string{"--db", db, "-q"}, args...))
	return code, errb.String()
}

// egdiProcess runs egdi with args against db in a process of its own with env added
// (EGDI_MEMORY_LIMIT is read when a database opens), and returns its exit code and
// stderr.
func egdiProcess(t *testing.T, env []string, db string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--db", db, "-q"}, args...)...)
	cmd.Env = append(append(os.Environ(), "EGDI_TEST_AS_MAIN=1"), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), errb.String()
}

// dbSnapshot describes every stored table of db: its rows and a hash of them, which
// any change of a row changes.
func dbSnapshot(t *testing.T, db string) string {
	t.Helper()
	c, err := sql.Open("duckdb", db+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.Query(`SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("%s: only tables %v", db, tables)
	}
	var b strings.Builder
	for _, tb := range tables {
		var n int
		var h sql.NullString
		if err := c.QueryRow(fmt.Sprintf(`SELECT count(*), sum(hash(t))::VARCHAR FROM %q t`, tb)).Scan(&n, &h); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s\n", tb, n, h.String)
	}
	return b.String()
}

// A file egdi writes onto a full disk is not written: the command fails, saying that
// the disk is full and which file; nothing of the file is left (no temporary file,
// neither egdi's nor DuckDB's, no part of it), and a file of the same name that was
// there is unchanged. With room, the same command writes it.
func TestWritingOntoAFullDisk(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	disk := tinyDisk(t, filepath.Join(t.TempDir(), "full"), "512k")
	cases := [][]string{
		// through DuckDB's COPY
		{"export", "--year", "2022", "--out", "x.csv"},
		{"export", "--year", "2022", "--layout", "wide", "--out", "x.parquet"},
		{"export", "--year", "2022", "--out", "x.json"},
		// written by egdi
		{"report", "ranking", "--year", "2022", "--out", "r.html"},
		{"report", "ranking", "--year", "2022", "--out", "r.xlsx"},
		{"report", "ranking", "--year", "2022", "--out", "r.csv"},
		{"report", "profile", "--unit", "CHN", "--out", "p.json"},
	}
	for _, c := range cases {
		name := c[len(c)-1]
		out := filepath.Join(disk, name)
		args := append(append([]string(nil), c[:len(c)-1]...), out)
		for _, existing := range []bool{false, true} {
			const old = "the file that was there\n"
			if existing {
				write(t, disk, name, old)
			}
			// a page free: the first bytes of the file fit, the rest does not
			unfill := fill(t, disk, 4096)
			code, msg := egdi(t, db, args...)
			if code != 1 || !strings.Contains(msg, "cannot write "+out+": the disk is full") || !strings.Contains(msg, "free space in "+disk) {
				t.Errorf("egdi %s onto a full disk: exit %d, %q", strings.Join(args, " "), code, msg)
			}
			if strings.Contains(msg, "IO Error") || strings.Contains(msg, "tmp_") || strings.Contains(msg, ".part") {
				t.Errorf("egdi %s: the message has DuckDB's words or a temporary file's name: %q", strings.Join(args, " "), msg)
			}
			want := []string{"filler"}
			if existing {
				want = []string{"filler", name}
				if !strings.Contains(msg, "the existing "+out+" is unchanged") {
					t.Errorf("egdi %s: the message does not say the existing file is unchanged: %q", strings.Join(args, " "), msg)
				}
				if b, _ := os.ReadFile(out); string(b) != old {
					t.Errorf("egdi %s onto a full disk changed the file that was there: %d bytes %.40q", strings.Join(args, " "), len(b), b)
				}
			} else if !strings.Contains(msg, "nothing was written") {
				t.Errorf("egdi %s: the message does not say nothing was written: %q", strings.Join(args, " "), msg)
			}
			if got := names(t, disk); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("egdi %s onto a full disk left %v, want %v", strings.Join(args, " "), got, want)
			}
			unfill()
			os.Remove(out)
		}
		// the command itself is good: with room it writes the file
		if code, msg := egdi(t, db, args...); code != 0 {
			t.Errorf("egdi %s with room: exit %d, %s", strings.Join(args, " "), code, msg)
		} else if fi, err := os.Stat(out); err != nil || fi.Size() < 4096 {
			t.Errorf("egdi %s with room: %v (the file must be larger than the page the full disk had free)", strings.Join(args, " "), fi)
		}
		os.Remove(out)
	}
}

// A Markdown report writes its charts into a folder beside it (NAME_files): onto a
// full disk it fails saying so, and leaves neither the folder nor the text, and a
// Markdown file that was there unchanged.
func TestMarkdownReportOntoAFullDisk(t *testing.T) {
	t.Parallel()
	db := publishedDB(t)
	disk := tinyDisk(t, filepath.Join(t.TempDir(), "full"), "512k")
	out := filepath.Join(disk, "r.md")
	for _, existing := range []bool{false, true} {
		const old = "the file that was there\n"
		want := []string{"filler"}
		if existing {
			write(t, disk, "r.md", old)
			want = []string{"filler", "r.md"}
		}
		unfill := fill(t, disk, 4096)
		code, msg := egdi(t, db, "report", "ranking", "--year", "2022", "--out", out)
		if code != 1 || !strings.Contains(msg, "cannot write "+disk+string(filepath.Separator)+"r") || !strings.Contains(msg, "the disk is full") {
			t.Errorf("a Markdown report onto a full disk: exit %d, %q", code, msg)
		}
		if got := names(t, disk); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("a Markdown report onto a full disk left %v, want %v", got, want)
		}
		if b, _ := os.ReadFile(out); existing && string(b) != old {
			t.Errorf("a Markdown report onto a full disk changed the file that was there: %.40q", b)
		}
		unfill()
		os.Remove(out)
	}
	if code, msg := egdi(t, db, "report", "ranking", "--year", "2022", "--out", out); code != 0 {
		t.Fatalf("with room: exit %d, %s", code, msg)
	}
	if pngs, _ := filepath.Glob(filepath.Join(disk, "r_files", "*.png")); len(pngs) == 0 {
		t.Error("with room: no charts in r_files")
	}
}

// A ranking streamed as CSV passes through a file in the temporary folder: when that
// disk is full, egdi says so, with the folder and the way out (TMPDIR), and leaves
// nothing there.
func TestStreamingThroughAFullTemporaryFolder(t *testing.T) {
	t.Parallel()
	db := provincesDB(t)
	tmp := tinyDisk(t, filepath.Join(t.TempDir(), "tmp"), "256k")
	unfill := fill(t, tmp, 0)
	defer unfill()
	code, msg := egdiProcess(t, []string{"TMPDIR=" + tmp}, db, "rank", "--dataset", "provinces", "--format", "csv")
	if code != 1 || !strings.Contains(msg, "the disk of the temporary folder "+tmp+" is full") || !strings.Contains(msg, "TMPDIR") || strings.Contains(msg, "IO Error") {
		t.Errorf("rank --format csv with a full temporary folder: exit %d, %q", code, msg)
	}
	if got := names(t, tmp); len(got) != 1 {
		t.Errorf("left in the temporary folder: %v", got)
	}
}

// Out of memory, DuckDB spills into DB.tmp beside the database; when that disk is full
// egdi says so in its words (the limit, the folder, how to raise the limit or make
// room, not DuckDB's SQL settings), and the database is as it was.
func TestSpillingOntoAFullDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	mustRun(t, db, "import", "indicators", filepath.Join("..", "..", "data", "sample", "cn-provinces-synthetic.csv"), "--dataset", "provinces", "--synthetic")
	// a million values: at a 48 MB limit DuckDB spills while it groups them
	big := filepath.Join(dir, "big.csv")
	mustRun(t, db, "sample", "bench", "--units", "100000", "--out", big)
	spill := tinyDisk(t, db+".tmp", "64k")
	before := dbSnapshot(t, db)
	code, msg := egdiProcess(t, []string{"EGDI_MEMORY_LIMIT=48MB"}, db, "import", "indicators", big, "--dataset", "big")
	if code != 1 || !strings.Contains(msg, "egdi's limit of 48MB, and the disk it spills the rest to is full ("+spill+", the folder DuckDB spills to") ||
		!strings.Contains(msg, "EGDI_MEMORY_LIMIT=4GB") || !strings.Contains(msg, "the database is as it was") {
		t.Errorf("an import spilling onto a full disk: exit %d, %q", code, msg)
	}
	if strings.Contains(msg, "max_temp_directory_size") || strings.Contains(msg, "temp_directory") {
		t.Errorf("the message gives DuckDB's settings: %q", msg)
	}
	if after := dbSnapshot(t, db); after != before {
		t.Errorf("the database changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	if got := names(t, spill); len(got) > 0 {
		t.Errorf("DuckDB's spill files were left: %v", got)
	}
}

// A database on a full disk: an import that cannot be stored (the database file
// cannot grow to hold the values, or the write-ahead log to commit them) fails saying
// the disk is full and which file, and leaves the database as it was; one that could
// commit is there whole. With room, the import goes in.
func TestDatabaseOnAFullDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pristine := filepath.Join(dir, "d.duckdb")
	mustRun(t, pristine, "import", "indicators", filepath.Join("..", "..", "data", "sample", "cn-provinces-synthetic.csv"), "--dataset", "provinces", "--synthetic")
	big := filepath.Join(dir, "big.csv")
	mustRun(t, pristine, "sample", "bench", "--units", "50000", "--out", big) // 500,000 values
	disk := tinyDisk(t, filepath.Join(dir, "disk"), "24m")
	db := filepath.Join(disk, "d.duckdb")
	// From nothing free to megabytes, the import fails at different points: with
	// DuckDB 1.5, up to 1.5 MB while the database file grows, up to 3 MB when the log
	// is written at commit; from 3.5 MB it commits (and the log is folded into the
	// database later, when there is room).
	failed := map[string]bool{}
	committed := false // an import committed to the log that the close could not fold in
	for _, leave := range []int64{0, 1 << 20, 2560 << 10, 4 << 20} {
		for _, p := range []string{db, db + ".wal"} {
			os.Remove(p)
		}
		if err := os.WriteFile(db, mustRead(t, pristine), 0o644); err != nil {
			t.Fatal(err)
		}
		unfill := fill(t, disk, leave)
		before := dbSnapshot(t, db)
		code, msg := egdi(t, db, "import", "indicators", big, "--dataset", "big")
		wal, _ := os.Stat(db + ".wal")
		switch {
		case code == 0 && wal != nil && wal.Size() > 0 && !strings.Contains(msg, "warning: the changes are committed and kept in "+db+".wal"):
			// committed, but the checkpoint at close could not write the database file
			t.Errorf("%d bytes free: the import left its changes in the log without a word: %q", leave, msg)
		case code == 0:
			if wal != nil && wal.Size() > 0 {
				committed = true
				t.Logf("%d bytes free: %s", leave, msg)
			}
			wantCount(t, db, "indicator_values WHERE dataset = 'big'", 500000)
		case !strings.Contains(msg, "the disk is full: DuckDB could not write "+db) || !strings.Contains(msg, "free space on its disk") ||
			!strings.Contains(msg, "the database is as it was"):
			t.Errorf("%d bytes free: exit %d, %q", leave, code, msg)
		default:
			if after := dbSnapshot(t, db); after != before {
				t.Errorf("%d bytes free: the database changed:\nbefore\n%s\nafter\n%s", leave, before, after)
			}
			file := strings.Fields(msg[strings.Index(msg, "could not write "):])[3]
			failed[filepath.Base(file)] = true
			t.Logf("%d bytes free: DuckDB could not write %s", leave, file)
		}
		unfill()
	}
	if !failed["d.duckdb"] {
		t.Error("no import failed for want of room in the database file")
	}
	if !committed {
		t.Log("no import committed to the log without room to fold it into the database at close (DuckDB's sizes differ): the warning was not seen")
	}
	if code, msg := egdi(t, db, "import", "indicators", big, "--dataset", "big"); code != 0 {
		t.Fatalf("with room: exit %d, %s", code, msg)
	}
	wantCount(t, db, "indicator_values WHERE dataset = 'big'", 500000)
	wantCount(t, db, "indicator_values WHERE dataset = 'provinces'", 310)
}
