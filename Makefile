# Cipla DMS — developer commands. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
HAS_FRONTEND := $(wildcard frontend/package.json)

.PHONY: run test system-packages lint types fmt install spa migrate setup test-backend test-frontend test-e2e worker beat bench clean

## run: install everything, migrate, load demo data, serve API + WebSocket + admin + SPA on Daphne
run: install spa setup
	cd backend && $(PY) -m daphne -b $(HOST) -p $(PORT) config.asgi:application

## test: the whole suite (backend on the configured database, SPA unit tests, browser tests)
test: install system-packages test-backend test-frontend test-e2e

## system-packages: Chromium, nginx, docker-compose (validator only), pg_dump — what the tests drive for real
system-packages:
	bash scripts/install-system-packages.sh

install: $(VENV)/.installed $(if $(HAS_FRONTEND),frontend/node_modules/.installed)

$(VENV)/.installed: backend/requirements.txt backend/requirements-dev.txt
	bash scripts/install-build-deps.sh
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r backend/requirements-dev.txt
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

spa: install
ifneq ($(HAS_FRONTEND),)
	cd frontend && npm run build
endif

migrate: install
	cd backend && $(PY) manage.py migrate --noinput

setup: migrate
	cd backend && $(PY) manage.py initial_setup --demo && $(PY) manage.py collectstatic --noinput -v0

test-backend: install
	cd backend && $(PY) -m pytest $(PYTEST_ARGS)

test-frontend: install
ifneq ($(HAS_FRONTEND),)
	cd frontend && npm test
endif

test-e2e: install spa
ifneq ($(HAS_FRONTEND),)
	bash scripts/e2e.sh
endif

## lint: ruff, mypy (code and tests), makemigrations --check; eslint, tsc, prettier; API types up to date
lint: install
	cd backend && $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy . \
		&& $(VENV)/bin/lint-imports --no-logo \
		&& env -u DATABASE_URL -u REDIS_URL $(PY) manage.py makemigrations --check --dry-run
ifneq ($(HAS_FRONTEND),)
	cd frontend && npm run lint
	PY=$(PY) bash scripts/api-types.sh --check
endif

## types: regenerate the SPA's API types (frontend/src/lib/api-schema.d.ts) from the OpenAPI schema
types: install
	PY=$(PY) bash scripts/api-types.sh

fmt: install
	cd backend && $(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

## worker / beat: Celery (needs REDIS_URL; without it tasks run eagerly inside the web process)
worker: install
	cd backend && $(VENV)/bin/celery -A config worker -l info --concurrency $${CELERY_CONCURRENCY:-2}

beat: install
	cd backend && $(VENV)/bin/celery -A config beat -l info --schedule $${TMPDIR:-/tmp}/cipla-dms-celerybeat

## bench: the production layout (granian + Daphne + nginx) on loopback under load: the six figures of OPTIMIZATIONS.md
##        (BENCH_ARGS="--quick" for a short run without the 10x data set)
bench: install system-packages
	cd backend && $(PY) -m bench $(BENCH_ARGS)

## bench-import: time a legacy import of ROWS rows (default 50,000) on the configured database
bench-import: install
	cd backend && $(PY) -m bench.imports

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist backend/var backend/staticfiles
