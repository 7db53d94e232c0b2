"""An invoice's payment state, derived from the payments recorded against it."""

from __future__ import annotations

import datetime as dt

from ledger.storage import tables

PAYMENT_STATES = ("unpaid", "partially_paid", "paid", "overpaid", "overdue", "credited")


def payment_state(
    invoice: tables.Invoice,
    paid_minor: int,
    tolerance_minor: int,
    today: dt.date,
    credited_minor: int = 0,
) -> str | None:
    """unpaid, partially_paid, paid, overpaid, overdue or credited; None unless an
    issued invoice (a credit note takes no payments).

    `paid_minor` is every settlement: money received and `credited_minor`, what credit
    notes took off. Within `tolerance_minor` of the total counts as paid, so a rounding
    cent does not leave an invoice open. Overdue means past due and not paid; credited,
    settled by credit notes alone.
    """
    if invoice.status != "issued" or invoice.kind != "invoice":
        return None
    if credited_minor and credited_minor >= invoice.total_minor and paid_minor == credited_minor:
        return "credited"
    difference = paid_minor - invoice.total_minor
    if abs(difference) <= tolerance_minor:
        return "paid"
    if difference > 0:
        return "overpaid"
    if invoice.due_date is not None and today > invoice.due_date:
        return "overdue"
    return "unpaid" if paid_minor == 0 else "partially_paid"
