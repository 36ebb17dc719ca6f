package ingest

import "context"

type progressKey struct{}

// Progress hears a long step of an import: what it is ("reading x.xlsx: rows"), and
// done of total in that step's unit.
type Progress func(what string, done, total int)

// WithProgress gives an import a progress callback.
func WithProgress(ctx context.Context, fn Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ctxProgress is the context's progress callback, or one that does nothing.
func ctxProgress(ctx context.Context) Progress {
	if fn, ok := ctx.Value(progressKey{}).(Progress); ok && fn != nil {
		return fn
	}
	return func(string, int, int) {}
}

// Phases of an indicator import, as its progress names them. DuckDB runs each step of
// them in one statement, so they are counted in statements: done of total.
const (
	Validating = "validating"
	Storing    = "storing"
)

// phase counts the steps of a phase of an import and reports each as it ends.
type phase struct {
	progress    Progress
	what        string
	done, total int
}

// step reports one more step of the phase done.
func (p *phase) step() {
	p.done++
	p.progress(p.what, p.done, p.total)
}
