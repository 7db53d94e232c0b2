"""A command imports only what it uses: ``ledger status`` and ``ledger invoice show``
start without Alembic, Babel, bcrypt, cryptography, httpx, lxml, WeasyPrint, pandas,
the bundled plugins or the contract suite; ``ledger status`` and ``ledger invoice pdf``
on a SQLite file without the ORM, pydantic or Typer either.

Each command runs in a fresh process on a demo database, as a user runs it; the process
prints the heavy modules it loaded when it exits.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import ledger
from ledger.api import Ledger
from ledger.demo import load_demo

KEPT_OUT = (
    "alembic", "babel", "bcrypt", "cryptography", "httpx", "ledger.plugins", "ledger.testing",
    "lxml", "pandas", "weasyprint",
)  # fmt: skip

RUN_COMMAND = """
import atexit, json, sys
kept_out = json.loads(sys.argv[1])
atexit.register(lambda: print(json.dumps([m for m in kept_out if m in sys.modules])))
sys.argv = ["ledger", *sys.argv[2:]]
from ledger.cli.start import main
main()
"""


@pytest.fixture
def demo_url(lg: Ledger, database_url: str) -> str:
    """A database with the demo data, as ``ledger init --demo`` leaves it."""
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    lg.close()
    return database_url


def loaded_by(*args: str, kept_out: tuple[str, ...] = KEPT_OUT) -> tuple[str, list[str]]:
    """What ``ledger ARGS`` printed, and which of `kept_out` its process imported."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_COMMAND, json.dumps(kept_out), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    *output, loaded = result.stdout.splitlines()
    return "\n".join(output), json.loads(loaded)


@pytest.mark.parametrize(
    ("command", "shown"),
    [(["status"], "work entries"), (["invoice", "show", "1"], "variable symbol")],
    ids=["status", "invoice-show"],
)
def test_command_imports_only_what_it_uses(demo_url: str, command: list[str], shown: str) -> None:
    output, loaded = loaded_by(*command, "--database", demo_url)
    assert shown in output
    assert loaded == []


@pytest.mark.parametrize("command", ["status", "invoice pdf"])
def test_a_quick_command_on_a_sqlite_file_loads_no_orm(
    tmp_path: Path, sqlite_template: Path, command: str
) -> None:
    """On the default database ``ledger status`` reads with the standard library alone,
    and ``ledger invoice pdf`` adds only what renders the PDF."""
    path = tmp_path / "ledger.db"
    shutil.copy(sqlite_template, path)
    with closing(ledger.open(path)) as lg:
        load_demo(lg)
        number = lg.invoices.list(status="issued")[-1].number
    assert number is not None
    orm = ("pydantic", "sqlalchemy", "sqlmodel", "typer")
    if command == "status":
        output, loaded = loaded_by("status", "--database", str(path), kept_out=KEPT_OUT + orm)
        assert "work entries  " in output
    else:
        pdf = tmp_path / "invoice.pdf"
        # lxml is not kept out: WeasyPrint's own rendering loads it.
        kept_out = (*orm, "alembic", "bcrypt", "cryptography", "httpx", "pandas")
        args = ("invoice", "pdf", number, "-o", str(pdf), "--database", str(path))
        output, loaded = loaded_by(*args, kept_out=kept_out)
        assert output.startswith(f"{pdf} written (")
        assert pdf.read_bytes().startswith(b"%PDF-")
    assert loaded == []


def test_the_check_sees_a_heavy_import() -> None:
    """The same harness reports a module a command does load (it is not blind)."""
    output, loaded = loaded_by("plugin", "check", "demo_bank")
    assert "demo_bank" in output
    assert "ledger.testing" in loaded
