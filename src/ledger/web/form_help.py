"""What the clients, time and settings forms share: errors in the user's language,
input the database cannot store, flash messages and a safe way back."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from starlette.requests import Request

from ledger.core.amounts import format_amount, read_amount
from ledger.core.money import CURRENCY_EXPONENTS
from ledger.core.validation import validated
from ledger.errors import InvalidInput, NotFound
from ledger.web.forms import MESSAGES, N_, field_errors
from ledger.web.i18n import Translator

MAX_MINOR = 2**31 - 1  # money columns (and ids) are 32-bit integers on PostgreSQL
NOT_VALID = N_("The value is not valid.")
ENTER_NUMBER = N_("Enter a number, e.g. 1500 or 12.50.")
NEGATIVE = N_("The amount must not be negative.")
TOO_LARGE = N_("The value is too large.")
MUST_BE_POSITIVE = N_("Enter an amount greater than zero.")
IDENTITY_HELP = {
    "iban": N_("Enter an IBAN such as CZ65 0800 0000 1920 0014 5399 with right check digits."),
    "company_id": N_("Enter the 8 digits of the IČO; the last one is a check digit."),
    "vat_id": N_("Enter a VAT id with its country prefix, e.g. CZ27074358 (CZ, 8 to 10 digits)."),
    "email": N_("Enter an e-mail address such as jana@example.com."),
}
"""What to write in an identity field the API refused (see `ledger.core.identities`)."""
PLACES = N_("%(currency)s amounts have at most %(places)s decimal places.")
WHOLE = N_("%(currency)s amounts are whole numbers, without decimals.")


def errors_for(
    error: InvalidInput,
    t: Translator,
    *,
    rename: Mapping[str, str] | None = None,
    amounts: Collection[str] = (),
    prefixes: Mapping[str, tuple[str, str]] | None = None,
    fallbacks: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Form field → message for an input the API refused, always in `t`'s language.

    Args:
        rename: API field → form field where they differ (``minutes`` → ``duration``).
        amounts: form fields holding money; their errors say how to write a number.
        prefixes: start of an API message → (form field, message) for errors of the
            whole input (pydantic model validators report them on ``input``) and for
            messages without a known pydantic code.
        fallbacks: form field → message for its errors without a known code
            (instead of a generic "not valid").
    """
    rename = rename or {}
    prefixes = prefixes or {}
    fallbacks = fallbacks or {}
    known = field_errors(error, t)
    result: dict[str, str] = {}
    for field, message in error.errors.items():
        name = rename.get(field.split(".")[0], field.split(".")[0])
        code = error.codes.get(field, message)
        hit = next(
            (target for start, target in prefixes.items() if message.startswith(start)), None
        )
        if hit is not None:
            name, text = hit[0], t.gettext(hit[1])
        elif name in amounts and (code == "value_error" or field not in error.codes):
            text = t.gettext(_amount_message(message))
        elif name in fallbacks and code in ("value_error", message):
            text = t.gettext(fallbacks[name])
        elif code in MESSAGES:
            text = known[field.split(".")[0]]
        elif name in fallbacks:
            text = t.gettext(fallbacks[name])
        else:
            text = t.gettext(NOT_VALID)
        result.setdefault(name, text)
    return result


def with_model_errors(
    model: type[BaseModel],
    fields: Mapping[str, object],
    early: dict[str, str],
    t: Translator,
    **options: Any,
) -> dict[str, str]:
    """`early` errors (found before the API) plus `model`'s own for the other fields.

    Validation only, so a form shows every mistake at once without anything written.
    `options` are those of `errors_for`.
    """
    try:
        validated(model, {k: v for k, v in fields.items() if k not in early})
    except InvalidInput as exc:
        return {**errors_for(exc, t, **options), **early}
    return early


def _amount_message(message: str) -> str:
    if "negative" in message:
        return NEGATIVE
    if "too large" in message:
        return TOO_LARGE
    return ENTER_NUMBER


def unstorable(values: Mapping[str, str], t: Translator) -> dict[str, str]:
    """Fields holding control characters (NUL breaks PostgreSQL): refused up front."""
    return {
        name: t.gettext(NOT_VALID)
        for name, value in values.items()
        if any(ord(c) < 32 and c not in "\t\r\n" for c in value)
    }


def amount_error(text: str, currency: str, t: Translator) -> str | None:
    """Why `text` (in the user's notation) is no amount the database can hold in
    `currency`, or None if it is."""
    if not text:
        return None
    exponent = CURRENCY_EXPONENTS.get(currency)
    try:
        amount = read_amount(text, t.notation, currency=currency if exponent is not None else None)
    except InvalidInput as exc:
        return amount_message(exc, t, currency)
    exponent = 2 if exponent is None else exponent
    if abs(amount) * Decimal(10) ** exponent > MAX_MINOR:
        return t.gettext(TOO_LARGE)
    return None


def amount_message(error: InvalidInput, t: Translator, currency: str | None = None) -> str:
    """The parser's refusal as a message in `t`'s language, showing how to write it."""
    code = error.codes.get(error.field, "")
    if code == "amount_places" and currency in CURRENCY_EXPONENTS:
        places = CURRENCY_EXPONENTS[currency]
        if places == 0:
            return t.gettext(WHOLE, currency=currency)
        return t.gettext(PLACES, currency=currency, places=places)
    if code == "amount_too_large":
        return t.gettext(TOO_LARGE)
    if code in ("amount_zero", "amount_negative"):
        return t.gettext(MUST_BE_POSITIVE)
    return t.gettext(ENTER_NUMBER)  # its Czech translation shows Czech notation


def api_amounts(
    fields: Mapping[str, str], names: Collection[str], t: Translator
) -> dict[str, str]:
    """`fields` with the named amounts rewritten from the user's notation into the
    API's ``1500.50``; unreadable ones stay as typed (`amount_error` reports them)."""
    result = dict(fields)
    for name in names:
        if text := fields.get(name):
            try:
                result[name] = format_amount(read_amount(text, t.notation))
            except InvalidInput:
                continue
    return result


def path_id(request: Request, name: str) -> int:
    """The id in the URL; ids no row can have (beyond 32 bits) are simply not found."""
    value: int = request.path_params[name]
    if not 0 < value <= MAX_MINOR:
        raise NotFound(f"{name} {value} does not exist")
    return value


def flash(request: Request, kind: str, message: str) -> None:
    """A message for the next full page (``ok`` or ``error``)."""
    request.state.session.flash.append((kind, message))


def back_path(request: Request, default: str = "/") -> str:
    """The Referer's path and query when it is a page of this site, else `default`.

    Only a path is ever returned, so a forged Referer cannot redirect elsewhere.
    """
    parts = urlsplit(request.headers.get("referer", ""))
    ours = {request.url.netloc, urlsplit(request.app.state.config.base_url).netloc}
    path = parts.path
    if (
        parts.scheme not in ("http", "https")
        or parts.netloc not in ours
        or not path.startswith("/")
        or path.startswith(("//", "/\\"))
        or "\\" in path
    ):
        return default
    return f"{path}?{parts.query}" if parts.query else path
