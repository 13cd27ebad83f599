# Shebao: `make run` serves the demo agency; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# bench/ may hold no tracked file yet, and then a fresh clone has no such folder.
LINT_PATHS := src tests $(wildcard bench)

.PHONY: run demo test test-fast lint format install messages clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Shebao needs Python 3.11 or newer; try: make run PYTHON=python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Migrate var/shebao.sqlite3, build the demo agency into an empty database, collect the
# static files and serve with gunicorn on 127.0.0.1:$(PORT).
run: $(STAMP)
	$(BIN)/shebao serve --port $(PORT)

# Build the demo agency into an empty database without serving it.
demo: $(STAMP)
	$(BIN)/shebao migrate --verbosity 0
	$(BIN)/shebao demo

# Lint, then every test that can run here: PostgreSQL ones when DATABASE_URL names a
# PostgreSQL server, browser ones when /usr/bin/chromium exists.
test: lint
	SHEBAO_ENV=test $(BIN)/pytest

# The suite without the browser.
test-fast: $(STAMP)
	SHEBAO_ENV=test $(BIN)/pytest -m "not browser"

# Style, formatting, the layers and import cycles of [tool.importlinter], and the types
# ([tool.mypy], with django-stubs) in pyproject.toml (PYTHONPATH: the checkout's own
# source, whatever the venv points at).
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	PYTHONPATH=src $(BIN)/lint-imports
	PYTHONPATH=src SHEBAO_ENV=test $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

# Refresh the Chinese catalogue from the source and compile it (needs GNU gettext; the
# compiled .mo is committed, so running Shebao does not).
messages: $(STAMP)
	cd src/shebao && SHEBAO_HOME=$(CURDIR) ../../$(BIN)/shebao makemessages -l zh_Hans --no-obsolete \
		--ignore=.venv --ignore='static/*' --ignore='*/static/*'
	cd src/shebao && SHEBAO_HOME=$(CURDIR) ../../$(BIN)/shebao compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var

# Ledger benchmarks beside a raw baseline, on SQLite and PostgreSQL (docs/performance.md).
# Full size by default; a quick run: make bench BENCH_ARGS="--db sqlite --persons 1000";
# linear scaling on PostgreSQL: make bench BENCH_ARGS="--scale" (--sizes 1000,10000 for a
# quick check). The API under 50 users against a bare view: make bench-serve
# (BENCH_SERVE_ARGS="--run-time 60"). Not part of `make test`.
.PHONY: bench bench-serve
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-serve: $(STAMP)
	$(BIN)/python -m bench.serve $(BENCH_SERVE_ARGS)
