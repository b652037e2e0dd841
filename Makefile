# Allmende: `make run` serves the app with its scheduler, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations messages migration lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Compile the .po catalogues into .mo files (never committed).
translations: install
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -f --statistics 2>&1 | tail -n 2

# Extract every translatable string and merge it into the catalogues.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output . > /dev/null
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-location --ignore-obsolete --no-fuzzy-matching > /dev/null

# Regenerate the migration from the models (only before the first release).
migration: install
	bash tests/scripts/regenerate_migration.sh

run: translations
	$(FLASK) db upgrade
	@if [ ! -f instance/.demo-loaded ]; then $(FLASK) seed-demo && touch instance/.demo-loaded; fi
	@echo "Allmende runs at http://$(HOST):$(PORT) (scheduler beside it); Ctrl-C stops both."
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) scheduler & \
	  $(FLASK) run --host $(HOST) --port $(PORT)

test: translations
	bash tests/scripts/run_all.sh

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/sweep.py

clean:
	rm -rf $(VENV) instance/allmende.db* test-artifacts
