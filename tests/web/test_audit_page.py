"""The audit log page speaks to a user: names, formatted money, filters, raw values."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from ledger.api import Ledger


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-testid="audit-row">(.*?)</tr>', page, re.S)


def visible(row: str) -> str:
    """The text a reader sees in a row, without tags and the raw-values disclosure."""
    shown = re.sub(r'<details class="raw">.*?</details>', "", row, flags=re.S)
    return re.sub(r"<[^>]+>", " ", shown)


def test_a_change_reads_as_names_and_money_in_czech(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    acme = lg.clients.add(name="Acme", currency="CZK")
    web = lg.with_source("user:1")
    project = web.projects.add(acme.id, name="Web", hourly_rate="1200")
    web.projects.update(project.id, hourly_rate="1500")
    row = visible(rows(client.get("/audit", params={"source": "user:1"}).text)[0])
    assert "Projekt Acme · Web" in row
    assert "Hodinová sazba" in row
    assert "1\u00a0200,00\u00a0Kč" in row
    assert "1\u00a0500,00\u00a0Kč" in row
    assert "jana" in row  # the user's name, not user:1
    assert "hourly_rate_minor" not in row
    assert "projects" not in row
    assert "user:1" not in row


def test_the_raw_values_are_one_click_away(client: TestClient, lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK", hourly_rate="900")
    row = rows(client.get("/audit", params={"entity": "clients"}).text)[0]
    raw = re.search(r'<details class="raw">(.*?)</details>', row, re.S)
    assert raw is not None
    assert "hourly_rate_minor" in raw.group(1)
    assert "90000" in raw.group(1)
    assert "clients" in raw.group(1)
    assert "notebook" in raw.group(1)


def test_sources_are_named_in_the_filter(client: TestClient, lg: Ledger) -> None:
    lg.with_source("plugin:fio").clients.add(name="Bank", currency="CZK")
    lg.with_source("cli").clients.add(name="Shell", currency="CZK")
    lg.with_source("user:1").clients.add(name="Web", currency="CZK")
    page = client.get("/audit").text
    assert '<option value="user:1">jana</option>' in page
    assert '<option value="plugin:fio">Integration fio</option>' in page
    assert '<option value="cli">Command line</option>' in page
    assert '<option value="clients">Client</option>' in page


def test_filtering_by_object_shows_one_record_history(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    lg.clients.add(name="Beta", currency="EUR")
    lg.clients.update(acme.id, name="Acme s.r.o.")
    page = client.get("/audit", params={"entity": "clients", "id": str(acme.id)}).text
    assert len(rows(page)) == 2
    assert 'data-testid="audit-object"' in page
    assert "History of Client" not in page
    assert "Beta" not in page
    assert f'href="/audit?entity=clients&amp;id={acme.id}"' in page


def test_a_deleted_row_keeps_its_name(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    project = lg.projects.add(acme.id, name="Web")
    entry = lg.entries.add(project.id, minutes=90, date="2026-11-02", description="x")
    lg.entries.delete(entry.id)
    page = client.get("/audit", params={"entity": "work_entries"}).text
    deleted = visible(rows(page)[0])
    assert "delete" in deleted
    assert "1:30" in deleted
