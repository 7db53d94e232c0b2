"""Per-currency sums of invoices: what was invoiced, received and is still open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select as core_select

from ledger.core.invoice_sheet import SETTLED_BY_CREDIT
from ledger.storage import tables

INVOICES = tables.Invoice.__table__  # type: ignore[attr-defined]
PAYMENTS = tables.Payment.__table__  # type: ignore[attr-defined]


def totals_query(status: str | None, client_id: int | None) -> Any:
    """Rows of (currency, count, total, paid, outstanding) in minor units.

    Credit notes count with their negative totals; paid is money received (credit
    settlements left out); outstanding is what neither money nor credit notes settled.
    Cancelled invoices are left out.
    """
    invoice, payment = INVOICES.c, PAYMENTS.c
    cash = case((payment.method != SETTLED_BY_CREDIT, payment.amount_minor), else_=0)
    settled = (
        core_select(
            payment.invoice_id,
            func.sum(payment.amount_minor).label("settled"),
            func.sum(cash).label("paid"),
        )
        .group_by(payment.invoice_id)
        .subquery()
    )
    settled_minor = func.coalesce(settled.c.settled, 0)
    paid_minor = func.coalesce(settled.c.paid, 0)
    outstanding = case(
        (
            (invoice.status == "issued") & (invoice.total_minor > settled_minor),
            invoice.total_minor - settled_minor,
        ),
        else_=0,
    )
    query = (
        core_select(
            invoice.currency,
            func.count(),
            func.sum(invoice.total_minor),
            func.sum(paid_minor),
            func.sum(outstanding),
        )
        .select_from(INVOICES.outerjoin(settled, settled.c.invoice_id == invoice.id))
        .where(invoice.status != "cancelled")
        .group_by(invoice.currency)
        .order_by(invoice.currency)
    )
    if status is not None:
        query = query.where(invoice.status == status)
    if client_id is not None:
        query = query.where(invoice.client_id == client_id)
    return query
