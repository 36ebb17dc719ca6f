package output

import (
	"bytes"
	"strings"
	"testing"
)

// Piped, progress is a line at each quarter; on a terminal, a bar that ends cleared;
// quiet (no writer) or nil, nothing.
func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, false, "job")
	for i := 0; i <= 1000; i += 7 {
		p.Update(i, 1000)
	}
	p.Update(1000, 1000)
	p.Update(1000, 1000)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "job: 250/1000 (25%)") || !strings.HasPrefix(lines[3], "job: 1000/1000 (100%)") {
		t.Fatalf("piped progress:\n%s", b.String())
	}
	b.Reset()
	p = NewProgress(&b, true, "job")
	p.Update(10, 100)
	p.Update(100, 100)
	if !strings.Contains(b.String(), "job") || !strings.Contains(b.String(), "\r") {
		t.Errorf("terminal progress %q", b.String())
	}
	var quiet *Progress
	quiet.Update(1, 2)
	quiet.Stop()
	NewProgress(nil, true, "x").Update(1, 2)
}
