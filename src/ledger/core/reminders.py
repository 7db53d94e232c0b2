"""The longest-overdue invoices with how often each was reminded, for the dashboard.

`lg.mail.overdue` builds whole invoices (lines, VAT, credit notes) for `ledger reminders`;
the dashboard shows a number, a client, a balance and a count, which one query reads.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select

from ledger.core.models import PublicModel
from ledger.core.money import from_minor
from ledger.storage import tables

INVOICES = tables.Invoice.__table__  # type: ignore[attr-defined]
PAYMENTS = tables.Payment.__table__  # type: ignore[attr-defined]
CLIENTS = tables.Client.__table__  # type: ignore[attr-defined]
MAILINGS = tables.InvoiceMailing.__table__  # type: ignore[attr-defined]
SETTINGS = tables.AppSettings.__table__  # type: ignore[attr-defined]


class OverdueInvoice(PublicModel):
    """An issued invoice past its due date and not paid, and its reminders so far."""

    id: int
    number: str | None
    client_id: int
    client_name: str
    currency: str
    due_date: dt.date
    balance: Decimal
    reminder_count: int
    last_reminder_at: dt.datetime | None


def _overdue_query() -> Any:
    # What `payment_state` calls overdue: past due, and every settlement (money and
    # credit notes) short of the total by more than the payment tolerance. Each
    # invoice probes its payments and mailings by index, as `overdue_invoices` does.
    invoice = INVOICES.c
    paid = (
        select(func.coalesce(func.sum(PAYMENTS.c.amount_minor), 0))
        .where(PAYMENTS.c.invoice_id == invoice.id)
        .scalar_subquery()
    )
    default = tables.AppSettings.model_fields["payment_tolerance_minor"].default
    setting = select(SETTINGS.c.payment_tolerance_minor).order_by(SETTINGS.c.id).limit(1)
    tolerance = func.coalesce(setting.scalar_subquery(), default)
    reminders = MAILINGS.c.invoice_id == invoice.id, MAILINGS.c.kind == "reminder"
    return (
        select(
            invoice.id, invoice.number, invoice.client_id, CLIENTS.c.name, invoice.currency,
            invoice.due_date, (invoice.total_minor - paid).label("balance"),
            select(func.count()).where(*reminders).scalar_subquery(),
            select(func.max(MAILINGS.c.sent_at)).where(*reminders).scalar_subquery(),
        )
        .join(CLIENTS, CLIENTS.c.id == invoice.client_id)
        .where(invoice.status == "issued", invoice.kind == "invoice")
        .where(invoice.due_date < bindparam("today", type_=INVOICES.c.due_date.type))
        .where(invoice.total_minor - paid > tolerance)
        .order_by(invoice.due_date, invoice.id)
        .limit(bindparam("limit"))
    )  # fmt: skip


OVERDUE = _overdue_query()


def longest_overdue(conn: Any, today: dt.date, limit: int) -> list[OverdueInvoice]:
    """The first `limit` overdue invoices on `today`, oldest due first."""
    return [
        OverdueInvoice(
            id=row[0], number=row[1], client_id=row[2], client_name=row[3], currency=row[4],
            due_date=row[5], balance=from_minor(int(row[6]), row[4]),
            reminder_count=int(row[7]), last_reminder_at=row[8],
        )
        for row in conn.execute(OVERDUE, {"today": today, "limit": limit})
    ]  # fmt: skip
