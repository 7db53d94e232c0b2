"""Reading forms and turning validation errors into messages in the user's language."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ledger.errors import InvalidInput
from ledger.web.i18n import Translator


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "translate later")
    """Mark `message` for the catalogs without translating it here."""
    return message


# pydantic error types and the core's usual messages, in words a user understands.
MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "must not be empty": N_("This field is required."),
    "string_too_long": N_("This text is too long."),
    "decimal_parsing": N_("Enter a number, e.g. 1500 or 12.50."),
    "int_parsing": N_("Enter a whole number."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "literal_error": N_("Choose one of the offered values."),
    "greater_than_equal": N_("The value is too small."),
    "less_than_equal": N_("The value is too large."),
    "string_pattern_mismatch": N_("The format is not valid."),
    "value_error": N_("The value is not valid."),
    "vat_not_registered": N_(
        "You are not registered for VAT (see Settings), so invoices carry no VAT."
    ),
    "vat_reverse_charge": N_(
        "The client has an EU VAT id: the reverse charge applies and the invoice carries no VAT."
    ),
}


async def form_values(request: Request) -> dict[str, str]:
    """The submitted fields as text (files and repeated keys ignored), stripped."""
    form = await request.form()
    return {
        key: value.strip()
        for key, value in form.items()
        if isinstance(value, str) and key != "csrf_token"
    }


BlockingHandler = Callable[[Request], Response]
"""A handler that calls the blocking ledger API: it must run in a worker thread."""


async def off_the_loop(handler: BlockingHandler, request: Request) -> Response:
    """Read a POST's form on the event loop, then run `handler` in a worker thread, so
    a slow database (a long sync holding it) stalls this request alone, not the server."""
    if request.method == "POST":
        request.state.form = await form_values(request)
    return await run_in_threadpool(handler, request)


def reads_form(handler: BlockingHandler) -> Callable[[Request], Awaitable[Response]]:
    """A POST handler that reads its form with `posted` and runs in a worker thread."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        return await off_the_loop(handler, request)

    return wrapped


def posted(request: Request) -> dict[str, str]:
    """The submitted fields (see `form_values`) that `off_the_loop` read for `request`."""
    values = getattr(request.state, "form", None)
    if not isinstance(values, dict):
        raise RuntimeError("no form read for this request; decorate the handler @reads_form")
    return dict(values)


def field_errors(error: InvalidInput, translator: Translator) -> dict[str, str]:
    """Field → message for a form, translated where the message is a known one."""
    return {
        field.split(".")[0]: translator.gettext(MESSAGES.get(code, ""))
        if MESSAGES.get(code)
        else translator.gettext(message)
        for field, (code, message) in _coded(error).items()
    }


def _coded(error: InvalidInput) -> dict[str, tuple[str, str]]:
    codes = getattr(error, "codes", {}) or {}
    return {field: (codes.get(field, message), message) for field, message in error.errors.items()}


def optional(values: dict[str, str], *names: str) -> dict[str, str | None]:
    """The named fields, with empty text as None."""
    return {name: (values.get(name) or None) for name in names}
