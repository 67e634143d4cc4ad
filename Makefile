# Accord: the two commands of the README, and a few helpers.
#   make demo   set up a virtualenv, migrate, seed the demo workspace, run web + worker
#   make test   set up a virtualenv and run lint, types, import contracts and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint bench clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Accord needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/accord demo

test: $(BIN)/.installed
	VENV=$(VENV) bash scripts/test.sh

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

bench: $(BIN)/.installed
	$(BIN)/python bench/seed_memory.py --contacts 20000 100000
	$(BIN)/python bench/ingest_http.py --events 50000
	$(BIN)/python bench/csv_import.py --rows 100000
	$(BIN)/python bench/routing.py --leads 10000

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
