# Two commands on a fresh clone: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Local development defaults; a deployment sets its own environment (docs/DEPLOY.md).
export DEBUG ?= 1
export DJANGO_SETTINGS_MODULE := config.settings
# Every other variable the program reads (DATABASE_URL, REDIS_URL, ...) comes from the environment
# and is left alone here: a make assignment to one of them, even a target-specific `?=`, stops GNU
# make from passing the environment's value to every recipe (tests/test_makefile.py). A default
# for one target goes into its recipe, in the shell: `$${DATABASE_URL:-...}`.

.PHONY: run test test-postgres check-deploy fault-drill bench bench-sla bench-calendar bench-documents loadtest install messages messages-update clean backends

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Compile the translations (locale/*/LC_MESSAGES/django.po) for the running app.
messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v 0

## Collect new translatable strings into the .po files, to translate there.
messages-update: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=tests --ignore=benchmarks

## Serve the app on http://$(HOST):$(PORT)/ with its django-q2 worker, on SQLite by default; a new
## database first gets the demo data and users (seed_demo, DEMO_APPLICATIONS of them, default 300;
## it leaves a database with users alone). Links in emails and documents use SITE_URL (default:
## this address); emails go to var/mail/ (EMAIL_BACKEND, EMAIL_FILE_PATH), not the console; logs
## show warnings (LOG_LEVEL). It ends with a short summary: where to go, who to sign in as.
run: $(STAMP) messages
	@export SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" \
	  EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}" \
	  LOG_LEVEL="$${LOG_LEVEL:-WARNING}" && \
	$(PY) manage.py backends && \
	$(PY) manage.py signing_key && \
	$(PY) manage.py migrate --no-input -v 0 && \
	$(PY) manage.py install_schedules && \
	$(PY) manage.py collectstatic --no-input -v 0 && \
	$(PY) manage.py seed_demo --applications "$${DEMO_APPLICATIONS:-300}" --base-url "$$SITE_URL" && \
	{ $(PY) manage.py qcluster & worker=$$!; \
	  $(PY) manage.py runserver $(HOST):$(PORT) & server=$$!; \
	  trap 'kill $$worker $$server 2>/dev/null; wait' INT TERM EXIT; \
	  $(PY) manage.py startup_summary --url "http://$(HOST):$(PORT)" --wait 60; \
	  wait; }

## The whole suite (SQLite unless DATABASE_URL says otherwise), after the linters.
test: $(STAMP) messages
	$(PY) manage.py backends
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

## Django's deployment checklist on the production settings (DEBUG off, HTTPS on), with the
## environment's SECRET_KEY, ALLOWED_HOSTS and signing key or throwaway ones; any warning fails.
check-deploy: $(STAMP)
	pair=$$(mktemp -d) && trap 'rm -rf "$$pair"' EXIT && \
	  if [ -z "$${DOCUMENT_SIGNING_KEY:-}$${DOCUMENT_SIGNER:-}" ]; then \
	    $(PY) manage.py signing_key --test-pair "$$pair" >/dev/null && \
	    export DOCUMENT_SIGNING_KEY="$$pair/key.pem" DOCUMENT_SIGNING_CERT="$$pair/cert.pem"; fi && \
	DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-approvals.example.gov.cn}" \
	  $(PY) manage.py check --deploy --fail-level WARNING

## The suite against the local PostgreSQL.
test-postgres: $(STAMP) messages
	export DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"; \
	  $(PY) manage.py backends && $(BIN)/pytest

## The fault drill (scripts/fault_drill.py), on a private PostgreSQL cluster it starts and removes:
## django-q2 workers SIGKILLed mid-sweep 20 times (no alert lost or doubled), then PostgreSQL
## restarted under load (clean 503s, recovery by itself). Needs the PostgreSQL server binaries.
fault-drill: $(STAMP) messages
	$(PY) scripts/fault_drill.py

## Benchmarks: print figures, assert nothing.
bench: $(STAMP)
	$(PY) -m benchmarks.working_days

## The SLA sweep over 1,000,000 applications (SQLite scratch file, or DATABASE_URL).
bench-sla: $(STAMP)
	$(PY) -m benchmarks.sla_sweep

## Issuing a document (typeset, sign, store): median and p95 over 100.
bench-calendar: $(STAMP)
	$(PY) -m benchmarks.calendar_load

bench-documents: $(STAMP)
	$(PY) -m benchmarks.documents

## gunicorn on PostgreSQL with 1,000,000 applications, 16 locust clients: p50/p95/p99 and
## requests/s per page (docs/PERFORMANCE.md). DATABASE_URL defaults to postgres://…/shixian_load.
loadtest: $(STAMP)
	$(PY) -m benchmarks.loadtest

## One line: the database, the django-q2 broker and the cache the program sees from this
## environment (`make run` and `make test` print it first).
backends: $(STAMP)
	@$(PY) manage.py backends

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis staticfiles
