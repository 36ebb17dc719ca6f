// Package sample generates synthetic survey indicators, deterministically from a seed:
// the demo's sample for the 193 Member States (plausible magnitudes, correlated through
// a latent development level per country, nothing official about them) and the large
// synthetic panels the benchmarks time. Everything it writes is marked synthetic.
package sample

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/egdi/egdi/internal/refdata"
)

// UNIndicators are the raw indicators of the UN 2020/2022 frameworks, in file order.
var UNIndicators = []string{
	"osq_score", "epart_score",
	"internet_users_pct", "mobile_subs_per100", "fixed_broadband_per100", "mobile_broadband_per100",
	"adult_literacy_pct", "gross_enrolment_pct", "expected_schooling_years", "mean_schooling_years",
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func round(x float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

// WriteUN writes a long CSV (unit,year,indicator,value) of synthetic indicators for the
// Member States and the given editions. Each country has a latent level in 0..1 that
// drifts upward between editions; every indicator is a noisy function of it.
func WriteUN(w io.Writer, years []int, seed uint64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "unit,year,indicator,value")
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	regionBase := map[string]float64{"Europe": 0.75, "Americas": 0.55, "Asia": 0.55, "Oceania": 0.45, "Africa": 0.3}
	for _, c := range refdata.All() {
		level := clamp(regionBase[c.Region]+rng.NormFloat64()*0.17, 0.02, 0.98)
		if c.LDC {
			level *= 0.6
		}
		for i, y := range years {
			l := clamp(level+float64(i)*0.03+rng.NormFloat64()*0.02, 0.01, 0.99)
			noise := func(sd float64) float64 { return rng.NormFloat64() * sd }
			vals := []float64{
				round(clamp(140*math.Pow(l, 1.2)+noise(12), 2, 144), 0), // osq_score, out of 144
				round(clamp(88*math.Pow(l, 1.5)+noise(10), 0, 88), 0),   // epart_score, out of 88
				round(clamp(100*l+noise(8), 1, 99.9), 1),                // internet_users_pct
				round(clamp(60+80*l+noise(20), 5, 200), 1),              // mobile_subs_per100
				round(clamp(45*l*l+noise(3), 0.01, 50), 2),              // fixed_broadband_per100
				round(clamp(10+110*l+noise(15), 0.5, 180), 1),           // mobile_broadband_per100
				round(clamp(40+62*math.Sqrt(l)+noise(6), 20, 100), 1),   // adult_literacy_pct
				round(clamp(45+60*l+noise(8), 25, 115), 1),              // gross_enrolment_pct
				round(clamp(6+13*l+noise(1), 4, 20), 1),                 // expected_schooling_years
				round(clamp(1.5+12*l+noise(0.8), 0.5, 14), 1),           // mean_schooling_years
			}
			for k, id := range UNIndicators {
				fmt.Fprintf(bw, "%s,%d,%s,%s\n", c.ISO3, y, id, strconv.FormatFloat(vals[k], 'f', -1, 64))
			}
		}
	}
	return bw.Flush()
}

// WriteBench writes a long CSV of n synthetic units (S0000001, ...) × k indicators
// (x01, ...) for one year, values uniform-ish in 0..100, for benchmarks.
func WriteBench(w io.Writer, n, k, year int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, "unit,year,indicator,value")
	rng := rand.New(rand.NewPCG(seed, 0xbe9c))
	ys := strconv.Itoa(year)
	buf := make([]byte, 0, 64)
	for i := 1; i <= n; i++ {
		level := rng.Float64()
		for j := 1; j <= k; j++ {
			v := clamp(100*level+rng.NormFloat64()*15, 0, 100)
			buf = buf[:0]
			buf = append(buf, 'S')
			buf = append(buf, fmt.Sprintf("%07d", i)...)
			buf = append(buf, ',')
			buf = append(buf, ys...)
			buf = append(buf, ",x"...)
			if j < 10 {
				buf = append(buf, '0')
			}
			buf = strconv.AppendInt(buf, int64(j), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, round(v, 3), 'f', -1, 64)
			buf = append(buf, '\n')
			bw.Write(buf)
		}
	}
	return bw.Flush()
}
