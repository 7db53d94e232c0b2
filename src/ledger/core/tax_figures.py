"""An invoice's VAT figures in plain Python: the summary per rate, rates as percentages,
and the summary in CZK at the ČNB rate issuing kept.

Standard library only, so an invoice's document is assembled without the ORM or
pydantic (`ledger.core.invoice_sheet`); the public `Invoice` model is built from the
same functions (`ledger.core.invoices.views`), so both say the same.

Czech VAT law (§ 4 odst. 5 ZDPH) converts a tax document's amounts at the rate the ČNB
fixed for the taxable supply date. Each rate's base and VAT are converted and rounded
half-up to hellers; for the reverse charge the base in CZK is what the customer declares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from ledger.contracts.currencies import from_minor, quantize

MICRO = 6
"""Exchange rates are stored in millionths (``rate_micro``)."""


class RateTotal(NamedTuple):
    """One VAT rate's line of the summary, in minor units."""

    rate_bp: int
    base_minor: int
    vat_minor: int

    @property
    def total_minor(self) -> int:
        return self.base_minor + self.vat_minor


class RateAmounts(NamedTuple):
    """One VAT rate's line of the summary in currency units (the rate in percent)."""

    rate: Decimal
    base: Decimal
    vat: Decimal
    total: Decimal


class CzkFigures(NamedTuple):
    """A foreign-currency tax document in CZK: the rate it converts at and its VAT."""

    currency: str
    rate: Decimal
    quantity: int
    per_unit: Decimal
    day: dt.date
    vat_summary: list[RateAmounts]
    base: Decimal
    vat: Decimal


def summarize(lines: Iterable[tuple[int, int | None]]) -> list[RateTotal]:
    """Per rate, highest first: the base (sum of its lines' amounts) and the VAT on it.

    `lines` are (amount, rate) pairs; lines without a rate form no summary line.
    VAT is rounded half-up once per rate, as the law computes it from the base.
    """
    bases: dict[int, int] = {}
    for amount, rate in lines:
        if rate is not None:
            bases[rate] = bases.get(rate, 0) + amount
    return [
        RateTotal(rate, base, vat_on(base, rate))
        for rate, base in sorted(bases.items(), reverse=True)
    ]


def vat_on(base_minor: int, rate_bp: int) -> int:
    """VAT on `base_minor` at `rate_bp`, rounded half-up (away from zero)."""
    exact = Decimal(base_minor) * rate_bp / 10000
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plain_decimal(value: Decimal) -> Decimal:
    """Without trailing zeros, never in exponent form (``10``, not ``1E+1``)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


def percent(basis_points: int | None) -> Decimal | None:
    """A rate stored in basis points as a percentage: 2100 → ``Decimal("21")``."""
    return None if basis_points is None else plain_decimal(Decimal(basis_points).scaleb(-2))


def rate_amounts(summary: Sequence[RateTotal], currency: str) -> list[RateAmounts]:
    """The VAT summary in the currency's units."""
    return [
        RateAmounts(
            rate=percent(rate.rate_bp) or Decimal(0),
            base=from_minor(rate.base_minor, currency),
            vat=from_minor(rate.vat_minor, currency),
            total=from_minor(rate.total_minor, currency),
        )
        for rate in summary
    ]


def czk_figures(
    currency: str,
    rate: tuple[int | None, int | None, dt.date | None],
    summary: Sequence[RateTotal],
    subtotal_minor: int,
) -> CzkFigures | None:
    """The summary and totals in CZK at `rate` (the invoice's ``czk_rate_micro``,
    ``czk_rate_quantity`` and ``czk_rate_day``); None when it kept no rate."""
    rate_micro, quantity, day = rate
    if rate_micro is None or quantity is None or day is None:
        return None
    exact = Decimal(rate_micro).scaleb(-MICRO)
    per_unit = exact / quantity

    def czk(minor: int) -> Decimal:
        return quantize(from_minor(minor, currency) * per_unit, "CZK")

    lines = [
        RateAmounts(
            rate=percent(line.rate_bp) or Decimal(0),
            base=czk(line.base_minor),
            vat=czk(line.vat_minor),
            total=czk(line.base_minor) + czk(line.vat_minor),
        )
        for line in summary
    ]
    base = sum((line.base for line in lines), Decimal(0)) if lines else czk(subtotal_minor)
    tax = sum((line.vat for line in lines), Decimal(0))
    return CzkFigures(
        currency=currency,
        rate=plain_decimal(exact),
        quantity=quantity,
        per_unit=plain_decimal(per_unit),
        day=day,
        vat_summary=lines,
        base=base,
        vat=tax,
    )
