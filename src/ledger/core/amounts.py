"""Amounts as the user means them: one parser for the web, the CLI and the API.

Each notation has one decimal mark and one way to group thousands; anything else is
refused with a message showing how to write the amount, never guessed:

- ``en`` (the English UI): ``1,500.50`` or ``1500.50``; commas group thousands only.
- ``cs`` (the Czech UI): ``1 500,50`` or ``1500,50``; spaces (also no-break and narrow
  no-break spaces) group thousands; a dot is refused, as Czech writing never uses one.
- ``None`` (the Python API and the CLI): ``1500.50``, a dot and no grouping, so
  ``1,500`` cannot be read two ways.

A currency limits the typed decimals to its minor unit (``0.001`` CZK is refused
even when it would round to zero). Exponents, underscores and non-ASCII digits are
refused in every notation.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Literal

from ledger.contracts.currencies import CURRENCY_EXPONENTS, MAX_AMOUNT
from ledger.errors import InvalidInput

Language = Literal["en", "cs"]
Notation = Language | None

_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space
_NOTATIONS: dict[Notation, tuple[str, str]] = {  # (decimal mark, group separators)
    "en": (".", ","),
    "cs": (",", _SPACES),
    None: (".", ""),
}
_EXAMPLES: dict[Notation, str] = {
    "en": "1,500.50 or 1500.50",
    "cs": "1 500,50 or 1500,50",
    None: "'1500.50' (a dot for decimals, no thousands separator)",
}
_LOCALES = {"en": "en_GB", "cs": "cs_CZ"}


def read_amount(
    text: str,
    notation: Notation = None,
    *,
    currency: str | None = None,
    field: str = "amount",
    allow_zero: bool = True,
    allow_negative: bool = True,
) -> Decimal:
    """The `Decimal` that `text` means in `notation`, or `InvalidInput` saying why not.

    Args:
        notation: ``en``, ``cs`` or None (the API's plain ``1500.50``).
        currency: when given, more decimals than its minor unit are refused.
        allow_zero: False where an amount of zero means nothing (a payment).
        allow_negative: False where only positive amounts make sense.
    """
    cleaned = text.strip()
    match = _PATTERNS[notation].fullmatch(cleaned)
    if match is None:
        raise refusal(field, _why_not(cleaned, notation), "amount_notation")
    sign, whole, fraction = match["sign"] or "", match["whole"], match["fraction"] or ""
    digits = re.sub(r"\D", "", whole)
    if currency is not None:
        _check_places(cleaned, fraction, currency, field)
    amount = Decimal(f"{sign}{digits}.{fraction or '0'}")
    return check_amount(amount, field, allow_zero=allow_zero, allow_negative=allow_negative)


def check_amount(
    amount: Decimal, field: str, *, allow_zero: bool = True, allow_negative: bool = True
) -> Decimal:
    """`amount` if finite, within `MAX_AMOUNT` and of an allowed sign."""
    if not amount.is_finite():
        raise refusal(field, f"{amount} is not a finite number", "amount_notation")
    if abs(amount) >= MAX_AMOUNT:
        raise refusal(field, f"{amount} is too large", "amount_too_large")
    if amount == 0 and not allow_zero:
        raise refusal(field, "must not be zero; enter an amount greater than zero", "amount_zero")
    if amount < 0 and not allow_negative:
        raise refusal(
            field, f"{amount} is negative; enter an amount greater than zero", "amount_negative"
        )
    return amount


def check_places(amount: Decimal, currency: str, field: str = "amount") -> Decimal:
    """`amount` when it is a whole number of `currency`'s minor units."""
    exponent = CURRENCY_EXPONENTS[currency]
    if amount != amount.quantize(Decimal(1).scaleb(-exponent)):
        raise refusal(field, _places_message(str(amount), currency), "amount_places")
    return amount


def format_amount(amount: Decimal, notation: Notation = None) -> str:
    """`amount` as the parser reads it back: ``1,500.50``, ``1 500,50`` or ``1500.50``.

    Czech groups with a plain space (what a user types); the decimals are kept as
    they are, so the text means exactly `amount`.
    """
    if notation is None:
        return f"{amount:f}"
    from babel.numbers import format_decimal  # Babel loads when an amount is shown

    places = max(0, -int(amount.as_tuple().exponent))
    pattern = "#,##0" + ("." + "0" * places if places else "")
    text = format_decimal(amount, format=pattern, locale=_LOCALES[notation])
    return text.replace("\u00a0", " ").replace("\u202f", " ") if notation == "cs" else text


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """``1 234,50 Kč`` in ``cs_CZ``, ``CZK 1,234.50`` in ``en_GB`` (NO-BREAK SPACEs).

    CLDR writes a currency code flush against the number (``CZK1,234.50``); a code
    is a word, so it gets a space like a word.
    """
    # Babel takes a tenth of a millisecond per amount, and a page shows hundreds of
    # them, mostly the same few (rates, hours at a rate, monthly totals): kept by the
    # amount's exact text, so 1 and 1.00 (equal as Decimals) are formatted each as given.
    return _formatted_money(str(amount), currency, locale)


@functools.lru_cache(maxsize=8192)
def _formatted_money(amount: str, currency: str, locale: str) -> str:
    from babel.numbers import format_currency, get_currency_symbol  # loads when shown

    text = format_currency(Decimal(amount), currency, locale=locale)
    symbol = get_currency_symbol(currency, locale=locale)
    if text.startswith(symbol) and symbol[-1:].isalpha():
        text = f"{symbol}\u00a0{text.removeprefix(symbol)}"
    return text


def refusal(field: str, message: str, code: str) -> InvalidInput:
    """`InvalidInput` with a code a form translates (``amount_places``, ...)."""
    error = InvalidInput(field, message)
    error.codes = {field: code}
    return error


def _pattern(notation: Notation) -> re.Pattern[str]:
    mark, groups = _NOTATIONS[notation]
    grouped = rf"[1-9][0-9]{{0,2}}(?:[{re.escape(groups)}][0-9]{{3}})+|" if groups else ""
    return re.compile(
        rf"(?P<sign>-)?(?P<whole>{grouped}[0-9]+)(?:{re.escape(mark)}(?P<fraction>[0-9]+))?",
        re.ASCII,
    )


def _check_places(text: str, fraction: str, currency: str, field: str) -> None:
    if len(fraction) > CURRENCY_EXPONENTS[currency]:
        raise refusal(field, _places_message(text, currency), "amount_places")


def _places_message(text: str, currency: str) -> str:
    places = CURRENCY_EXPONENTS[currency]
    if places == 0:
        return f"{text!r} has decimals, but {currency} has no minor unit; write a whole number"
    return (
        f"{text!r} has more than {places} decimal places, which {currency} does not have; "
        f"write at most {places}"
    )


def _why_not(text: str, notation: Notation) -> str:
    """A sentence naming what is wrong with `text` and how to write it."""
    example = _EXAMPLES[notation]
    if not text:
        return f"must not be empty; write an amount such as {example}"
    if any(c.isdigit() and not c.isascii() for c in text):
        problem = "uses digits other than 0-9"
    elif re.search(r"[0-9][eE][+-]?[0-9]|_", text):
        problem = "is not written as a plain number (no exponents or underscores)"
    elif notation is None and re.search(r"[,\s]", text):
        problem = "is ambiguous (is the comma a thousands separator or a decimal mark?)"
    elif notation == "cs" and "." in text:
        problem = "uses a dot, which Czech amounts do not (the decimal mark is a comma)"
    elif notation == "en" and re.search(r",[0-9]{1,2}$|,[0-9]{4,}|\s", text):
        problem = "is not English notation (commas group exactly three digits)"
    else:
        problem = "is not a number"
    return f"{text!r} {problem}; write it as {example}"


_PATTERNS = {notation: _pattern(notation) for notation in _NOTATIONS}
