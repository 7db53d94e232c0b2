"""Exact money: integer minor units in the database, `Decimal` in Python.

Rounding is half-up to the currency's minor unit. Floats are refused everywhere,
because ``0.1 + 0.2`` is not ``0.3`` and an invoice must add up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from ledger.contracts.currencies import CURRENCY_EXPONENTS, from_minor, quantize
from ledger.contracts.money import currency_code
from ledger.core.amounts import Notation, check_amount, check_places, read_amount
from ledger.errors import InvalidInput

__all__ = [
    "CURRENCY_EXPONENTS",
    "AmountInput",
    "OptionalAmount",
    "amount_to_minor",
    "check_currency",
    "currency_field",
    "exact_minor",
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


def parse_amount(
    value: object,
    field: str = "amount",
    *,
    currency: str | None = None,
    notation: Notation = None,
    allow_zero: bool = True,
) -> Decimal:
    """User input as a finite `Decimal`: text in `notation`, a `Decimal` or an int.

    Floats are refused (they are not exact); text is read by
    `ledger.core.amounts.read_amount`, so ``1,500`` in the API is refused, not 1.50.
    With a `currency`, more decimals than its minor unit are refused.
    """
    if isinstance(value, str):
        return read_amount(value, notation, currency=currency, field=field, allow_zero=allow_zero)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidInput(field, _not_an_amount(value))
    amount = check_amount(Decimal(value), field, allow_zero=allow_zero)
    return amount if currency is None else check_places(amount, currency, field)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact `Decimal` → integer minor units (rounded half-up)."""
    exponent = CURRENCY_EXPONENTS[currency]
    return int(quantize(amount, currency).scaleb(exponent))


def exact_minor(amount: Decimal, currency: str, field: str = "amount") -> int:
    """`amount` in minor units; more decimals than `currency` has are refused, not rounded."""
    return to_minor(check_places(amount, currency, field), currency)


def amount_to_minor(
    value: object, currency: str, field: str = "amount", *, allow_zero: bool = True
) -> int:
    """Parse user input (exact to `currency`'s minor unit) into minor units in one step."""
    return to_minor(parse_amount(value, field, currency=currency, allow_zero=allow_zero), currency)


def _not_an_amount(value: object) -> str:
    if isinstance(value, bool | float):
        return f"{value!r} is a float; pass a string or Decimal such as '12.50'"
    return f"expected a number as text or Decimal, got {value!r}"


def _optional_amount(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value)
    except InvalidInput as exc:  # pydantic reports a ValueError on the field
        raise ValueError(exc.message) from None


OptionalAmount = Annotated[Decimal | None, BeforeValidator(_optional_amount)]
"""A pydantic field type for money the API is given: text as ``1500.50``, int or Decimal."""
