"""``ledger accounts list|add|edit|remove``: one bank account per currency from the shell."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from ledger.cli.app import app

runner = CliRunner()


def run(database: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database", database])


def ok(database: str, *args: str) -> str:
    result = run(database, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    return line.removeprefix("error: ")


@pytest.fixture
def db(database_url: str) -> str:
    ok(database_url, "init")
    return database_url


def test_accounts_add_list_edit_remove(db: str) -> None:
    added = ok(db, "accounts", "add", "czk", "--account-number", "2001234567/2010")
    assert added == "CZK account 1 added (2001234567/2010)\n"
    eur = json.loads(
        ok(db, "accounts", "add", "EUR", "--iban", "DE89 3704 0044 0532 0130 00", "--json")
    )
    assert (eur["currency"], eur["iban"]) == ("EUR", "DE89370400440532013000")
    ok(db, "accounts", "edit", "eur", "--bic", "COBADEFFXXX", "--label", "Commerzbank")
    listed = ok(db, "accounts", "list").splitlines()
    assert listed[0].split() == ["ID", "CURRENCY", "ACCOUNT", "NUMBER", "IBAN", "BIC", "LABEL"]
    eur_row = ["2", "EUR", "DE89370400440532013000", "COBADEFFXXX", "Commerzbank"]
    assert listed[2].split() == eur_row
    assert ok(db, "accounts", "remove", "EUR") == "EUR account 2 removed\n"
    assert [a["currency"] for a in json.loads(ok(db, "accounts", "list", "--json"))] == ["CZK"]


def test_account_mistakes_are_one_line(db: str) -> None:
    ok(db, "accounts", "add", "EUR", "--iban", "DE89370400440532013000")
    assert error_line(run(db, "accounts", "add", "EUR", "--iban", "DE89370400440532013000")) == (
        "currency: there is already a EUR account; edit or remove it (one account per currency)"
    )
    assert error_line(run(db, "accounts", "add", "CZK", "--iban", "CZ66")).startswith("iban: ")
    assert error_line(run(db, "accounts", "add", "CZK")) == (
        "iban: give an IBAN or a Czech account number (or both)"
    )
    assert error_line(run(db, "accounts", "remove", "USD")) == (
        "there is no USD bank account; add one with its currency"
    )
