"""Credit notes (opravný daňový doklad): corrections of an issued invoice.

A credit note is an invoice row of kind ``credit_note``: its own gapless number series
(the ``credit_note_pattern`` setting), a reference to the invoice it corrects, the
reason, and negative lines copied from the credited ones (each line is credited once).
It settles the original by the credited amount, recorded as a payment of method
``credit``, so the original's balance and payment state follow from it. Crediting
every line releases the original's work entries, so the work can be invoiced again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, select

from ledger.core.invoice_sheet import SETTLED_BY_CREDIT
from ledger.core.invoices import czk, numbering
from ledger.core.invoices.rows import (
    lines_of,
    next_sequence,
    recompute_totals,
    refuse_back_dating,
    settings_row,
    settlements,
)
from ledger.core.invoices.work import release_work
from ledger.core.service import Ref, pk, ref_id
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

CREDIT_NOTE = "credit_note"
MAX_REASON = 500
CANCELLED_REASON = {"cs": "Storno faktury", "en": "Invoice cancelled"}
"""The reason a cancellation's credit note gives when the user gives none."""


def issue_credit_note(
    session: Session,
    invoice: tables.Invoice,
    lines: Sequence[Ref] | None,
    reason: str,
    issued_on: dt.date,
    issued_at: dt.datetime,
) -> tables.Invoice:
    """Issue a credit note for `lines` of `invoice` (all its uncredited lines when None)."""
    check_creditable(invoice)
    reason = _reason(reason)
    credited = _lines_to_credit(session, invoice, lines)
    note = tables.Invoice(
        client_id=invoice.client_id, status="issued", kind=CREDIT_NOTE, corrects_id=invoice.id,
        reason=reason, currency=invoice.currency, language=invoice.language,
        grouping=invoice.grouping, vat_mode=invoice.vat_mode, vat_rate_bp=invoice.vat_rate_bp,
        issue_date=issued_on, taxable_supply_date=issued_on, due_date=issued_on,
        issued_at=issued_at,
    )  # fmt: skip
    _number(session, note)
    czk.copy_rate(invoice, note)
    session.add(note)
    session.flush()
    for position, line in enumerate(credited, start=1):
        session.add(_negated(line, note, position))
    session.flush()
    recompute_totals(session, note)
    _settle(session, invoice, note)
    if not uncredited_lines(session, invoice):
        release_work(session, invoice)
    session.flush()
    return note


def cancel_issued(
    session: Session,
    invoice: tables.Invoice,
    reason: str | None,
    issued_on: dt.date,
    issued_at: dt.datetime,
) -> tables.Invoice:
    """Cancel an issued invoice with a credit note for every line not credited yet."""
    check_creditable(invoice)
    settled, credited = settlements(session, [pk(invoice)]).get(pk(invoice), (0, 0))
    if settled - credited:  # money was received
        raise Conflict(
            f"invoice {invoice.number} has payments; remove them before cancelling, "
            "or credit it and refund the client"
        )
    if not uncredited_lines(session, invoice):
        raise Conflict(f"every line of invoice {invoice.number} is credited already")
    default = CANCELLED_REASON.get(invoice.language, CANCELLED_REASON["en"])
    return issue_credit_note(session, invoice, None, reason or default, issued_on, issued_at)


def check_payable(invoice: tables.Invoice) -> None:
    """Money is recorded against issued invoices only, never against a credit note."""
    if invoice.kind == CREDIT_NOTE:
        raise Conflict(
            f"{invoice.number} is a credit note and takes no payments; record money "
            "against the invoice it corrects"
        )
    if invoice.status != "issued":
        raise Conflict(f"only issued invoices take payments; this one is {invoice.status}")


def refuse_fully_credited(session: Session, invoice: tables.Invoice) -> None:
    """An invoice whose every line is credited has nothing left to pay."""
    if invoice.kind != "invoice" or invoice.status != "issued":
        return
    if lines_of(session, invoice) and not uncredited_lines(session, invoice):
        numbers = ", ".join(credit_notes_of(session, [pk(invoice)]).get(pk(invoice), []))
        raise Conflict(
            f"invoice {invoice.number} is cancelled by credit note {numbers}; nothing is due on it"
        )


def check_removable(payment: tables.Payment) -> None:
    """A credit note's settlement goes only with the credit note, which stays."""
    if payment.method == SETTLED_BY_CREDIT:
        raise Conflict(
            f"this settlement is credit note {payment.note}, an issued tax document; "
            "it cannot be removed"
        )


def check_creditable(invoice: tables.Invoice) -> None:
    if invoice.kind == CREDIT_NOTE:
        raise Conflict(f"{invoice.number} is a credit note; credit the invoice it corrects")
    if invoice.status != "issued":
        raise Conflict(
            f"invoice {invoice.number or invoice.id} is {invoice.status}; only issued "
            "invoices take credit notes (a draft is deleted instead)"
        )


def uncredited_lines(session: Session, invoice: tables.Invoice) -> list[tables.InvoiceLine]:
    """The invoice's lines no credit note has credited yet."""
    credited = credited_line_ids(session, [pk(invoice)])
    return [line for line in lines_of(session, invoice) if line.id not in credited]


def credited_line_ids(session: Session, invoice_ids: Sequence[int]) -> set[int]:
    """The ids of the lines of `invoice_ids` that a credit note has credited."""
    lines = select(tables.InvoiceLine.id).where(
        col(tables.InvoiceLine.invoice_id).in_(invoice_ids)
    )
    query = select(tables.InvoiceLine.credits_line_id).where(
        col(tables.InvoiceLine.credits_line_id).in_(lines)
    )
    return {line for line in session.exec(query) if line is not None}


def credit_notes_of(session: Session, invoice_ids: Sequence[int]) -> dict[int, list[str]]:
    """Invoice id → the numbers of the credit notes correcting it, oldest first."""
    query = (
        select(tables.Invoice.corrects_id, tables.Invoice.number)
        .where(col(tables.Invoice.corrects_id).in_(invoice_ids))
        .order_by(col(tables.Invoice.id))
    )
    found: dict[int, list[str]] = {}
    for corrects, number in session.exec(query):
        if corrects is not None and number is not None:
            found.setdefault(corrects, []).append(number)
    return found


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text or "\x00" in text:
        raise InvalidInput("reason", "say why the invoice is corrected, e.g. 'discount agreed'")
    if len(text) > MAX_REASON:
        raise InvalidInput("reason", f"use at most {MAX_REASON} characters")
    return text


def _lines_to_credit(
    session: Session, invoice: tables.Invoice, chosen: Sequence[Ref] | None
) -> list[tables.InvoiceLine]:
    open_lines = uncredited_lines(session, invoice)
    if chosen is None:
        if not open_lines:
            raise Conflict(f"every line of invoice {invoice.number} is credited already")
        return open_lines
    by_id = {pk(line): line for line in lines_of(session, invoice)}
    still_open = {pk(line) for line in open_lines}
    picked: list[tables.InvoiceLine] = []
    for ref in chosen:
        line_id = ref_id(ref, "line")
        if line_id not in by_id:
            raise InvalidInput("lines", f"line {line_id} is not on invoice {invoice.number}")
        if line_id not in still_open:
            raise Conflict(f"line {line_id} of invoice {invoice.number} is credited already")
        if by_id[line_id] not in picked:
            picked.append(by_id[line_id])
    if not picked:
        raise InvalidInput("lines", "choose at least one line to credit")
    return picked


def _number(session: Session, note: tables.Invoice) -> None:
    assert note.issue_date is not None
    pattern = settings_row(session).credit_note_pattern
    note.series = numbering.series_key(pattern, note.issue_date)
    refuse_back_dating(session, note)
    note.sequence = next_sequence(session, note.series)
    note.number = numbering.format_number(pattern, note.issue_date, note.sequence)


def _negated(line: tables.InvoiceLine, note: tables.Invoice, position: int) -> tables.InvoiceLine:
    return tables.InvoiceLine(
        invoice_id=pk(note),
        position=position,
        description=line.description,
        quantity_milli=-line.quantity_milli,
        unit=line.unit,
        unit_price_minor=line.unit_price_minor,
        amount_minor=-line.amount_minor,
        vat_rate_bp=line.vat_rate_bp,
        credits_line_id=line.id,
        project_id=line.project_id,
    )


def _settle(session: Session, invoice: tables.Invoice, note: tables.Invoice) -> None:
    assert note.issue_date is not None
    assert note.number is not None
    session.add(
        tables.Payment(
            invoice_id=pk(invoice),
            amount_minor=-note.total_minor,
            currency=invoice.currency,
            paid_on=note.issue_date,
            method=SETTLED_BY_CREDIT,
            note=note.number,
        )
    )
