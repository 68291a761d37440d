# The two commands a fresh machine needs:  `make run`  and  `make test`.
VENV  := .venv
BIN   := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run serve-lan test test-sqlite test-postgresql install translations lint messages npm

# Test-only JavaScript (axe-core, injected into the browser tests' pages): `npm ci` from the
# lock file whenever node_modules is missing or older than the lock file.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

npm: node_modules/.installed

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d translations --statistics

install: $(BIN)/.installed translations

# Serve the app on http://127.0.0.1:5000 with the SQLite default and a fresh demo course.
run: install
	$(FLASK) db upgrade
	$(FLASK) catalogue load
	$(FLASK) demo
	$(FLASK) run

# Serve a workshop to phones on the same Wi-Fi, with the production server (gunicorn) on
# every interface at port 8000 (`make serve-lan PORT=8080` for another), the join link and
# QR code on the laptop's network address (workshop/commands/lan.py), and the demo course. Plain
# HTTP: for a network you trust; real workshops run behind HTTPS (docs/deploying.md).
PORT ?= 8000
serve-lan: install
	$(FLASK) db upgrade
	$(FLASK) catalogue load
	url="$$($(BIN)/python -m workshop.commands.lan --print-url --port $(PORT))" && $(FLASK) demo --base-url "$$url"
	$(BIN)/python -m workshop.commands.lan --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every test: lint, the domain, every page, and real headless Chromium; once against
# SQLite and once against a throwaway PostgreSQL server (Debian's postgresql package).
test: lint node_modules/.installed
	SAMSKABT_TEST_DB=sqlite $(BIN)/pytest
	SAMSKABT_TEST_DB=postgresql $(BIN)/pytest

# One database only (no lint): `make test-sqlite`, `make test-postgresql`.
test-sqlite test-postgresql: test-%: install node_modules/.installed
	SAMSKABT_TEST_DB=$* $(BIN)/pytest

# Re-extract UI strings and merge them into the Danish catalogue (then translate the new ones).
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot app.py workshop steps templates
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l da --no-fuzzy-matching
