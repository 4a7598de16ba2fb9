# Two commands for a fresh machine: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV_ENV := LIAISON_ENV=development LIAISON_DEMO=1
PO_FILES := $(wildcard liaison/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test install translations extract-messages clean

# The scheduler runs beside the development server as its own process and stops with it.
run: $(VENV)/.installed-app translations
	$(DEV_ENV) $(BIN)/liaison db upgrade
	$(DEV_ENV) $(BIN)/liaison seed demo --if-empty
	$(DEV_ENV) $(BIN)/liaison scheduler & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(DEV_ENV) $(BIN)/liaison run --host 127.0.0.1 --port 5000

# lint-imports checks that imports point down the layers (setup.cfg, docs/architecture.md).
test: $(VENV)/.installed-test translations
	$(BIN)/lint-imports
	$(BIN)/pytest

install: $(VENV)/.installed-app

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-app setup.cfg
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

translations: $(MO_FILES)

%.mo: %.po $(VENV)/.installed-app
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

# After changing user-facing text: extract, then update the English catalog and translate it.
extract-messages: $(VENV)/.installed-app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o liaison/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i liaison/translations/messages.pot -d liaison/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance test-results
