# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install  ## serve the web UI on a demo database (user demo, password demo-ledger)
	$(BIN)/ledger serve --demo

demo: install  ## a throwaway demo database in .demo/
	rm -rf .demo
	$(BIN)/ledger init --demo --database .demo/ledger.db
	$(BIN)/ledger status --database .demo/ledger.db

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy --strict src/

pytest: install
	$(BIN)/pytest -n 2

test: lint typecheck pytest  ## every check

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .demo site .mypy_cache .ruff_cache .pytest_cache
