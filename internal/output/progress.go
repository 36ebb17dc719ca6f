package output

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress reports a long job's progress on stderr: a bar redrawn in place on a
// terminal, a plain line at each quarter when stderr is a file or pipe (a log reads
// cleanly), nothing when quiet. It is safe for concurrent use.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	label    string
	start    time.Time
	last     time.Time
	quarter  int
	finished bool
}

// NewProgress starts a progress report of label ("uncertainty: evaluations"); w nil
// (quiet) reports nothing.
func NewProgress(w io.Writer, tty bool, label string) *Progress {
	return &Progress{w: w, tty: tty, label: label, start: time.Now()}
}

// Update reports done of total.
func (p *Progress) Update(done, total int) {
	if p == nil || p.w == nil || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	now := time.Now()
	if p.tty {
		if done < total && now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.last = now
		const width = 30
		n := width * done / total
		fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d %.1fs", p.label, strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*done/total, done, total, now.Sub(p.start).Seconds())
		if done >= total {
			fmt.Fprintln(p.w)
			p.finished = true
		}
		return
	}
	for q := p.quarter + 1; q <= 4 && done*4 >= q*total; q++ {
		p.quarter = q
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%) in %.1f s\n", p.label, q*total/4, total, 25*q, now.Sub(p.start).Seconds())
	}
	if done >= total {
		p.finished = true
	}
}

// Stop ends the bar's line on a terminal when the job stops before its end.
func (p *Progress) Stop() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && !p.finished && !p.last.IsZero() {
		fmt.Fprintln(p.w)
	}
	p.finished = true
}
