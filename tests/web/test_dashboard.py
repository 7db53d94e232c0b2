"""The dashboard: first-run guidance on an empty ledger, charts with axes and tooltips."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.demo import load_demo
from ledger.web.charts import nice_top
from support import FakeClock


def steps(page: str) -> dict[str, bool]:
    """Each first step shown, and whether it is marked done."""
    found = re.findall(r'<li( class="done")? data-step="(\w+)">', page)
    return {step: bool(done) for done, step in found}


def test_an_empty_ledger_shows_where_to_start(client: TestClient) -> None:
    page = client.get("/").text
    assert 'data-testid="first-steps"' in page
    assert steps(page) == {"company": False, "client": False, "time": False}
    for link in ("/settings", "/clients/new", "/time"):
        assert f'<a href="{link}">' in page


def test_done_steps_are_marked_and_all_done_hides_the_guide(
    client: TestClient, lg: Ledger
) -> None:
    lg.settings.update(supplier_name="Jana Nováková")
    acme = lg.clients.add(name="Acme", currency="CZK")
    assert steps(client.get("/").text) == {"company": True, "client": True, "time": False}
    project = lg.projects.add(acme.id, name="Web", hourly_rate="1000")
    lg.entries.add(project.id, date=lg.today(), minutes=60)
    assert 'data-testid="first-steps"' not in client.get("/").text


def test_charts_have_a_value_axis_and_a_tooltip_per_bar(client: TestClient, lg: Ledger) -> None:
    load_demo(lg)
    page = client.get("/").text
    assert 'data-testid="first-steps"' not in page
    chart = page[page.index('<svg class="chart"') : page.index("</svg>")]
    axis = re.findall(r'<text class="axis"[^>]*>([^<]+)</text>', chart)
    assert axis[0] == "0"
    assert len(axis) == 5
    tips = re.findall(r'<rect class="bar[^"]*"[^>]*><title>([^<]+)</title>', chart)
    assert len(tips) == 12
    assert all(re.fullmatch(r"\d{4}-\d\d: CZK\u00a0[\d,]+\.\d\d", tip) for tip in tips), tips


def test_czech_tooltips_name_the_series_and_format_money(client: TestClient, lg: Ledger) -> None:
    load_demo(lg)
    lg.settings.update(locale="cs")
    page = client.get("/").text
    cash = page[page.index("Příjmy a výdaje") :]
    assert re.search(r"<title>\d{4}-\d\d · Příjmy: [\d\u00a0]+,\d\d\u00a0Kč</title>", cash)


@pytest.mark.parametrize(
    ("peak", "top"),
    [("0", "4"), ("7", "10"), ("12", "20"), ("230", "250"), ("4100", "5000"), ("100", "100")],
)
def test_the_axis_ends_at_a_round_value(peak: str, top: str) -> None:
    assert nice_top(Decimal(peak)) == Decimal(top)


def minutes_this_week(page: str) -> str:
    figure = page[page.index('data-testid="hours-week"') :]
    return figure[: figure.index("</")]


def test_a_change_made_elsewhere_shows_on_the_next_visit(client: TestClient, lg: Ledger) -> None:
    """The figures are kept between visits only while the audit trail has no new event:
    a change through another `Ledger` (the CLI, a notebook, another worker) shows."""
    load_demo(lg)
    first = client.get("/").text
    assert client.get("/").text == first
    project = lg.projects.list()[0]
    lg.entries.add(project.id, date=lg.today(), minutes=600, description="Late night")
    after = client.get("/").text
    assert minutes_this_week(after) != minutes_this_week(first)


def test_the_next_day_reads_the_figures_again(
    client: TestClient, lg: Ledger, clock: FakeClock
) -> None:
    load_demo(lg)
    before = client.get("/").text
    clock.advance(days=35)  # the year of charts moves on a month; no data changed
    after = client.get("/").text
    assert re.findall(r"\d{4}-\d\d", before) != re.findall(r"\d{4}-\d\d", after)


def outstanding(page: str) -> str:
    figure = page[page.index('data-testid="outstanding"') :]
    return figure[: figure.index(">Overdue")]  # the next card


def test_logging_time_reads_only_the_work_figures_again(
    client: TestClient, lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry changes hours and unbilled work, never money owed: the money figures
    kept from the last visit are served, while any other change reads them again."""
    load_demo(lg)
    reads: list[object] = []
    money = type(lg.analytics).money

    def counted(self: object, *args: object, **kwargs: object) -> object:
        reads.append(args)
        return money(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(type(lg.analytics), "money", counted)
    first = client.get("/").text
    project = lg.projects.list()[0]
    lg.entries.add(project.id, date=lg.today(), minutes=600, description="Late night")
    logged = client.get("/").text
    assert minutes_this_week(logged) != minutes_this_week(first)
    assert outstanding(logged) == outstanding(first)
    assert len(reads) == 1

    invoice = next(i for i in lg.invoices.list(status="issued") if i.balance > 0)
    lg.invoices.record_payment(invoice.id, invoice.balance, lg.today())
    paid = client.get("/").text
    assert len(reads) == 2
    assert outstanding(paid) != outstanding(logged)
