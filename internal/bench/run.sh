#!/usr/bin/env bash
# make bench: import + compute + export of 1,000,000 synthetic units x 10 indicators
# (one year, long CSV) with egdi and with pandas, in one run; prints both wall times,
# their ratio and each pipeline's peak memory (max RSS, from /usr/bin/time). Both
# write every node (index, a, b) with the rank and band. Then the CSV of egdi rank of
# the same million units, against the export (target: within 20%).
set -euo pipefail
cd "$(dirname "$0")/../.."
UNITS=${UNITS:-1000000}
INDICATORS=${INDICATORS:-10}
OUT=bin/bench
mkdir -p "$OUT"
BIN=./bin/egdi
PY=/usr/bin/python3
if ! $PY -c 'import pandas' 2>/dev/null; then
  echo "bench: pandas is missing; install Debian's: apt-get install -y python3-pandas" >&2
  exit 1
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time is missing; apt-get install -y time" >&2
  exit 1
fi
IN="$OUT/bench-${UNITS}x${INDICATORS}.csv"
if [ ! -f "$IN" ]; then
  echo "generating $IN ..."
  $BIN sample bench --units "$UNITS" --indicators "$INDICATORS" --out "$IN"
fi
rm -f "$OUT/egdi.duckdb" "$OUT/egdi-out.csv" "$OUT/pandas-out.csv"

# measure CMD...: runs it under /usr/bin/time, appends "seconds maxrss_kb" to $OUT/times
measure() { /usr/bin/time -f "%e %M" -a -o "$OUT/times" "$@"; }
: > "$OUT/times"
start=$(date +%s.%N)
measure $BIN -q --db "$OUT/egdi.duckdb" import indicators "$IN" --dataset bench
measure $BIN -q --db "$OUT/egdi.duckdb" compute --method internal/bench/bench.yaml --dataset bench
measure $BIN -q --db "$OUT/egdi.duckdb" export --dataset bench --layout wide --out "$OUT/egdi-out.csv"
end=$(date +%s.%N)
egdi_s=$(echo "$end - $start" | bc)
egdi_mem=$(awk '{ if ($2 > m) m = $2 } END { print m }' "$OUT/times")
awk '{ printf "  egdi step: %6.2f s, %5.0f MB peak\n", $1, $2/1024 }' "$OUT/times"

: > "$OUT/times"
start=$(date +%s.%N)
measure $PY internal/bench/pandas_pipeline.py "$IN" "$OUT/pandas-out.csv"
end=$(date +%s.%N)
pandas_s=$(echo "$end - $start" | bc)
pandas_mem=$(awk '{ print $2 }' "$OUT/times")

# The two pipelines must agree before their times mean anything.
$PY - "$OUT/egdi-out.csv" "$OUT/pandas-out.csv" <<'PY'
import sys, pandas as pd
e = pd.read_csv(sys.argv[1]).set_index("unit")
p = pd.read_csv(sys.argv[2]).set_index("unit")
d = (e["index"] - p.loc[e.index, "index"]).abs().max()
r = (e["rank"] != p.loc[e.index, "rank"]).sum()
print(f"  agreement: max |index difference| {d:.2e}, rank differences {r} of {len(e)}")
if d > 1e-9 or r > 0:
    sys.exit("bench: egdi and pandas disagree")
PY

printf "units x indicators: %d x %d\n" "$UNITS" "$INDICATORS"
printf "egdi   %7.2f s   peak %6.0f MB\n" "$egdi_s" "$(echo "$egdi_mem/1024" | bc -l)"
printf "pandas %7.2f s   peak %6.0f MB\n" "$pandas_s" "$(echo "$pandas_mem/1024" | bc -l)"
printf "egdi is %.1fx faster than pandas (target: 3x; peak memory target: under 2048 MB)\n" "$(echo "$pandas_s / $egdi_s" | bc -l)"

# egdi rank --format csv of the million units streams like the export: their times
# in the same run, three of each, medians.
: > "$OUT/times-export"
: > "$OUT/times-rank"
for i in 1 2 3; do
  /usr/bin/time -f "%e" -a -o "$OUT/times-export" $BIN -q --db "$OUT/egdi.duckdb" export --dataset bench --layout wide --out "$OUT/egdi-out.csv"
  /usr/bin/time -f "%e" -a -o "$OUT/times-rank" $BIN -q --db "$OUT/egdi.duckdb" rank --dataset bench --format csv > "$OUT/egdi-rank.csv"
done
export_s=$(sort -n "$OUT/times-export" | sed -n 2p)
rank_s=$(sort -n "$OUT/times-rank" | sed -n 2p)
if ! cmp -s "$OUT/egdi-out.csv" "$OUT/egdi-rank.csv"; then
  echo "bench: rank --format csv and export --layout wide differ" >&2
  exit 1
fi
printf "rank --format csv %5.2f s, export --layout wide %5.2f s (medians of 3): rank/export %.2f (target: at most 1.2)\n" "$rank_s" "$export_s" "$(echo "$rank_s / $export_s" | bc -l)"
