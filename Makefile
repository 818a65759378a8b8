# The two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_CONCURRENCY ?= 3
# The default local-memory cache lives inside one process: without Redis, `make run` serves from
# one process with threads, so every request sees the same catalog version and rate-limit counts.
GUNICORN_WORKERS = $(if $(findstring redis,$(CACHE_URL)),--workers $(WEB_CONCURRENCY),--workers 1 --threads $(WEB_CONCURRENCY))
export DJANGO_SETTINGS_MODULE ?= ecommerce.settings.base
# The MySQL driver is installed only when DATABASE_URL asks for it (it compiles against libmariadb).
EXTRA_REQS := $(if $(findstring mysql,$(DATABASE_URL)),-r requirements-mysql.txt,)

.PHONY: run worker test test-fast test-pg test-mysql test-worker lint fmt install install-dev migrate seed schema contract screenshots cluster clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt $(EXTRA_REQS)

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt $(EXTRA_REQS)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Shop backend on http://$(HOST):$(PORT)/"
	@echo "  API index  : http://$(HOST):$(PORT)/api/"
	@echo "  Swagger UI : http://$(HOST):$(PORT)/api/docs/"
	@echo "  ReDoc      : http://$(HOST):$(PORT)/api/redoc/"
	@echo "  Admin      : http://$(HOST):$(PORT)/admin/"
	@echo "  Dashboard  : http://$(HOST):$(PORT)/admin/analytics/"
	@echo "  Health     : http://$(HOST):$(PORT)/api/health/"
	@echo "  Demo logins: admin@example.com / admin12345 (admin), customer@example.com / customer12345 (shopper)"
	@echo "  First calls: docs/quickstart.md (also served at http://$(HOST):$(PORT)/quickstart/)"
	@echo ""
	@# No gunicorn access log: the JSON line of RequestIdMiddleware is the one line per request (docs/accounts.md)
	@# SERVE_MEDIA: Django serves the uploaded product images of MEDIA_ROOT (a demo; production: docs/deploying.md)
	SERVE_MEDIA=$${SERVE_MEDIA:-1} $(BIN)/gunicorn ecommerce.wsgi -c gunicorn.conf.py --bind $(HOST):$(PORT) $(GUNICORN_WORKERS)

# A Celery worker with beat (emails, the outbox, periodic jobs) for a local Redis; the web side
# (`make run`) must get the same CELERY_BROKER_URL, else it runs tasks in-process itself.
# Production runs beat once (`celery -A ecommerce beat`) beside any number of workers.
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/1
worker: migrate
	CELERY_BROKER_URL=$(CELERY_BROKER_URL) $(BIN)/celery -A ecommerce worker -B --loglevel=INFO

# The tests that need a real worker and broker (pytest -m worker), on PostgreSQL + Redis.
CELERY_TEST_BROKER_URL ?= redis://127.0.0.1:6379/3
test-worker: install-dev
	psql "$(dir $(PG_URL))postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(PG_URL))'" | grep -q 1 \
		|| psql "$(dir $(PG_URL))postgres" -qc 'CREATE DATABASE "$(notdir $(PG_URL))"'
	DATABASE_URL=$(PG_URL) CACHE_URL=$(REDIS_URL) CELERY_TEST_BROKER_URL=$(CELERY_TEST_BROKER_URL) \
		DJANGO_SETTINGS_MODULE=ecommerce.settings.test $(BIN)/pytest -m worker -p no:cacheprovider $(PYTEST_ARGS)

test: install-dev
	DJANGO_SETTINGS_MODULE=ecommerce.settings.test $(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

# The quick loop: no browser, no schema fuzzing, no threaded tests, no coverage threshold.
test-fast: install-dev
	DJANGO_SETTINGS_MODULE=ecommerce.settings.test $(BIN)/pytest -m "not concurrency and not browser and not fuzz" $(PYTEST_ARGS)

# The suite on a local PostgreSQL (+ Redis as cache) or MariaDB, in one command; the database is
# created when missing (PG_URL / MYSQL_URL / REDIS_URL change where). CI's way: .ci/run.
PG_URL ?= postgres://postgres@127.0.0.1:5432/shop_test
REDIS_URL ?= redis://127.0.0.1:6379/15
MYSQL_URL ?= mysql://root@localhost/shop_test
test-pg:
	psql "$(dir $(PG_URL))postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(PG_URL))'" | grep -q 1 \
		|| psql "$(dir $(PG_URL))postgres" -qc 'CREATE DATABASE "$(notdir $(PG_URL))"'
	$(MAKE) test DATABASE_URL=$(PG_URL) CACHE_URL=$(REDIS_URL)

test-mysql:
	mariadb -uroot -e 'CREATE DATABASE IF NOT EXISTS `$(notdir $(MYSQL_URL))` CHARACTER SET utf8mb4'
	@# Analytics buckets days with CONVERT_TZ, which needs MariaDB's time zone tables.
	[ "$$(mariadb -uroot -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" != "0" ] \
		|| mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -uroot mysql
	$(MAKE) test DATABASE_URL=$(MYSQL_URL)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@# the layers of docs/architecture.md (contracts in pyproject.toml)
	$(BIN)/lint-imports

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# A client generated from the served schema (openapi-python-client), type-checked (mypy) and driven
# through every journey against a live gunicorn on SQLite (docs/api-client.md).
contract: install-dev
	env -u DATABASE_URL -u CACHE_URL $(BIN)/python tests/contract/run.py

# Refresh docs/dashboard.png on purpose (tests write their screenshots to a temporary folder).
screenshots: install-dev
	DASHBOARD_SCREENSHOT=$(CURDIR)/docs/dashboard.png DJANGO_SETTINGS_MODULE=ecommerce.settings.test \
		$(BIN)/pytest tests/analytics/test_browser.py -k dashboard -p no:cacheprovider -q

# Many machines on this one (bench/cluster.py, docs/scaling.md): nginx + 2 web nodes + 2 Celery
# workers + beat on a local PostgreSQL and Redis, the Locust mix through nginx, a web node and a
# worker killed mid-run, then the verdict. Needs root for the nginx package when it is missing.
# Locust and matplotlib go into a venv of their own (Locust brings gevent and a pytest plugin).
BENCH_VENV := bench/.venv-bench
CLUSTER_ARGS ?=
cluster: install
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx)
	@test -x $(BENCH_VENV)/bin/locust || ($(PYTHON) -m venv $(BENCH_VENV) \
		&& $(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements-bench.txt)
	$(BIN)/python -m bench.cluster $(CLUSTER_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache .coverage
