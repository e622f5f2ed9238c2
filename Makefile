# moviedb: `make run` serves the site, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The first Python 3.12+ on PATH (pyenv honours .python-version).
PYTHON := $(shell for p in python3.13 python3.12 python3 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
# Local runs are development runs; production sets DJANGO_DEBUG=0 and DJANGO_SECRET_KEY.
export DJANGO_DEBUG ?= 1

.PHONY: run test loadtest bench clean

$(VENV)/.python:
	@if [ -z "$(PYTHON)" ]; then echo "moviedb needs Python 3.12 or newer; none was found on PATH." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.python pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.python pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loadseed mask
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "To edit in the admin, create a user: $(PY) manage.py createsuperuser"
	@echo "Serving moviedb on http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
	$(BIN)/gunicorn --config gunicorn.conf.py moviedb.wsgi --bind 127.0.0.1:8000

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# The full load test: 60 s, 32 connections against gunicorn (`make test` runs a 5 s one),
# then 60 s of imports under that load.
loadtest: $(VENV)/.installed-dev
	LOADTEST_SECONDS=60 LOADTEST_CONNECTIONS=32 $(BIN)/pytest -m ops -s tests/ops/test_load.py \
		tests/ops/test_import_under_load.py

# The benchmarks in bench/ at SIZE films, one after another, each run as
# `python -m bench.NAME --size SIZE` against DATABASE_URL (PostgreSQL): importimdb against
# COPY, page latency at SIZE against 10,000 films, throughput. Each prints its table and
# writes it to bench/results/. The generated files and imported databases are kept for the
# next run.
BENCHES ?= import_imdb pages_scale pages
SIZE ?= 10000
bench: $(VENV)/.installed
	set -e; for name in $(BENCHES); do $(PY) -m bench.$$name --size $(SIZE); done

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
