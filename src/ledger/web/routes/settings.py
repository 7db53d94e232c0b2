"""Settings: who invoices (supplier identity), invoice numbering, language, theme, password.

The bank accounts listed on the page have their own forms (`bank_accounts`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ledger.core import app_settings
from ledger.core.app_settings import SettingsInput
from ledger.core.invoices.numbering import check_pattern
from ledger.core.models import AppSettings
from ledger.core.money import from_minor, parse_amount, to_minor
from ledger.errors import InvalidInput
from ledger.web.form_help import (
    IDENTITY_HELP,
    amount_error,
    back_path,
    errors_for,
    flash,
    unstorable,
    with_model_errors,
)
from ledger.web.forms import N_, posted, reads_form
from ledger.web.i18n import Translator
from ledger.web.rendering import render
from ledger.web.state import ledger_of


@dataclass(frozen=True)
class AccountForm:
    """A bank account form as submitted: which (an id, or None for a new one), what, why not."""

    account_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MailForm:
    """The e-mail settings form as submitted (the password never comes back)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


TEXT_FIELDS = (
    "supplier_name", "supplier_address", "supplier_company_id", "supplier_vat_id",
    "supplier_email", "number_pattern", "credit_note_pattern", "default_due_days", "locale",
    "theme", "time_zone",
)  # fmt: skip
# Amounts in the form, stored in hundredths (the settings hold minor units).
AMOUNT_FIELDS = {
    "payment_tolerance": "payment_tolerance_minor",
    "default_hourly_rate": "default_hourly_rate_minor",
}
MAX_PATTERN = 60  # SettingsInput.number_pattern's max_length
THEMES = {"auto": N_("Follow the system"), "light": N_("Light"), "dark": N_("Dark")}
VAT_HELP = {
    "vat_payer": N_("A VAT payer prints a VAT ID (DIČ) on every invoice: enter yours above."),
    "default_vat_rate": N_("Enter a percentage between 0 and 100."),
}
ZONE_HELP = N_("Enter a time zone name such as Europe/Prague.")
PATTERN_HELP = N_(
    "Use {seq} for the running number, optionally with {year}, {yy} and {month}, "
    "e.g. {year}-{seq:04d}. Its digits must fit a 10-digit variable symbol."
)
CREDIT_NOTE_HELP = N_(
    "Credit notes are numbered in a series of their own, e.g. D{year}-{seq:04d}."
)
FORM_OPTIONS: dict[str, Any] = {
    "rename": {minor: name for name, minor in AMOUNT_FIELDS.items()},
    "amounts": tuple(AMOUNT_FIELDS),
    "fallbacks": {
        "number_pattern": PATTERN_HELP,
        "credit_note_pattern": CREDIT_NOTE_HELP,
        "time_zone": ZONE_HELP,
        **VAT_HELP,
        **{f"supplier_{name}": help for name, help in IDENTITY_HELP.items()},
    },
}
PASSWORD_PREFIXES = {
    "use at least": ("new_password", N_("Use at least 8 characters.")),
    "use at most": ("new_password", N_("Use at most 72 bytes.")),
    "the current password": ("current_password", N_("The current password is not right.")),
}


def _pattern_refused(pattern: str) -> bool:
    """Widths like ``{seq:999999999d}`` would build huge strings: refused up front."""
    return bool(re.search(r"\{[^}]*\d{3,}", pattern))


def _values(settings: AppSettings, t: Translator) -> dict[str, str]:
    values = {name: str(getattr(settings, name)) for name in TEXT_FIELDS}
    for name, minor in AMOUNT_FIELDS.items():
        stored = getattr(settings, minor)
        values[name] = "" if stored is None else t.amount(from_minor(stored, "CZK"))
    values["vat_payer"] = "on" if settings.vat_payer else ""
    values["default_vat_rate"] = t.amount(settings.default_vat_rate)
    return values


def page(
    request: Request, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    *, password_errors: dict[str, str] | None = None, status: int = 200,
    account_form: AccountForm | None = None, mail_form: MailForm | None = None,
) -> Response:  # fmt: skip
    """The settings page; `account_form` is a bank account form to show with its errors."""
    lg = ledger_of(request)
    t: Translator = request.state.translator
    return render(request, "settings.html", {
        "section": "settings",
        "values": values or _values(lg.settings.get(), t),
        "errors": errors or {},
        "password_errors": password_errors or {},
        "next_number": lg.settings.next_number(),
        "today": t.date(lg.today()),
        "themes": THEMES,
        "pattern_help": PATTERN_HELP,
        "credit_note_help": CREDIT_NOTE_HELP,
        "accounts": lg.bank_accounts.list(),
        "account_form": account_form or AccountForm(),
        "mail": lg.mail.settings(),
        "mail_form": mail_form or MailForm(),
    }, status=status)  # fmt: skip


def settings_page(request: Request) -> Response:
    return page(request)


@reads_form
def settings_save(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    values = posted(request)
    form = {name: values.get(name, "") for name in (*TEXT_FIELDS, *AMOUNT_FIELDS, *VAT_HELP)}
    fields: dict[str, Any] = {name: form[name] for name in TEXT_FIELDS}
    errors = unstorable(form, t)
    fields |= _vat_fields(form, t, errors)
    for name, help in (
        ("number_pattern", PATTERN_HELP),
        ("credit_note_pattern", CREDIT_NOTE_HELP),
    ):
        if _pattern_refused(form[name]):
            errors[name] = t.gettext(help)
            continue
        try:  # checked apart: a bad pattern would hide the other fields' errors
            check_pattern(form[name], name)
        except InvalidInput:
            errors[name] = t.gettext(help)
    for name, minor in AMOUNT_FIELDS.items():
        problem = amount_error(form[name], "CZK", t)
        if problem:
            errors.setdefault(name, problem)
        elif form[name]:
            amount = parse_amount(form[name], name, currency="CZK", notation=t.notation)
            fields[minor] = to_minor(amount, "CZK")
        elif name == "payment_tolerance":
            errors.setdefault(name, t.gettext("This field is required."))
        else:
            fields[minor] = None
    if errors:
        errors = with_model_errors(SettingsInput, fields, errors, t, **FORM_OPTIONS)
    else:
        try:
            lg.settings.update(**fields)
        except InvalidInput as exc:
            errors = errors_for(exc, t, **FORM_OPTIONS)
    if errors:
        return page(request, form, errors, status=400)
    # The language may have just changed: say it in the new one.
    saved = type(t)(fields["locale"])
    flash(request, "ok", saved.gettext("The settings were saved."))
    return RedirectResponse("/settings", status_code=303)


def _vat_fields(form: dict[str, str], t: Translator, errors: dict[str, str]) -> dict[str, Any]:
    """The VAT registration and default rate (typed in the user's notation)."""
    rate: Decimal | None = None
    if text := form["default_vat_rate"]:
        try:
            rate = parse_amount(text, "default_vat_rate", notation=t.notation)
        except InvalidInput:
            errors["default_vat_rate"] = t.gettext(VAT_HELP["default_vat_rate"])
    return {"vat_payer": form["vat_payer"] == "on", "default_vat_rate": rate}


def number_preview(request: Request) -> Response:
    """The next invoice number under the pattern being typed (htmx, as you type)."""
    lg = ledger_of(request)
    t: Translator = request.state.translator
    pattern = request.query_params.get("number_pattern", "")
    try:
        if (
            _pattern_refused(pattern)
            or len(pattern) > MAX_PATTERN
            or unstorable({"p": pattern}, t)
        ):
            raise InvalidInput("number_pattern", "refused")
        preview, error = lg.settings.next_number(pattern), ""
    except InvalidInput:
        preview, error = "", t.gettext(PATTERN_HELP)
    values = {"preview": preview, "preview_error": error, "today": t.date(lg.today())}
    return render(request, "settings.html", values, block="preview")


@reads_form
def theme(request: Request) -> Response:
    t: Translator = request.state.translator
    text = posted(request).get("theme", "")
    chosen = next((theme for theme in app_settings.THEMES if theme == text), None)
    if chosen is None:
        title, message = (
            t.gettext("Please check your input"),
            t.gettext("Choose one of the offered values."),
        )
        return render(request, "error.html", {"title": title, "message": message}, status=400)
    ledger_of(request).settings.update(theme=chosen)
    return RedirectResponse(back_path(request, "/"), status_code=303)


@reads_form
def change_password(request: Request) -> Response:
    t: Translator = request.state.translator
    values = posted(request)
    user_id: int = request.state.session.user_id
    throttle = request.app.state.throttle
    key = f"password:{user_id}"
    errors: dict[str, str] = {}
    if throttle.blocked(key):
        errors["current_password"] = t.gettext(
            "Too many failed attempts. Wait a few minutes and try again."
        )
    else:
        try:
            ledger_of(request).users.change_password(
                user_id, values.get("current_password", ""), values.get("new_password", "")
            )
        except InvalidInput as exc:
            errors = errors_for(exc, t, prefixes=PASSWORD_PREFIXES)
            if "current_password" in errors:
                throttle.failed(key)
    if errors:
        return page(request, password_errors=errors, status=400)
    throttle.succeeded(key)
    # Every session of the user ends (other browsers too); this one starts afresh.
    sessions = request.app.state.sessions
    sessions.drop_user(user_id)
    message = t.gettext("Your password was changed. Other sessions were logged out.")
    token, _ = sessions.create(user_id, flash=[("ok", message)])
    request.state.set_session_token = token
    return RedirectResponse("/settings", status_code=303)


routes: list[BaseRoute] = [
    Route("/settings", settings_page, methods=["GET"]),
    Route("/settings", settings_save, methods=["POST"]),
    Route("/settings/number-preview", number_preview, methods=["GET"]),
    Route("/settings/theme", theme, methods=["POST"]),
    Route("/settings/password", change_password, methods=["POST"]),
]
