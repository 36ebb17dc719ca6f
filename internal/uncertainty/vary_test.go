package uncertainty

import (
	"bytes"
	"context"
	"github.com/egdi/egdi/internal/compute"
	"math"
	"testing"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/sample"
)

// Noisy weights: weights:* is one input of one number per child weight of every node
// with two children or more; each weight is its nominal weight times a factor in
// [1 − P, 1 + P]. The other kinds map [0, 1) uniformly onto their choices.
func TestInputsApply(t *testing.T) {
	db := newDB(t)
	importCSV(t, db, "un", func(b *bytes.Buffer) error { return sample.WriteUN(b, []int{2022}, 3) })
	f, err := framework.Load("un-2022")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(context.Background(), db, f, "un", 2022, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compute.NewPlan(f, d)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []*Input
	for _, s := range []string{"weights:*=±25%", "norm:*=zscore,minmax,rank", "weight:tii=0.2..0.6", "drop:hci"} {
		in, err := ParseInput(s)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	if err := Resolve(p, inputs); err == nil {
		t.Fatal("weights:* and weight:tii both set tii's weight and were accepted")
	}
	inputs = append(inputs[:2], inputs[3])
	for _, in := range inputs {
		in.edges, in.leaves, in.nodes = nil, nil, nil
	}
	if err := Resolve(p, inputs); err != nil {
		t.Fatal(err)
	}
	// egdi (3 children), tii (4), hci (4); osi and epi have one child
	if inputs[0].Dim != 11 {
		t.Fatalf("weights:* has %d numbers, want 11", inputs[0].Dim)
	}
	nominal := p.Nominal()
	q := p.Nominal()
	u := make([]float64, 11)
	for i := range u {
		u[i] = float64(i) / 10
	}
	inputs[0].Apply(u, &q, &nominal)
	for k, e := range inputs[0].edges {
		want := nominal.Weights[e[0]][e[1]] * (0.75 + 0.5*u[k])
		if math.Abs(q.Weights[e[0]][e[1]]-want) > 1e-15 {
			t.Errorf("weight %d: %v, want %v", k, q.Weights[e[0]][e[1]], want)
		}
	}
	for x, want := range map[float64]string{0: "zscore", 0.33: "zscore", 0.34: "minmax", 0.9999: "rank"} {
		inputs[1].Apply([]float64{x}, &q, &nominal)
		if q.LeafNorm[0] != want || q.LeafNorm[len(q.LeafNorm)-1] != want {
			t.Errorf("u = %v: %s, want %s for every indicator", x, q.LeafNorm[0], want)
		}
	}
	for x, want := range map[float64]int{0: -1, 0.2: 0, 0.99: 3} {
		inputs[2].Apply([]float64{x}, &q, &nominal)
		if q.Drop[inputs[2].nodes[0]] != want {
			t.Errorf("drop at u = %v: child %d, want %d (−1: none)", x, q.Drop[inputs[2].nodes[0]], want)
		}
	}
}
