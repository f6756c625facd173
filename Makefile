# peerdesk: `make run` installs everything into the checkout and serves the demo; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := static/vendor

.PHONY: install run serve migrate seed test test-sqlite test-postgres lint fmt messages bench clean

CATALOGS := $(wildcard community/locale/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
BABEL_KEYWORDS := -k _ -k N_ -k gettext -k ngettext:1,2 -k Plural:1,2 -k Invalid -k Forbidden -k NotFound \
	-k NotAuthenticated -k Conflict -k RateLimited -k TooLarge -k UnsupportedMediaType -k ensure:2

install: $(VENV)/.synced node_modules/.installed $(VENDOR)/.copied $(COMPILED)

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	touch $@

%.mo: %.po $(VENV)/.synced
	$(BIN)/pybabel compile -i $< -o $@

# Re-extract strings from code and templates and merge them into both catalogs.
messages: $(VENV)/.synced
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) -o community/locale/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i community/locale/messages.pot -d community/locale -D messages --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(BIN)/peerdesk migrate

seed: migrate
	$(BIN)/peerdesk seed --if-empty
	$(BIN)/peerdesk reindex --if-missing

run: seed
	$(BIN)/peerdesk serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL names one
# (tests that need PostgreSQL start a private throwaway cluster when the server binaries exist).
test: install
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .tools node_modules $(VENDOR)
