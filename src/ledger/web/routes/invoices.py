"""Invoices: the list, a new draft from unbilled work with a live preview, and the
invoice page (lines edited inline while draft, issue, payments and their evidence;
corrections live in `corrections`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ledger.api import Ledger
from ledger.errors import Conflict, InvalidInput, MissingExchangeRate, NotFound
from ledger.web.evidence import GROUPINGS, STATUSES, labels
from ledger.web.fields import CHOOSE, TOO_LARGE, Fields, int_or_none, page_number
from ledger.web.forms import N_, posted, reads_form
from ledger.web.rendering import is_htmx, render
from ledger.web.responses import done, partial, refused
from ledger.web.state import ledger_of

PAGE_SIZE = 50
MAX_QUANTITY = 100_000
MAX_LINE = Decimal(10) ** 11  # keeps every total far inside a 64-bit count of minor units
NEW_FIELDS = ("client", "project", "since", "until", "grouping", "vat_rate", "notes")
DRAFT_ERRORS = {
    "client": N_("There is no unbilled billable work for this choice."),
    "hourly_rate": N_(
        "Some work has no hourly rate. Set one on the project, the client or in the settings."
    ),
    "project": N_("The projects bill in different currencies; draft one invoice per currency."),
    "grouping": CHOOSE,
    "vat_rate": N_("Enter a percentage between 0 and 100."),
    "since": N_("Enter a date as YYYY-MM-DD."),
    "until": N_("Enter a date as YYYY-MM-DD."),
}
LINE_ERRORS = {
    "description": N_("This field is required."),
    "quantity": N_("Enter a quantity greater than 0 and at most 100000."),
    "unit_price": N_("Enter a number, e.g. 1500 or 12.50."),
    "vat_rate": N_("Enter a percentage between 0 and 100."),
}
DETAIL_ERRORS = {
    "issue_date": N_("Enter a date as YYYY-MM-DD."),
    "due_date": N_("Enter a date as YYYY-MM-DD."),
    "taxable_supply_date": N_("Enter a date as YYYY-MM-DD."),
    "vat_rate": N_("Enter a percentage between 0 and 100."),
    "language": CHOOSE,
}
PAYMENT_ERRORS = {
    "amount": N_("Enter an amount greater than zero."),
    "date": N_("Enter a date as YYYY-MM-DD."),
}


def _invoice_url(request: Request) -> str:
    return f"/invoices/{request.path_params['invoice_id']}"


stale = refused(
    N_("That is not possible in the invoice's current state. Here it is as it is now."),
    _invoice_url,
)


# --- the list -----------------------------------------------------------------------


def index(request: Request) -> Response:
    lg = ledger_of(request)
    query = request.query_params
    status = query.get("status") if query.get("status") in STATUSES else None
    clients = lg.clients.list(include_archived=True)
    client = int_or_none(query.get("client"))
    if client not in {c.id for c in clients}:
        client = None
    count = lg.invoices.count(status=status, client=client)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(page_number(query.get("page")), pages)
    invoices = lg.invoices.list(
        status=status, client=client, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    filters = {k: v for k, v in {"status": status, "client": client}.items() if v is not None}
    values = {
        "invoices": invoices,
        "totals": lg.invoices.totals(status=status, client=client),
        "clients": clients,
        "status": status or "",
        "client": client,
        "count": count,
        "page": page,
        "pages": pages,
        "page_url": lambda n: "/invoices?" + urlencode({**filters, "page": n}),
        "STATUSES": STATUSES,
        "section": "invoices",
        **labels(request.state.translator),
    }
    return render(request, "invoices.html", values, block="list" if partial(request) else None)


# --- a new draft --------------------------------------------------------------------


def new_page(request: Request) -> Response:
    values = {k: v.strip() for k, v in request.query_params.items() if k in NEW_FIELDS}
    return _new_page(request, values, {})


def new_preview(request: Request) -> Response:
    values = {k: v.strip() for k, v in request.query_params.items() if k in NEW_FIELDS}
    return _new_page(request, values, {}, block="preview" if partial(request) else None)


@reads_form
def create(request: Request) -> Response:
    lg = ledger_of(request)
    values = posted(request)
    fields = Fields(values, request.state.translator)
    args = _draft_args(lg, fields)
    notes = fields.text("notes", max_length=5000)
    if not fields.errors:
        try:
            invoice = lg.invoices.draft(**args, notes=notes)
        except InvalidInput as exc:
            fields.api_error(exc, DRAFT_ERRORS)
        else:
            message = request.state.translator.gettext("The draft invoice is ready.")
            return done(request, f"/invoices/{invoice.id}", message)
    return _new_page(request, values, fields.errors, status=400)


def _draft_args(lg: Ledger, fields: Fields) -> dict[str, Any]:
    """The arguments of `draft`/`preview` from the form; errors go to `fields`."""
    client = fields.ref("client", [c.id for c in lg.clients.list()], required=True)
    projects = lg.projects.list(client) if client is not None else []
    project = fields.ref("project", [p.id for p in projects])
    since, until = fields.date("since"), fields.date("until")
    if since and until and until < since:
        fields.fail("until", N_("The end of the period is before its start."))
    return {
        "client": client,
        "project": project,
        "since": since,
        "until": until,
        "grouping": fields.choice("grouping", GROUPINGS) or "project",
        "vat_rate": fields.percent("vat_rate"),
    }


def _new_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status: int = 200,
    block: str | None = None,
) -> Response:
    lg = ledger_of(request)
    t = request.state.translator
    clients = lg.clients.list()
    client = int_or_none(values.get("client"))
    projects = lg.projects.list(client) if client in {c.id for c in clients} else []
    if values.get("project") not in {str(p.id) for p in projects}:
        values = {**values, "project": ""}  # a project of the client chosen before
    preview, problems = None, {}
    if client is not None:
        check = Fields(values, t)
        args = _draft_args(lg, check)
        if not check.errors:
            try:
                preview = lg.invoices.preview(**args)
            except InvalidInput as exc:
                check.api_error(exc, DRAFT_ERRORS)
        problems = check.errors
    return render(request, "invoice_new.html", {
        "values": values, "errors": errors, "clients": clients, "projects": projects,
        "preview": preview, "problems": problems, "unbilled": lg.reports.unbilled(),
        "oob": block is not None, "section": "invoices", **labels(t),
    }, status=status, block=block)  # fmt: skip


# --- one invoice --------------------------------------------------------------------


def invoice_page(request: Request) -> Response:
    edit = int_or_none(request.query_params.get("edit"))
    return _invoice_page(request, edit_line=edit)


def lines_fragment(request: Request) -> Response:
    edit = int_or_none(request.query_params.get("edit"))
    return _invoice_page(request, edit_line=edit, block="lines" if partial(request) else None)


def invoice_form_error(
    request: Request, form: str, values: dict[str, str], errors: dict[str, str]
) -> Response:
    """The invoice page again with `errors` on its form `form` (the documents' forms)."""
    return _invoice_page(request, errors={form: errors}, form={form: values}, status=400)


def _invoice_page(
    request: Request,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    form: dict[str, dict[str, str]] | None = None,
    edit_line: int | None = None,
    status: int = 200,
    block: str | None = None,
) -> Response:
    lg = ledger_of(request)
    invoice = lg.invoices.get(request.path_params["invoice_id"])
    payments = lg.invoices.payments(invoice) if invoice.status != "draft" else []
    transactions = {
        p.transaction_id: lg.transactions.get(p.transaction_id)
        for p in payments
        if p.transaction_id is not None
    }
    shared = invoice.status == "issued"
    related = [number for number in (invoice.corrects, *invoice.credit_notes) if number]
    return render(request, "invoice.html", {
        "related": {number: lg.invoices.get(number).id for number in related},
        "credit_note": invoice.kind == "credit_note",
        "creditable": [line for line in invoice.lines if not line.credited]
        if shared and invoice.kind == "invoice" else [],
        "links": lg.portal.links(invoice) if shared else [],
        "has_qr": shared and lg.documents.payment_code(invoice) is not None,
        "qr_limit": lg.documents.qr_limit(invoice),
        "account": lg.documents.account_for(invoice),
        "mail": lg.mail.history(invoice) if shared else None,
        "mail_ready": shared and lg.mail.settings().configured,
        "client_email": lg.clients.get(invoice.client_id).email if shared else "",
        "invoice": invoice, "draft": invoice.status == "draft", "payments": payments,
        "transactions": transactions,
        "errors": errors or {}, "form": form or {}, "edit_line": edit_line,
        "today": lg.today(), "oob": block == "lines", "section": "invoices",
        **labels(request.state.translator),
    }, status=status, block=block)  # fmt: skip


@stale
def update_details(request: Request) -> Response:
    lg = ledger_of(request)
    values = posted(request)
    fields = Fields(values, request.state.translator)
    changes: dict[str, Any] = {
        "notes": fields.text("notes", max_length=5000),
        "issue_date": fields.date("issue_date"),
        "taxable_supply_date": fields.date("taxable_supply_date"),
        "due_date": fields.date("due_date"),
    }
    if "vat_rate" in values:  # shown only on drafts that charge VAT
        current = lg.invoices.get(request.path_params["invoice_id"]).vat_rate
        if (rate := fields.percent("vat_rate")) != current:
            changes["vat_rate"] = rate  # a new rate for every line
    if language := fields.choice("language", ("en", "cs")):
        changes["language"] = language
    issued, due = changes["issue_date"], changes["due_date"]
    if issued and due and due < issued:
        fields.fail("due_date", N_("The due date is before the issue date."))
    if not fields.errors:
        try:
            lg.invoices.update(request.path_params["invoice_id"], **changes)
        except InvalidInput as exc:
            fields.api_error(exc, DETAIL_ERRORS)
        else:
            message = request.state.translator.gettext("The invoice is saved.")
            return done(request, _invoice_url(request), message)
    return _invoice_page(
        request, errors={"details": fields.errors}, form={"details": values}, status=400
    )


def _line_fields(fields: Fields, currency: str) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "description": fields.text("description", required=True),
        "quantity": fields.amount("quantity", positive=True),
        "unit_price": fields.amount("unit_price", currency=currency),
    }
    quantity, price = changes["quantity"], changes["unit_price"]
    if quantity is not None and quantity > MAX_QUANTITY:
        fields.fail("quantity", LINE_ERRORS["quantity"])
    elif quantity is not None and price is not None and abs(quantity * price) > MAX_LINE:
        fields.fail("unit_price", TOO_LARGE)
    if unit := fields.text("unit", max_length=10):
        changes["unit"] = unit
    if "vat_rate" in fields.values:  # only drafts that charge VAT show the field
        changes["vat_rate"] = fields.percent("vat_rate")
    return changes


def _lines_changed(request: Request) -> Response:
    if is_htmx(request):
        return _invoice_page(request, block="lines")
    return RedirectResponse(_invoice_url(request) + "#lines", status_code=303)


@stale
def update_line(request: Request) -> Response:
    lg = ledger_of(request)
    values = posted(request)
    fields = Fields(values, request.state.translator)
    changes = _line_fields(fields, lg.invoices.get(request.path_params["invoice_id"]).currency)
    line_id = request.path_params["line_id"]
    if not fields.errors:
        try:
            lg.invoices.update_line(request.path_params["invoice_id"], line_id, **changes)
        except InvalidInput as exc:
            fields.api_error(exc, LINE_ERRORS)
        else:
            return _lines_changed(request)
    return _invoice_page(
        request, errors={"line": fields.errors}, form={"line": values}, edit_line=line_id,
        status=400, block="lines" if is_htmx(request) else None,
    )  # fmt: skip


@stale
def add_line(request: Request) -> Response:
    lg = ledger_of(request)
    values = posted(request)
    fields = Fields(values, request.state.translator)
    changes = _line_fields(fields, lg.invoices.get(request.path_params["invoice_id"]).currency)
    if not fields.errors:
        try:
            lg.invoices.add_line(request.path_params["invoice_id"], **changes)
        except InvalidInput as exc:
            fields.api_error(exc, LINE_ERRORS)
        else:
            return _lines_changed(request)
    return _invoice_page(
        request, errors={"add": fields.errors}, form={"add": values}, status=400,
        block="lines" if is_htmx(request) else None,
    )  # fmt: skip


@stale
def remove_line(request: Request) -> Response:
    lg = ledger_of(request)
    lg.invoices.remove_line(request.path_params["invoice_id"], request.path_params["line_id"])
    return _lines_changed(request)


ISSUE_ERRORS = {
    "lines": N_("Add a line first: an invoice needs at least one line."),
    "due_date": N_("The due date is before the issue date."),
    "issue_date": N_(
        "An invoice of the same number series already has a later issue date. Set the issue "
        "date to that day or later, so that numbers follow the order of their dates."
    ),
    "number_pattern": N_(
        "This number would give the invoice a variable symbol another invoice already has. "
        "Change the number pattern in Settings so that numbers differ in their digits."
    ),
}


@stale
def issue(request: Request) -> Response:
    lg = ledger_of(request)
    t = request.state.translator
    draft = lg.invoices.get(request.path_params["invoice_id"])
    try:
        invoice = lg.invoices.issue(draft, issue_date=draft.issue_date)
    except InvalidInput as exc:
        message = t.gettext(ISSUE_ERRORS.get(exc.field, ISSUE_ERRORS["due_date"]))
        if is_htmx(request):
            return done(request, _invoice_url(request), message, status=400)
        return _invoice_page(request, errors={"actions": {"form": message}}, status=400)
    except MissingExchangeRate as exc:
        message = t.gettext(
            "There is no ČNB exchange rate for %(currency)s on %(day)s, the taxable supply "
            "date. Sync the ČNB plugin (Integrations, or `ledger sync cnb`) and issue again.",
            currency=exc.currency,
            day=exc.day,
        )
        if is_htmx(request):
            return done(request, _invoice_url(request), message, status=400)
        return _invoice_page(request, errors={"actions": {"form": message}}, status=400)
    return done(request, _invoice_url(request), t.gettext(
        "Invoice %(number)s is issued.", number=invoice.number
    ))  # fmt: skip


@stale
def record_payment(request: Request) -> Response:
    lg = ledger_of(request)
    values = posted(request)
    fields = Fields(values, request.state.translator)
    currency = lg.invoices.get(request.path_params["invoice_id"]).currency
    amount = fields.amount("amount", positive=True, currency=currency)
    date = fields.date("date", required=True)
    note = fields.text("note", max_length=2000)
    if not fields.errors and date is not None:
        try:
            lg.invoices.record_payment(request.path_params["invoice_id"], amount, date, note)
        except InvalidInput as exc:
            fields.api_error(exc, PAYMENT_ERRORS)
        else:
            message = request.state.translator.gettext("The payment is recorded.")
            return done(request, _invoice_url(request) + "#payments", message)
    return _invoice_page(
        request, errors={"payment": fields.errors}, form={"payment": values}, status=400
    )


@stale
def remove_payment(request: Request) -> Response:
    lg = ledger_of(request)
    invoice_id, payment_id = request.path_params["invoice_id"], request.path_params["payment_id"]
    payment = next((p for p in lg.invoices.payments(invoice_id) if p.id == payment_id), None)
    if payment is None:
        raise NotFound(f"payment {payment_id} is not on invoice {invoice_id}")
    if payment.method != "manual":
        raise Conflict("a matched payment is undone by unmatching its transaction")
    lg.invoices.remove_payment(payment.id)
    message = request.state.translator.gettext("The payment is removed.")
    return done(request, _invoice_url(request) + "#payments", message)


routes = [
    Route("/invoices", index, methods=["GET"]),
    Route("/invoices", create, methods=["POST"]),
    Route("/invoices/new", new_page, methods=["GET"]),
    Route("/invoices/new/preview", new_preview, methods=["GET"]),
    Route("/invoices/{invoice_id:id}", invoice_page, methods=["GET"]),
    Route("/invoices/{invoice_id:id}", update_details, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/lines", lines_fragment, methods=["GET"]),
    Route("/invoices/{invoice_id:id}/lines", add_line, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/lines/{line_id:id}", update_line, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/lines/{line_id:id}/delete", remove_line, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/issue", issue, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/payments", record_payment, methods=["POST"]),
    Route(
        "/invoices/{invoice_id:id}/payments/{payment_id:id}/delete",
        remove_payment,
        methods=["POST"],
    ),
]
