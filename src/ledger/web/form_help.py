"""What the clients, time and settings forms share: errors in the user's language,
input the database cannot store, flash messages and a safe way back."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from starlette.requests import Request

from ledger.core.money import CURRENCY_EXPONENTS, parse_amount
from ledger.core.validation import validated
from ledger.errors import InvalidInput, NotFound
from ledger.web.forms import MESSAGES, N_, field_errors
from ledger.web.i18n import Translator

MAX_MINOR = 2**31 - 1  # money columns (and ids) are 32-bit integers on PostgreSQL
NOT_VALID = N_("The value is not valid.")
ENTER_NUMBER = N_("Enter a number, e.g. 1500 or 12.50.")
NEGATIVE = N_("The amount must not be negative.")
TOO_LARGE = N_("The value is too large.")


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
    """Why `text` is no amount the database can hold in `currency`, or None if it is."""
    if not text:
        return None
    try:
        amount = parse_amount(text)
    except InvalidInput as exc:
        return t.gettext(_amount_message(exc.message))
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    if abs(amount) * Decimal(10) ** exponent > MAX_MINOR:
        return t.gettext(TOO_LARGE)
    return None


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
