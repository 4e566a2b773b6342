# dashkit: `make run` serves the dashboard on demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
PORT ?= 8501

.PHONY: run test check format lint types contracts demo screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## run: the dashboard on demo data at http://localhost:$(PORT) (demo data is loaded into an empty data directory only)
run: $(VENV)/.installed
	@[ -f $(DATA_DIR)/catalog.db ] || $(BIN)/dashkit demo --data-dir $(DATA_DIR)
	$(BIN)/dashkit serve --data-dir $(DATA_DIR) --port $(PORT)

## test: the whole suite (unit, integration, AppTest, browser in headless Chromium)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests app.py scripts
	$(BIN)/ruff check --fix src tests app.py scripts

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check src tests app.py scripts
	$(BIN)/ruff check src tests app.py scripts

types: $(VENV)/.installed-dev
	$(BIN)/mypy

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

## check: what CI checks, and more: format, lint, types, import contracts, tests
check: lint types contracts test

## screenshots: refresh the README's screenshots from the served demo
screenshots: $(VENV)/.installed-dev
	$(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
