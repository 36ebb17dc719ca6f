package store

import "math"

// HashUint64 and HashDouble are DuckDB's hash() of a UBIGINT and of a DOUBLE, in Go,
// for checksums taken while values are read as columns (a pass of DuckDB's own over
// millions of values would cost more than the read). DuckDB hashes an 8-byte number by
// mixing its bits (murmurhash64 in DuckDB's hash.hpp); a double by its bits, with
// both zeros hashed as 0 and every NaN as one. TestHashMatchesDuckDB holds them to
// DuckDB's, and a change of DuckDB's hash shows there, as in unitKeyProbe.
func HashUint64(x uint64) uint64 {
	x ^= x >> 32
	x *= 0xd6e8feb86659fd93
	x ^= x >> 32
	x *= 0xd6e8feb86659fd93
	x ^= x >> 32
	return x
}

// HashDouble is DuckDB's hash() of a DOUBLE (see HashUint64).
func HashDouble(v float64) uint64 {
	switch {
	case v == 0:
		return HashUint64(0)
	case math.IsNaN(v):
		return HashUint64(0x7ff8000000000000)
	}
	return HashUint64(math.Float64bits(v))
}
