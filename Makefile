# Two commands for a newcomer:   make run   (the demo)   and   make test   (the whole suite).
# Everything else here is for contributors and CI. Only Python 3.11+ is needed: the virtualenv,
# an embedded PostgreSQL (when DATABASE_URL is unset) and a file-based Celery broker (when
# REDIS_URL is unset) are set up by these targets.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
XERO_SANDBOX_PORT ?= 8765
# pytest-xdist processes for `make test`; each gets its own test database (test_<name>_gw0, ...) and
# Celery queue (settings). Tests sharing one outside resource (a fixed Redis db) carry
# @pytest.mark.xdist_group("<name>") so that --dist loadgroup runs them in one process.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=
BENCH_ARGS ?=

export PATH := $(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PYTHONUNBUFFERED := 1
export XERO_SANDBOX_PORT

.DEFAULT_GOAL := help
.PHONY: help run test install lint format bench bench-scale bench-upload bench-portal migrations-check check-deploy db-stop clean

help:
	@echo "make run    - install, migrate, seed demo data, start web :$(PORT) + Celery worker + beat + Xero sandbox :$(XERO_SANDBOX_PORT)"
	@echo "make test   - install and run the whole test suite"
	@echo "make lint   - ruff check, ruff format --check, mypy"
	@echo "make bench  - export benchmark against the local Xero sandbox"
	@echo "make bench-scale - lists and raising at 100,000 bookings, before vs after (bench/scale_bench.py)"
	@echo "make bench-upload - bulk job upload benchmark (CSV and XLSX, 1,000 and 10,000 rows)"
	@echo "make bench-portal - customer portal: SQL queries per page at 100 / 1,000 / 10,000 jobs"
	@echo "make migrations-check - fail when models changed without a migration"
	@echo "make db-stop - stop the embedded PostgreSQL (.data/pg) and the tests' embedded Redis (.data/redis)"

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0] + " (set PYTHON=python3.X)")'
	$(PYTHON) -m venv $(VENV)

# Re-install only when the pinned dependencies change.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	python manage.py migrate --noinput
	python manage.py seed_demo
	@# Ctrl-C (SIGINT, honcho exits 130) or a SIGTERM (143) is how the demo is stopped: say so, exit 0.
	@trap 'true' INT TERM; SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} python -m freighttracker.devrun start -f Procfile.dev -p $(PORT); \
	  rc=$$?; if [ $$rc -eq 130 ] || [ $$rc -eq 143 ]; then echo "make run: stopped."; else exit $$rc; fi

# Without REDIS_URL the tests get a private Redis (bundled with the dev extra) so that nothing is skipped.
test: $(STAMP)
	@if [ -z "$${REDIS_URL:-}" ]; then REDIS_URL=$$(python -m freighttracker.embedded_redis) || exit 1; export REDIS_URL; \
	  echo "REDIS_URL=$$REDIS_URL (embedded)"; fi; \
	python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	ruff check .
	ruff format --check .
	mypy .

format: $(STAMP)
	ruff check --fix .
	ruff format .

bench: $(STAMP)
	python bench/export_bench.py $(BENCH_ARGS)

# Lists and raising at 100,000 bookings, today's shape beside the new one (issue 11); a few minutes.
bench-scale: $(STAMP)
	python bench/scale_bench.py $(BENCH_ARGS)

bench-upload: $(STAMP)
	python bench/upload_bench.py $(BENCH_ARGS)

# SQL queries of the customer portal's pages as one customer's jobs grow to 10,000 (bench/portal_bench.py).
bench-portal: $(STAMP)
	python bench/portal_bench.py $(BENCH_ARGS)

migrations-check: $(STAMP)
	python manage.py makemigrations --check --dry-run

db-stop: $(STAMP)
	python -m freighttracker.embedded_db stop
	python -m freighttracker.embedded_redis stop

clean: db-stop
	rm -rf .data/broker staticfiles
