"""Drafts made from given lines rather than from logged work (by hand, or by a
recurring template)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from ledger.core.invoices import vat
from ledger.core.invoices.rows import recompute_totals, set_line, settings_row
from ledger.core.money import AmountInput
from ledger.core.service import pk
from ledger.errors import InvalidInput
from ledger.storage import tables


@dataclass(frozen=True)
class LineInput:
    """One line of a draft made from lines.

    Attributes:
        description: what is billed.
        quantity: how many `unit`s (up to 3 decimals).
        unit_price: the price of one unit, in the client's currency.
        unit: ``pcs``, ``h``, ``month``...
        vat_rate: in percent; None is the invoice's rate (none when no VAT is charged).
    """

    description: str
    quantity: AmountInput
    unit_price: AmountInput
    unit: str = "pcs"
    vat_rate: AmountInput | None = None


def draft_with_lines(
    session: Session,
    client: tables.Client,
    lines: Sequence[LineInput],
    *,
    notes: str = "",
    language: str | None = None,
    taxable_supply_date: dt.date | None = None,
    recurring: tuple[int, dt.date] | None = None,
) -> tables.Invoice:
    """A stored draft for `client` holding `lines`, its VAT regime the supplier's;
    `recurring` is the template and period it is made for.

    Raises:
        InvalidInput: no lines, or a line with a bad value (named by its field).
    """
    if not lines:
        raise InvalidInput("lines", "an invoice needs at least one line")
    settings = settings_row(session)
    mode = vat.mode_for(settings, client)
    invoice = tables.Invoice(
        client_id=pk(client),
        currency=client.currency,
        language=language or client.language,
        notes=notes,
        vat_mode=mode,
        vat_rate_bp=vat.line_rate(mode, None, settings.default_vat_rate_bp),
        taxable_supply_date=taxable_supply_date,
        recurring_template_id=None if recurring is None else recurring[0],
        period_start=None if recurring is None else recurring[1],
    )
    session.add(invoice)
    session.flush()
    for position, line in enumerate(lines, start=1):
        session.add(_stored_line(invoice, position, line))
    session.flush()
    recompute_totals(session, invoice)
    return invoice


def _stored_line(invoice: tables.Invoice, position: int, line: LineInput) -> tables.InvoiceLine:
    row = tables.InvoiceLine(
        invoice_id=pk(invoice), position=position, description="", quantity_milli=0,
        unit="pcs", unit_price_minor=0, amount_minor=0,
    )  # fmt: skip
    set_line(row, invoice, {
        "description": line.description, "quantity": line.quantity, "unit": line.unit,
        "unit_price": line.unit_price, "vat_rate": line.vat_rate,
    })  # fmt: skip
    return row
