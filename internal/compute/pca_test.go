package compute

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// weights: pca derives the children's weights from their first principal component
// (squared loadings, summing to 1), checked with numpy; the node is their weighted
// mean, and the run records the weights it used.
func TestPCAWeightsAgainstNumpy(t *testing.T) {
	t.Parallel()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skip("skipping: numpy not installed (apt-get install python3-numpy)")
	}
	m := [][]float64{ // x, y, z over units U1..U6
		{1, 2, 3, 4, 5, 7},
		{2, 1, 4, 3, 6, 5},
		{9, 7, 8, 3, 2, 4},
	}
	var rows []string
	csv := "unit,year,indicator,value\n"
	for i, r := range m {
		var c []string
		for u, x := range r {
			c = append(c, fmt.Sprint(x))
			csv += fmt.Sprintf("U%d,2022,%s,%v\n", u+1, []string{"x", "y", "z"}[i], x)
		}
		rows = append(rows, "["+strings.Join(c, ",")+"]")
	}
	out, err := exec.Command(py, "-c", `import numpy as np
m = np.array([`+strings.Join(rows, ",")+`], dtype=float)
vals, vecs = np.linalg.eigh(np.corrcoef(m))
v = vecs[:, np.argmax(vals)]
w = v**2 / (v**2).sum()
print(*[repr(x) for x in w], *[repr(x) for x in (w[:, None] * m).sum(axis=0)])`).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v %s", err, out)
	}
	var want []float64
	for _, s := range strings.Fields(string(out)) {
		x, _ := strconv.ParseFloat(s, 64)
		want = append(want, x)
	}
	w, ok := PCAWeights(m)
	if !ok {
		t.Fatal("no weights")
	}
	for i := range w {
		if math.Abs(w[i]-want[i]) > 1e-12 {
			t.Errorf("weight %d: %v, numpy %v", i, w[i], want[i])
		}
	}
	db := setup(t, csv)
	f := fw(t, "id: t\nroot: n\nnodes:\n  - {id: n, weights: pca, children: [x, y, z]}\nindicators:\n  - {id: x}\n  - {id: y}\n  - {id: z}\n")
	res, err := Run(context.Background(), db, f, Options{Dataset: "t"})
	if err != nil {
		t.Fatal(err)
	}
	got := values(t, db, "n")
	for u := 0; u < 6; u++ {
		if g := got[fmt.Sprintf("U%d", u+1)]; math.Abs(g-want[3+u]) > 1e-12 {
			t.Errorf("U%d = %v, numpy %v", u+1, g, want[3+u])
		}
	}
	if math.Abs(res[0].Weights["n"]["z"]-w[2]) > 1e-12 {
		t.Errorf("recorded weights %v", res[0].Weights)
	}
	var fj string
	if err := db.QueryRow(`SELECT framework_json FROM runs WHERE dataset = 't'`).Scan(&fj); err != nil {
		t.Fatal(err)
	}
	var stored struct {
		Nodes []struct {
			Children []struct{ Weight float64 }
		}
	}
	json.Unmarshal([]byte(fj), &stored)
	if len(stored.Nodes) != 1 || math.Abs(stored.Nodes[0].Children[0].Weight-w[0]) > 1e-12 {
		t.Errorf("the run records %s", fj)
	}
	// too few units to derive weights from
	db = setup(t, "unit,year,indicator,value\nA,2022,x,1\nA,2022,y,2\nA,2022,z,3\nB,2022,x,2\nB,2022,y,1\nB,2022,z,5\n")
	if _, err := Run(context.Background(), db, f, Options{Dataset: "t"}); err == nil || !strings.Contains(err.Error(), "weights: pca of node n in 2022") {
		t.Errorf("two units: %v", err)
	}
}
