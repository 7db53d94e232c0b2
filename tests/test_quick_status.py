"""``ledger status`` answered before the full command line loads (`ledger.cli.start`).

On a SQLite file at the newest schema the console script reads the figures with the
standard library alone; it must print exactly what the full command prints, and leave
every other case (PostgreSQL, a schema to migrate, a missing key, other options) to the
full command line.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from contextlib import closing, redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledger
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.cli.start import quick_status
from ledger.locations import KEY_FILE_NAME
from support import FakeClock

runner = CliRunner()


def busy_ledger(lg: Ledger) -> None:
    """Every kind of figure: rates at each level, rounding, fixed and non-billable work,
    partial, full and over-payments, a cancelled invoice and a partial credit note."""
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    nord = lg.clients.add(name="Nordwind", currency="EUR")
    web = lg.projects.add(acme, name="Web", rounding="nearest", rounding_minutes=15)
    data = lg.projects.add(nord, name="Data", hourly_rate="80", rounding="up", rounding_minutes=30)
    bare = lg.projects.add(nord, name="No rate")
    for day, minutes in (("2026-11-02", 50), ("2026-11-03", 7), ("2026-11-04", 95)):
        lg.entries.add(web, date=day, minutes=minutes)
    partly = lg.invoices.issue(lg.invoices.draft(acme))
    lg.invoices.record_payment(partly, "400", "2026-11-20")
    lg.entries.add(data, date="2026-11-05", minutes=61)
    over = lg.invoices.issue(lg.invoices.draft(nord))
    lg.invoices.record_payment(over, "200", "2026-11-21")
    lg.entries.add(web, date="2026-11-06", minutes=30, hourly_rate="1500")
    lg.entries.add(web, date="2026-11-06", amount="99.90")
    credited = lg.invoices.issue(lg.invoices.draft(acme))
    lg.invoices.credit(credited, reason="fixed fee dropped", lines=[credited.lines[-1].id])
    lg.entries.add(web, date="2026-11-09", minutes=20)
    lg.invoices.cancel(lg.invoices.issue(lg.invoices.draft(acme)), reason="sent twice")
    lg.entries.add(web, date="2026-11-10", minutes=44)
    lg.entries.add(data, date="2026-11-10", minutes=10)
    lg.entries.add(data, date="2026-11-11", minutes=25, billable=False)
    lg.entries.add(bare, date="2026-11-11", minutes=30)
    lg.transactions.add(external_id="t1", booked_on="2026-11-20", amount="400", currency="CZK")


def test_outstanding_is_what_the_issued_invoices_still_await(lg: Ledger) -> None:
    busy_ledger(lg)
    awaited: dict[str, Decimal] = {}
    for invoice in lg.invoices.list(status="issued"):
        if invoice.balance > 0:
            awaited[invoice.currency] = awaited.get(invoice.currency, Decimal(0)) + invoice.balance
    status = lg.reports.status()
    assert status.outstanding == awaited
    # 2,500 less 400 paid, and 849.90 less the 99.90 credited; the euro invoice is overpaid.
    assert status.outstanding == {"CZK": Decimal("2850.00")}
    # 44 minutes to the nearest quarter and the cancelled invoice's 20 minutes (15) at
    # 1,000 CZK an hour; 10 minutes up to half an hour at 80 EUR; no rate counts nothing.
    assert status.unbilled == lg.reports.unbilled_totals()
    assert status.unbilled == {"CZK": Decimal("1000.00"), "EUR": Decimal("40.00")}


def test_the_quick_answer_is_the_full_commands(
    lg: Ledger, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    busy_ledger(lg)
    full = runner.invoke(app, ["status", "--database", database_url])
    assert full.exit_code == 0, full.output
    answered = quick_status(["status", "--database", database_url])
    quick = capsys.readouterr().out
    if database_url.startswith("sqlite"):
        assert answered
        assert quick == full.output
        assert "outstanding   2850.00 CZK\n" in quick
    else:  # PostgreSQL needs its driver and URL rules: the full command line answers
        assert (answered, quick) == (False, "")


@pytest.fixture
def sqlite_file(tmp_path: Path, sqlite_template: Path, clock: FakeClock) -> Path:
    """A SQLite ledger file with some work in it, as the default configuration keeps."""
    path = tmp_path / "books" / "ledger.db"
    path.parent.mkdir()
    shutil.copy(sqlite_template, path)
    with closing(ledger.open(path, clock=clock)) as lg:
        busy_ledger(lg)
    return path


def answer(*args: str) -> str | None:
    """What the quick path printed for ``ledger ARGS``, None when it left it to the full
    command line (having printed nothing)."""
    with redirect_stdout(io.StringIO()) as printed:
        answered = quick_status(list(args))
    assert answered or printed.getvalue() == ""
    return printed.getvalue() if answered else None


def test_every_way_of_naming_the_file(sqlite_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = answer("status", "--database", str(sqlite_file))
    assert expected is not None
    assert expected.startswith("clients       2\n")
    assert answer("status", "-d", f"sqlite:///{sqlite_file}") == expected
    assert answer("status", f"--database={sqlite_file}") == expected
    monkeypatch.chdir(sqlite_file.parent)
    assert answer("status", "--database", "ledger.db") == expected  # relative to here
    monkeypatch.setenv("LEDGER_DATA_DIR", str(sqlite_file.parent))
    assert answer("status") == expected
    monkeypatch.delenv("LEDGER_DATA_DIR")
    monkeypatch.setenv("ledger_database_url", f"sqlite:///{sqlite_file}")  # any case, as Config
    assert answer("status") == expected


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--help"],
        ["status", "--database"],
        ["status", "--json"],
        ["status", "extra", "words"],
        ["timer", "status"],
        ["log", "--database", "x"],
        [],
    ],
)
def test_any_other_command_line_goes_to_the_full_one(sqlite_file: Path, args: list[str]) -> None:
    assert answer(*[arg.replace("x", str(sqlite_file)) for arg in args]) is None


def test_what_the_full_start_would_do_more_than_read_is_left_to_it(
    sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert answer("status", "--database", str(tmp_path / "missing.db")) is None
    assert not (tmp_path / "missing.db").exists()
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("shopping list")
    assert answer("status", "--database", str(not_a_database)) is None
    assert answer("status", "--database", "postgresql+psycopg://u@127.0.0.1/x") is None

    # Stored credentials without their key: the full start refuses, and says why.
    assert answer("status", "--database", str(sqlite_file)) is not None  # no key, no secrets
    with closing(ledger.open(sqlite_file)) as lg:
        lg.plugins.configure("fio", token="x" * 64, start_date="2026-01-01")
    (sqlite_file.parent / KEY_FILE_NAME).unlink()
    assert answer("status", "--database", str(sqlite_file)) is None
    monkeypatch.setenv("LEDGER_SECRET_KEY", "set")
    assert answer("status", "--database", str(sqlite_file)) is not None

    # An older schema: the full start migrates it first.
    with sqlite3.connect(sqlite_file) as db:
        db.execute("UPDATE alembic_version SET version_num = '0016'")
    assert answer("status", "--database", str(sqlite_file)) is None
