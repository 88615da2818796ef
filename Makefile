# CE Portal: `make run` and `make test` do all the set-up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export FLASK_APP := claimserver
HOST ?= 127.0.0.1
PORT ?= 5000
SITE_PORT ?= 8000
# The catalogue's Purchase buttons point at the claim server; the server links back to the catalogue.
export CE_CLAIM_URL ?= http://$(HOST):$(PORT)
export CE_SITE_URL ?= http://$(HOST):$(SITE_PORT)/
export NO_MKDOCS_2_WARNING := 1

.PHONY: help venv test test-fast run site serve-site check bench clean db prod-check

help:
	@echo "make run    - set up, build the catalogue, start the claim server with sample data"
	@echo "make test   - set up, then run every test (SQLite and PostgreSQL, real browser)"
	@echo "make check  - check the activity files"
	@echo "make site   - build only the catalogue site into site/"
	@echo "make bench  - run the benchmarks and print their figures"
	@echo "make prod-check - start the deploy/ set-up locally and check it against slow clients"

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

check: venv
	$(BIN)/python -m catalog check

site: venv
	$(BIN)/mkdocs build --strict --quiet

db: venv
	$(BIN)/flask db upgrade
	$(BIN)/flask catalog sync

test: venv
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: venv
	$(BIN)/python -m pytest -x -q -m "not e2e" $(PYTEST_ARGS)

run: site db
	$(BIN)/flask demo load
	$(BIN)/python -m claimserver.devserver --host $(HOST) --port $(PORT) --site-port $(SITE_PORT)

bench: venv
	$(BIN)/python -m bench

# The deploy/ set-up (nginx + gunicorn + PostgreSQL) started locally and attacked: slow clients,
# proxy addresses, headers. Needs nginx and openssl (.ci/run installs them).
prod-check: venv
	$(BIN)/python deploy/prodcheck.py

clean:
	rm -rf site instance bench/out .pytest_cache
