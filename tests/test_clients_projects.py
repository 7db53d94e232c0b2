"""Clients and projects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from helpers import row_counts
from ledger.api import Ledger
from ledger.errors import Conflict, InvalidInput, NotFound

D = Decimal


def test_add_and_get_a_client(lg: Ledger) -> None:
    acme = lg.clients.add(
        name="  Acme s.r.o. ",
        currency="czk",
        hourly_rate="1500.50",
        company_id="27074358",
        vat_id="CZ27074358",
        language="cs",
        address="Karlova 12\n110 00 Praha 1",
    )
    assert (acme.name, acme.currency, acme.hourly_rate) == ("Acme s.r.o.", "CZK", D("1500.50"))
    assert (acme.company_id, acme.vat_id, acme.language) == ("27074358", "CZ27074358", "cs")
    assert acme.payment_terms_days == 14
    assert lg.clients.get(acme.id) == lg.clients.get(acme) == acme
    assert "Acme s.r.o." in acme._repr_html_()


def test_client_defaults(lg: Ledger) -> None:
    plain = lg.clients.add(name="Plain")
    assert (plain.currency, plain.hourly_rate, plain.language, plain.archived) == (
        "CZK",
        None,
        "en",
        False,
    )


def test_update_a_client(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    updated = lg.clients.update(acme, email="billing@acme.example", hourly_rate=None)
    assert (updated.email, updated.hourly_rate, updated.name) == (
        "billing@acme.example",
        None,
        "Acme",
    )
    assert lg.clients.get(acme) == updated


def test_archive_hides_a_client_from_the_list(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    beta = lg.clients.add(name="Beta", currency="EUR")
    lg.clients.archive(beta)
    assert [c.name for c in lg.clients.list()] == ["Acme"]
    assert [c.name for c in lg.clients.list(include_archived=True)] == ["Acme", "Beta"]
    lg.clients.archive(beta, archived=False)
    assert [c.id for c in lg.clients.list()] == [acme.id, beta.id]


def test_delete_a_client(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    lg.clients.delete(acme)
    with pytest.raises(NotFound, match=f"client {acme.id} does not exist"):
        lg.clients.get(acme)
    assert [e.action for e in lg.audit.list(entity="clients")] == ["insert", "delete"]


@pytest.mark.parametrize("in_use_by", ["projects", "invoices"])
def test_a_client_in_use_cannot_be_deleted(lg: Ledger, in_use_by: str) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="100")
    web = lg.projects.add(acme, name="Web")
    if in_use_by == "invoices":
        lg.entries.add(web, date="2026-11-02", minutes=60)
        lg.invoices.draft(acme)
        # an invoice keeps the client even when its projects went elsewhere
        other = lg.clients.add(name="Other", currency="CZK")
        with lg.atomic() as uow:
            from ledger.storage import tables

            row = uow.session.get(tables.Project, web.id)
            assert row is not None
            row.client_id = other.id
    counts = row_counts(lg)
    with pytest.raises(Conflict, match=f"client 'Acme' has {in_use_by}; archive it instead"):
        lg.clients.delete(acme)
    assert row_counts(lg) == counts


def test_add_and_update_a_project(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    web = lg.projects.add(acme, name="Web")
    assert (web.client_id, web.currency, web.hourly_rate, web.rounding) == (
        acme.id,
        "CZK",
        None,
        "none",
    )
    euro = lg.projects.add(acme.id, name="Euro", currency="eur", hourly_rate="80")
    assert (euro.currency, euro.hourly_rate) == ("EUR", D("80.00"))
    web = lg.projects.update(web, hourly_rate="1200", rounding="up", rounding_minutes=15)
    assert (web.hourly_rate, web.rounding, web.rounding_minutes) == (D("1200.00"), "up", 15)
    assert lg.projects.get(web) == web
    assert [p.name for p in lg.projects.list(acme)] == ["Euro", "Web"]


def test_archived_projects(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    other = lg.clients.add(name="Other", currency="CZK")
    web = lg.projects.add(acme, name="Web")
    lg.projects.add(acme, name="Ops")
    lg.projects.add(other, name="Elsewhere")
    lg.projects.archive(web)
    assert [p.name for p in lg.projects.list()] == ["Elsewhere", "Ops"]
    assert [p.name for p in lg.projects.list(acme, include_archived=True)] == ["Ops", "Web"]


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "X", "hourly_rate": "-5"}, "hourly_rate", "must not be negative"),
        ({"name": "X", "rounding": "up"}, None, "give the step in minutes"),
        (
            {"name": "X", "rounding": "down", "rounding_minutes": 5},
            "rounding",
            "'none', 'up' or 'nearest'",
        ),
        ({"name": "X", "rounding_minutes": 500}, "rounding_minutes", "less than or equal to 240"),
        ({"name": "X", "currency": "XXX"}, "currency", "unknown currency"),
    ],
)
def test_bad_projects_are_refused(
    lg: Ledger, fields: dict[str, Any], field: str | None, problem: str
) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    counts = row_counts(lg)
    with pytest.raises(InvalidInput, match=problem) as caught:
        lg.projects.add(acme, **fields)
    if field is not None:
        assert caught.value.field == field
    assert row_counts(lg) == counts


def test_a_project_needs_an_existing_client(lg: Ledger) -> None:
    with pytest.raises(NotFound, match="client 42 does not exist"):
        lg.projects.add(42, name="Orphan")


def test_lists_turn_into_frames(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    lg.clients.add(name="Beta", currency="EUR")
    frame = lg.clients.list().to_frame()
    assert list(frame["name"]) == ["Acme", "Beta"]
    assert frame["hourly_rate"].dtype == "float64"  # plots; the records keep the Decimal
    assert frame["hourly_rate"].fillna(-1).tolist() == [1000.0, -1]
    assert "<table" in lg.clients.list()._repr_html_()
