"""Times in the user's zone: stored in UTC, shown in the zone the settings name."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from ledger.api import Ledger
from ledger.cli.app import app
from ledger.core import datetimes
from ledger.errors import InvalidInput
from ledger.web.i18n import Translator
from support import FakeClock

PRAGUE = "Europe/Prague"
LATE = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)  # 00:30 on 4 December in Prague


@pytest.mark.parametrize(
    ("moment", "language", "shown"),
    [
        (dt.datetime(2026, 12, 3, 13, 5, tzinfo=dt.UTC), "cs", "3. 12. 2026 14:05"),
        (dt.datetime(2026, 12, 3, 13, 5, tzinfo=dt.UTC), "en", "3 Dec 2026 14:05"),
        (dt.datetime(2026, 7, 3, 12, 5, tzinfo=dt.UTC), "cs", "3. 7. 2026 14:05"),  # CEST, +2
        (dt.datetime(2026, 7, 3, 12, 5), "en", "3 Jul 2026 14:05"),  # naive is UTC
        (LATE, "en", "4 Dec 2026 00:30"),
    ],
)
def test_one_format_per_language_in_the_zone(
    moment: dt.datetime, language: str, shown: str
) -> None:
    assert datetimes.format_datetime(moment, language, PRAGUE) == shown
    assert Translator(language, PRAGUE).datetime(moment) == shown


def test_daylight_saving_moves_the_wall_clock_not_the_instant() -> None:
    before = dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)  # the last minute of CET
    assert datetimes.format_time(before, PRAGUE) == "01:59"
    assert datetimes.format_time(before + dt.timedelta(minutes=1), PRAGUE) == "03:00"
    summer = datetimes.at_local(dt.date(2026, 7, 1), dt.time(9, 0), PRAGUE)
    winter = datetimes.at_local(dt.date(2026, 12, 1), dt.time(9, 0), PRAGUE)
    assert summer.astimezone(dt.UTC).hour == 7
    assert winter.astimezone(dt.UTC).hour == 8


def test_the_zone_is_a_setting_checked_with_an_example(
    lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert lg.settings.get().time_zone == "America/New_York"  # the machine's until chosen
    assert lg.settings.update(time_zone=" Europe/Prague ").time_zone == PRAGUE
    with pytest.raises(InvalidInput, match="such as Europe/Prague") as caught:
        lg.settings.update(time_zone="Mars/Olympus")
    assert caught.value.field == "time_zone"
    assert lg.settings.get().time_zone == PRAGUE
    assert lg.audit.list(entity="app_settings")[-1].after["time_zone"] == PRAGUE  # type: ignore[index]


def test_a_timer_started_at_2330_utc_is_on_the_next_day_in_prague(
    lg: Ledger, clock: FakeClock
) -> None:
    lg.settings.update(time_zone=PRAGUE)
    web = lg.projects.add(lg.clients.add(name="Acme", hourly_rate="1000"), name="Web")
    clock.now = LATE
    entry = lg.entries.start(web, "Deploy")
    assert entry.date == dt.date(2026, 12, 4)
    lg.settings.update(time_zone="UTC")
    clock.advance(minutes=10)
    lg.entries.stop()
    lg.entries.start(web)
    assert lg.entries.running() is not None
    assert lg.entries.running().date == dt.date(2026, 12, 3)  # type: ignore[union-attr]


def test_today_and_an_invoice_issued_at_0030_in_prague_are_dated_that_day(
    lg: Ledger, clock: FakeClock
) -> None:
    lg.settings.update(time_zone=PRAGUE)
    web = lg.projects.add(lg.clients.add(name="Acme", hourly_rate="1000"), name="Web")
    lg.entries.add(web, date=dt.date(2026, 12, 1), minutes=60)
    clock.now = LATE
    assert lg.today() == dt.date(2026, 12, 4)
    issued = lg.invoices.issue(lg.invoices.draft(web.client_id))
    assert issued.issue_date == dt.date(2026, 12, 4)
    lg.settings.update(time_zone="UTC")
    assert lg.today() == dt.date(2026, 12, 3)


def test_the_cli_sets_the_zone_and_shows_times_in_it(database_url: str, lg: Ledger) -> None:
    runner = CliRunner()
    zone = ["settings", "set", "time_zone=Europe/Prague", "--database", database_url]
    done = runner.invoke(app, zone)
    assert done.exit_code == 0, done.output
    assert lg.settings.get().time_zone == PRAGUE
    bad = runner.invoke(app, ["settings", "set", "time_zone=Prague", "--database", database_url])
    assert bad.exit_code == 1
    assert "'Prague' is not a time zone; write a name such as Europe/Prague" in bad.stderr
    lg.plugins.enable("demo_bank")
    run = lg.sync("demo_bank")
    history = runner.invoke(app, ["sync-history", "--database", database_url])
    assert datetimes.format_datetime(run.started_at, "en", PRAGUE) in history.stdout
