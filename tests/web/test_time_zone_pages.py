"""The web in the user's zone: timer, from–to times, the audit log and sync runs."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core import datetimes
from support import FakeClock

from .web_helpers import csrf, post

PRAGUE = "Europe/Prague"
LATE = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)  # 00:30 on 4 December in Prague


@pytest.fixture
def late(clock: FakeClock) -> None:
    """Log in when the timer will start: moving the clock a week on would end the session."""
    clock.now = LATE


@pytest.fixture
def prague(late: None, client: TestClient, lg: Ledger) -> TestClient:
    lg.settings.update(time_zone=PRAGUE)
    return client


def test_the_web_shows_the_timer_and_entries_in_local_time(
    prague: TestClient, lg: Ledger, clock: FakeClock
) -> None:
    web = lg.projects.add(lg.clients.add(name="Acme", hourly_rate="1000"), name="Web")
    lg.entries.start(web, "Deploy")
    page = prague.get("/time?week=2026-W49").text
    assert "since 00:30" in page
    clock.advance(minutes=45)
    lg.entries.stop()
    page = prague.get("/time?week=2026-W49").text
    assert "00:30–01:15" in page
    assert 'data-testid="day-2026-12-04"' in page


def test_the_web_reads_from_to_times_in_local_time(prague: TestClient, lg: Ledger) -> None:
    web = lg.projects.add(lg.clients.add(name="Acme", hourly_rate="1000"), name="Web")
    token = csrf(prague, "/time")
    form = {"project": str(web.id), "date": "2026-07-01", "start": "09:00", "end": "10:30",
            "description": "Call", "billable": "1", "csrf_token": token}  # fmt: skip
    assert prague.post("/time/entries", data=form).status_code in (200, 303)
    [entry] = lg.entries.list()
    started = entry.started_at
    assert started is not None
    assert datetimes.local(started, "UTC").hour == 7  # 09:00 CEST is 07:00 UTC
    assert entry.minutes == 90


def test_the_audit_log_and_sync_runs_show_local_time(prague: TestClient, lg: Ledger) -> None:
    lg.plugins.enable("demo_bank")
    run = lg.sync("demo_bank")
    event = lg.audit.list()[-1]
    audit_page = prague.get("/audit").text
    assert datetimes.format_datetime(event.at, "en", PRAGUE) in audit_page
    runs_page = prague.get("/integrations/demo_bank").text
    local = datetimes.format_datetime(run.started_at, "en", PRAGUE)
    assert local in runs_page
    assert local != datetimes.format_datetime(run.started_at, "en", "UTC")


def test_the_settings_page_has_the_zone_field_in_czech(prague: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    page = prague.get("/settings").text
    assert "Časové pásmo" in page
    assert 'value="Europe/Prague"' in page
    form = {"supplier_name": "Jana", "number_pattern": "{year}-{seq:04d}",
            "credit_note_pattern": "D{year}-{seq:04d}",
            "default_due_days": "14", "payment_tolerance": "1", "locale": "cs",
            "theme": "auto", "time_zone": "Praha"}  # fmt: skip
    response = post(prague, "/settings", form)
    assert response.status_code == 400
    assert "Zadejte název časového pásma, např. Europe/Prague." in response.text
    assert lg.settings.get().time_zone == PRAGUE
    assert post(prague, "/settings", {**form, "time_zone": "Europe/London"}).status_code == 303
    assert lg.settings.get().time_zone == "Europe/London"


def test_share_link_expiries_show_in_local_time(prague: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", hourly_rate="1000")
    lg.entries.add(lg.projects.add(acme, name="Web"), date="2026-12-03", minutes=60)
    invoice = lg.invoices.issue(lg.invoices.draft(acme))
    expires = dt.datetime(2026, 12, 10, 23, 30, tzinfo=dt.UTC)
    lg.portal.create_link(invoice, expires=expires)
    page = prague.get(f"/invoices/{invoice.id}").text
    assert "11 Dec 2026 00:30" in page
