"""The figures of ``ledger status`` in plain SQL, over any DB-API cursor.

Standard library only: ``ledger status`` reads them on a SQLite file without loading
SQLAlchemy or pydantic (`ledger.cli.start`), and `lg.reports.status()`, the
unbilled-work report and the dashboard run the same statements through their session,
so there is one definition of every figure. The SQL is the common subset of SQLite
and PostgreSQL, with no parameters (it holds no ``%``, which psycopg would read as one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from ledger.contracts.currencies import from_minor
from ledger.core import pricing

Execute = Callable[[str], Iterable[Sequence[Any]]]
"""Runs one statement and returns its rows (a DB-API cursor's ``execute``, or a
SQLAlchemy connection's ``exec_driver_sql``)."""

COUNTS = (
    "SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM projects),"
    " (SELECT count(*) FROM work_entries), (SELECT count(*) FROM money_transactions),"
    " (SELECT count(*) FROM audit_events)"
)
INVOICES_BY_STATUS = "SELECT status, count(*) FROM invoices GROUP BY status"
# Each issued invoice's balance: its total less every settlement (payments and credit
# notes); a credit note itself takes no payments, so nothing is due on it.
BALANCES = (
    "SELECT i.currency, i.total_minor - coalesce((SELECT sum(p.amount_minor)"
    " FROM payments p WHERE p.invoice_id = i.id), 0)"
    " FROM invoices i WHERE i.status = 'issued' AND i.kind <> 'credit_note'"
)
OWNERS = (
    "SELECT p.id, p.name, p.currency, p.hourly_rate_minor, c.id, c.name, c.hourly_rate_minor"
    " FROM projects p JOIN clients c ON c.id = p.client_id"
)
# Unbilled billable entries summed per project, kind and rate override. Minutes are
# rounded per entry by the project's rule (`pricing.round_minutes`: up, or to the
# nearest step but never below one), as billing does, so each sum prices exactly like
# the lines of a draft would. The conditions match the partial index
# ix_work_entries_open, which then holds everything read.
UNBILLED_GROUPS = (
    "SELECT e.project_id, e.kind, e.hourly_rate_minor, coalesce(sum(e.minutes), 0),"
    " coalesce(sum(CASE"
    " WHEN p.rounding = 'up' AND p.rounding_minutes > 0"
    " THEN ((e.minutes + p.rounding_minutes - 1) / p.rounding_minutes) * p.rounding_minutes"
    " WHEN p.rounding = 'nearest' AND p.rounding_minutes > 0 THEN CASE"
    " WHEN ((e.minutes * 2 + p.rounding_minutes) / (2 * p.rounding_minutes))"
    " * p.rounding_minutes < p.rounding_minutes THEN p.rounding_minutes"
    " ELSE ((e.minutes * 2 + p.rounding_minutes) / (2 * p.rounding_minutes))"
    " * p.rounding_minutes END"
    " ELSE e.minutes END), 0),"
    " sum(e.amount_minor), count(*)"
    " FROM work_entries e JOIN projects p ON p.id = e.project_id"
    " WHERE e.invoice_id IS NULL AND e.billable = TRUE"
    " AND (e.minutes IS NOT NULL OR e.kind = 'fixed')"
    " GROUP BY e.project_id, e.kind, e.hourly_rate_minor"
)
DEFAULT_RATE = "SELECT default_hourly_rate_minor FROM app_settings ORDER BY id LIMIT 1"


class Owner(NamedTuple):
    """A project with its client and the rates its entries fall back on."""

    project_id: int
    project: str
    currency: str
    project_rate: int | None
    client_id: int
    client: str
    client_rate: int | None


class Tally:
    """One project's unbilled work: minutes, entries and the amount (None when some
    time has no rate anywhere)."""

    __slots__ = ("amount_minor", "entries", "minutes", "owner")

    def __init__(self, owner: Owner) -> None:
        self.owner = owner
        self.minutes = 0
        self.entries = 0
        self.amount_minor: int | None = 0

    def add(self, minutes: int, amount_minor: int | None, entries: int) -> None:
        self.entries += entries
        self.minutes += minutes
        if self.amount_minor is not None:
            self.amount_minor = None if amount_minor is None else self.amount_minor + amount_minor


class StatusFigures(NamedTuple):
    """Counts of everything, unbilled work and outstanding invoices per currency."""

    clients: int
    projects: int
    entries: int
    invoices: dict[str, int]
    transactions: int
    audit_events: int
    unbilled: dict[str, Decimal]
    outstanding: dict[str, Decimal]


def unbilled_tallies(execute: Execute) -> dict[int, Tally]:
    """Unbilled work per project id, priced in Python (one rule for every price) over
    the groups SQL summed."""
    default_rate = next(iter(execute(DEFAULT_RATE)), (None,))[0]
    owners = {row[0]: Owner(*row) for row in execute(OWNERS)}
    totals: dict[int, Tally] = {}
    for project_id, kind, rate, raw, rounded, amount, count in execute(UNBILLED_GROUPS):
        owner = owners[project_id]
        tally = totals.setdefault(project_id, Tally(owner))
        if kind == "fixed":
            tally.add(0, int(amount or 0), count)
            continue
        # The SQL already rounded each entry's minutes by the project's rule.
        rates = (rate, owner.project_rate, owner.client_rate, default_rate)
        price = pricing.price_time(int(rounded), "none", 0, rates)
        tally.add(int(raw), None if price is None else price.amount_minor, count)
    return totals


def unbilled_totals(execute: Execute) -> dict[str, Decimal]:
    """Unbilled work summed per currency, by currency code (a project without a rate
    counts nothing)."""
    minor: dict[str, int] = {}
    for tally in unbilled_tallies(execute).values():
        currency = tally.owner.currency
        minor[currency] = minor.get(currency, 0) + (tally.amount_minor or 0)
    return {currency: from_minor(minor[currency], currency) for currency in sorted(minor)}


def outstanding_totals(execute: Execute) -> dict[str, Decimal]:
    """What issued invoices still await, per currency (an overpaid one counts nothing)."""
    minor: dict[str, int] = {}
    for currency, balance in execute(BALANCES):
        if balance > 0:
            minor[currency] = minor.get(currency, 0) + int(balance)
    return {currency: from_minor(minor[currency], currency) for currency in sorted(minor)}


def read_status(execute: Execute) -> StatusFigures:
    """Every figure of ``ledger status``; run it in one read transaction for a snapshot."""
    clients, projects, entries, transactions, audit_events = next(iter(execute(COUNTS)))
    return StatusFigures(
        clients=int(clients),
        projects=int(projects),
        entries=int(entries),
        invoices={str(status): int(n) for status, n in execute(INVOICES_BY_STATUS)},
        transactions=int(transactions),
        audit_events=int(audit_events),
        unbilled=unbilled_totals(execute),
        outstanding=outstanding_totals(execute),
    )
