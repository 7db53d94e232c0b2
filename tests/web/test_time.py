"""The time page: a week of entries, filters, totals, inline htmx editing, the timer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.models import Client, Project

from .web_helpers import PASSWORD, csrf, post

NBSP = "\xa0"
XSS = "<script>alert(1)</script>"
WEEK = "2026-W48"  # the clock's week: Monday 23 to Sunday 29 November 2026


@dataclass
class World:
    acme: Client
    web: Project
    ops: Project
    globex: Client
    data: Project


@pytest.fixture
def world(lg: Ledger) -> World:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    globex = lg.clients.add(name="Globex", currency="EUR", hourly_rate="80")
    return World(
        acme=acme,
        web=lg.projects.add(acme, name="Web"),
        ops=lg.projects.add(acme, name="Ops", rounding="up", rounding_minutes=15),
        globex=globex,
        data=lg.projects.add(globex, name="Data"),
    )


def written(lg: Ledger) -> tuple[int, int]:
    """Entries and audit events: what a refused form must not change."""
    return len(lg.entries.list()), len(lg.audit.list())


def htmx(client: TestClient) -> dict[str, str]:
    """The headers htmx sends: the request marker and the CSRF token from base.html."""
    return {"HX-Request": "true", "X-CSRF-Token": csrf(client, "/time")}


def field_error(html: str, field: str) -> str:
    match = re.search(
        rf'name="{field}"[^>]*>(?:(?!</label>).)*?<span class="error">([^<]*)</span>',
        html,
        re.S,
    )
    assert match, f"no error for {field}"
    return match.group(1)


def entries_table(html: str) -> str:
    match = re.search(r'<table class="entries".*?</table>', html, re.S)
    assert match
    return match.group(0)


def day_hours(html: str, day: str) -> str:
    match = re.search(rf'data-testid="day-{day}">.*?data-testid="day-hours">([^<]*)<', html, re.S)
    assert match, day
    return match.group(1)


def entry_form(world: World, **fields: str) -> dict[str, str]:
    return {"date": "2026-11-24", "project": str(world.web.id), "description": "Work",
            "billable": "1", **fields}  # fmt: skip


# --- locks ------------------------------------------------------------------------------

POST_PATHS = [
    "/time/entries",
    "/time/entries/1",
    "/time/entries/1/delete",
    "/time/timer/start",
    "/time/timer/stop",
]


@pytest.mark.parametrize("path", POST_PATHS)
def test_posts_need_a_session(anonymous: TestClient, lg: Ledger, world: World, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    lg.entries.add(world.web, date="2026-11-24", minutes=30)
    before = written(lg)
    token = csrf(anonymous, "/login")
    data = {**entry_form(world, duration="1:00"), "csrf_token": token}
    response = anonymous.post(path, data=data)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert written(lg) == before
    htmx_response = anonymous.post(path, data=data, headers={"HX-Request": "true"})
    assert htmx_response.status_code == 401
    assert written(lg) == before


@pytest.mark.parametrize("path", POST_PATHS)
def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, lg: Ledger, world: World, path: str
) -> None:
    lg.entries.add(world.web, date="2026-11-24", minutes=30)
    before = written(lg)
    data = entry_form(world, duration="1:00")
    assert client.post(path, data=data).status_code == 403
    assert client.post(path, data=data, headers={"HX-Request": "true"}).status_code == 403
    assert client.post(path, data=data, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert written(lg) == before


# --- the week -------------------------------------------------------------------------------


def test_the_week_shows_its_entries_with_totals(
    client: TestClient, lg: Ledger, world: World
) -> None:
    lg.entries.add(world.web, date="2026-11-23", minutes=90, description="Monday work")
    lg.entries.add(world.ops, date="2026-11-23", minutes=20, description="Ops check")
    lg.entries.add(world.web, date="2026-11-25", amount="500", description="Hosting")
    lg.entries.add(world.web, date="2026-11-26", minutes=60, billable=False, description="Chat")
    lg.entries.add(world.web, date="2026-11-16", minutes=60, description="Last week")
    html = client.get("/time").text  # the clock's week by default
    table = entries_table(html)
    assert "Monday work" in table
    assert "Last week" not in table
    assert day_hours(html, "2026-11-23") == "1:50"
    assert day_hours(html, "2026-11-26") == "1:00"
    assert day_hours(html, "2026-11-24") == ""
    assert 'data-testid="week-hours">2:50<' in html
    # 90 min at 1000 = 1500, 20 min rounded up to 15s = 30 min = 500, fixed 500
    assert 'data-testid="week-value">CZK\u00a02,500.00<' in html
    assert "Not billable" in table
    assert 'href="/time?week=2026-W47"' in html
    assert 'href="/time?week=2026-W49"' in html


def test_a_week_is_chosen_by_its_number_or_any_of_its_days(
    client: TestClient, lg: Ledger, world: World
) -> None:
    lg.entries.add(world.web, date="2026-11-17", minutes=45, description="Earlier")
    for query in ("week=2026-W47", "week=2026-11-19", "week=2026-11-22"):
        html = client.get(f"/time?{query}").text
        assert "Earlier" in entries_table(html), query
        assert 'href="/time?week=2026-W46"' in html
        assert "Week 47, 2026" in html
    assert "Earlier" not in entries_table(client.get(f"/time?week={WEEK}").text)


@pytest.mark.parametrize("query", ["week=2026-W99", "week=nonsense", "client=x&project=-1",
                                   "billed=maybe", "project=99999999999999999999"])  # fmt: skip
def test_a_bad_query_shows_the_current_week(client: TestClient, query: str) -> None:
    response = client.get(f"/time?{query}")
    assert response.status_code == 200
    assert "Week 48, 2026" in response.text


def test_filters_by_client_project_and_billing(
    client: TestClient, lg: Ledger, world: World
) -> None:
    lg.entries.add(world.web, date="2026-11-23", minutes=60, description="web-work")
    lg.entries.add(world.ops, date="2026-11-23", minutes=60, description="ops-work")
    lg.entries.add(world.data, date="2026-11-24", minutes=60, description="data-work")
    lg.entries.add(world.data, date="2026-11-24", minutes=30, description="billed-work")
    lg.invoices.draft(world.globex, until="2026-11-30")
    lg.entries.add(world.data, date="2026-11-25", minutes=30, description="later-work")

    def shown(query: str) -> set[str]:
        table = entries_table(client.get(f"/time?week={WEEK}&{query}").text)
        return set(re.findall(r"\b(\w+)-work\b", table))

    assert shown(f"client={world.acme.id}") == {"web", "ops"}
    assert shown(f"project={world.ops.id}") == {"ops"}
    assert shown(f"client={world.globex.id}&billed=billed") == {"data", "billed"}
    assert shown(f"client={world.globex.id}&billed=unbilled") == {"later"}
    assert shown("billed=unbilled") == {"web", "ops", "later"}
    # the week links keep the filters
    html = client.get(f"/time?week={WEEK}&client={world.acme.id}").text
    assert f'href="/time?week=2026-W49&amp;client={world.acme.id}"' in html


# --- adding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "minutes"),
    [
        ({"duration": "90"}, 90),
        ({"duration": "1:30"}, 90),
        ({"duration": "1,5h"}, 90),
        ({"start": "09:00", "end": "10:15"}, 75),
        ({"start": "23:00", "end": "01:00"}, 120),  # past midnight
    ],
)
def test_add_time(
    client: TestClient, lg: Ledger, world: World, fields: dict[str, str], minutes: int
) -> None:
    response = post(client, f"/time/entries?week={WEEK}", entry_form(world, **fields))
    assert response.status_code == 303
    assert response.headers["location"] == f"/time?week={WEEK}"
    [entry] = lg.entries.list()
    assert (entry.kind, entry.minutes, entry.billable) == ("time", minutes, True)
    assert entry.date == dt.date(2026, 11, 24)
    if "start" in fields:
        assert entry.started_at is not None
        assert entry.started_at.strftime("%H:%M") == fields["start"]
    assert lg.audit.list(entity="work_entries")[-1].source.startswith("user:")


def test_add_a_fixed_amount_not_billable(client: TestClient, lg: Ledger, world: World) -> None:
    form = entry_form(world, amount="2,000.50")
    del form["billable"]
    post(client, "/time/entries", form)
    [entry] = lg.entries.list()
    assert (entry.kind, str(entry.amount), entry.billable) == ("fixed", "2000.50", False)


def test_adding_in_another_week_goes_to_that_week(
    client: TestClient, lg: Ledger, world: World
) -> None:
    form = entry_form(world, date="2026-12-01", duration="30")
    response = post(client, f"/time/entries?week={WEEK}&project={world.web.id}", form)
    assert response.headers["location"] == (f"/time?week=2026-W49&project={world.web.id}")
    response = client.post(f"/time/entries?week={WEEK}", data=form, headers=htmx(client))
    assert response.headers["HX-Redirect"] == "/time?week=2026-W49"
    assert len(lg.entries.list()) == 2


def test_add_via_htmx_answers_with_the_week(client: TestClient, lg: Ledger, world: World) -> None:
    response = client.post(
        f"/time/entries?week={WEEK}", data=entry_form(world, duration="45"), headers=htmx(client)
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="week"')
    assert "<html" not in response.text
    assert day_hours(response.text, "2026-11-24") == "0:45"
    assert len(lg.entries.list()) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "duration", "Give a duration, a start and end time, or a fixed amount."),
        ({"duration": "1:00", "amount": "5"}, "duration",
         "Give a duration, a start and end time, or a fixed amount."),
        ({"duration": "soon"}, "duration", "Enter minutes (90) or hours and minutes (1:30)."),
        ({"duration": "0"}, "duration", "The value is too small."),
        ({"duration": "1:75"}, "duration", "Enter minutes (90) or hours and minutes (1:30)."),
        ({"duration": "2000"}, "duration", "The value is too large."),
        ({"start": "09:00"}, "end", "This field is required."),
        ({"start": "9am", "end": "10:00"}, "start", "Enter a time as HH:MM."),
        ({"start": "10:00", "end": "10:00"}, "end",
         "The end must be after the start, at most 24 hours later."),
        ({"amount": "0"}, "amount", "A fixed entry needs an amount other than zero."),
        ({"amount": "cheap"}, "amount", "Enter a number, e.g. 1500 or 12.50."),
        ({"amount": "99999999999"}, "amount", "The value is too large."),
        ({"duration": "30", "project": "999"}, "project", "Choose one of the offered values."),
        ({"duration": "30", "project": "web"}, "project", "Choose one of the offered values."),
        ({"duration": "30", "date": "24.11.2026"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"duration": "30", "description": "x" * 2001}, "description", "This text is too long."),
        ({"duration": "30", "description": "nul\x00byte"}, "description",
         "The value is not valid."),
    ],
)  # fmt: skip
def test_bad_entries_are_form_errors_and_write_nothing(
    client: TestClient, lg: Ledger, world: World, fields: dict[str, str], field: str, message: str
) -> None:
    before = written(lg)
    form = entry_form(world, **fields)
    response = post(client, f"/time/entries?week={WEEK}", form)
    assert response.status_code == 400
    assert field_error(response.text, field) == message
    # htmx (configured in base.html to swap a 400) gets the week with the form's errors
    response = client.post(f"/time/entries?week={WEEK}", data=form, headers=htmx(client))
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<div id="week"')
    assert field_error(response.text, field) == message
    assert written(lg) == before


def test_a_refused_entry_keeps_what_was_typed(client: TestClient, world: World) -> None:
    response = post(client, "/time/entries", entry_form(world, description="Typed", duration="x"))
    html = response.text
    assert 'value="Typed"' in html
    assert 'value="x"' in html


def test_errors_are_in_czech_for_a_czech_user(
    client: TestClient, lg: Ledger, world: World
) -> None:
    lg.settings.update(locale="cs")
    response = post(client, "/time/entries", entry_form(world, duration="x", date="zítra"))
    html = response.text
    assert field_error(html, "duration") == "Zadejte minuty (90) nebo hodiny a minuty (1:30)."
    assert field_error(html, "date") == "Zadejte datum ve tvaru RRRR-MM-DD."


# --- editing and deleting ---------------------------------------------------------------------


def test_htmx_may_swap_a_400() -> None:
    """The form errors above come as 400s; base.html tells htmx to swap those."""
    from ledger.web.rendering import TEMPLATES

    assert '{"code": "400", "swap": true}' in (TEMPLATES / "base.html").read_text()


def test_history_restore_gets_the_whole_page(client: TestClient, world: World) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/time", headers=headers).text


def test_a_row_swaps_to_its_form_and_back(client: TestClient, lg: Ledger, world: World) -> None:
    entry = lg.entries.add(world.web, date="2026-11-24", minutes=30, description="Draft text")
    headers = htmx(client)
    form = client.get(f"/time/entries/{entry.id}/edit?week={WEEK}", headers=headers)
    assert form.status_code == 200
    assert form.text.lstrip().startswith(f'<tr id="entry-{entry.id}" class="editing">')
    assert f'hx-post="/time/entries/{entry.id}?week={WEEK}"' in form.text
    assert 'value="0:30"' in form.text
    row = client.get(f"/time/entries/{entry.id}?week={WEEK}", headers=headers)
    assert row.text.lstrip().startswith(f'<tr id="entry-{entry.id}">')
    assert "Draft text" in row.text


def test_save_via_htmx_answers_with_the_week(client: TestClient, lg: Ledger, world: World) -> None:
    entry = lg.entries.add(world.web, date="2026-11-24", minutes=30)
    response = client.post(
        f"/time/entries/{entry.id}?week={WEEK}",
        data=entry_form(world, description="Better", start="13:00", end="14:30",
                        project=str(world.ops.id)),
        headers=htmx(client),
    )  # fmt: skip
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="week"')
    saved = lg.entries.get(entry)
    assert (saved.description, saved.minutes, saved.project_id) == ("Better", 90, world.ops.id)
    assert day_hours(response.text, "2026-11-24") == "1:30"


def test_a_bad_save_via_htmx_returns_the_row_form(
    client: TestClient, lg: Ledger, world: World
) -> None:
    entry = lg.entries.add(world.web, date="2026-11-24", minutes=30, description="Keep")
    before = written(lg)
    response = client.post(
        f"/time/entries/{entry.id}?week={WEEK}",
        data=entry_form(world, description="Lost", duration="forever"),
        headers=htmx(client),
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == f"#entry-{entry.id}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert 'class="editing"' in response.text
    assert field_error(response.text, "duration")
    assert written(lg) == before
    assert lg.entries.get(entry).description == "Keep"


def test_edit_without_htmx(client: TestClient, lg: Ledger, world: World) -> None:
    entry = lg.entries.add(world.web, date="2026-11-24", minutes=30)
    page = client.get(f"/time/entries/{entry.id}/edit")
    assert page.status_code == 200
    assert "<html" in page.text
    assert f'<tr id="entry-{entry.id}" class="editing">' in page.text
    bad = post(client, f"/time/entries/{entry.id}?week={WEEK}", entry_form(world, amount="-"))
    assert bad.status_code == 400
    assert 'class="editing"' in bad.text
    response = post(
        client, f"/time/entries/{entry.id}?week={WEEK}", entry_form(world, amount="75")
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/time?week={WEEK}"
    assert lg.entries.get(entry).kind == "fixed"


def test_delete(client: TestClient, lg: Ledger, world: World) -> None:
    first = lg.entries.add(world.web, date="2026-11-24", minutes=30, description="first")
    second = lg.entries.add(world.web, date="2026-11-24", minutes=30, description="second")
    html = client.get("/time").text
    assert f'hx-post="/time/entries/{first.id}/delete?week={WEEK}"' in html
    assert 'hx-confirm="Delete this entry?"' in html
    response = client.post(f"/time/entries/{first.id}/delete?week={WEEK}", headers=htmx(client))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="week"')
    assert "first" not in entries_table(response.text)
    redirect = post(client, f"/time/entries/{second.id}/delete?week={WEEK}", {})
    assert redirect.status_code == 303
    assert lg.entries.list() == []
    assert client.post("/time/entries/999/delete", headers=htmx(client)).status_code == 404


def test_invoiced_entries_are_read_only(client: TestClient, lg: Ledger, world: World) -> None:
    entry = lg.entries.add(world.web, date="2026-11-24", minutes=60, description="Billed")
    invoice = lg.invoices.draft(world.acme)
    html = client.get("/time").text
    row = re.search(rf'<tr id="entry-{entry.id}".*?</tr>', html, re.S)
    assert row
    assert f'href="/invoices/{invoice.id}"' in row.group(0)
    assert "Edit" not in row.group(0)
    assert "Delete" not in row.group(0)
    before = written(lg)
    message = "This entry is invoiced and can no longer be changed."
    page = client.get(f"/time/entries/{entry.id}/edit")
    assert page.status_code == 409
    assert message in page.text
    response = post(client, f"/time/entries/{entry.id}", entry_form(world, duration="5"))
    assert response.status_code == 409
    assert post(client, f"/time/entries/{entry.id}/delete", {}).status_code == 409
    swapped = client.post(
        f"/time/entries/{entry.id}", data=entry_form(world, duration="5"), headers=htmx(client)
    )
    assert swapped.status_code == 200
    assert swapped.headers["HX-Retarget"] == f"#entry-{entry.id}"
    assert message in swapped.text
    assert written(lg) == before
    assert lg.entries.get(entry).minutes == 60


def test_descriptions_are_escaped(client: TestClient, lg: Ledger, world: World) -> None:
    entry = lg.entries.add(world.web, date="2026-11-24", minutes=5, description=XSS)
    lg.entries.start(world.web, description=XSS)
    for html in (
        client.get("/time").text,
        client.get(f"/time/entries/{entry.id}/edit", headers=htmx(client)).text,
    ):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert XSS not in html


# --- the timer --------------------------------------------------------------------------------


def test_timer_start_and_stop_via_htmx(
    client: TestClient, lg: Ledger, world: World, clock: object
) -> None:
    response = client.post(
        "/time/timer/start",
        data={"project": str(world.ops.id), "description": "Deploy"},
        headers=htmx(client),
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-testid="timer-running"' in response.text
    assert "Deploy" in response.text
    assert response.headers["HX-Trigger"] == "timer-changed"
    running = lg.entries.running()
    assert running is not None
    assert running.project_id == world.ops.id
    # the running entry is shown, but cannot be edited until stopped
    table = entries_table(client.get("/time").text)
    assert "Running" in table
    assert client.get(f"/time/entries/{running.id}/edit").status_code == 409

    clock.advance(minutes=42)  # type: ignore[attr-defined]
    response = client.post("/time/timer/stop", headers=htmx(client))
    assert response.status_code == 200
    assert 'action="/time/timer/start"' in response.text
    assert lg.entries.running() is None
    assert lg.entries.get(running).minutes == 42


def test_only_one_timer_runs(client: TestClient, lg: Ledger, world: World) -> None:
    headers = htmx(client)
    client.post("/time/timer/start", data={"project": str(world.web.id)}, headers=headers)
    before = written(lg)
    response = client.post(
        "/time/timer/start", data={"project": str(world.data.id)}, headers=headers
    )
    assert response.status_code == 200  # the timer as it is: the one already running
    assert 'data-testid="timer-running"' in response.text
    assert "HX-Trigger" not in response.headers
    assert written(lg) == before
    running = lg.entries.running()
    assert running is not None
    assert running.project_id == world.web.id


def test_timer_without_htmx_redirects_back(client: TestClient, lg: Ledger, world: World) -> None:
    token = csrf(client, "/clients")
    response = client.post(
        "/time/timer/start",
        data={"project": str(world.web.id), "description": "", "csrf_token": token},
        headers={"Referer": "http://testserver/clients?archived=1"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/clients?archived=1"
    assert lg.entries.running() is not None
    response = client.post(
        "/time/timer/stop",
        data={"csrf_token": token},
        headers={"Referer": "https://evil.example/phish"},
    )
    assert response.headers["location"] == "/time"
    assert lg.entries.running() is None
    assert "Timer stopped" in client.get("/time").text
    # stopping again: nothing runs, said nicely
    client.post("/time/timer/stop", data={"csrf_token": token})
    assert "No timer is running." in client.get("/time").text


@pytest.mark.parametrize("project", ["", "abc", "999", "99999999999999999999"])
def test_timer_needs_a_real_project(
    client: TestClient, lg: Ledger, world: World, project: str
) -> None:
    before = written(lg)
    response = client.post("/time/timer/start", data={"project": project}, headers=htmx(client))
    assert response.status_code == 400
    redirect = post(client, "/time/timer/start", {"project": project})
    assert redirect.status_code == 303
    assert "Choose a project to start the timer." in client.get("/time").text
    assert written(lg) == before


# --- Czech ------------------------------------------------------------------------------------


def test_czech_labels_dates_and_money(client: TestClient, lg: Ledger, world: World) -> None:
    lg.settings.update(locale="cs")
    lg.clients.update(world.acme, hourly_rate="1234.50")
    lg.entries.add(world.web, date="2026-11-25", minutes=60)
    html = client.get("/time").text
    assert "Přidat záznam" in html
    assert "Týden 48, 2026" in html
    assert "Středa" in html
    assert f'data-testid="week-value">1{NBSP}234,50{NBSP}Kč<' in html
    assert "Předchozí týden" in html
