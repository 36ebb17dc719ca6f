// Package bench is make bench, which holds no Go code: run.sh times import + compute +
// export of 1,000,000 synthetic units × 10 indicators in egdi (the framework
// bench.yaml) against the same pipeline in pandas (pandas_pipeline.py), checks that
// both agree, and prints both times, their ratio and peak memory; its files go to
// bin/bench/. The county-scale benchmark is BenchmarkCounty in internal/compute.
package bench
