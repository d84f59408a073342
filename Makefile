# asylumstats — set-up, demo, tests, benchmarks.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= .demo
DEMO_CASES ?= 200000
PORT ?= 8000

.PHONY: install demo test lint bench clean

$(BIN)/asylumstats: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/asylumstats

demo: install
	mkdir -p $(DEMO_DIR)
	@if [ ! -f $(DEMO_DIR)/sample.zip ]; then \
		$(BIN)/asylumstats sample $(DEMO_DIR)/sample.zip --cases $(DEMO_CASES) --seed 1; fi
	$(BIN)/asylumstats ingest $(DEMO_DIR)/sample.zip --db $(DEMO_DIR)/asylumstats.duckdb
	$(BIN)/asylumstats serve --db $(DEMO_DIR)/asylumstats.duckdb --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python -m asylumstats.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info src/*.egg-info
