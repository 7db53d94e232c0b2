"""Correcting an invoice: a credit note for chosen lines or the whole invoice
(cancelling), and deleting a draft."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.core.models import Invoice
from ledger.errors import Conflict, InvalidInput
from ledger.web.fields import Fields
from ledger.web.forms import N_, posted
from ledger.web.rendering import is_htmx
from ledger.web.responses import done
from ledger.web.routes.invoices import _invoice_page, _invoice_url, stale
from ledger.web.state import ledger_of

LINE_PREFIX = "line-"
"""Each line the user ticks for crediting comes as ``line-<id>=on``."""
CREDIT_ERRORS = {
    "reason": N_("Say why the invoice is corrected, e.g. a discount agreed afterwards."),
    "lines": N_("Tick at least one line that is not credited yet."),
    "issue_date": N_("A credit note cannot be dated before the last one in its number series."),
}


@stale
def credit(request: Request) -> Response:
    """Issue a credit note for the ticked lines, with the reason given."""
    lg = ledger_of(request)
    t = request.state.translator
    values = posted(request)
    fields = Fields(values, t)
    reason = fields.text("reason", required=True, max_length=500)
    lines = [
        int(name.removeprefix(LINE_PREFIX))
        for name, value in values.items()
        if name.startswith(LINE_PREFIX) and name.removeprefix(LINE_PREFIX).isdigit() and value
    ]
    if not lines:
        fields.fail("lines", CREDIT_ERRORS["lines"])
    if not fields.errors:
        try:
            note = lg.invoices.credit(
                request.path_params["invoice_id"], reason=reason, lines=lines
            )
        except InvalidInput as exc:
            fields.api_error(exc, CREDIT_ERRORS)
        else:
            message = t.gettext("Credit note %(number)s is issued.", number=note.number)
            return done(request, f"/invoices/{note.id}", message)
    return _invoice_page(
        request, errors={"credit": fields.errors}, form={"credit": values}, status=400
    )


@stale
def cancel(request: Request) -> Response:
    """Cancel an issued invoice (a credit note for all of it) or a draft."""
    lg = ledger_of(request)
    t = request.state.translator
    invoice: Invoice = lg.invoices.get(request.path_params["invoice_id"])
    if invoice.paid != 0:
        message = t.gettext("Remove the invoice's payments before cancelling it.")
        if is_htmx(request):
            return done(request, _invoice_url(request), message, status=409)
        return _invoice_page(request, errors={"actions": {"form": message}}, status=409)
    cancelled = lg.invoices.cancel(invoice)
    if not cancelled.credit_notes:
        return done(request, _invoice_url(request), t.gettext(
            "The draft is cancelled; its work is unbilled again."
        ))  # fmt: skip
    return done(request, _invoice_url(request), t.gettext(
        "Credit note %(number)s cancels the invoice; its work is unbilled again.",
        number=cancelled.credit_notes[-1],
    ))  # fmt: skip


@stale
def delete_draft(request: Request) -> Response:
    lg = ledger_of(request)
    t = request.state.translator
    invoice = lg.invoices.get(request.path_params["invoice_id"])
    if invoice.status != "draft":
        raise Conflict(f"invoice {invoice.number} is {invoice.status}; only drafts are deleted")
    lg.invoices.delete(invoice)
    return done(
        request, "/invoices", t.gettext("The draft is deleted; its work is unbilled again.")
    )


routes = [
    Route("/invoices/{invoice_id:id}/credit", credit, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/cancel", cancel, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/delete", delete_draft, methods=["POST"]),
]
