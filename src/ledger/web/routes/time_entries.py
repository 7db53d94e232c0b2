"""Time: a week of entries with filters and totals, inline editing via htmx, the timer."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ledger.core import pricing
from ledger.core.models import Client, Project, WorkEntry
from ledger.core.money import from_minor, to_minor
from ledger.errors import Conflict, InvalidInput
from ledger.web.entry_form import (
    api_errors,
    entry_errors,
    entry_input,
    optional_int,
)
from ledger.web.form_help import (
    back_path,
    flash,
    path_id,
    unstorable,
)
from ledger.web.forms import N_, posted, reads_form
from ledger.web.i18n import Translator
from ledger.web.rendering import is_htmx, render
from ledger.web.state import ledger_of

BILLED = {"": N_("All entries"), "unbilled": N_("Not invoiced"), "billed": N_("Invoiced")}
MAX_DESCRIPTION = 2000
WEEK = re.compile(r"(\d{4})-W(\d{1,2})")


@dataclass(frozen=True)
class View:
    """Which week and which entries the time page shows (its query string)."""

    monday: dt.date
    client: int | None = None
    project: int | None = None
    billed: str = ""

    @property
    def week(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    def query(self, **changes: Any) -> str:
        view = replace(self, **changes)
        params = {
            "week": view.week,
            "client": view.client or "",
            "project": view.project or "",
            "billed": view.billed,
        }
        return urlencode({k: v for k, v in params.items() if v})

    def around(self, day: dt.date) -> View:
        return replace(self, monday=_monday(day))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _view(request: Request) -> View:
    params = request.query_params
    today = ledger_of(request).today()
    text = params.get("week", "").strip()
    monday = _monday(today)
    if match := WEEK.fullmatch(text):
        with contextlib.suppress(ValueError):
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    elif text:
        with contextlib.suppress(ValueError):
            monday = _monday(dt.date.fromisoformat(text))
    billed = params.get("billed", "")
    return View(
        monday=monday,
        client=optional_int(params.get("client")),
        project=optional_int(params.get("project")),
        billed=billed if billed in BILLED else "",
    )


# --- the week ---------------------------------------------------------------------------


@dataclass
class Row:
    entry: WorkEntry
    label: str
    value: Decimal | None

    @property
    def locked(self) -> bool:
        return self.entry.invoice_id is not None or self.entry.running


class Catalogue:
    """Clients and projects by id, for labels, prices and the forms' choices."""

    def __init__(self, request: Request) -> None:
        lg = ledger_of(request)
        self.clients: dict[int, Client] = {c.id: c for c in lg.clients.list(include_archived=True)}
        self.projects: dict[int, Project] = {
            p.id: p for p in lg.projects.list(include_archived=True)
        }
        self.default_rate: int | None = lg.settings.get().default_hourly_rate_minor

    def label(self, project_id: int) -> str:
        project = self.projects[project_id]
        return f"{self.clients[project.client_id].name} · {project.name}"

    def active(self, keep: int | None = None) -> list[tuple[int, str]]:
        """(id, label) of the projects to choose from, by label; `keep` even if archived."""
        return sorted(
            (
                (p.id, self.label(p.id))
                for p in self.projects.values()
                if p.id == keep or not (p.archived or self.clients[p.client_id].archived)
            ),
            key=lambda item: item[1].casefold(),
        )

    def row(self, entry: WorkEntry) -> Row:
        return Row(entry, self.label(entry.project_id), self.value(entry))

    def value(self, entry: WorkEntry) -> Decimal | None:
        """What the entry is worth: billed amount, fixed amount or minutes at its rate."""
        if entry.invoice_id is not None:
            return entry.billed_amount
        if not entry.billable or entry.running:
            return None
        if entry.kind == "fixed":
            return entry.amount
        project = self.projects[entry.project_id]
        client = self.clients[project.client_id]
        currency = entry.currency
        if entry.minutes is None:
            return None
        rates = [
            None if rate is None else to_minor(rate, currency)
            for rate in (entry.hourly_rate, project.hourly_rate, client.hourly_rate)
        ]
        price = pricing.price_time(
            entry.minutes, project.rounding, project.rounding_minutes, [*rates, self.default_rate]
        )
        return None if price is None else from_minor(price.amount_minor, currency)


def _week(request: Request, view: View, **extra: Any) -> dict[str, Any]:
    """The time page's values for `view`; `extra` holds form state (values, errors)."""
    lg = ledger_of(request)
    t: Translator = request.state.translator
    catalogue = Catalogue(request)
    unbilled = None if not view.billed else view.billed == "unbilled"
    entries: list[WorkEntry] = lg.entries.list(
        view.project, since=view.monday, until=view.days[-1], unbilled=unbilled
    )
    if view.client is not None:
        entries = [e for e in entries if catalogue.projects[e.project_id].client_id == view.client]
    by_day: dict[dt.date, list[Row]] = defaultdict(list)
    for entry in entries:
        by_day[entry.date].append(catalogue.row(entry))
    days = [_day(t, day, by_day[day]) for day in view.days]
    today = lg.today()
    add_day = today if view.monday <= today <= view.days[-1] else view.monday
    default_project = view.project or (entries[-1].project_id if entries else None)
    add_values = {"date": add_day.isoformat(), "billable": "1",
                  "project": str(default_project or "")}  # fmt: skip
    year, number, _ = view.monday.isocalendar()
    return {
        "section": "time",
        "view": view,
        "view_qs": view.query(),
        "week_title": t.gettext("Week %(number)s, %(year)s", number=number, year=year),
        "week_span": f"{t.date(view.monday)} – {t.date(view.days[-1])}",
        "prev_qs": view.query(monday=view.monday - dt.timedelta(days=7)),
        "next_qs": view.query(monday=view.monday + dt.timedelta(days=7)),
        "this_qs": view.query(monday=_monday(today)),
        "is_this_week": view.monday == _monday(today),
        "days": days,
        "has_entries": bool(entries),
        "totals": _totals([row for day in days for row in day["rows"]]),
        "clients": sorted(catalogue.clients.values(), key=lambda c: c.name.casefold()),
        "filter_projects": catalogue.active(view.project),
        "projects": catalogue.active(),
        "billed_options": BILLED,
        "add_values": add_values,
        "add_errors": {},
        "editing": None,
        "row_values": {},
        "row_errors": {},
        **extra,
    }


def _day(t: Translator, day: dt.date, rows: list[Row]) -> dict[str, Any]:
    return {
        "date": day,
        "weekday": format_date(day, "EEEE", locale=t.locale),
        "rows": rows,
        **_totals(rows),
    }


def _totals(rows: list[Row]) -> dict[str, Any]:
    values: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.value is not None:
            values[row.entry.currency] += row.value
    timed = [r.entry for r in rows if r.entry.minutes is not None]
    return {
        "minutes": sum(e.minutes or 0 for e in timed),
        "billable_minutes": sum(e.minutes or 0 for e in timed if e.billable),
        "values": dict(sorted(values.items())),
    }


def time_page(request: Request) -> Response:
    view = _view(request)
    if is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true":
        return render(request, "time.html", _week(request, view), block="week")
    return render(request, "time.html", _week(request, view))


# --- entries ---------------------------------------------------------------------------


@reads_form
def entry_create(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    view = _view(request)
    values = posted(request)
    project, fields, errors = entry_input(request, values)
    if errors or project is None:
        errors = entry_errors(request, fields, errors)
    else:
        try:
            entry = lg.entries.add(project, **fields)
        except InvalidInput as exc:
            errors = api_errors(request, exc)
    if errors:
        context = _week(request, view, add_values=values, add_errors=errors)
        if is_htmx(request):  # base.html lets htmx swap a 400: the form shows the errors
            return render(request, "time.html", context, block="week", status=400)
        return render(request, "time.html", context, status=400)
    target = view.around(entry.date)
    if is_htmx(request):
        if target != view:
            return Response(headers={"HX-Redirect": f"/time?{target.query()}"})
        keep = {"date": values.get("date", ""), "project": values.get("project", ""),
                "billable": "1"}  # fmt: skip
        return render(request, "time.html", _week(request, view, add_values=keep), block="week")
    flash(request, "ok", t.gettext("The entry was added."))
    return RedirectResponse(f"/time?{target.query()}", status_code=303)


def _entry_values(entry: WorkEntry, t: Translator) -> dict[str, str]:
    values = {
        "date": entry.date.isoformat(),
        "project": str(entry.project_id),
        "description": entry.description,
        "billable": "1" if entry.billable else "",
    }
    if entry.kind == "fixed":
        values["amount"] = t.amount(entry.amount)
    elif entry.started_at is not None and entry.ended_at is not None:
        values["start"] = t.time(entry.started_at)
        values["end"] = t.time(entry.ended_at)
    else:
        values["duration"] = t.hours(entry.minutes)
    return values


def _row_response(
    request: Request, entry: WorkEntry, *, editing: bool = False, status: int = 200,
    **extra: Any,
) -> Response:  # fmt: skip
    """One entry's table row (shown or as its edit form), for htmx."""
    catalogue = Catalogue(request)
    context = {
        "row": catalogue.row(entry),
        "editing": entry.id if editing else None,
        "view_qs": _view(request).query(),
        "projects": catalogue.active(entry.project_id),
        "row_values": _entry_values(entry, request.state.translator),
        "row_errors": {},
        **extra,
    }
    return render(request, "_time_entry.html", context, block="entry", status=status)


def _locked(request: Request, entry: WorkEntry) -> Response:
    """The answer to changing an invoiced entry or the running timer: not possible."""
    t: Translator = request.state.translator
    message = (
        t.gettext("This entry is the running timer. Stop the timer first.")
        if entry.running
        else t.gettext("This entry is invoiced and can no longer be changed. "
                       "Cancel its invoice first to change it.")
    )  # fmt: skip
    if is_htmx(request):
        response = _row_response(request, entry, row_error=message)
        response.headers["HX-Retarget"] = f"#entry-{entry.id}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    title = t.gettext("Not possible now")
    return render(request, "error.html", {"title": title, "message": message,
                                          "section": "time"}, status=409)  # fmt: skip


def entry_row(request: Request) -> Response:
    entry = ledger_of(request).entries.get(path_id(request, "entry_id"))
    if not is_htmx(request):
        return RedirectResponse(f"/time?{_view(request).around(entry.date).query()}", 303)
    return _row_response(request, entry)


def entry_edit(request: Request) -> Response:
    entry = ledger_of(request).entries.get(path_id(request, "entry_id"))
    if entry.invoice_id is not None or entry.running:
        return _locked(request, entry)
    if is_htmx(request):
        return _row_response(request, entry, editing=True)
    view = _view(request).around(entry.date)
    values = _entry_values(entry, request.state.translator)
    return render(request, "time.html", _week(request, view, editing=entry.id, row_values=values))


@reads_form
def entry_update(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    entry = lg.entries.get(path_id(request, "entry_id"))
    if entry.invoice_id is not None or entry.running:
        return _locked(request, entry)
    values = posted(request)
    project, fields, errors = entry_input(request, values)
    if errors or project is None:
        errors = entry_errors(request, fields, errors)
    else:
        try:
            lg.entries.update(entry, project=project.id, **fields)
        except InvalidInput as exc:
            errors = api_errors(request, exc)
        except Conflict:
            return _locked(request, lg.entries.get(entry.id))
    view = _view(request)
    if errors:
        if is_htmx(request):  # back into the row's form, which shows the errors
            response = _row_response(request, entry, editing=True, row_values=values,
                                     row_errors=errors, status=400)  # fmt: skip
            response.headers["HX-Retarget"] = f"#entry-{entry.id}"
            response.headers["HX-Reswap"] = "outerHTML"
            return response
        context = _week(request, view.around(entry.date), editing=entry.id,
                        row_values=values, row_errors=errors)  # fmt: skip
        return render(request, "time.html", context, status=400)
    if is_htmx(request):
        return render(request, "time.html", _week(request, view), block="week")
    flash(request, "ok", t.gettext("The entry was saved."))
    return RedirectResponse(f"/time?{view.query()}", status_code=303)


def entry_delete(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    entry = lg.entries.get(path_id(request, "entry_id"))
    if entry.invoice_id is not None or entry.running:
        return _locked(request, entry)
    try:
        lg.entries.delete(entry)
    except Conflict:
        return _locked(request, lg.entries.get(entry.id))
    view = _view(request)
    if is_htmx(request):
        return render(request, "time.html", _week(request, view), block="week")
    flash(request, "ok", t.gettext("The entry was deleted."))
    return RedirectResponse(f"/time?{view.query()}", status_code=303)


# --- the timer -------------------------------------------------------------------------


@reads_form
def timer_start(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    values = posted(request)
    description = values.get("description", "")
    project_id = optional_int(values.get("project"))
    if project_id is None or project_id not in Catalogue(request).projects:
        return _timer(request, t.gettext("Choose a project to start the timer."), status=400)
    if len(description) > MAX_DESCRIPTION or unstorable({"d": description}, t):
        return _timer(request, t.gettext("The description is not valid."), status=400)
    try:
        lg.entries.start(project_id, description)
    except Conflict:
        return _timer(request, t.gettext("A timer is already running. Stop it first."))
    return _timer(request, None, changed=True)


def timer_stop(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    try:
        entry = lg.entries.stop()
    except Conflict:
        return _timer(request, t.gettext("No timer is running."))
    message = t.gettext("Timer stopped: %(time)s recorded.", time=t.hours(entry.minutes))
    return _timer(request, None, changed=True, done=message)


def _timer(
    request: Request, error: str | None, *, status: int = 200, changed: bool = False,
    done: str = "",
) -> Response:  # fmt: skip
    """The timer after a start or stop: its block for htmx, else back to the page."""
    if is_htmx(request):
        # A refused start shows the timer as it is (e.g. the one already running).
        response = render(request, "base.html", {}, block="timer", status=status)
        if changed:
            response.headers["HX-Trigger"] = "timer-changed"
        return response
    if error:
        flash(request, "error", error)
    elif done:
        flash(request, "ok", done)
    return RedirectResponse(back_path(request, "/time"), status_code=303)


routes: list[BaseRoute] = [
    Route("/time", time_page, methods=["GET"]),
    Route("/time/entries", entry_create, methods=["POST"]),
    Route("/time/entries/{entry_id:int}", entry_row, methods=["GET"]),
    Route("/time/entries/{entry_id:int}", entry_update, methods=["POST"]),
    Route("/time/entries/{entry_id:int}/edit", entry_edit, methods=["GET"]),
    Route("/time/entries/{entry_id:int}/delete", entry_delete, methods=["POST"]),
    Route("/time/timer/start", timer_start, methods=["POST"]),
    Route("/time/timer/stop", timer_stop, methods=["POST"]),
]
