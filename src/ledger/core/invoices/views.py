"""Stored invoices as the public `Invoice` model: one, or many in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from ledger.core.invoice_sheet import Sheet, read_sheet, settled_amounts
from ledger.core.invoices import vat
from ledger.core.invoices.credit_notes import credit_notes_of, credited_line_ids
from ledger.core.invoices.czk import czk_amounts
from ledger.core.invoices.payment_state import payment_state
from ledger.core.invoices.rows import settings_row, settlements
from ledger.core.models import Invoice, InvoiceLine, VatRateTotal
from ledger.core.money import from_minor
from ledger.core.service import pk
from ledger.core.tax_figures import percent, rate_amounts
from ledger.storage import tables

_BATCH = 500  # ids per IN (...) when loading many invoices: well under SQLite's limit


def public_invoice(session: Session, row: tables.Invoice, today: dt.date) -> Invoice:
    """The stored invoice `row`, its lines, payments and state as of `today`."""
    return public_invoices(session, [row], today)[0]


@dataclass
class _Related:
    """What the public model needs beyond the invoice rows, for one batch of them."""

    names: dict[int, str] = field(default_factory=dict)
    settled: dict[int, tuple[int, int]] = field(default_factory=dict)
    lines: dict[int, list[tables.InvoiceLine]] = field(default_factory=dict)
    credit_notes: dict[int, list[str]] = field(default_factory=dict)
    numbers: dict[int, str | None] = field(default_factory=dict)
    credited_lines: set[int] = field(default_factory=set)


def public_invoices(
    session: Session, rows: Sequence[tables.Invoice], today: dt.date
) -> list[Invoice]:
    """`public_invoice` of many invoices in a few queries, not a few per invoice."""
    if not rows:
        return []
    tolerance = settings_row(session).payment_tolerance_minor
    related = _Related()
    for start in range(0, len(rows), _BATCH):
        _load_related(session, rows[start : start + _BATCH], related)
    return [_model(row, related, tolerance, today) for row in rows]


def _load_related(session: Session, rows: Sequence[tables.Invoice], into: _Related) -> None:
    ids = [pk(row) for row in rows]
    client_ids = {row.client_id for row in rows}
    for client in session.exec(select(tables.Client).where(col(tables.Client.id).in_(client_ids))):
        into.names[pk(client)] = client.name
    into.settled |= settlements(session, ids)
    for line in session.exec(
        select(tables.InvoiceLine)
        .where(col(tables.InvoiceLine.invoice_id).in_(ids))
        .order_by(col(tables.InvoiceLine.position))
    ):
        into.lines.setdefault(line.invoice_id, []).append(line)
    into.credited_lines |= credited_line_ids(session, ids)
    into.credit_notes |= credit_notes_of(session, ids)
    originals = {row.corrects_id for row in rows if row.corrects_id is not None}
    if originals:
        query = select(tables.Invoice).where(col(tables.Invoice.id).in_(originals))
        into.numbers |= {pk(original): original.number for original in session.exec(query)}


NUMBERED_STATUSES = ("issued", "cancelled")
"""An invoice with a number: issued (credit notes too), or issued and later cancelled."""


def numbered_between(
    session: Session, first: dt.date, after: dt.date, today: dt.date
) -> list[Invoice]:
    """The numbered documents issued from `first` up to `after` (excluded), in number
    order (series, then sequence)."""
    query = (
        select(tables.Invoice)
        .where(col(tables.Invoice.status).in_(NUMBERED_STATUSES))
        .where(col(tables.Invoice.issue_date) >= first, col(tables.Invoice.issue_date) < after)
        .order_by(col(tables.Invoice.series), col(tables.Invoice.sequence))
    )
    return public_invoices(session, list(session.exec(query)), today)


def overdue_invoices(session: Session, today: dt.date, limit: int | None = None) -> list[Invoice]:
    """Issued invoices past their due date and not paid, oldest due first (the first
    `limit` of them).

    SQL keeps only those whose settlements fall short of the total by more than the
    payment tolerance (what `payment_state` calls overdue once past due), so only
    they are built, however many invoices were paid.
    """
    tolerance = settings_row(session).payment_tolerance_minor
    # Correlated, so each past-due invoice probes its payments by index, however the
    # planner estimates the tables (a join to summed payments nested-looped on PostgreSQL).
    paid = (
        select(func.coalesce(func.sum(tables.Payment.amount_minor), 0))
        .where(tables.Payment.invoice_id == tables.Invoice.id)
        .scalar_subquery()
    )
    query = (
        select(tables.Invoice)
        .where(tables.Invoice.status == "issued", tables.Invoice.kind == "invoice")
        .where(col(tables.Invoice.due_date) < today)
        .where(tables.Invoice.total_minor - paid > tolerance)
        .order_by(col(tables.Invoice.due_date), col(tables.Invoice.id))
        .limit(limit)
    )
    past_due = public_invoices(session, list(session.exec(query)), today)
    return [invoice for invoice in past_due if invoice.payment_state == "overdue"]


def rate_totals(summary: Sequence[vat.RateTotal], currency: str) -> list[VatRateTotal]:
    """The VAT summary in the currency's units."""
    return [VatRateTotal(**line._asdict()) for line in rate_amounts(summary, currency)]


def invoice_sheets(session: Session, invoice_ids: Iterable[int]) -> list[Sheet]:
    """What the documents of `invoice_ids` state, read in `session` by the plain SQL
    ``ledger invoice pdf`` also runs without the ORM (`ledger.core.invoice_sheet`)."""
    connection = session.connection()

    def execute(statement: str, parameters: Mapping[str, Any]) -> Sequence[Any]:
        return connection.execute(text(statement), dict(parameters)).all()

    return [read_sheet(execute, invoice_id) for invoice_id in invoice_ids]


def _model(row: tables.Invoice, related: _Related, tolerance: int, today: dt.date) -> Invoice:
    assert row.id is not None
    currency = row.currency
    lines = related.lines.get(row.id, [])
    settled, credited = related.settled.get(row.id, (0, 0))
    summary = vat.summarize((line.amount_minor, line.vat_rate_bp) for line in lines)
    paid, credited_amount, balance = settled_amounts(
        row.kind, row.total_minor, settled, credited, currency
    )
    return Invoice(
        id=row.id,
        client_id=row.client_id,
        client_name=related.names[row.client_id],
        status=row.status,
        kind=row.kind,
        number=row.number,
        corrects=None if row.corrects_id is None else related.numbers.get(row.corrects_id),
        reason=row.reason,
        credit_notes=related.credit_notes.get(row.id, []),
        variable_symbol=row.variable_symbol,
        currency=currency,
        language=row.language,
        issue_date=row.issue_date,
        due_date=row.due_date,
        taxable_supply_date=row.taxable_supply_date,
        notes=row.notes,
        grouping=row.grouping,
        vat_mode=row.vat_mode,
        vat_rate=percent(row.vat_rate_bp),
        vat_summary=rate_totals(summary, currency),
        subtotal=from_minor(row.subtotal_minor, currency),
        vat=from_minor(row.vat_minor, currency),
        total=from_minor(row.total_minor, currency),
        paid=paid,
        credited=credited_amount,
        balance=balance,
        payment_state=payment_state(row, settled, tolerance, today, credited),
        lines=[
            InvoiceLine.from_row(line, currency, line.id in related.credited_lines)
            for line in lines
        ],
        czk=czk_amounts(row, summary),
    )
