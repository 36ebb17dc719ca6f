package output

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress reports a long job's progress on stderr: a bar redrawn in place on a
// terminal (schollz/progressbar), a plain line at each quarter when stderr is a file
// or pipe (a log reads cleanly), nothing when quiet (w nil). It is safe for concurrent
// use, and a nil *Progress does nothing.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	label    string
	start    time.Time
	bar      *progressbar.ProgressBar
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
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(p.label),
				progressbar.OptionShowCount(), progressbar.OptionSetElapsedTime(true), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
		}
		p.bar.Set(done)
		if done >= total {
			p.bar.Finish()
			p.finished = true
		}
		return
	}
	for q := p.quarter + 1; q <= 4 && done*4 >= q*total; q++ {
		p.quarter = q
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%) in %.1f s\n", p.label, q*total/4, total, 25*q, time.Since(p.start).Seconds())
	}
	if done >= total {
		p.finished = true
	}
}

// Stop ends the report when the job stops before its end (the bar is cleared).
func (p *Progress) Stop() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && !p.finished {
		p.bar.Exit()
	}
	p.finished = true
}
