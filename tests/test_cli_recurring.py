"""``ledger recurring list|add|run`` from the shell."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner, Result

import ledger
from ledger.cli.app import app
from ledger.cli.recurring import parse_line
from ledger.errors import InvalidInput

runner = CliRunner()


def run(database: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database", database])


def ok(database: str, *args: str) -> str:
    result = run(database, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def db(database_url: str) -> str:
    ok(database_url, "init")
    lg = ledger.open(database_url)
    lg.clients.add(name="Acme", currency="CZK")
    lg.close()
    return database_url


def test_add_list_and_run_catch_up_then_nothing_is_due(db: str) -> None:
    today = dt.date.today()
    start = dt.date(today.year - 1, today.month, 1)
    added = ok(
        db, "recurring", "add", "--client", "Acme", "--interval", "yearly",
        "--next", start.isoformat(), "--line", "Hosting;1;1500", "--line", "Domain;2;250.50",
        "--issue",
    )  # fmt: skip
    assert added == (
        f"template 1 added: Hosting for Acme, yearly from {start}, 2001.00 CZK before VAT\n"
    )
    listed = ok(db, "recurring", "list")
    assert "Hosting" in listed
    assert listed.splitlines()[1].rstrip().endswith("DUE")
    made = ok(db, "recurring", "run").splitlines()
    assert len(made) == 2
    assert all("Acme  2001.00 CZK" in row for row in made)
    assert f"period {start}" in made[0]
    assert ok(db, "recurring", "run") == "nothing is due\n"
    invoices = json.loads(ok(db, "invoices", "--json"))
    assert sorted(i["status"] for i in invoices) == ["issued", "issued"]
    [template] = json.loads(ok(db, "recurring", "list", "--json"))
    assert template["next_date"] == dt.date(today.year + 1, today.month, 1).isoformat()


def test_bad_input_is_one_line_without_a_traceback(db: str) -> None:
    result = run(db, "recurring", "add", "--client", "Acme", "--next", "2026-01-01",
                 "--line", "Hosting;1")  # fmt: skip
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip() == (
        "error: line: 'Hosting;1' is not 'DESCRIPTION;QUANTITY;UNIT PRICE[;VAT %]'"
    )
    weekly = run(db, "recurring", "add", "--client", "Acme", "--next", "2026-01-01",
                 "--line", "Hosting;1;10", "--interval", "weekly")  # fmt: skip
    assert weekly.exit_code == 1
    assert "use monthly, quarterly or yearly" in weekly.stderr


def test_a_line_may_carry_a_vat_rate() -> None:
    line = parse_line(" Support ; 2.5 ; 800 ; 12 ")
    assert (line.description, line.quantity, line.unit_price, line.vat_rate) == (
        "Support", "2.5", "800", "12",
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        parse_line(";1;2")
