"""Recurring invoices: the templates, a form with their lines, and "Create now"."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ledger.core.invoices import LineInput
from ledger.core.models import Client
from ledger.core.recurring.templates import RecurringTemplate, checked_line
from ledger.errors import InvalidInput
from ledger.web.fields import RowId  # noqa: F401 (registers the {name:id} convertor)
from ledger.web.form_help import (
    amount_message,
    api_amounts,
    errors_for,
    flash,
    path_id,
    unstorable,
)
from ledger.web.forms import N_, posted, reads_form
from ledger.web.i18n import Translator
from ledger.web.rendering import render
from ledger.web.state import ledger_of

FIELDS = ("client", "name", "interval", "next_date", "mode", "notes", "active")
LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "vat_rate")
SPARE_LINES = 2
"""Empty line rows the form offers beyond the template's own."""
INTERVALS = {"monthly": N_("Monthly"), "quarterly": N_("Quarterly"), "yearly": N_("Yearly")}
MODES = {"draft": N_("Make a draft to check"), "issue": N_("Issue it at once")}
FALLBACKS = {
    "next_date": N_("Enter a date as YYYY-MM-DD."),
    "interval": N_("Choose one of the offered values."),
    "quantity": N_("Enter a quantity greater than 0, with at most 3 decimal places."),
    "vat_rate": N_("Enter a VAT rate in percent between 0 and 100."),
    "lines": N_("Add at least one line."),
}


def template_list(request: Request) -> Response:
    lg = ledger_of(request)
    templates = lg.recurring.list()
    return render(request, "recurring.html", {
        "templates": templates, "today": lg.today(), "section": "recurring",
        "intervals": INTERVALS, "modes": MODES,
    })  # fmt: skip


def template_new(request: Request) -> Response:
    values = {"interval": "monthly", "mode": "draft", "active": "1",
              "next_date": ledger_of(request).today().isoformat()}  # fmt: skip
    return _form(request, None, values, [], {})


def template_edit(request: Request) -> Response:
    template = ledger_of(request).recurring.get(path_id(request, "template_id"))
    t: Translator = request.state.translator
    values = {key: str(getattr(template, key, "")) for key in FIELDS if key != "client"}
    values |= {"client": str(template.client_id), "next_date": template.next_date.isoformat(),
               "active": "1" if template.active else ""}  # fmt: skip
    lines = [
        {"description": x.description, "quantity": t.amount(x.quantity), "unit": x.unit,
         "unit_price": t.amount(x.unit_price),
         "vat_rate": "" if x.vat_rate is None else t.amount(x.vat_rate)}
        for x in template.lines
    ]  # fmt: skip
    return _form(request, template, values, lines, {})


@reads_form
def template_create(request: Request) -> Response:
    return _save(request, None)


@reads_form
def template_update(request: Request) -> Response:
    return _save(request, path_id(request, "template_id"))


@reads_form
def template_run(request: Request) -> Response:
    """The user confirmed: make the template's due invoices now."""
    lg = ledger_of(request)
    t: Translator = request.state.translator
    made = lg.recurring.run(path_id(request, "template_id"))
    if not made:
        flash(request, "ok", t.gettext("Nothing is due for this template."))
        return RedirectResponse("/recurring", status_code=303)
    count = len(made)
    flash(request, "ok", t.ngettext("%(num)s invoice was created.",
                                    "%(num)s invoices were created.", count))  # fmt: skip
    target = f"/invoices/{made[0].id}" if count == 1 else "/invoices"
    return RedirectResponse(target, status_code=303)


def _save(request: Request, template_id: int | None) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    submitted = posted(request)
    values = {name: submitted.get(name, "") for name in FIELDS}
    rows = _line_rows(submitted)
    template = None if template_id is None else lg.recurring.get(template_id)
    client = _client(request, values["client"], template)
    errors = unstorable({**values, **_flat(rows)}, t)
    lines, line_errors = _lines(rows, client.currency if client else "CZK", t)
    errors |= line_errors
    if client is None:
        errors.setdefault("client", t.gettext("Choose a client."))
    if not errors:
        fields: dict[str, Any] = {
            "name": values["name"], "next_date": values["next_date"],
            "interval": values["interval"], "mode": values["mode"], "notes": values["notes"],
            "active": bool(values["active"]), "lines": lines,
        }  # fmt: skip
        try:
            if template is None:
                assert client is not None
                template = lg.recurring.add(client.id, **fields)
            else:
                template = lg.recurring.update(template, **fields)
        except InvalidInput as exc:
            errors = errors_for(exc, t, fallbacks=FALLBACKS)
    if errors:
        return _form(request, template, values, rows, errors, status=400)
    assert template is not None
    flash(request, "ok", t.gettext("Template %(name)s was saved.", name=template.name))
    return RedirectResponse("/recurring", status_code=303)


def _client(request: Request, text: str, template: RecurringTemplate | None) -> Client | None:
    """The chosen client (a template keeps its own), or None when none is chosen."""
    lg = ledger_of(request)
    if template is not None:
        return lg.clients.get(template.client_id)
    if not text.isdigit():
        return None
    return next((c for c in lg.clients.list() if c.id == int(text)), None)


def _line_rows(submitted: dict[str, str]) -> list[dict[str, str]]:
    """The form's line rows that hold anything, in order."""
    rows, index = [], 0
    while f"line-{index}-description" in submitted:
        row = {name: submitted.get(f"line-{index}-{name}", "") for name in LINE_FIELDS}
        if any(row[name] for name in ("description", "unit_price")):
            rows.append(row)
        index += 1
    return rows


def _lines(
    rows: list[dict[str, str]], currency: str, t: Translator
) -> tuple[list[LineInput], dict[str, str]]:
    """The rows as lines, and each bad cell's error keyed ``line-N-field``."""
    lines: list[LineInput] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        api = api_amounts(row, ("quantity", "unit_price", "vat_rate"), t)
        line = LineInput(api["description"], api["quantity"] or "1", api["unit_price"],
                         api["unit"] or "pcs", api["vat_rate"] or None)  # fmt: skip
        try:
            checked_line(line, currency)
        except InvalidInput as exc:
            found = errors_for(exc, t, fallbacks=FALLBACKS)
            if exc.field == "unit_price":
                found["unit_price"] = amount_message(exc, t, currency)
            errors |= {f"line-{index}-{field}": text for field, text in found.items()}
        lines.append(line)
    return lines, errors


def _flat(rows: list[dict[str, str]]) -> dict[str, str]:
    return {f"line-{i}-{k}": v for i, row in enumerate(rows) for k, v in row.items()}


def _form(
    request: Request, template: RecurringTemplate | None, values: dict[str, str],
    lines: list[dict[str, str]], errors: dict[str, str], status: int = 200,
) -> Response:  # fmt: skip
    rows = [*lines, *({} for _ in range(SPARE_LINES if lines else SPARE_LINES + 1))]
    return render(request, "recurring_form.html", {
        "template": template, "values": values, "lines": rows, "errors": errors,
        "clients": ledger_of(request).clients.list(), "intervals": INTERVALS, "modes": MODES,
        "section": "recurring",
    }, status=status)  # fmt: skip


routes: list[BaseRoute] = [
    Route("/recurring", template_list, methods=["GET"]),
    Route("/recurring", template_create, methods=["POST"]),
    Route("/recurring/new", template_new, methods=["GET"]),
    # {template_id:id}: an odd id is a 404 (`RowId`), never a database overflow
    Route("/recurring/{template_id:id}/edit", template_edit, methods=["GET"]),
    Route("/recurring/{template_id:id}", template_update, methods=["POST"]),
    Route("/recurring/{template_id:id}/run", template_run, methods=["POST"]),
]
