"""A VAT payer's foreign-currency invoice in CZK, at the ČNB rate of its taxable supply.

Czech VAT law (§ 4 odst. 5 ZDPH) converts a tax document's amounts at the rate the
ČNB fixed for the taxable supply date, the last fixing before it on a day without
one. Issuing snapshots that rate onto the invoice, so a later correction of the
stored rates never changes an issued document; `ledger.core.tax_figures` converts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from ledger.core.exchange_rates import find_rate, missing_rate
from ledger.core.invoices import vat
from ledger.core.models import CzkAmounts, VatRateTotal
from ledger.core.tax_figures import czk_figures
from ledger.storage import tables

CONVERTED_MODES = ("vat", "reverse_charge")


def needs_rate(row: tables.Invoice) -> bool:
    """Whether issuing `row` needs a ČNB rate: a VAT payer's invoice in another currency."""
    return row.currency != "CZK" and row.vat_mode in CONVERTED_MODES


def snapshot_rate(session: Session, row: tables.Invoice) -> None:
    """Copy the rate of `row`'s taxable supply date onto it (issuing calls this).

    Raises:
        MissingExchangeRate: no rate stored for that date; the message says to run
            ``ledger sync cnb``.
    """
    if not needs_rate(row) or row.taxable_supply_date is None:
        return
    found = find_rate(session, row.currency, row.taxable_supply_date)
    if found is None:
        raise missing_rate(row.currency, row.taxable_supply_date)
    row.czk_rate_micro = found.rate_micro
    row.czk_rate_quantity = found.quantity
    row.czk_rate_day = found.day


def copy_rate(original: tables.Invoice, correction: tables.Invoice) -> None:
    """A correcting document (credit note) converts at its original's rate."""
    correction.czk_rate_micro = original.czk_rate_micro
    correction.czk_rate_quantity = original.czk_rate_quantity
    correction.czk_rate_day = original.czk_rate_day


def czk_amounts(row: tables.Invoice, summary: Sequence[vat.RateTotal]) -> CzkAmounts | None:
    """`row`'s VAT summary and totals in CZK at its snapshotted rate (None without one)."""
    rate = (row.czk_rate_micro, row.czk_rate_quantity, row.czk_rate_day)
    figures = czk_figures(row.currency, rate, summary, row.subtotal_minor)
    if figures is None:
        return None
    lines = [VatRateTotal(**line._asdict()) for line in figures.vat_summary]
    return CzkAmounts(**{**figures._asdict(), "vat_summary": lines})
