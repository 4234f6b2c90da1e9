# Portal Aduan Warga. `make run` serves the portal; `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PYTHON ?= python3
DEMO ?= 1
HOST ?= 127.0.0.1
PORT ?= 5000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-sqlite test-postgres test-e2e install install-test services translations \
        db demo bench lint fmt clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 2>/dev/null
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

instance/config.py:
	mkdir -p instance
	$(PYTHON) scripts/make-instance-config.py > $@

translations: $(VENV)/.installed
	@for d in portal/translations/*/; do \
	  [ -f $$d/id/LC_MESSAGES/messages.po ] && $(VENV)/bin/pybabel compile -d $$d -l id 2>/dev/null || true; \
	done

# Set-up commands log warnings only; the server and worker log at PORTAL_LOG_LEVEL (INFO).
db: install instance/config.py translations
	PORTAL_LOG_LEVEL=WARNING $(FLASK) db upgrade
	PORTAL_LOG_LEVEL=WARNING $(FLASK) reference load
	@if [ "$(DEMO)" = "1" ]; then PORTAL_LOG_LEVEL=WARNING $(FLASK) demo load; fi
	PORTAL_LOG_LEVEL=WARNING $(FLASK) public refresh-stats
	PORTAL_LOG_LEVEL=WARNING $(FLASK) cases reindex --if-empty

# WeasyPrint (the bundle's PDFs) needs Pango, HarfBuzz's subsetter and a font.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

# gunicorn (deploy/gunicorn.conf.py) with the worker, statistics, a local Redis for rate limits
# and a mail sink; see README.md, "The two commands".
run: db
	@bash scripts/debian-packages.sh redis-server $(PDF_PACKAGES)
	@bash scripts/run.sh "$(HOST)" "$(PORT)"

services:
	bash scripts/services.sh

test: install-test translations
	bash scripts/test.sh

# Every benchmark on SQLite, then on PostgreSQL (+ S3): scripts/bench.sh starts a scratch
# cluster of its own. BENCH_CASES (default 1000000) is bench/scale.py's large size; BENCH_ONLY
# picks some of pages, intake, scale. The other bench/*.py are run by hand (README, Benchmarks).
bench: install instance/config.py translations
	@bash scripts/debian-packages.sh wrk redis-server
	bash scripts/bench.sh

# Style, the import floors (import-linter contracts in pyproject.toml) and types.
lint: install-test
	$(VENV)/bin/ruff check portal tests bench
	$(VENV)/bin/ruff format --check portal tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

fmt: install-test
	$(VENV)/bin/ruff format portal tests bench
	$(VENV)/bin/ruff check --fix portal tests bench

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov
