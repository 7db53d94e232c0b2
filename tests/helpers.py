"""Helpers shared by the test modules: database snapshots and a busy batch of API calls."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import ledger
from ledger.api import Clock, Ledger
from ledger.core.invoices import LineInput
from ledger.storage import tables
from support import PG_URL, FakeClock, drop_database

Snapshot = dict[str, dict[int, dict[str, Any]]]


def open_copy(template: Path, directory: Path, clock: Clock) -> Ledger:
    """A ledger on a fresh copy of the migrated SQLite template."""
    path = directory / "ledger.db"
    shutil.copy(template, path)
    return ledger.open(path, clock=clock)


@contextmanager
def shared_ledger(
    backend: str, directory: Path, sqlite_template: Path, pg_template: str
) -> Iterator[Ledger]:
    """Like conftest's `lg`, for a fixture shared by many tests that write nothing.

    A PostgreSQL database per test costs far more than the test itself; checks that
    bad input leaves the database unchanged can share one and prove it each time.
    """
    if backend == "sqlite":
        opened = open_copy(sqlite_template, directory, FakeClock())
        try:
            yield opened
        finally:
            opened.close()
        return
    name = f"ledger_s_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
        opened = ledger.open(url, clock=FakeClock())
        try:
            yield opened
        finally:
            opened.close()
        drop_database(admin, name)
    finally:
        admin.dispose()


def domain_tables(lg: Ledger) -> list[sa.Table]:
    """Every audited table that exists in the database, as metadata tables."""
    names = set(sa.inspect(lg.database.engine).get_table_names())
    assert names >= tables.AUDITED_TABLES, "an audited table is missing from the database"
    return [SQLModel.metadata.tables[name] for name in sorted(names & tables.AUDITED_TABLES)]


def snapshot(lg: Ledger) -> Snapshot:
    """Every row of every domain table, keyed by table name and id."""
    result: Snapshot = {}
    with lg.database.engine.connect() as conn:
        for table in domain_tables(lg):
            rows = conn.execute(sa.select(table)).mappings()
            result[table.name] = {row["id"]: dict(row) for row in rows}
    return result


def row_counts(lg: Ledger) -> dict[str, int]:
    """Row count of every domain table and of the audit trail."""
    names = [t.name for t in domain_tables(lg)] + ["audit_events"]
    with lg.database.engine.connect() as conn:
        return {
            name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in names
        }


def register_for_vat(lg: Ledger, default_rate: str = "21") -> None:
    """Make the supplier a Czech VAT payer, so invoices charge VAT per line."""
    lg.settings.update(
        supplier_vat_id="CZ8001011234", vat_payer=True, default_vat_rate=default_rate
    )


def exercise(lg: Ledger, clock: Any) -> dict[str, Any]:
    """A batch of API calls that writes to every domain table and money column.

    `clock` is the ledger's FakeClock; the timer runs 42 minutes on it.

    Returns what it made, for tests that look closer.
    """
    lg.settings.update(
        supplier_name="Jana Nováková",
        default_hourly_rate_minor=90000,
        payment_tolerance_minor=50,
    )
    lg.bank_accounts.add("CZK", iban="CZ47 2010 0000 0020 0123 4567", label="Fio")
    euro_account = lg.bank_accounts.add("EUR", iban="CZ47 2010 0000 0020 0123 4567")
    lg.bank_accounts.update(euro_account, label="Fio EUR", bic="FIOBCZPP")
    lg.bank_accounts.remove(euro_account)
    register_for_vat(lg)
    acme = lg.clients.add(name="Acme s.r.o.", currency="czk", hourly_rate="1500.50")
    nordwind = lg.clients.add(name="Nordwind GmbH", currency="EUR", hourly_rate="85")
    spare = lg.clients.add(name="Spare", currency="CZK")
    lg.clients.update(acme, contact_name="Petr Svoboda", payment_terms_days=10)
    web = lg.projects.add(acme, name="Web", rounding="up", rounding_minutes=15)
    ops = lg.projects.add(acme, name="Ops", hourly_rate="1200")
    data = lg.projects.add(nordwind, name="Data")
    lg.projects.update(web, hourly_rate="1600.25")
    review = lg.entries.add(web, date="2026-11-02", minutes=50, description="Review")
    lg.entries.add(web, date="2026-11-03", amount="2000.10", description="Hosting")
    lg.entries.add(ops, date="2026-11-04", minutes=20, hourly_rate="999.99")
    lg.entries.add(
        ops, date="2026-11-05", start="2026-11-05T08:00+01:00", end="2026-11-05T09:10+01:00"
    )
    mistake = lg.entries.add(web, date="2026-11-06", minutes=5, description="typo")
    lg.entries.update(review, description="Code review", minutes=55)
    lg.entries.delete(mistake)
    bulk = lg.entries.add_many(
        data,
        [
            {"date": dt.date(2026, 11, day), "minutes": 30 + day, "description": f"Day {day}"}
            for day in range(1, 6)
        ]
        + [{"date": "2026-11-07", "amount": "12.34", "description": "Licence"}],
    )
    lg.entries.start(ops, "Timer")
    clock.advance(minutes=42)
    lg.entries.stop()

    draft = lg.invoices.draft(acme, project=web, vat_rate="21")
    draft = lg.invoices.update_line(draft, draft.lines[0].id, description="Web work")
    draft = lg.invoices.add_line(draft, "Domain", quantity="2", unit_price="249.90")
    draft = lg.invoices.remove_line(draft, draft.lines[-1].id)
    draft = lg.invoices.update(draft, notes="Thank you")
    issued = lg.invoices.issue(draft, issue_date="2026-11-20")
    payment = lg.invoices.record_payment(issued, amount="100.01", date="2026-11-21")
    lg.recurring.add(
        acme, name="Hosting", next_date="2026-12-01",
        lines=[LineInput(description="Hosting", quantity="1", unit_price="490.50")],
    )  # fmt: skip
    mistaken = lg.invoices.record_payment(issued, amount="1", date="2026-11-21")
    lg.invoices.remove_payment(mistaken)
    other = lg.invoices.issue(lg.invoices.draft(acme, project=ops))
    cancelled = lg.invoices.cancel(other)
    euro = lg.invoices.draft(nordwind, grouping="day")
    transaction = lg.transactions.add(
        external_id="tx-1",
        booked_on="2026-11-21",
        amount="-42.50",
        currency="CZK",
        variable_symbol="0042",
    )
    lg.clients.archive(nordwind)
    lg.clients.delete(spare)
    lg.settings.update(theme="dark")
    return {
        "acme": acme,
        "nordwind": nordwind,
        "web": web,
        "ops": ops,
        "data": data,
        "review": review,
        "bulk": bulk,
        "issued": issued,
        "cancelled": cancelled,
        "euro": euro,
        "payment": payment,
        "transaction": transaction,
    }
