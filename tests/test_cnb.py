"""The ČNB plugin and exchange rates: the text format, an audited idempotent sync,
the rate that applies on a day, and `ledger rates`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from typer.testing import CliRunner

from ledger.api import Ledger
from ledger.cli.app import app
from ledger.contracts import BadUpstreamData
from ledger.core.sync_models import SyncRun
from ledger.errors import InvalidInput, MissingExchangeRate
from ledger.plugins.cnb import parse_fixing
from plugin_helpers import Sleeps
from support import FakeClock

EUR = {"20.11.2026": "24,305", "23.11.2026": "24,290", "24.11.2026": "24,315"}
"""The EUR rate of the fixings the fake ČNB has published (today is 25.11.2026)."""


def fixing_text(day: str, number: int, eur: str) -> str:
    """A fixing in ČNB's text format (an excerpt of its thirty-odd lines)."""
    return (
        f"{day} #{number}\n"
        "země|měna|množství|kód|kurz\n"
        "Austrálie|dolar|1|AUD|13,912\n"
        f"EMU|euro|1|EUR|{eur}\n"
        "Japonsko|jen|100|JPY|13,241\n"
        "Maďarsko|forint|100|HUF|6,321\n"
        "USA|dolar|1|USD|20,784\n"
        "Velká Británie|libra|1|GBP|27,946\n"
    )


class FakeCnb:
    """Answers ``denni_kurz.txt?date=`` as ČNB does: a day without its own fixing
    gets the last one before it."""

    def __init__(self, published: dict[str, str]) -> None:
        self.published = dict(published)
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        asked = request.url.params["date"]
        self.asked.append(asked)
        day = dt.datetime.strptime(asked, "%d.%m.%Y").date()
        known = sorted((dt.datetime.strptime(d, "%d.%m.%Y").date(), d) for d in self.published)
        fixed = [text for date, text in known if date <= day][-1]
        number = [text for _, text in known].index(fixed) + 200
        body = fixing_text(fixed, number, self.published[fixed]).encode()
        return httpx.Response(200, content=body, headers={"Content-Type": "text/plain"})


@pytest.fixture
def cnb(lg: Ledger) -> Ledger:
    lg.plugins.enable("cnb")
    lg.plugins.configure("cnb", currencies="eur, USD", start_date="2026-11-20")
    return lg


def sync(lg: Ledger, upstream: Callable[[httpx.Request], httpx.Response]) -> SyncRun:
    transport = httpx.MockTransport(upstream)
    return lg.sync("cnb", transport=transport, policy=Sleeps().policy())


# --- the text format ---------------------------------------------------------------


def test_the_real_format_with_a_decimal_comma_and_quantities_of_100() -> None:
    fixing = parse_fixing(fixing_text("03.12.2026", 233, "24,290"))

    assert fixing.day == dt.date(2026, 12, 3)
    assert fixing.number == 233
    assert fixing.rates["EUR"] == (Decimal("24.290"), 1)
    assert fixing.rates["JPY"] == (Decimal("13.241"), 100)
    assert fixing.rates["HUF"] == (Decimal("6.321"), 100)


HEAD = "03.12.2026 #233\nzemě|měna|množství|kód|kurz\n"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "line 1"),
        ("<html>Service unavailable</html>", "line 1"),
        ("03.12.2026 #233\ncountry|currency\n", "line 2"),
        (HEAD + "EMU|euro|1|EUR|24,29\n", "line 3.kurz"),
        (HEAD + "EMU|euro|1|EUR|24.290\n", "line 3.kurz"),
        (HEAD + "Japonsko|jen|sto|JPY|13,241\n", "line 3.množství"),
        (HEAD + "Austrálie|dolar|1|AUD|13,912\nEMU|e", "line 4"),
    ],
)
def test_text_not_in_the_format_names_the_line(text: str, where: str) -> None:
    with pytest.raises(BadUpstreamData) as caught:
        parse_fixing(text)
    assert caught.value.field == where


def test_settings_refuse_czk_and_garbage(lg: Ledger) -> None:
    with pytest.raises(InvalidInput, match="not a foreign currency code"):
        lg.plugins.configure("cnb", currencies="EUR,CZK")
    with pytest.raises(InvalidInput, match="not a foreign currency code"):
        lg.plugins.configure("cnb", currencies="euro")


# --- syncing ---------------------------------------------------------------------------


def test_a_sync_stores_each_fixing_under_its_own_day_audited(cnb: Ledger) -> None:
    upstream = FakeCnb(EUR)

    run = sync(cnb, upstream)

    assert run.status == "succeeded", run.error_message
    # Friday, then Monday to today (Wednesday); never the weekend.
    assert upstream.asked == ["20.11.2026", "23.11.2026", "24.11.2026", "25.11.2026"]
    stored = {(r.currency, r.day): r.rate for r in cnb.exchange_rates.list()}
    assert stored == {
        ("EUR", dt.date(2026, 11, 20)): Decimal("24.305"),
        ("USD", dt.date(2026, 11, 20)): Decimal("20.784"),
        ("EUR", dt.date(2026, 11, 23)): Decimal("24.29"),
        ("USD", dt.date(2026, 11, 23)): Decimal("20.784"),
        ("EUR", dt.date(2026, 11, 24)): Decimal("24.315"),
        ("USD", dt.date(2026, 11, 24)): Decimal("20.784"),
    }
    assert (run.created, run.updated) == (6, 0)
    # Today's fixing is not out before 14:30: the next sync asks for today again.
    assert run.cursor_after == "2026-11-24"
    events = [e for e in cnb.audit.list(run_id=run.id) if e.entity == "exchange_rates"]
    assert len(events) == 6
    assert {e.source for e in events} == {"plugin:cnb"}
    assert all(e.action == "insert" for e in events)


def test_a_second_sync_changes_nothing_and_asks_only_from_the_cursor(
    cnb: Ledger, clock: FakeClock
) -> None:
    upstream = FakeCnb(EUR)
    sync(cnb, upstream)
    upstream.asked.clear()
    events = len(cnb.audit.list())

    again = sync(cnb, upstream)

    assert again.status == "succeeded"
    assert upstream.asked == ["25.11.2026"]
    assert (again.created, again.updated) == (0, 0)
    assert len(cnb.audit.list()) == events  # not even the cursor moved

    clock.advance(hours=6)  # after 14:30, today's fixing is out
    upstream.published["25.11.2026"] = "24,400"
    later = sync(cnb, upstream)

    assert (later.created, later.cursor_after) == (2, "2026-11-25")
    assert cnb.exchange_rates.rate_on("EUR", "2026-11-25").rate == Decimal("24.4")
    assert cnb.audit.verify() > 0  # the trail replays to exactly the stored rates


def test_a_currency_the_fixing_lacks_fails_the_run_writing_nothing(cnb: Ledger) -> None:
    cnb.plugins.configure("cnb", currencies="EUR,SEK", start_date="2026-11-20")

    run = sync(cnb, FakeCnb(EUR))

    assert run.status == "failed"
    assert run.error_kind == "bad_data"
    assert "has no SEK" in (run.error_message or "")
    assert cnb.exchange_rates.list() == []


# --- reading rates ---------------------------------------------------------------------


def test_rate_on_takes_the_last_fixing_on_or_before_the_day(lg: Ledger) -> None:
    lg.exchange_rates.set("EUR", "2026-12-04", "24.290")  # a Friday
    lg.exchange_rates.set("EUR", "2026-12-07", "24.350")
    lg.exchange_rates.set("JPY", "2026-12-04", "15.512", quantity=100)

    sunday = lg.exchange_rates.rate_on("EUR", dt.date(2026, 12, 6))
    monday = lg.exchange_rates.rate_on("eur", "2026-12-07")
    yen = lg.exchange_rates.rate_on("JPY", "2026-12-05")

    assert (sunday.day, sunday.per_unit) == (dt.date(2026, 12, 4), Decimal("24.29"))
    assert (monday.day, monday.per_unit) == (dt.date(2026, 12, 7), Decimal("24.35"))
    assert (yen.rate, yen.quantity, yen.per_unit) == (Decimal("15.512"), 100, Decimal("0.15512"))


def test_a_missing_rate_says_to_sync_the_cnb_rates(lg: Ledger) -> None:
    lg.exchange_rates.set("EUR", "2026-12-04", "24.290")

    with pytest.raises(MissingExchangeRate) as before:
        lg.exchange_rates.rate_on("EUR", "2026-12-03")
    with pytest.raises(MissingExchangeRate) as stale:
        lg.exchange_rates.rate_on("EUR", "2026-12-12")  # more than a week later

    assert str(before.value) == (
        "no EUR exchange rate for 2026-12-03 (nor in the 7 days before); "
        "fetch the ČNB rates with `ledger sync cnb` and try again"
    )
    assert "2026-12-12" in str(stale.value)


def test_setting_a_rate_again_corrects_it_audited(lg: Ledger) -> None:
    lg.exchange_rates.set("USD", "2026-12-04", "20.100")
    lg.exchange_rates.set("USD", "2026-12-04", "20.784")

    assert [r.rate for r in lg.exchange_rates.list("USD")] == [Decimal("20.784")]
    actions = [e.action for e in lg.audit.list() if e.entity == "exchange_rates"]
    assert sorted(actions) == ["insert", "update"]
    assert lg.audit.verify() > 0
    with pytest.raises(InvalidInput, match="a rate must be positive"):
        lg.exchange_rates.set("USD", "2026-12-04", "0")


def test_ledger_rates_lists_and_answers_for_a_day(lg: Ledger, database_url: str) -> None:
    lg.exchange_rates.set("EUR", "2026-12-04", "24.290")
    lg.exchange_rates.set("HUF", "2026-12-04", "6.321", quantity=100)
    runner = CliRunner()

    listed = runner.invoke(app, ["rates", "--database", database_url])
    on_sunday = runner.invoke(app, ["rates", "HUF", "--date", "2026-12-06", "-d", database_url])
    missing = runner.invoke(app, ["rates", "EUR", "--date", "2026-11-01", "-d", database_url])

    assert listed.exit_code == 0, listed.output
    assert "1 EUR = 24.290 CZK" in listed.stdout
    assert "100 HUF = 6.321 CZK" in listed.stdout
    assert on_sunday.exit_code == 0, on_sunday.output
    assert "2026-12-04" in on_sunday.stdout
    assert "EUR" not in on_sunday.stdout
    assert missing.exit_code == 1
    assert missing.stderr.strip().splitlines() == [
        "error: no EUR exchange rate for 2026-11-01 (nor in the 7 days before); "
        "fetch the ČNB rates with `ledger sync cnb` and try again"
    ]


def test_enabled_with_its_defaults_it_keeps_eur_and_usd_from_a_month_back(lg: Ledger) -> None:
    lg.plugins.enable("cnb")
    upstream = FakeCnb({"23.10.2026": "24,500", **EUR})

    run = sync(lg, upstream)

    assert run.status == "succeeded", run.error_message
    assert upstream.asked[0] == "26.10.2026"  # the Monday after 25 October, 31 days back
    assert {r.currency for r in lg.exchange_rates.list()} == {"EUR", "USD"}
