"""Exact money: integer minor units in the database, `Decimal` in Python.

Rounding is half-up to the currency's minor unit. Floats are refused everywhere,
because ``0.1 + 0.2`` is not ``0.3`` and an invoice must add up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator

from ledger.errors import InvalidInput

# ISO 4217 codes ledger accepts, with their minor-unit exponent.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CZK": 2, "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "PLN": 2, "HUF": 2,
    "SEK": 2, "NOK": 2, "DKK": 2, "CAD": 2, "AUD": 2, "NZD": 2, "RON": 2,
    "BGN": 2, "JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3,
}  # fmt: skip

AmountInput = Decimal | int | str


def check_currency(code: str, field: str = "currency") -> str:
    """Return the upper-cased ISO 4217 code, or raise naming the field."""
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised not in CURRENCY_EXPONENTS:
        known = ", ".join(sorted(CURRENCY_EXPONENTS))
        raise InvalidInput(field, f"unknown currency {code!r}; use one of {known}")
    return normalised


def currency_field(code: str) -> str:
    """`check_currency` for pydantic validators (raises `ValueError`)."""
    try:
        return check_currency(code)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


def parse_amount(value: object, field: str = "amount") -> Decimal:
    """Turn user input into a finite `Decimal`; floats and garbage are refused."""
    if isinstance(value, (bool, float)):
        raise InvalidInput(
            field, f"{value!r} is a float; pass a string or Decimal such as '12.50'"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise InvalidInput(field, f"{value!r} is not a number") from None
    else:
        raise InvalidInput(field, f"expected a number as text or Decimal, got {value!r}")
    if not result.is_finite():
        raise InvalidInput(field, f"{value!r} is not a finite number")
    if abs(result) >= Decimal(10) ** 13:
        raise InvalidInput(field, f"{value!r} is too large")
    return result


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


def _optional_amount(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


OptionalAmount = Annotated[Decimal | None, BeforeValidator(_optional_amount)]
"""A pydantic field type for money input: text, int or Decimal; never float."""
