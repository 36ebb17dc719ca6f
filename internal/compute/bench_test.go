package compute

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egdi/egdi/internal/framework"
	"github.com/egdi/egdi/internal/ingest"
)

// countyFramework is a 3-level framework: an index of 5 dimensions of 4 sub-dimensions
// of 5 indicators each (100 indicators), z-scores, min-max sub-dimensions.
func countyFramework() string {
	var b strings.Builder
	b.WriteString("id: county\nroot: index\nnodes:\n  - {id: index, children: [d1, d2, d3, d4, d5]}\n")
	var inds []string
	for d := 1; d <= 5; d++ {
		var subs []string
		for s := 1; s <= 4; s++ {
			subs = append(subs, fmt.Sprintf("d%ds%d", d, s))
		}
		fmt.Fprintf(&b, "  - {id: d%d, children: [%s]}\n", d, strings.Join(subs, ", "))
		for _, sub := range subs {
			var kids []string
			for i := 1; i <= 5; i++ {
				id := fmt.Sprintf("%si%d", sub, i)
				kids = append(kids, id)
				inds = append(inds, id)
			}
			fmt.Fprintf(&b, "  - {id: %s, normalise: minmax, children: [%s]}\n", sub, strings.Join(kids, ", "))
		}
	}
	b.WriteString("indicators:\n")
	for _, id := range inds {
		fmt.Fprintf(&b, "  - {id: %s, normalise: zscore}\n", id)
	}
	b.WriteString("bands:\n  - {id: high, min: 0.5}\n  - {id: low, min: 0}\n")
	return b.String()
}

// BenchmarkCountyFramework computes a 3-level framework with 100 indicators over 3,000
// units and 10 years (3 million values), storing every node; the target is under 0.5 s
// a run (make bench).
func BenchmarkCountyFramework(b *testing.B) {
	db, dir := newDB(b)
	p := filepath.Join(dir, "county.csv")
	fh, _ := os.Create(p)
	w := bufio.NewWriterSize(fh, 1<<20)
	w.WriteString("unit,year,indicator,value\n")
	rng := rand.New(rand.NewPCG(1, 2))
	for u := 1; u <= 3000; u++ {
		level := rng.Float64()
		for y := 2015; y < 2025; y++ {
			for d := 1; d <= 5; d++ {
				for s := 1; s <= 4; s++ {
					for i := 1; i <= 5; i++ {
						fmt.Fprintf(w, "C%04d,%d,d%ds%di%d,%.3f\n", u, y, d, s, i, 100*level+rng.NormFloat64()*15)
					}
				}
			}
		}
	}
	w.Flush()
	fh.Close()
	if _, err := ingest.ImportIndicators(context.Background(), db, []string{p}, ingest.IndicatorOptions{Dataset: "county"}); err != nil {
		b.Fatal(err)
	}
	f, err := framework.Parse([]byte(countyFramework()), "county.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), db, f, Options{Dataset: "county"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != 10 || res[0].Units != 3000 {
			b.Fatalf("%d years, %d units", len(res), res[0].Units)
		}
	}
}
