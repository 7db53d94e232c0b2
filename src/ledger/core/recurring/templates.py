"""Recurring templates as stored and as the API returns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ledger.core.invoices import vat
from ledger.core.invoices.manual import LineInput
from ledger.core.invoices.rows import line_amount, line_description, line_unit, quantity_milli
from ledger.core.models import PublicModel
from ledger.core.money import amount_to_minor, from_minor
from ledger.core.service import Ref, get_row, pk, ref_id
from ledger.core.tax_figures import percent, plain_decimal
from ledger.storage import tables


class TemplateLine(PublicModel):
    """One line a recurring template puts on each invoice it makes."""

    id: int
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal | None
    """In percent; None takes your default rate (a VAT payer's invoices only)."""


class RecurringTemplate(PublicModel):
    """An invoice made again every `interval` for a client.

    Attributes:
        next_date: the first day of the next period to invoice; due when on or before today.
        day_of_month: the day periods fall on (31: the last day of shorter months).
        mode: ``draft`` makes drafts to look over, ``issue`` issues them at once.
        active: an inactive template is never due.
        subtotal: the lines' amounts before VAT, in `currency`.
    """

    id: int
    client_id: int
    client_name: str
    name: str
    interval: str
    next_date: dt.date
    day_of_month: int
    mode: str
    active: bool
    notes: str
    language: str
    currency: str
    subtotal: Decimal
    lines: list[TemplateLine]


def load_template(session: Session, template: Ref) -> tables.RecurringTemplate:
    row_id = ref_id(template, "template")
    return get_row(session, tables.RecurringTemplate, row_id, "recurring template")


def template_lines(
    session: Session, template: tables.RecurringTemplate
) -> list[tables.RecurringTemplateLine]:
    table = tables.RecurringTemplateLine
    query = select(table).where(table.template_id == template.id).order_by(col(table.position))
    return list(session.exec(query))


def stored_line(
    template: tables.RecurringTemplate, position: int, line: LineInput
) -> tables.RecurringTemplateLine:
    """`line` checked as an invoice line would be, ready to store on `template`."""
    return tables.RecurringTemplateLine(
        template_id=pk(template), position=position, **checked_line(line, template.currency)
    )


def checked_line(line: LineInput, currency: str) -> dict[str, Any]:
    """A line's stored values in `currency`; `InvalidInput` names a bad field."""
    quantity = quantity_milli(line.quantity)
    price = amount_to_minor(line.unit_price, currency, "unit_price")
    line_amount(quantity, price, currency)  # refuses an amount beyond the maximum
    return {
        "description": line_description(line.description),
        "quantity_milli": quantity,
        "unit": line_unit(line.unit),
        "unit_price_minor": price,
        "vat_rate_bp": vat.rate_basis_points(line.vat_rate),
    }


def replace_lines(
    session: Session, template: tables.RecurringTemplate, lines: Sequence[LineInput]
) -> None:
    """Make `lines` the template's lines, in their order."""
    for old in template_lines(session, template):
        session.delete(old)
    session.flush()
    for position, line in enumerate(lines, start=1):
        session.add(stored_line(template, position, line))
    session.flush()


def as_inputs(
    rows: Sequence[tables.RecurringTemplateLine], currency: str, mode: str
) -> list[LineInput]:
    """The template's lines for a draft whose VAT regime is `mode`: a rate only when
    the supplier charges VAT (the regime of the day, not of when the template was made)."""
    return [
        LineInput(
            description=row.description,
            quantity=Decimal(row.quantity_milli).scaleb(-3),
            unit_price=from_minor(row.unit_price_minor, currency),
            unit=row.unit,
            vat_rate=percent(row.vat_rate_bp) if mode == "vat" else None,
        )
        for row in rows
    ]


def public_template(session: Session, row: tables.RecurringTemplate) -> RecurringTemplate:
    client = get_row(session, tables.Client, row.client_id, "client")
    lines = [_public_line(line, row.currency) for line in template_lines(session, row)]
    return RecurringTemplate(
        id=pk(row), client_id=row.client_id, client_name=client.name, name=row.name,
        interval=row.interval, next_date=row.next_date, day_of_month=row.anchor_day,
        mode=row.mode, active=row.active, notes=row.notes, language=row.language,
        currency=row.currency, subtotal=sum((line.amount for line in lines), Decimal(0)),
        lines=lines,
    )  # fmt: skip


def _public_line(row: tables.RecurringTemplateLine, currency: str) -> TemplateLine:
    amount = line_amount(row.quantity_milli, row.unit_price_minor, currency)
    return TemplateLine(
        id=pk(row), position=row.position, description=row.description,
        quantity=plain_decimal(Decimal(row.quantity_milli).scaleb(-3)), unit=row.unit,
        unit_price=from_minor(row.unit_price_minor, currency),
        amount=from_minor(amount, currency), vat_rate=percent(row.vat_rate_bp),
    )  # fmt: skip
