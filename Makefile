# `make run` and `make test` work from nothing: they create .venv and install from uv.lock.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

# The Instatus reader from PyPI (tests/test_instatus_client.py) runs in a venv of its own: its
# airbyte-cdk imports only on Python 3.9/3.10. Without a python3.10 it is left out (the test
# then skips, except in CI where it fails).
READER_VENV := .venv-instatus
READER_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) \
	$(wildcard /usr/bin/python3.10 /usr/local/bin/python3.10))

.PHONY: run test lint format schema messages bench bench-notify bench-monitors bench-import worker beat migrate install clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

$(READER_VENV)/.installed: tests/instatus_reader/requirements.txt
	@if [ -z "$(READER_PYTHON)" ]; then \
		echo "python3.10 not found: the Instatus reader venv ($(READER_VENV)) is not built"; \
	else \
		rm -rf $(READER_VENV) && $(READER_PYTHON) -m venv $(READER_VENV) && \
		$(READER_VENV)/bin/pip install --quiet --disable-pip-version-check \
			-r tests/instatus_reader/requirements.txt && touch $@; \
	fi

install: $(VENV)/.installed

# Development server: SQLite, local memory cache and eager Celery unless the environment says
# otherwise; with REDIS_URL set, a worker and beat are started alongside.
run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py serve --noreload $(HOST):$(PORT)

# The tests also drive the Instatus reader, in its own venv (built once, from its pinned list).
test: install $(READER_VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, and the layers of pyproject.toml's import-linter contracts (apps import downward only).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the committed OpenAPI document (a test fails when it is stale).
schema: install
	DEBUG=true $(PY) manage.py spectacular --file openapi.yaml --validate --fail-on-warn

# After changing a built-in word: collect the words into locale/*/django.po, translate the new
# entries there, then run it again to compile the .mo files (committed; a test compares them).
messages: install
	DEBUG=true $(PY) manage.py makemessages -l fr -l de -l es -l ja --no-location \
		--ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

# Speed figures (README "Performance"); not timed tests.
bench: install
	$(PY) -m benchmarks.run

# Fan-out to 10,000 webhook subscribers on a local sink; BENCH_ARGS="--subscribers 100000
# --latency-ms 200 --channel webhook|email --workers 1 --concurrency 2" with DATABASE_URL and
# REDIS_URL measures real Celery workers (README "Performance").
bench-notify: install
	$(PY) -m benchmarks.notify $(BENCH_ARGS)

# A 500-component, 1,000-incident page imported through one dialect served by gunicorn on
# loopback: wall time, requests and queries (needs DATABASE_URL on PostgreSQL). BENCH_ARGS=
# "--components 500 --incidents 1000 --dialect statuspage|instatus|incident-io|statuspage-public"
bench-import: install
	$(PY) -m benchmarks.imports $(BENCH_ARGS)

# 20,000 HTTP monitors every 60 s on one worker tree and beat (as docker-compose runs them),
# against a receiver on 1,000 loopback addresses; needs DATABASE_URL (PostgreSQL) and REDIS_URL.
# BENCH_ARGS="--monitors 20000 --interval 60 --warmup 90 --seconds 180", or "--ceiling".
bench-monitors: install
	$(PY) -m benchmarks.monitors $(BENCH_ARGS)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

migrate: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput

clean:
	rm -rf $(VENV) $(READER_VENV) db.sqlite3 staticfiles
