# The few commands a newcomer needs. Each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format codes install clean css

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the portal with demo data, a worker and the scheduler (SQLite, no servers needed).
run: $(STAMP)
	$(BIN)/python manage.py rundemo

node_modules/axe-core/axe.min.js: package.json
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent; \
	else echo "npm not found: the browser accessibility tests will be skipped"; fi

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
## Browser tests need Debian's chromium package; without it they are skipped (never in CI).
test: $(STAMP) node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r portal referrals peergroups resources

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Print each demo user's current two-factor code.
codes: $(STAMP)
	$(BIN)/python manage.py demo_codes

clean:
	rm -rf $(VENV) .local db.sqlite3 db.sqlite3-* staticfiles

## Rebuild static/css/portal.css from assets/scss (GOV.UK Frontend and the portal's own
## styles). The built file is committed, so running the portal needs no Node.js.
css:
	npm install --no-audit --no-fund --silent
	npm run --silent build:css
