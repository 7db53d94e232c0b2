"""Exact amounts for plugin input: `Decimal` or text, never float.

The core's money rules build on these, so a plugin and the app agree on what an
amount and a currency are.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator

from ledger.contracts.currencies import CURRENCY_EXPONENTS, MAX_AMOUNT

_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def currency_code(code: object) -> str:
    """The upper-cased ISO 4217 code; `ValueError` naming the known ones otherwise."""
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised not in CURRENCY_EXPONENTS:
        known = ", ".join(sorted(CURRENCY_EXPONENTS))
        raise ValueError(f"unknown currency {code!r}; use one of {known}")
    return normalised


def exact_decimal(value: object) -> Decimal:
    """A finite `Decimal` from a `Decimal`, int or text; `ValueError` for floats and garbage."""
    if isinstance(value, (bool, float)):
        raise ValueError(f"{value!r} is a float; pass a string or Decimal such as '12.50'")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        # Upstream text is read one way only: digits, an optional dot, no grouping.
        # "1,500" may be 1500 or 1.5; the plugin knows its source's notation, ledger
        # would only be guessing.
        if not _PLAIN_NUMBER.fullmatch(value.strip()):
            raise ValueError(
                f"{value!r} is not a plain number; convert it in the plugin to a Decimal "
                "or text such as '1500.50' (a dot for decimals, no thousands separators)"
            )
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"expected a number as text or Decimal, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    if abs(result) >= MAX_AMOUNT:
        raise ValueError(f"{value!r} is too large")
    return result


def _optional_amount(value: object) -> Decimal | None:
    return None if value is None or value == "" else exact_decimal(value)


OptionalAmount = Annotated[Decimal | None, BeforeValidator(_optional_amount)]
"""A pydantic field type for money input: text, int or Decimal; never float."""
