"""Exact money: integer minor units in the database, `Decimal` in Python.

Rounding is half-up to the currency's minor unit. Floats are refused everywhere,
because ``0.1 + 0.2`` is not ``0.3`` and an invoice must add up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ledger.contracts.money import (
    CURRENCY_EXPONENTS,
    OptionalAmount,
    currency_code,
    exact_decimal,
)
from ledger.errors import InvalidInput

__all__ = [
    "CURRENCY_EXPONENTS",
    "AmountInput",
    "OptionalAmount",
    "amount_to_minor",
    "check_currency",
    "currency_field",
    "from_minor",
    "parse_amount",
    "quantize",
    "to_minor",
]

AmountInput = Decimal | int | str


def check_currency(code: str, field: str = "currency") -> str:
    """Return the upper-cased ISO 4217 code, or raise naming the field."""
    try:
        return currency_code(code)
    except ValueError as exc:
        raise InvalidInput(field, str(exc)) from None


def currency_field(code: str) -> str:
    """`check_currency` for pydantic validators (raises `ValueError`)."""
    return currency_code(code)


def parse_amount(value: object, field: str = "amount") -> Decimal:
    """Turn user input into a finite `Decimal`; floats and garbage are refused."""
    try:
        return exact_decimal(value)
    except ValueError as exc:
        raise InvalidInput(field, str(exc)) from None


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    exponent = CURRENCY_EXPONENTS[currency]
    return amount.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact `Decimal` → integer minor units (rounded half-up)."""
    exponent = CURRENCY_EXPONENTS[currency]
    return int(quantize(amount, currency).scaleb(exponent))


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units → `Decimal` with the currency's places."""
    exponent = CURRENCY_EXPONENTS[currency]
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def amount_to_minor(value: object, currency: str, field: str = "amount") -> int:
    """Parse user input and convert it to minor units in one step."""
    return to_minor(parse_amount(value, field), currency)
