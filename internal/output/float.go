package output

import (
	"math"
	"strconv"
	"strings"
)

// Float writes a number the way DuckDB's CSV writer does, so that a table written
// here and one streamed by DuckDB (egdi export, the CSV of a long ranking) read the
// same: the shortest digits that give the number back, in plain notation with at
// least one decimal (1.0, 0.25, 123456.5) for decimal exponents from −5 to 15, and
// in scientific notation otherwise (1e-05, 2.5e-07, 1e+16).
func Float(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	if x == 0 {
		return "0.0"
	}
	e := strconv.FormatFloat(x, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(exp)
	if n < -4 || n >= 16 {
		if len(exp) == 2 { // e+5 → e+05
			exp = exp[:1] + "0" + exp[1:]
		}
		return mant + "e" + exp
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
