package ingest

import "context"

type progressKey struct{}

// WithProgress gives an import a progress callback (done of total rows, where a long
// step can count them: a workbook's rows); output.Progress.Update is one.
func WithProgress(ctx context.Context, fn func(done, total int)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ctxProgress is the context's progress callback, or one that does nothing.
func ctxProgress(ctx context.Context) func(done, total int) {
	if fn, ok := ctx.Value(progressKey{}).(func(done, total int)); ok && fn != nil {
		return fn
	}
	return func(int, int) {}
}
