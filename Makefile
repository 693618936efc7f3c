# TrackYourSheets: the developer's commands. `make run` and `make test` work on a
# fresh machine with only python3 (3.11+) installed; both are safe to repeat.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Installed when the requirements change, not on every run.
STAMP := $(VENV)/.requirements.stamp

# The embedded default (DESIGN §6): DEBUG, SQLite in var/, Celery tasks run in-process.
# `make run/migrate/seed` always use it, so a shell that exports a production
# DATABASE_URL can never get the public demo logins seeded into it.
DEV_ENV := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL DEBUG=1

.PHONY: help venv run migrate seed test lint mypy format worker beat clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	@touch $@

venv: $(STAMP) ## Create .venv and install requirements-dev.txt (again only when requirements change)

migrate: venv ## Apply migrations to the development database (var/trackyoursheets.sqlite3)
	$(DEV_ENV) $(MANAGE) migrate --noinput

seed: migrate ## Create or refresh the demo organisation and print its logins, client and token
	$(DEV_ENV) $(MANAGE) seed_demo --base-url http://$(HOST):$(PORT)

run: migrate ## Set up, seed the demo and serve it on http://127.0.0.1:8000 (override with HOST=, PORT=)
	$(DEV_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(DEV_ENV) $(MANAGE) seed_demo --base-url http://$(HOST):$(PORT)
	$(DEV_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# The suite reads SECRET_KEY from pytest.ini; collectstatic runs outside pytest and
# needs one too when DEBUG is off (the tests' default). Only set it when absent.
test: export SECRET_KEY ?= make-test-only-not-a-secret-7c1e9a44d03b5f86a2e1c9d7b4f0a3e5
test: venv ## Run the test suite (pass options with PYTEST_ARGS="-k oauth -x")
	DEBUG=$${DEBUG:-0} $(MANAGE) collectstatic --noinput --verbosity 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv ## Check the code: ruff (lint and format), import boundaries, module size
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/check_module_size.py

mypy: venv ## Type-check the services, selectors and the API platform (mypy.ini)
	SECRET_KEY=$${SECRET_KEY:-mypy-only-not-a-secret} $(VENV)/bin/mypy

format: venv ## Format the tree with ruff and apply ruff's safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Only with a broker (REDIS_URL or CELERY_BROKER_URL): without one, `make run` runs every task in-process.
worker: venv ## Run a Celery worker (webhook delivery) against REDIS_URL
	$(VENV)/bin/celery -A trackyoursheets worker -l info

beat: venv ## Run Celery beat (exactly one): the webhook sweep every minute
	$(VENV)/bin/celery -A trackyoursheets beat -l info

clean: ## Remove the virtualenv, collected static files, caches and test reports
	rm -rf $(VENV) staticfiles test-results .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

distclean: clean ## Also remove var/ (the development database, uploads and local secret key)
	rm -rf var
