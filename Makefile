# egdi — build, demo, test, bench.
GO      ?= go
BIN     := bin/egdi
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/egdi/egdi/internal/version.Version=$(VERSION)
# duckdb-go compiles its Arrow interface (egdi's column reads and writes) only with this tag.
export GOFLAGS += -tags=duckdb_arrow

.PHONY: all build demo test notebooks bench bench-uncertainty sample gallery clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/egdi

# The main job on the default database (egdi.duckdb in this folder): import the
# published UN panel 2003-2022 shipped with egdi and the synthetic samples, compute the
# samples, print rankings and summaries, write charts and reports to reports/demo/.
demo: build
	./$(BIN) demo

# Unit tests, and the tests against the real UN data in ../shared/data (skipped with a
# message when it is absent). The tests run many small databases side by side: one
# DuckDB thread each keeps them from contending for the two cores.
test:
	$(GO) vet ./...
	EGDI_THREADS=1 $(GO) test -count=1 ./...

# Execute the notebooks in notebooks/ and hold them to their committed outputs (a cell
# that fails an assert, or any text output that changed, fails); Debian's Jupyter,
# pandas and matplotlib. After a deliberate change: /usr/bin/python3 notebooks/run.py
# --update NAME.ipynb, then commit the notebook.
notebooks: build
	/usr/bin/python3 notebooks/run.py

# Import + compute + export of 1,000,000 units x 10 indicators, against the same
# pipeline in pandas; prints both times, their ratio and peak memory. Then COINr's
# ASEM example as two commands (target: under 0.2 s), and a 3-level framework of 100
# indicators over 3,000 units and 10 years (target: under 0.5 s a run).
bench: build
	bash internal/bench/run.sh
	bash internal/bench/asem.sh
	@echo "3-level framework, 100 indicators x 3,000 units x 10 years (target: under 0.5 s per run):"
	$(GO) test -run '^$$' -bench County -benchtime 3x -count 5 ./internal/compute > bin/bench/county-times
	@cat bin/bench/county-times
	@awk '/^BenchmarkCounty/ {print $$3 / 1e9}' bin/bench/county-times | sort -n | sed -n 3p | xargs printf "county framework: median of 5 runs of 3, %.3f s a run (target: under 0.5 s)\n"

# egdi uncertainty on COINr's ASEM example, the UN panel and the provinces, as a user
# runs it (one process each, storing every replication); medians of 5 runs, peak memory.
bench-uncertainty: build
	bash internal/bench/uncertainty.sh

# Redraw the README's gallery (reports/gallery/) from the demo, on a database of its own.
GALLERY := ranking-2022.png trend.png groups.png scatter-tii-osi-2022.png regions-2022.png provinces-regions-2022-zh.png
gallery: build
	rm -rf bin/gallery && ./$(BIN) demo --db bin/gallery/demo.duckdb --charts bin/gallery >/dev/null
	cd bin/gallery && cp $(GALLERY) ../../reports/gallery/

# Regenerate the shipped synthetic sample.
sample: build
	./$(BIN) sample un --out data/sample/un-synthetic.csv

clean:
	rm -rf bin
