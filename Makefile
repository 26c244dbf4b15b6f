# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app consultation
# pytest-xdist workers: one per core by default (TEST_WORKERS=0 runs the suite in one process).
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS)

.PHONY: run test test-sqlite test-postgresql bench catalogues extract-messages lint clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed.") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

catalogues: | $(BIN)/python
	$(BIN)/pybabel compile -d consultation/translations

extract-messages: $(VENV)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o consultation/translations/messages.pot .
	$(BIN)/pybabel update -N -i consultation/translations/messages.pot -d consultation/translations

run: $(VENV)/.installed-run catalogues
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Consultation is served on http://127.0.0.1:$(PORT) (Ctrl+C to stop)."
	$(FLASK) run --port $(PORT)

# The whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
test: $(VENV)/.installed-test catalogues
	@if [ -n "$$REQUIRE_POSTGRES" ] && [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "REQUIRE_POSTGRES is set but TEST_DATABASE_URL is empty." >&2; exit 1; fi
	CONSULTATION_TEST_DB=sqlite $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "=== The same suite on PostgreSQL ==="; \
		CONSULTATION_TEST_DB=postgresql $(PYTEST); \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped."; fi

bench: $(VENV)/.installed-bench catalogues
	@for script in bench/*.py; do echo "=== $$script ==="; $(BIN)/python $$script || exit 1; done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check consultation tests bench
	$(BIN)/ruff format --check consultation tests bench

clean:
	rm -rf $(VENV) build *.egg-info
