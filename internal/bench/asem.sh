#!/usr/bin/env bash
# make bench, small-index part: COINr's ASEM example (51 units, 49 indicators) built by
# egdi as a user would, two processes on a new database each run: egdi import coinr of
# COINr's iData and iMeta, then egdi compute with data/frameworks/asem.yaml. Prints the
# median of five runs of each and of both (target: under 0.2 s for both; COINr builds
# the same coin in 0.23 s inside R). Then the floor of any two egdi writes on a new
# database, measured the same way: two imports of a one-value file each (DuckDB's start,
# the schema and Member States, a commit and the checkpoint at close, twice).
set -euo pipefail
cd "$(dirname "$0")/../.."
A=../shared/data/coinr-asem
if [ ! -f "$A/ASEM_iData.csv" ]; then
  echo "asem: skipped, COINr's ASEM example is not at $A"
  exit 0
fi
OUT=bin/bench
mkdir -p "$OUT"
: > "$OUT/asem-times"
for i in 1 2 3 4 5; do
  rm -f "$OUT/asem.duckdb" "$OUT/asem.duckdb.wal"
  s=$(date +%s.%N)
  ./bin/egdi -q --db "$OUT/asem.duckdb" import coinr --idata "$A/ASEM_iData.csv" --imeta "$A/ASEM_iMeta.csv" --dataset asem
  m=$(date +%s.%N)
  ./bin/egdi -q --db "$OUT/asem.duckdb" compute --method data/frameworks/asem.yaml --dataset asem
  e=$(date +%s.%N)
  echo "$(echo "$m - $s" | bc) $(echo "$e - $m" | bc) $(echo "$e - $s" | bc)" >> "$OUT/asem-times"
done
printf 'unit,year,indicator,value\nAAA,2022,x,1\n' > "$OUT/one.csv"
printf 'unit,year,indicator,value\nAAA,2022,y,1\n' > "$OUT/two.csv"
: > "$OUT/floor-times"
for i in 1 2 3 4 5; do
  rm -f "$OUT/floor.duckdb" "$OUT/floor.duckdb.wal"
  s=$(date +%s.%N)
  ./bin/egdi -q --db "$OUT/floor.duckdb" import indicators "$OUT/one.csv" --dataset one
  ./bin/egdi -q --db "$OUT/floor.duckdb" import indicators "$OUT/two.csv" --dataset one
  e=$(date +%s.%N)
  echo "$e - $s" | bc >> "$OUT/floor-times"
done
median() { sort -n | sed -n 3p; }
printf "ASEM (51 units x 49 indicators), medians of 5 runs on a new database: import coinr %.3f s, compute %.3f s, both %.3f s (target: under 0.2 s)\n" \
  "$(cut -d' ' -f1 "$OUT/asem-times" | median)" "$(cut -d' ' -f2 "$OUT/asem-times" | median)" "$(cut -d' ' -f3 "$OUT/asem-times" | median)"
printf "floor: two one-value imports on a new database, as two processes, median of 5: %.3f s\n" "$(median < "$OUT/floor-times")"
