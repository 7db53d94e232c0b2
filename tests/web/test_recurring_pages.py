"""Recurring invoices on the web: the template form with its lines, errors in the
user's language, the dashboard's due list and its "Create now"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.invoices import LineInput

from .web_helpers import post

FORM = {
    "name": "Hosting", "interval": "monthly", "next_date": "2026-11-30", "mode": "draft",
    "active": "1", "notes": "",
    "line-0-description": "Hosting", "line-0-quantity": "1", "line-0-unit": "month",
    "line-0-unit_price": "1500", "line-0-vat_rate": "",
    "line-1-description": "Support", "line-1-quantity": "2,5", "line-1-unit": "h",
    "line-1-unit_price": "800,50", "line-1-vat_rate": "",
    "line-2-description": "", "line-2-quantity": "", "line-2-unit": "",
    "line-2-unit_price": "", "line-2-vat_rate": "",
}  # fmt: skip


def test_a_template_is_added_and_edited_in_czech_notation(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    acme = lg.clients.add(name="Acme", currency="CZK")
    assert "Nová šablona" in client.get("/recurring/new").text
    response = post(client, "/recurring", {**FORM, "client": str(acme.id)})
    assert response.status_code == 303, response.text
    [template] = lg.recurring.list()
    assert [line.amount for line in template.lines] == [Decimal("1500.00"), Decimal("2001.25")]
    assert template.day_of_month == 30
    assert lg.audit.list(entity="recurring_templates")[-1].source.startswith("user:")
    page = client.get("/recurring").text
    assert "Šablona Hosting byla uložena." in page
    assert "Vytvořit teď" not in page  # due only from Nov 30; the test clock says Nov 25

    edit = client.get(f"/recurring/{template.id}/edit").text
    assert 'value="800,50"' in edit
    changed = {**FORM, "interval": "quarterly", "mode": "issue", "active": ""}
    assert post(client, f"/recurring/{template.id}", changed).status_code == 303
    template = lg.recurring.get(template)
    assert (template.interval, template.mode, template.active) == ("quarterly", "issue", False)


def test_bad_fields_show_czech_errors_and_nothing_is_saved(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    lg.clients.add(name="Acme", currency="CZK")
    bad = {**FORM, "client": "", "next_date": "2026-02-30", "line-1-unit_price": "abc"}
    response = post(client, "/recurring", bad)
    assert response.status_code == 400
    assert "Vyberte klienta." in response.text
    assert "Zadejte číslo" in response.text
    assert lg.recurring.list() == []


def test_due_templates_are_created_on_the_dashboard_when_confirmed(
    client: TestClient, lg: Ledger
) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    hosting = [LineInput("Hosting", "1", "1500")]
    template = lg.recurring.add(acme, name="Hosting", next_date="2026-10-25", lines=hosting)
    lg.recurring.add(acme, name="Later", next_date="2026-12-01", lines=hosting)
    dashboard = client.get("/").text
    assert 'data-testid="recurring-due"' in dashboard
    assert f'data-testid="create-now-{template.id}"' in dashboard
    assert "Later" not in dashboard
    assert lg.invoices.list() == []  # listing makes nothing

    response = post(client, f"/recurring/{template.id}/run", {})
    assert response.status_code == 303
    made = lg.invoices.list()
    assert len(made) == 2  # Oct 25 and Nov 25
    assert response.headers["location"] == "/invoices"
    assert "2 invoices were created." in client.get("/invoices").text
    assert 'data-testid="recurring-due"' not in client.get("/").text
    assert lg.recurring.get(template).next_date == dt.date(2026, 12, 25)
    assert post(client, f"/recurring/{template.id}/run", {}).status_code == 303
    assert len(lg.invoices.list()) == 2
