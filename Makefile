# Two commands matter: `make demo` and `make test`. Both bootstrap .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGES := $(wildcard warmstart extender provisioner forecaster agent)

.PHONY: demo test lint typecheck unit bench bench-extender bench-extender-watch bench-sim bench-provisioner bench-forecaster clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/warmstart demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy $(PACKAGES) tests benchmarks

unit: $(STAMP)
	$(BIN)/pytest

bench: bench-extender bench-extender-watch bench-provisioner bench-forecaster bench-sim

bench-extender: $(STAMP)
	$(BIN)/python benchmarks/extender_bench.py --nodes 5000

bench-extender-watch: $(STAMP)
	$(BIN)/python -m benchmarks.extender_watch_bench

bench-sim: $(STAMP)
	$(BIN)/python benchmarks/sim_bench.py

bench-provisioner: $(STAMP)
	$(BIN)/python -m benchmarks.provisioner_bench

bench-forecaster: $(STAMP)
	$(BIN)/python benchmarks/forecaster_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
