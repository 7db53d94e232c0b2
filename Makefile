# Two commands do all the set-up: `make run` and `make test`.
# `make run` installs what running needs (the runtime dependencies); every other target
# installs the development tools too (the `dev` extra: pytest, ruff, mypy, MkDocs, ...).
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: install install-runtime run demo test lint typecheck docs docs-build docs-cli docs-pdfs pytest bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# --no-compile: compiling every installed file up front took a third of a first `make run`.
# Instead one import of what the commands, the server and the PDFs load writes their
# bytecode, even where PYTHONDONTWRITEBYTECODE is set (an empty value lets Python write):
# without it every `ledger` command compiles them again, seconds on each start.
WRITE_BYTECODE := PYTHONDONTWRITEBYTECODE= $(BIN)/python -c \
	"import ledger.cli.app, ledger.web.server, ledger.web.app, ledger.documents.pdf, weasyprint"

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e .
	$(BIN)/python -m compileall -q src/ledger
	$(WRITE_BYTECODE)
	touch $(RUNTIME)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	$(BIN)/python -m compileall -q src/ledger
	$(WRITE_BYTECODE)
	touch $(STAMP) $(RUNTIME)

install-runtime: $(RUNTIME)

install: $(STAMP)

run: install-runtime  ## serve the web UI on a demo database (user demo, password demo-ledger)
	$(BIN)/ledger serve --demo --port $(PORT)

demo: install-runtime  ## a throwaway demo database in .demo/
	rm -rf .demo
	$(BIN)/ledger init --demo --database .demo/ledger.db
	$(BIN)/ledger status --database .demo/ledger.db

lint: install  ## ruff, and the layering contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install  ## mypy --strict on the package, the tests and the docs' examples
	$(BIN)/mypy --strict src/
	MYPYPATH=tests $(BIN)/mypy --strict --explicit-package-bases tests/
	$(BIN)/mypy --strict docs/examples/

docs: install  ## serve the documentation at http://127.0.0.1:8001, rebuilt on every edit
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

docs-cli: install  ## regenerate docs/reference/cli.md from the Typer app (a test fails when stale)
	$(BIN)/python -m ledger.cli.reference docs/reference/cli.md

docs-pdfs: install  ## regenerate the guide's example PDFs in docs/documents (a test fails when stale)
	$(BIN)/python docs/examples/example_documents.py docs/documents

docs-build: install  ## build the documentation into site/; any warning or broken link fails
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

pytest: install
	$(BIN)/pytest -n 2

test: lint typecheck docs-build pytest  ## every check

bench: install  ## every benchmark, then one table of ratios (also written to bench/RESULTS.md)
	$(BIN)/python bench/run_all.py --write

clean:
	rm -rf $(VENV) .demo site .mypy_cache .ruff_cache .pytest_cache
