# Registre: `make run` serves the demo, `make test` runs the whole suite.
# Both set everything up first: virtualenv, pinned dependencies, translations, database.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run test bench install install-dev messages compile-messages migrate lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Development settings: DEBUG on and a random secret key, generated once, never committed.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (development settings)."

compile-messages: $(VENV)/.runtime .env
	$(BIN)/python manage.py compile_translations -v0

install: $(VENV)/.runtime .env compile-messages

# axe-core for the accessibility tests, pinned in package-lock.json; never served by the app.
# Without npm the make goes on and those tests skip (fail under CI=true).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility tests will be skipped (apt-get install nodejs npm)."; fi

install-dev: $(VENV)/.dev .env compile-messages node_modules/.package-lock.json

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

run: migrate
	$(BIN)/python manage.py seed_demo
	@echo "Registre: http://127.0.0.1:8000  (sign in as dpo, manager or auditor; password registre-demo)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layers and no cycle: [tool.importlinter] in pyproject.toml

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# CONN_MAX_AGE=0: no connection outlives its request, so the test database drops cleanly.
test: install-dev lint
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	CONN_MAX_AGE=0 $(BIN)/pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

# Update locale/fr/LC_MESSAGES/django.po after changing user-facing strings (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=bench

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts .pytest_cache db.sqlite3 bench.sqlite3 .env
