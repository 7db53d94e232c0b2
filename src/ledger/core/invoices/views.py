"""Stored invoices as the public `Invoice` model: one, or many in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from ledger.core.invoices import vat
from ledger.core.invoices.payment_state import payment_state
from ledger.core.invoices.rows import lines_of, paid_minor, settings_row
from ledger.core.models import Invoice, InvoiceLine, VatRateTotal, percent
from ledger.core.money import from_minor
from ledger.core.service import get_row, pk
from ledger.storage import tables

_BATCH = 500  # ids per IN (...) when loading many invoices: well under SQLite's limit


def public_invoice(session: Session, row: tables.Invoice, today: dt.date) -> Invoice:
    """The stored invoice `row`, its lines, payments and state as of `today`."""
    client = get_row(session, tables.Client, row.client_id, "client")
    tolerance = settings_row(session).payment_tolerance_minor
    paid = paid_minor(session, row)
    return _model(row, client.name, paid, tolerance, lines_of(session, row), today)


def public_invoices(
    session: Session, rows: Sequence[tables.Invoice], today: dt.date
) -> list[Invoice]:
    """`public_invoice` of many invoices in a few queries, not a few per invoice."""
    if not rows:
        return []
    tolerance = settings_row(session).payment_tolerance_minor
    names: dict[int, str] = {}
    paid: dict[int, int] = {}
    lines: dict[int, list[tables.InvoiceLine]] = {}
    for start in range(0, len(rows), _BATCH):
        ids = [pk(row) for row in rows[start : start + _BATCH]]
        client_ids = {row.client_id for row in rows[start : start + _BATCH]}
        for client in session.exec(
            select(tables.Client).where(col(tables.Client.id).in_(client_ids))
        ):
            names[pk(client)] = client.name
        paid |= dict(
            session.exec(
                select(tables.Payment.invoice_id, func.sum(tables.Payment.amount_minor))
                .where(col(tables.Payment.invoice_id).in_(ids))
                .group_by(col(tables.Payment.invoice_id))
            ).all()
        )
        for line in session.exec(
            select(tables.InvoiceLine)
            .where(col(tables.InvoiceLine.invoice_id).in_(ids))
            .order_by(col(tables.InvoiceLine.position))
        ):
            lines.setdefault(line.invoice_id, []).append(line)
    return [
        _model(
            row,
            names[row.client_id],
            int(paid.get(pk(row)) or 0),
            tolerance,
            lines.get(pk(row), []),
            today,
        )
        for row in rows
    ]


def rate_totals(summary: Sequence[vat.RateTotal], currency: str) -> list[VatRateTotal]:
    """The VAT summary in the currency's units."""
    return [
        VatRateTotal(
            rate=percent(rate.rate_bp) or 0,
            base=from_minor(rate.base_minor, currency),
            vat=from_minor(rate.vat_minor, currency),
            total=from_minor(rate.total_minor, currency),
        )
        for rate in summary
    ]


def _model(
    row: tables.Invoice,
    client_name: str,
    paid: int,
    tolerance: int,
    lines: Sequence[tables.InvoiceLine],
    today: dt.date,
) -> Invoice:
    assert row.id is not None
    currency = row.currency
    summary = vat.summarize((line.amount_minor, line.vat_rate_bp) for line in lines)
    return Invoice(
        id=row.id,
        client_id=row.client_id,
        client_name=client_name,
        status=row.status,
        number=row.number,
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
        paid=from_minor(paid, currency),
        balance=from_minor(row.total_minor - paid, currency),
        payment_state=payment_state(row, paid, tolerance, today),
        lines=[InvoiceLine.from_row(line, currency) for line in lines],
    )
