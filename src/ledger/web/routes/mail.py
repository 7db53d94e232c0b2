"""E-mail from the web UI: the SMTP settings form, and sending an invoice or a reminder.

A send that fails (no settings, no address, a server that refuses) shows the invoice
page again with the reason on the send form, and nothing is recorded.
"""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ledger.documents.mail.settings import MailSettingsInput
from ledger.errors import Conflict, InvalidInput, MailNotSent
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
from ledger.web.routes.invoices import invoice_form_error
from ledger.web.routes.settings import MailForm, page
from ledger.web.state import ledger_of

FIELDS = ("host", "port", "security", "username", "password", "sender", "bcc_self")
FALLBACKS = {
    "host": N_("Enter the SMTP server's name, e.g. smtp.example.com."),
    "port": N_("Enter a port number between 1 and 65535, e.g. 587."),
    "security": N_("Choose STARTTLS, TLS or none."),
    "sender": IDENTITY_HELP["email"],
}
PREFIXES = {"enter the sender": ("sender", N_("Enter the sender address the e-mails come from."))}
NOT_SET_UP = N_("E-mail is not set up yet: enter the SMTP server in the settings.")
NOT_SENT = N_("The e-mail was not sent: %(reason)s")
NO_ADDRESS = N_("The client has no e-mail address: enter one here or on the client.")
NOT_OVERDUE = N_("This invoice is not overdue: no reminder is due.")


@reads_form
def save_settings(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    values = {name: posted(request).get(name, "") for name in FIELDS}
    fields: dict[str, object] = {**values, "bcc_self": values["bcc_self"] == "on"}
    errors = unstorable(values, t)
    if errors:
        checked = {k: v for k, v in fields.items() if k != "password"}
        errors = with_model_errors(MailSettingsInput, checked, errors, t,
                                   fallbacks=FALLBACKS, prefixes=PREFIXES)  # fmt: skip
    else:
        try:
            lg.mail.configure(**fields)  # type: ignore[arg-type]
        except InvalidInput as exc:
            errors = errors_for(exc, t, fallbacks=FALLBACKS, prefixes=PREFIXES)
    if errors:
        return page(request, mail_form=MailForm({**values, "password": ""}, errors), status=400)
    flash(request, "ok", t.gettext("The e-mail settings were saved."))
    return RedirectResponse("/settings#mail", status_code=303)


@reads_form
def send_invoice(request: Request) -> Response:
    return _send(request, "invoice")


@reads_form
def send_reminder(request: Request) -> Response:
    return _send(request, "reminder")


def _send(request: Request, kind: Literal["invoice", "reminder"]) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    invoice_id = path_id(request, "invoice_id")
    values = {"to": posted(request).get("to", "").strip()}
    portal = request.app.state.config.base_url
    to = values["to"] or None
    try:
        if kind == "invoice":
            sent = lg.mail.send_invoice(invoice_id, to, portal_url=portal)
        else:
            sent = lg.mail.send_reminder(invoice_id, to, portal_url=portal)
    except (InvalidInput, Conflict, MailNotSent) as exc:
        return invoice_form_error(request, "mail", values, {"to": _why(exc, t)})
    done = (
        t.gettext("The invoice was sent to %(address)s.", address=sent.sent_to)
        if kind == "invoice"
        else t.gettext("The reminder was sent to %(address)s.", address=sent.sent_to)
    )
    flash(request, "ok", done)
    return RedirectResponse(f"/invoices/{invoice_id}#documents", status_code=303)


def _why(error: Exception, t: Translator) -> str:
    """The refusal in the user's language; a server's own reason is quoted as it came."""
    if isinstance(error, MailNotSent):
        return t.gettext(NOT_SENT, reason=str(error))
    if isinstance(error, InvalidInput):
        missing = "no e-mail address" in error.message
        return t.gettext(NO_ADDRESS) if missing else t.gettext(IDENTITY_HELP["email"])
    message = str(error)
    if "not set up" in message:
        return t.gettext(NOT_SET_UP)
    if "not overdue" in message:
        return t.gettext(NOT_OVERDUE)
    return message


routes: list[BaseRoute] = [
    Route("/settings/mail", save_settings, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/send", send_invoice, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/remind", send_reminder, methods=["POST"]),
]
