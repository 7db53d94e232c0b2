"""The currencies ledger accepts and their minor units, in the standard library only.

Reading a stored amount needs nothing more, so a command that only reads (``ledger
status``, ``ledger invoice pdf``) formats money without loading pydantic.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 codes ledger accepts, with their minor-unit exponent.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CZK": 2, "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "PLN": 2, "HUF": 2,
    "SEK": 2, "NOK": 2, "DKK": 2, "CAD": 2, "AUD": 2, "NZD": 2, "RON": 2,
    "BGN": 2, "JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3,
}  # fmt: skip

MAX_AMOUNT = Decimal(10) ** 13
"""Amounts must stay below this in magnitude (it fits a 64-bit minor-unit column)."""


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units → `Decimal` with the currency's places."""
    exponent = CURRENCY_EXPONENTS[currency]
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    exponent = CURRENCY_EXPONENTS[currency]
    return amount.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)
