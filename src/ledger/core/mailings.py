"""The e-mails sent about invoices, as stored: read for the invoices' histories."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from ledger.storage import tables


def mailings_of(
    session: Session, invoice_ids: Sequence[int]
) -> dict[int, list[tables.InvoiceMailing]]:
    """Invoice id → its mailings, newest first (an empty list for one never mailed)."""
    query = (
        select(tables.InvoiceMailing)
        .where(col(tables.InvoiceMailing.invoice_id).in_(invoice_ids))
        .order_by(col(tables.InvoiceMailing.id).desc())
    )
    found: dict[int, list[tables.InvoiceMailing]] = {invoice_id: [] for invoice_id in invoice_ids}
    for row in session.exec(query):
        found[row.invoice_id].append(row)
    return found
