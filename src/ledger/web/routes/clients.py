"""Clients and their projects: list, create, edit, archive."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ledger.core.clients import ClientInput
from ledger.core.models import Client, Project
from ledger.core.money import CURRENCY_EXPONENTS
from ledger.core.projects import ProjectInput
from ledger.core.validation import validated
from ledger.errors import InvalidInput
from ledger.web.evidence import ROUNDINGS
from ledger.web.form_help import (
    IDENTITY_HELP,
    amount_error,
    api_amounts,
    errors_for,
    flash,
    path_id,
    unstorable,
    with_model_errors,
)
from ledger.web.forms import N_, posted, reads_form
from ledger.web.i18n import Translator
from ledger.web.rendering import render
from ledger.web.state import ledger_of

CLIENT_FIELDS = (
    "name", "contact_name", "email", "phone", "address", "company_id", "vat_id",
    "currency", "language", "hourly_rate", "payment_terms_days",
)  # fmt: skip
PROJECT_FIELDS = ("name", "hourly_rate", "currency", "rounding", "rounding_minutes")
CURRENCIES = ["CZK", "EUR", *sorted(set(CURRENCY_EXPONENTS) - {"CZK", "EUR"})]
PROJECT_PREFIXES = {
    "rounding_minutes": ("rounding_minutes", N_("Give the rounding step in minutes, e.g. 15.")),
}


def _options() -> dict[str, Any]:
    return {"currencies": CURRENCIES, "roundings": ROUNDINGS, "section": "clients"}


# --- clients ---------------------------------------------------------------------------


def client_list(request: Request) -> Response:
    show = request.query_params.get("archived") == "1"
    clients = ledger_of(request).clients.list(include_archived=show)
    return render(
        request, "clients.html", {"clients": clients, "show_archived": show, **_options()}
    )


def client_new(request: Request) -> Response:
    settings = ledger_of(request).settings.get()
    values = {
        "currency": "CZK",
        "language": settings.locale,
        "payment_terms_days": str(settings.default_due_days),
    }
    return render(request, "client_form.html", {"client": None, "values": values, "errors": {},
                                                **_options()})  # fmt: skip


@reads_form
def client_create(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    fields = _fields(posted(request), CLIENT_FIELDS)
    errors = _client_checks(fields, t)
    if not errors:
        try:
            client = lg.clients.add(**validated(ClientInput, _api(fields, t)).model_dump())
        except InvalidInput as exc:
            errors = errors_for(exc, t, amounts=("hourly_rate",), fallbacks=IDENTITY_HELP)
    if errors:
        return render(request, "client_form.html", {"client": None, "values": fields,
                      "errors": errors, **_options()}, status=400)  # fmt: skip
    flash(request, "ok", t.gettext("Client %(name)s was added.", name=client.name))
    return RedirectResponse(f"/clients/{client.id}", status_code=303)


def client_page(request: Request) -> Response:
    client = ledger_of(request).clients.get(path_id(request, "client_id"))
    values = {"currency": "", "rounding": "none", "rounding_minutes": "0"}
    return _client_page(request, client, values, {})


def _client_page(
    request: Request, client: Client, values: dict[str, str], errors: dict[str, str],
    status: int = 200,
) -> Response:  # fmt: skip
    show = request.query_params.get("archived") == "1"
    projects = ledger_of(request).projects.list(client, include_archived=show)
    return render(request, "client.html", {
        "client": client, "projects": projects, "show_archived": show,
        "values": values, "errors": errors, **_options(),
    }, status=status)  # fmt: skip


def client_edit(request: Request) -> Response:
    client = ledger_of(request).clients.get(path_id(request, "client_id"))
    values = {key: _text(getattr(client, key)) for key in CLIENT_FIELDS}
    values["hourly_rate"] = request.state.translator.amount(client.hourly_rate)
    return render(request, "client_form.html", {"client": client, "values": values,
                                                "errors": {}, **_options()})  # fmt: skip


@reads_form
def client_update(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    client = lg.clients.get(path_id(request, "client_id"))
    fields = _fields(posted(request), CLIENT_FIELDS)
    errors = _client_checks(fields, t)
    if not errors:
        try:
            client = lg.clients.update(
                client, **validated(ClientInput, _api(fields, t)).model_dump()
            )
        except InvalidInput as exc:
            errors = errors_for(exc, t, amounts=("hourly_rate",), fallbacks=IDENTITY_HELP)
    if errors:
        return render(request, "client_form.html", {"client": client, "values": fields,
                      "errors": errors, **_options()}, status=400)  # fmt: skip
    flash(request, "ok", t.gettext("Client %(name)s was saved.", name=client.name))
    return RedirectResponse(f"/clients/{client.id}", status_code=303)


@reads_form
def client_archive(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    archived = posted(request).get("archived", "1") != "0"
    client = lg.clients.archive(path_id(request, "client_id"), archived)
    message = (
        t.gettext("Client %(name)s was archived.", name=client.name)
        if archived
        else t.gettext("Client %(name)s is active again.", name=client.name)
    )
    flash(request, "ok", message)
    return RedirectResponse(f"/clients/{client.id}", status_code=303)


def _client_checks(fields: dict[str, str], t: Translator) -> dict[str, str]:
    errors = unstorable(fields, t)
    rate = amount_error(fields["hourly_rate"], fields["currency"].upper(), t)
    if rate:
        errors.setdefault("hourly_rate", rate)
    if errors:
        return with_model_errors(
            ClientInput, _api(fields, t), errors, t, amounts=("hourly_rate",),
            fallbacks=IDENTITY_HELP,
        )  # fmt: skip
    return errors


# --- projects --------------------------------------------------------------------------


@reads_form
def project_create(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    client = lg.clients.get(path_id(request, "client_id"))
    fields = _project_fields(posted(request))
    errors = _project_checks(fields, client.currency, t)
    if not errors:
        try:
            project = lg.projects.add(
                client, **validated(ProjectInput, _api(fields, t)).model_dump()
            )
        except InvalidInput as exc:
            errors = _project_errors(exc, t)
    if errors:
        return _client_page(request, client, fields, errors, status=400)
    flash(request, "ok", t.gettext("Project %(name)s was added.", name=project.name))
    return RedirectResponse(f"/clients/{client.id}", status_code=303)


def project_edit(request: Request) -> Response:
    lg = ledger_of(request)
    project = lg.projects.get(path_id(request, "project_id"))
    values = {key: _text(getattr(project, key)) for key in PROJECT_FIELDS}
    values["hourly_rate"] = request.state.translator.amount(project.hourly_rate)
    return _project_form(request, project, values, {})


def _project_form(
    request: Request, project: Project, values: dict[str, str], errors: dict[str, str],
    status: int = 200,
) -> Response:  # fmt: skip
    client = ledger_of(request).clients.get(project.client_id)
    return render(request, "project_form.html", {
        "project": project, "client": client, "values": values, "errors": errors, **_options(),
    }, status=status)  # fmt: skip


@reads_form
def project_update(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    project = lg.projects.get(path_id(request, "project_id"))
    fields = _project_fields(posted(request))
    errors = _project_checks(fields, project.currency, t)
    if not errors:
        try:
            project = lg.projects.update(
                project, **validated(ProjectInput, _api(fields, t)).model_dump()
            )
        except InvalidInput as exc:
            errors = _project_errors(exc, t)
    if errors:
        return _project_form(request, project, fields, errors, status=400)
    flash(request, "ok", t.gettext("Project %(name)s was saved.", name=project.name))
    return RedirectResponse(f"/clients/{project.client_id}", status_code=303)


@reads_form
def project_archive(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    archived = posted(request).get("archived", "1") != "0"
    project = lg.projects.archive(path_id(request, "project_id"), archived)
    message = (
        t.gettext("Project %(name)s was archived.", name=project.name)
        if archived
        else t.gettext("Project %(name)s is active again.", name=project.name)
    )
    flash(request, "ok", message)
    return RedirectResponse(f"/clients/{project.client_id}", status_code=303)


def _project_fields(values: dict[str, str]) -> dict[str, str]:
    fields = _fields(values, PROJECT_FIELDS)
    if not fields["rounding_minutes"]:
        fields["rounding_minutes"] = "0"
    return fields


def _project_checks(fields: dict[str, str], currency: str, t: Translator) -> dict[str, str]:
    errors = unstorable(fields, t)
    rate = amount_error(fields["hourly_rate"], fields["currency"].upper() or currency, t)
    if rate:
        errors.setdefault("hourly_rate", rate)
    if errors:
        return with_model_errors(ProjectInput, _api(fields, t), errors, t,
                                 amounts=("hourly_rate",), prefixes=PROJECT_PREFIXES)  # fmt: skip
    return errors


def _project_errors(exc: InvalidInput, t: Translator) -> dict[str, str]:
    return errors_for(exc, t, amounts=("hourly_rate",), prefixes=PROJECT_PREFIXES)


# --- shared ----------------------------------------------------------------------------


def _fields(values: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The named form fields (missing ones empty): never more than the API accepts."""
    return {name: values.get(name, "") for name in names}


def _api(fields: dict[str, str], t: Translator) -> dict[str, str]:
    """The form's fields with the rate in the API's notation (``1500.50``)."""
    return api_amounts(fields, ("hourly_rate",), t)


def _text(value: object) -> str:
    return "" if value is None else str(value)


routes: list[BaseRoute] = [
    Route("/clients", client_list, methods=["GET"]),
    Route("/clients", client_create, methods=["POST"]),
    Route("/clients/new", client_new, methods=["GET"]),
    Route("/clients/{client_id:int}", client_page, methods=["GET"]),
    Route("/clients/{client_id:int}", client_update, methods=["POST"]),
    Route("/clients/{client_id:int}/edit", client_edit, methods=["GET"]),
    Route("/clients/{client_id:int}/archive", client_archive, methods=["POST"]),
    Route("/clients/{client_id:int}/projects", project_create, methods=["POST"]),
    Route("/projects/{project_id:int}/edit", project_edit, methods=["GET"]),
    Route("/projects/{project_id:int}", project_update, methods=["POST"]),
    Route("/projects/{project_id:int}/archive", project_archive, methods=["POST"]),
]
