"""Bank accounts on the settings page: add, edit and remove, one account per currency."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ledger.core.bank_accounts import BankAccountInput
from ledger.errors import InvalidInput
from ledger.web.fields import RowId  # noqa: F401 (registers the {name:id} convertor)
from ledger.web.form_help import (
    IDENTITY_HELP,
    errors_for,
    flash,
    path_id,
    unstorable,
    with_model_errors,
)
from ledger.web.forms import N_, posted, reads_form
from ledger.web.i18n import Translator
from ledger.web.routes.settings import AccountForm, page
from ledger.web.state import ledger_of

FIELDS = ("currency", "label", "account_number", "iban", "bic")
FALLBACKS = {
    "currency": N_("Enter a currency code such as CZK or EUR."),
    "iban": IDENTITY_HELP["iban"],
    "bic": N_("Enter a BIC of 8 or 11 letters and digits, e.g. FIOBCZPP."),
    "account_number": N_("Enter a Czech account number such as 19-2000145399/0800."),
}
PREFIXES = {
    "there is already": (
        "currency",
        N_("There is already an account in this currency: edit it or remove it first."),
    ),
    "give an IBAN": ("iban", N_("Enter an IBAN or a Czech account number (or both).")),
}


@reads_form
def add_account(request: Request) -> Response:
    return _save(request, None)


@reads_form
def edit_account(request: Request) -> Response:
    return _save(request, path_id(request, "account_id"))


def remove_account(request: Request) -> Response:
    t: Translator = request.state.translator
    ledger_of(request).bank_accounts.remove(path_id(request, "account_id"))
    flash(request, "ok", t.gettext("The bank account was removed."))
    return RedirectResponse("/settings#accounts", status_code=303)


def _save(request: Request, account_id: int | None) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    submitted = posted(request)
    values = {name: submitted.get(name, "") for name in FIELDS}
    if account_id is not None:
        lg.bank_accounts.get(account_id)  # a removed account is not found, not re-added
    errors = unstorable(values, t)
    if errors:
        errors = with_model_errors(
            BankAccountInput, values, errors, t, fallbacks=FALLBACKS, prefixes=PREFIXES
        )
    else:
        try:
            if account_id is None:
                lg.bank_accounts.add(**values)
            else:
                lg.bank_accounts.update(account_id, **values)
        except InvalidInput as exc:
            errors = errors_for(exc, t, fallbacks=FALLBACKS, prefixes=PREFIXES)
    if errors:
        form = AccountForm(account_id, values, errors)
        return page(request, account_form=form, status=400)
    flash(request, "ok", t.gettext("The bank account was saved."))
    return RedirectResponse("/settings#accounts", status_code=303)


routes: list[BaseRoute] = [
    Route("/settings/accounts", add_account, methods=["POST"]),
    Route("/settings/accounts/{account_id:id}", edit_account, methods=["POST"]),
    # {account_id:id}: an odd id is a 404 (`RowId`), never a database overflow
    Route("/settings/accounts/{account_id:id}/remove", remove_account, methods=["POST"]),
]
