"""A VAT payer's foreign-currency invoice in CZK, at the ČNB rate of its taxable supply.

Czech VAT law (§ 4 odst. 5 ZDPH) converts a tax document's amounts at the rate the
ČNB fixed for the taxable supply date, the last fixing before it on a day without
one. Issuing snapshots that rate onto the invoice, so a later correction of the
stored rates never changes an issued document. Each VAT rate's base and VAT are
converted and rounded half-up to hellers; for the reverse charge the base in CZK
is what the customer declares.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import Session

from ledger.core.exchange_rates import MICRO, find_rate, missing_rate
from ledger.core.invoices import vat
from ledger.core.models import CzkAmounts, VatRateTotal, percent, plain_decimal
from ledger.core.money import from_minor, quantize
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
    if row.czk_rate_micro is None or row.czk_rate_quantity is None or row.czk_rate_day is None:
        return None
    rate = Decimal(row.czk_rate_micro).scaleb(-MICRO)
    per_unit = rate / row.czk_rate_quantity

    def czk(minor: int) -> Decimal:
        return quantize(from_minor(minor, row.currency) * per_unit, "CZK")

    lines = [
        VatRateTotal(
            rate=percent(line.rate_bp) or Decimal(0),
            base=czk(line.base_minor),
            vat=czk(line.vat_minor),
            total=czk(line.base_minor) + czk(line.vat_minor),
        )
        for line in summary
    ]
    base = sum((line.base for line in lines), Decimal(0)) if lines else czk(row.subtotal_minor)
    tax = sum((line.vat for line in lines), Decimal(0))
    return CzkAmounts(
        currency=row.currency,
        rate=plain_decimal(rate),
        quantity=row.czk_rate_quantity,
        per_unit=plain_decimal(per_unit),
        day=row.czk_rate_day,
        vat_summary=lines,
        base=base,
        vat=tax,
    )
