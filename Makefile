# The whole set-up is `make run` (serve the app) and `make test` (everything CI checks).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck jscheck pytest browser install install-dev clean bench test-pythons

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml backend/schedviz/_gilsampler.c | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml backend/schedviz/_gilsampler.c | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	$(BIN)/schedviz serve --host $(HOST) --port $(PORT)

browser: $(VENV)/.installed-dev
	scripts/ensure-chromium.sh $(BIN)/python

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check backend tests

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The frontend's checks: tsc over its JSDoc types and ESLint, pinned by package-lock.json.
# npm ci runs again only when the lock (or package.json) is newer than the stamp.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --no-update-notifier
	touch $@

jscheck: node_modules/.installed
	node_modules/.bin/tsc -p tsconfig.json
	node_modules/.bin/eslint frontend eslint.config.js

pytest: $(VENV)/.installed-dev browser
	$(BIN)/python -m pytest

test: lint typecheck jscheck pytest

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache test-results

# The render and replay benchmarks drive Chromium: they need the dev install and a browser, as
# the tests do. The replay benchmark records its run of 1,000,000 events once (about 6 minutes)
# into bench-results/replay-data/ and reuses it afterwards.
bench: $(VENV)/.installed-dev browser
	$(BIN)/python benchmarks/bench.py --out bench-results/bench.json
	$(BIN)/python benchmarks/gil_accuracy.py --json bench-results/gil-accuracy.json
	$(BIN)/python benchmarks/render_bench.py --out bench-results/render.json
	$(BIN)/python benchmarks/storage_bench.py --out bench-results/storage.json
	$(BIN)/python benchmarks/trace_overhead.py --out bench-results/trace-overhead.json
	$(BIN)/python benchmarks/replay_bench.py --out bench-results/replay.json

# The GIL sampler is compiled per interpreter: build and test it under every CPython 3.11-3.13
# that pyenv or PATH offers (a venv each, .venv-3.X, with what these tests need).
test-pythons:
	scripts/test-pythons.sh

# CPython's own test_concurrent_futures with the instrumented executors swapped in for the
# stdlib's (scripts/cpython_futures_suite.py says where the tests come from; on Debian's 3.11:
# apt-get install -y libpython3.11-testsuite). Another interpreter:
# .venv-3.13/bin/python scripts/cpython_futures_suite.py
.PHONY: test-cpython-futures
test-cpython-futures: $(VENV)/.installed
	$(BIN)/python scripts/cpython_futures_suite.py

# frontend/protocol.js is generated from backend/schedviz/protocol.py (its JSON Schema); a test in
# make test fails while the checked-in file is stale. Run this after changing the wire format.
.PHONY: protocol
protocol: $(VENV)/.installed
	$(BIN)/python scripts/gen_protocol.py
