"""The time entry form: durations, times and the one-kind rule, read into API fields."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.requests import Request

from ledger.core import datetimes
from ledger.core.entries import EntryInput
from ledger.core.models import Project
from ledger.errors import InvalidInput, NotFound
from ledger.web.form_help import (
    amount_error,
    api_amounts,
    errors_for,
    unstorable,
    with_model_errors,
)
from ledger.web.forms import N_
from ledger.web.i18n import Translator
from ledger.web.state import ledger_of

ONE_KIND = N_("Give a duration, a start and end time, or a fixed amount.")
ENTRY_PREFIXES = {
    "give exactly one": ("duration", ONE_KIND),
    "end": ("end", N_("The end must be after the start, at most 24 hours later.")),
    "amount": ("amount", N_("A fixed entry needs an amount other than zero.")),
}


def parse_duration(text: str) -> int | None:
    """Minutes from ``90``, ``90m``, ``1:30`` or ``1.5h``; None if unreadable."""
    text = text.strip().lower().replace(" ", "")
    if match := re.fullmatch(r"(\d{1,2}):([0-5]\d)", text):
        return int(match[1]) * 60 + int(match[2])
    if match := re.fullmatch(r"(\d{1,3}(?:[.,]\d{1,4})?)h", text):
        hours = Decimal(match[1].replace(",", "."))
        return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if match := re.fullmatch(r"(\d{1,5})(?:m|min)?", text):
        return int(match[1])
    return None


def parse_time(text: str) -> dt.time | None:
    if match := re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", text.strip()):
        try:
            return dt.time(int(match[1]), int(match[2]))
        except ValueError:
            return None
    return None


def entry_input(
    request: Request, values: dict[str, str]
) -> tuple[Project | None, dict[str, Any], dict[str, str]]:
    """The project, the API fields and the errors found before asking the API."""
    lg = ledger_of(request)
    t: Translator = request.state.translator
    errors = unstorable(values, t)
    project = None
    try:
        project = lg.projects.get(optional_int(values.get("project")) or 0)
    except NotFound:
        errors["project"] = t.gettext("Choose one of the offered values.")
    try:
        day = dt.date.fromisoformat(values.get("date", ""))
    except ValueError:
        day = None
    fields: dict[str, Any] = {
        "date": values.get("date", ""),
        "description": values.get("description", ""),
        "billable": bool(values.get("billable")),
    }
    duration, start, end, amount = (
        values.get(k, "") for k in ("duration", "start", "end", "amount")
    )
    if sum([bool(duration), bool(start or end), bool(amount)]) != 1:
        errors["duration"] = t.gettext(ONE_KIND)
    elif duration:
        minutes = parse_duration(duration)
        if minutes is None:
            errors["duration"] = t.gettext("Enter minutes (90) or hours and minutes (1:30).")
        fields["minutes"] = minutes
    elif amount:
        problem = amount_error(amount, project.currency if project else "CZK", t)
        if problem:
            errors["amount"] = problem
        fields["amount"] = api_amounts(values, ("amount",), t)["amount"]
    else:
        fields.update(span(t, day or lg.today(), start, end, errors))
    return project, fields, errors


def span(
    t: Translator, day: dt.date, start: str, end: str, errors: dict[str, str]
) -> dict[str, dt.datetime]:
    """Start and end on `day` (an end before the start is the next morning)."""
    times = {}
    for name, text in (("start", start), ("end", end)):
        if not text:
            errors[name] = t.gettext("This field is required.")
        elif (parsed := parse_time(text)) is None:
            errors[name] = t.gettext("Enter a time as HH:MM.")
        else:
            times[name] = datetimes.at_local(day, parsed, t.zone)
    if len(times) == 2 and times["end"] < times["start"]:
        times["end"] += dt.timedelta(days=1)
    return times


def entry_errors(
    request: Request, fields: dict[str, Any], early: dict[str, str]
) -> dict[str, str]:
    """`early` plus what `EntryInput` says of the other fields (nothing is written)."""
    api = {k: v for k, v in fields.items() if v is not None}
    if early.keys() & {"duration", "start", "end", "amount"}:  # the kind is already wrong
        api = {k: v for k, v in api.items() if k not in {"minutes", "start", "end", "amount"}}
        api["minutes"] = 60
    return with_model_errors(
        EntryInput, api, early, request.state.translator, rename={"minutes": "duration"},
        amounts=("amount",), prefixes=ENTRY_PREFIXES,
    )  # fmt: skip


def api_errors(request: Request, exc: InvalidInput) -> dict[str, str]:
    return errors_for(
        exc, request.state.translator, rename={"minutes": "duration"}, amounts=("amount",),
        prefixes=ENTRY_PREFIXES,
    )  # fmt: skip


def optional_int(text: str | None) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None
