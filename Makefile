# Two commands matter: `make demo` and `make test`. Both bootstrap .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGES := $(wildcard warmstart extender provisioner forecaster agent)

.PHONY: demo test lint typecheck unit manifests lock bench bench-extender bench-extender-watch bench-extender-startup bench-scheduler bench-sim bench-provisioner bench-forecaster clean

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

# deploy/kustomize rendered from the Helm chart (tests/deploy checks they agree).
manifests: $(STAMP)
	$(BIN)/python -m tests.deploy.render

# requirements.lock, the image's dependencies, from pyproject.toml; PyPI only, so a
# machine's own pip settings cannot leak into the lock.
lock: $(STAMP)
	env -u PIP_FIND_LINKS -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
	  $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --build-deps-for=wheel --no-emit-index-url --no-emit-find-links \
	  --index-url=https://pypi.org/simple --output-file=requirements.lock pyproject.toml

bench: bench-extender bench-extender-watch bench-provisioner bench-forecaster bench-sim

bench-extender: $(STAMP)
	$(BIN)/python benchmarks/extender_bench.py --nodes 5000

bench-extender-watch: $(STAMP)
	$(BIN)/python -m benchmarks.extender_watch_bench

bench-extender-startup: $(STAMP)
	$(BIN)/python -m benchmarks.extender_startup_bench --nodes 15000 --reps 3

bench-scheduler: $(STAMP)
	$(BIN)/python -m benchmarks.scheduler_bench --nodes 5000,15000 --pods 1000 --reps 2

bench-sim: $(STAMP)
	$(BIN)/python benchmarks/sim_bench.py

bench-provisioner: $(STAMP)
	$(BIN)/python -m benchmarks.provisioner_bench

bench-forecaster: $(STAMP)
	$(BIN)/python benchmarks/forecaster_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
