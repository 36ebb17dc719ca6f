package uncertainty

import (
	"bytes"
	"context"
	"github.com/egdi/egdi/internal/compute"
	"testing"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/sample"
)

// BenchmarkEvaluateUN is one replication of un-2022 over the 193 Member States with
// noisy weights and a choice of normalisation.
func BenchmarkEvaluateUN(b *testing.B) {
	db := newDB(b)
	importCSV(b, db, "un", func(w *bytes.Buffer) error { return sample.WriteUN(w, []int{2022}, 3) })
	f, err := framework.Load("un-2022")
	if err != nil {
		b.Fatal(err)
	}
	d, err := Load(context.Background(), db, f, "un", 2022, nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := compute.NewPlan(f, d)
	if err != nil {
		b.Fatal(err)
	}
	var inputs []*Input
	for _, s := range []string{"weights:*=±25%", "norm:*=zscore,minmax"} {
		in, err := ParseInput(s)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	if err := Resolve(p, inputs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if _, err := Run(context.Background(), p, inputs, Options{Samples: b.N, Workers: 1}); err != nil {
		b.Fatal(err)
	}
}
