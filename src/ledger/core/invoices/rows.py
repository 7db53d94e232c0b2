"""Loading and changing the stored rows of invoices, their lines and totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from ledger.contracts.currencies import MAX_AMOUNT
from ledger.core import pricing
from ledger.core.datetimes import parse_date
from ledger.core.invoice_sheet import SETTLED_BY_CREDIT
from ledger.core.invoices import vat
from ledger.core.money import amount_to_minor, from_minor, parse_amount, to_minor
from ledger.core.service import Ref, get_row, pk, ref_id
from ledger.core.validation import refuse_nul
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.storage import tables

InvoiceRef = Ref | str
"""An invoice by id, object, or issued number (``"2026-0001"``)."""


INVOICE_STATUSES = ("draft", "issued", "cancelled")


def check_status(status: str | None) -> None:
    """Refuse a status no invoice can have, naming those that exist."""
    if status is not None and status not in INVOICE_STATUSES:
        known = ", ".join(INVOICE_STATUSES)
        raise InvalidInput("status", f"no invoice is {status!r}; use one of {known}")


def filtered(query: Any, status: str | None, client: Ref | None) -> Any:
    """`query` narrowed to invoices of `status` and `client`; an unknown status is refused."""
    check_status(status)
    if status is not None:
        query = query.where(tables.Invoice.status == status)
    if client is not None:
        query = query.where(tables.Invoice.client_id == ref_id(client, "client"))
    return query


def load_invoice(session: Session, invoice: InvoiceRef) -> tables.Invoice:
    if isinstance(invoice, str):
        row = session.exec(select(tables.Invoice).where(tables.Invoice.number == invoice)).first()
        if row is None:
            raise NotFound(f"no invoice is numbered {invoice!r}")
        return row
    return get_row(session, tables.Invoice, ref_id(invoice, "invoice"), "invoice")


def load_draft(session: Session, invoice: InvoiceRef) -> tables.Invoice:
    row = load_invoice(session, invoice)
    if row.status != "draft":
        raise Conflict(
            f"invoice {row.number or row.id} is {row.status} and cannot be edited; "
            "cancel it and draft a new one"
        )
    return row


def settings_row(session: Session) -> tables.AppSettings:
    return session.exec(select(tables.AppSettings)).first() or tables.AppSettings()


def store_lines(
    session: Session, invoice: tables.Invoice, drafts: list[pricing.LineDraft]
) -> None:
    for position, draft in enumerate(drafts, start=1):
        session.add(
            tables.InvoiceLine(
                invoice_id=pk(invoice),
                position=position,
                description=draft.description,
                quantity_milli=draft.quantity_milli,
                unit=draft.unit,
                unit_price_minor=draft.unit_price_minor,
                amount_minor=draft.amount_minor,
                vat_rate_bp=invoice.vat_rate_bp,
                project_id=draft.project_id,
            )
        )
    session.flush()
    recompute_totals(session, invoice)


def lines_of(session: Session, invoice: tables.Invoice) -> list[tables.InvoiceLine]:
    query = select(tables.InvoiceLine).where(tables.InvoiceLine.invoice_id == invoice.id)
    return list(session.exec(query.order_by(col(tables.InvoiceLine.position))))


def line_of(session: Session, invoice: tables.Invoice, line: Ref) -> tables.InvoiceLine:
    row = get_row(session, tables.InvoiceLine, ref_id(line, "line"), "invoice line")
    if row.invoice_id != invoice.id:
        raise NotFound(f"line {row.id} is not on invoice {invoice.id}")
    return row


def set_line(line: tables.InvoiceLine, invoice: tables.Invoice, fields: dict[str, Any]) -> None:
    """Apply the given changes to a draft line of `invoice` and reprice it."""
    refuse_nul({k: v for k, v in fields.items() if isinstance(v, str)})
    currency = invoice.currency
    if "vat_rate" in fields:
        asked = vat.rate_basis_points(fields["vat_rate"])
        line.vat_rate_bp = vat.line_rate(invoice.vat_mode, asked, invoice.vat_rate_bp)
    if "description" in fields:
        line.description = line_description(fields["description"])
    if "unit" in fields:
        line.unit = line_unit(fields["unit"])
    if "quantity" in fields:
        line.quantity_milli = quantity_milli(fields["quantity"])
    if "unit_price" in fields:
        line.unit_price_minor = amount_to_minor(fields["unit_price"], currency, "unit_price")
    line.amount_minor = line_amount(line.quantity_milli, line.unit_price_minor, currency)


def line_description(value: object) -> str:
    """A line's description: stripped, never empty."""
    text = str(value).strip()
    if not text:
        raise InvalidInput("description", "must not be empty")
    return text


def line_unit(value: object) -> str:
    """A line's unit (``pcs`` when empty), at most 10 characters."""
    return str(value).strip()[:10] or "pcs"


def quantity_milli(value: object) -> int:
    """A line's quantity (more than 0, at most 100000, 3 decimals) in thousandths."""
    quantity = parse_amount(value, "quantity")
    if quantity <= 0 or quantity > 100000:
        raise InvalidInput("quantity", "must be more than 0 and at most 100000")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise InvalidInput("quantity", f"{quantity} has more than 3 decimal places")
    return int(quantity.scaleb(3).to_integral_value())


def line_amount(quantity: int, unit_price_minor: int, currency: str) -> int:
    """Quantity (thousandths) × unit price, rounded to the currency's minor unit."""
    exact = Decimal(quantity).scaleb(-3) * from_minor(unit_price_minor, currency)
    if abs(exact) >= MAX_AMOUNT:
        raise InvalidInput("unit_price", f"quantity × unit price must stay below {MAX_AMOUNT:,}")
    return to_minor(exact, currency)


def recompute_totals(session: Session, invoice: tables.Invoice) -> None:
    lines = [(line.amount_minor, line.vat_rate_bp) for line in lines_of(session, invoice)]
    invoice.subtotal_minor = sum(amount for amount, _ in lines)
    invoice.vat_minor = sum(rate.vat_minor for rate in vat.summarize(lines))
    invoice.total_minor = invoice.subtotal_minor + invoice.vat_minor


def set_field(session: Session, row: tables.Invoice, key: str, value: Any) -> None:
    if key == "vat_rate":
        # One rate for the whole draft: its new lines and every line it has.
        default = settings_row(session).default_vat_rate_bp
        rate = vat.line_rate(row.vat_mode, vat.rate_basis_points(value), default)
        row.vat_rate_bp = rate
        for line in lines_of(session, row):
            line.vat_rate_bp = rate
    elif key == "language":
        if value not in ("en", "cs"):
            raise InvalidInput("language", "use en or cs")
        row.language = value
    elif key == "notes":
        refuse_nul({"notes": str(value)})
        row.notes = str(value)
    else:
        setattr(row, key, None if value in (None, "") else parse_date(value, key))


def next_sequence(session: Session, series: str) -> int:
    query = select(func.max(tables.Invoice.sequence)).where(tables.Invoice.series == series)
    return int(session.exec(query).one() or 0) + 1


def refuse_shared_symbol(session: Session, invoice: tables.Invoice) -> None:
    """Refuse a variable symbol another invoice already has.

    Patterns differing only in punctuation (``2026/0001`` and ``2026-0001``) give the
    same digits; a bank payment would then match two invoices, so issuing stops here.
    """
    query = select(tables.Invoice.number).where(
        tables.Invoice.variable_symbol == invoice.variable_symbol,
        col(tables.Invoice.id) != invoice.id,
    )
    other = session.exec(query.limit(1)).first()
    if other is not None:
        raise InvalidInput(
            "number_pattern",
            f"number {invoice.number} gives variable symbol {invoice.variable_symbol}, which "
            f"invoice {other} already has; change the number pattern so that numbers differ "
            "in their digits, not only in punctuation",
        )


def refuse_back_dating(session: Session, invoice: tables.Invoice) -> None:
    """Refuse an issue date earlier than the last one in the invoice's number series.

    Numbers of a series must follow the order of their dates; a later number with an
    earlier date is what an accountant (and a tax audit) reads as a back-dated invoice.
    """
    query = (
        select(tables.Invoice)
        .where(tables.Invoice.series == invoice.series, col(tables.Invoice.id) != invoice.id)
        .where(col(tables.Invoice.issue_date) > invoice.issue_date)
        .order_by(col(tables.Invoice.issue_date).desc())
    )
    later = session.exec(query.limit(1)).first()
    if later is not None:
        number, issued_on = later.number, later.issue_date
        raise InvalidInput(
            "issue_date",
            f"{number} of the same number series was issued on {issued_on}; a later number "
            f"cannot have an earlier date, so issue this one on {issued_on} or later",
        )


def paid_minor(session: Session, invoice: tables.Invoice) -> int:
    """Every settlement of `invoice`: money received and credit notes."""
    query = select(func.sum(tables.Payment.amount_minor)).where(
        tables.Payment.invoice_id == invoice.id
    )
    return int(session.exec(query).one() or 0)


def settlements(session: Session, invoice_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Invoice id → (all settlements, of which by credit notes), in minor units."""
    payment = tables.Payment
    by_credit = case((col(payment.method) == SETTLED_BY_CREDIT, col(payment.amount_minor)))
    query = (
        select(
            tables.Payment.invoice_id,
            func.sum(tables.Payment.amount_minor),
            func.coalesce(func.sum(by_credit), 0),
        )
        .where(col(tables.Payment.invoice_id).in_(invoice_ids))
        .group_by(col(tables.Payment.invoice_id))
    )
    rows = session.exec(query)
    return {invoice: (int(total), int(credited)) for invoice, total, credited in rows}
