"""What matching reads: open invoices, unmatched income and the tolerance, as plain
rows straight from the driver (matching reads every unmatched transaction, and
SQLAlchemy's per-row processing would cost more than the database's own work).

Unmatched income is streamed in batches, in booking order, so that matching a large
statement holds a batch of rows at a time, not the whole statement.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Dialect, Select, func, literal_column, select as core_select
from sqlmodel import Session

from ledger.core.matching.algorithm import BATCH, IncomingPayment, OpenInvoice
from ledger.storage import tables

INVOICES = tables.Invoice.__table__  # type: ignore[attr-defined]
PAYMENTS = tables.Payment.__table__  # type: ignore[attr-defined]
TRANSACTIONS = tables.MoneyTransaction.__table__  # type: ignore[attr-defined]
CLIENTS = tables.Client.__table__  # type: ignore[attr-defined]
SETTINGS = tables.AppSettings.__table__  # type: ignore[attr-defined]


def matching_input(session: Session) -> tuple[list[OpenInvoice], list[IncomingPayment], int]:
    """What `find_matches` works on: open invoices, unmatched payments, the tolerance."""
    invoices = open_invoices(session)
    payments = [p for rows in unmatched_income(session) for p in incoming_payments(rows)]
    return invoices, payments, tolerance_of(session)


def open_invoices(session: Session) -> list[OpenInvoice]:
    """Issued invoices with what is left to pay on each."""
    conn = session.connection()
    paid: dict[int, int] = dict(plain_rows(conn, _PAID_QUERY))
    return [
        OpenInvoice(i, number, vs or "", currency, total - int(paid.get(i) or 0), client)
        for i, number, vs, currency, total, client in plain_rows(conn, _OPEN_QUERY)
    ]


_PAID_QUERY = core_select(PAYMENTS.c.invoice_id, func.sum(PAYMENTS.c.amount_minor)).group_by(
    PAYMENTS.c.invoice_id
)
_OPEN_QUERY = (
    core_select(
        INVOICES.c.id,
        INVOICES.c.number,
        INVOICES.c.variable_symbol,
        INVOICES.c.currency,
        INVOICES.c.total_minor,
        CLIENTS.c.name,
    )
    .join(CLIENTS, CLIENTS.c.id == INVOICES.c.client_id)
    .where(INVOICES.c.status == "issued", INVOICES.c.kind == "invoice")
)
# Unmatched income by booking date (one day's payments in id order).
_INCOMING_QUERY = (
    core_select(
        TRANSACTIONS.c.id,
        TRANSACTIONS.c.amount_minor,
        TRANSACTIONS.c.currency,
        TRANSACTIONS.c.variable_symbol,
        TRANSACTIONS.c.message,
        TRANSACTIONS.c.counterparty_name,
        TRANSACTIONS.c.booked_on,
        TRANSACTIONS.c.matched_invoice_id,
    )
    .where(
        TRANSACTIONS.c.kind == "income",
        TRANSACTIONS.c.match_locked.is_(False),
        TRANSACTIONS.c.id.not_in(
            core_select(PAYMENTS.c.transaction_id).where(PAYMENTS.c.transaction_id.is_not(None))
        ),
    )
    .order_by(TRANSACTIONS.c.booked_on, TRANSACTIONS.c.id)
)
# SQLite would walk its booked_on index and fetch each row from elsewhere in the file,
# slower than sorting them: a unary plus keeps it from the index.
_INCOMING_QUERY_SQLITE = _INCOMING_QUERY.order_by(None).order_by(
    literal_column(f"+{TRANSACTIONS.name}.booked_on"), TRANSACTIONS.c.id
)
BOOKED_ON = 6

IncomingRow = tuple[Any, ...]
"""An unmatched transaction as `_INCOMING_QUERY` selects it: what applying a match
needs besides the matcher's view (its booking date and invoice link)."""


def unmatched_income(session: Session, batch: int = BATCH) -> Iterator[list[IncomingRow]]:
    """Income no payment records yet, by booking date, `batch` rows at a time."""
    conn = session.connection()
    query = _INCOMING_QUERY_SQLITE if conn.dialect.name == "sqlite" else _INCOMING_QUERY
    return streamed_rows(conn, query, batch)


def incoming_payments(rows: list[IncomingRow]) -> list[IncomingPayment]:
    """The matcher's view of `unmatched_income` rows."""
    return [IncomingPayment(i, a, c, s, m, n) for i, a, c, s, m, n, _, _ in rows]


def plain_rows(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of `query` as the driver returns them: no per-value conversion.

    Matching reads every unmatched transaction; SQLAlchemy's result processing
    (a Row object per row, a date parsed per value on SQLite) would cost more than
    the database's own work. Dates may come back as ISO text (see `row_date`).
    """
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_compiled(query, conn.dialect))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def streamed_rows(
    conn: Connection, query: Select[Any], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """`plain_rows`, `size` rows at a time: the rows of one batch are freed before
    the next is read. The caller reads no other query on `conn` meanwhile."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    # PostgreSQL's driver would fetch every row before the first batch: a named
    # (server-side) cursor fetches each batch in turn.
    cursor = (
        dbapi.cursor(name="ledger_stream") if conn.dialect.name == "postgresql" else dbapi.cursor()
    )
    try:
        cursor.execute(_compiled(query, conn.dialect))
        while rows := cursor.fetchmany(size):
            yield list(rows)
    finally:
        cursor.close()


@functools.lru_cache(maxsize=16)
def _compiled(query: Select[Any], dialect: Dialect) -> str:
    # The queries hold only constants, written into the SQL.
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def row_date(value: dt.date | str) -> dt.date:
    """A date column's value from `plain_rows`: SQLite's driver returns its text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def tolerance_of(session: Session) -> int:
    """The settings' payment tolerance in minor units (100 before any is saved)."""
    # Core, not the ORM: a command that only matches need not set up every mapper.
    query = core_select(SETTINGS.c.payment_tolerance_minor).limit(1)
    value = session.connection().execute(query).scalar()
    return 100 if value is None else int(value)
