"""What a notebook user sees: reprs, ``dir(lg)``, typed frames and filters by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from ledger.api import METHODS, SERVICES, Ledger
from ledger.core.models import Client, Records
from ledger.errors import InvalidInput, NotFound


@pytest.fixture
def work(lg: Ledger) -> Ledger:
    """Two clients with a project called Web each, some work, one issued invoice."""
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1500")
    beta = lg.clients.add(name="Beta", currency="EUR", hourly_rate="80")
    acme_web = lg.projects.add(acme, name="Web")
    beta_web = lg.projects.add(beta, name="Web")
    lg.entries.add(acme_web, date="2026-11-02", minutes=90, description="Review")
    lg.entries.add(beta_web, date="2026-11-03", amount="120", description="Hosting")
    lg.invoices.issue(lg.invoices.draft(acme), issue_date="2026-11-30")
    return lg


def test_services_say_what_they_hold_and_what_to_call(work: Ledger) -> None:
    assert repr(work.clients) == (
        "<Clients: 2 clients · add(), archive(), delete(), find(), get(), list(), update()>"
    )
    assert repr(work.invoices).startswith("<Invoices: 1 invoice · add_line(), cancel(),")
    assert "draft(), draft_from_lines(), get(), issue(), list()" in repr(work.invoices)
    assert repr(work.entries).startswith("<Entries: 2 work entries · add(), add_many(),")
    assert repr(work.reports) == (
        "<Reports · monthly_earnings(), status(), unbilled(), unbilled_totals()>"
    )
    assert " at 0x" not in repr(work.projects)


def test_dir_shows_the_public_services_only(lg: Ledger) -> None:
    names = dir(lg)
    assert names == sorted(SERVICES + METHODS)
    assert {"clients", "invoices", "entries", "audit", "atomic", "sync"} <= set(names)
    assert not {"database", "secret_box", "registry", "clock", "writes_blocked"} & set(names)
    assert all(hasattr(lg, name) for name in names)


def test_records_render_as_html_tables(work: Ledger) -> None:
    client = work.clients.find("acme")
    assert "<table><caption>Client</caption>" in client._repr_html_()
    assert "<td style='text-align:left'>Acme</td>" in client._repr_html_()
    invoice = work.invoices.list()[0]
    assert "<caption>lines</caption>" in invoice._repr_html_()
    assert work.entries.list()._repr_html_().startswith("<table")
    assert Records([], model=Client)._repr_html_() == "<p>(none)</p>"


def test_entry_frames_carry_names_numbers_and_datetimes(work: Ledger) -> None:
    frame = work.entries.list().to_frame()

    assert list(frame["client_name"]) == ["Acme", "Beta"]
    assert list(frame["project_name"]) == ["Web", "Web"]
    assert list(frame["currency"]) == ["CZK", "EUR"]
    assert frame["billed_amount"].dtype == "float64"
    assert frame["billed_amount"].fillna(0).tolist() == [2250.0, 0.0]
    assert frame["amount"].fillna(0).tolist() == [0.0, 120.0]
    assert frame["date"].dtype == "datetime64[s]"
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-02", "2026-11-03"]
    assert str(frame["invoice_id"].dtype) == "Int64"  # not 1.0 and NaN
    assert frame.groupby("currency")["amount"].sum().to_dict() == {"CZK": 0.0, "EUR": 120.0}


@pytest.mark.parametrize(
    "listing",
    [
        lambda lg: lg.entries.list(since="2030-01-01"),
        lambda lg: lg.invoices.list(status="cancelled"),
        lambda lg: lg.projects.list(client="Acme", include_archived=False),
        lambda lg: lg.reports.monthly_earnings(since=pd.Timestamp("2030-01-01").date()),
        lambda lg: lg.invoices.payments(lg.invoices.list()[0]),
        lambda lg: lg.transactions.list(),
        lambda lg: lg.audit.list(entity="share_links"),
    ],
    ids=["entries", "invoices", "projects", "earnings", "payments", "transactions", "audit"],
)
def test_an_empty_frame_has_the_same_columns_and_types(
    work: Ledger, listing: Callable[[Ledger], Records[Any]]
) -> None:
    found = listing(work)
    model = found.model
    assert model is not None
    empty = Records([], model=model).to_frame()
    full = found.to_frame()
    assert list(empty.columns) == list(full.columns)
    assert len(empty.columns) > 3
    if len(full):
        assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_an_empty_list_still_knows_its_columns(work: Ledger) -> None:
    empty = work.invoices.list(status="cancelled").to_frame()
    full = work.invoices.list().to_frame()
    assert empty.empty
    assert list(empty.columns) == list(full.columns)
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    assert {"client_id", "client_name", "total", "currency", "issue_date"} <= set(empty.columns)
    assert full["total"].dtype == "float64"


def test_earnings_frames_name_the_client_and_project(work: Ledger) -> None:
    frame = work.reports.monthly_earnings().to_frame()
    assert frame[["month", "client_name", "project_name", "currency"]].values.tolist() == [
        ["2026-11", "Acme", "Web", "CZK"]
    ]
    assert frame["amount"].tolist() == [2250.0]


def test_filters_take_names(work: Ledger) -> None:
    assert [i.client_name for i in work.invoices.list(client="acme")] == ["Acme"]
    assert work.invoices.list(client="Beta") == []
    assert work.invoices.count(client="Acme") == 1
    assert [t.currency for t in work.invoices.totals(client="Acme")] == ["CZK"]
    assert [p.client_name for p in work.projects.list(client="Beta")] == ["Beta"]
    assert [e.description for e in work.entries.list(client="Beta")] == ["Hosting"]
    assert [e.description for e in work.entries.list("Web", client="Acme")] == ["Review"]
    acme = work.clients.find("Acme")
    assert work.clients.find(str(acme.id)) == acme


def test_filters_refuse_unknown_values_naming_those_that_exist(work: Ledger) -> None:
    with pytest.raises(InvalidInput, match="no invoice is 'payed'; use one of draft, issued, "):
        work.invoices.list(status="payed")
    with pytest.raises(InvalidInput, match="no invoice is 'paid'"):
        work.invoices.totals(status="paid")
    with pytest.raises(InvalidInput, match="no transaction is 'incoming'; use one of income"):
        work.transactions.list(kind="incoming")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="nothing audited is called 'invoice'; use "):
        work.audit.list(entity="invoice")
    with pytest.raises(NotFound, match="no client is named 'Gamma'"):
        work.invoices.list(client="Gamma")
    with pytest.raises(InvalidInput, match=r"'Web' names 2 projects: Web of Acme \(id \d+\)"):
        work.entries.list("Web")
    with pytest.raises(NotFound, match="no project of client 'Beta' is named 'Mobile'"):
        work.projects.find("Mobile", client="Beta")


def test_a_shared_client_name_is_refused_listing_both(lg: Ledger) -> None:
    first = lg.clients.add(name="Acme", currency="CZK")
    second = lg.clients.add(name="ACME", currency="EUR")
    with pytest.raises(InvalidInput) as refused:
        lg.clients.find("acme")
    assert refused.value.message == (
        f"'acme' names 2 clients: Acme (id {first.id}), ACME (id {second.id}); give the id"
    )
    assert lg.clients.find(second.id) == second
