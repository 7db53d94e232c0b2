"""A foreign-currency invoice's CZK amounts on the invoice page, and issuing without a
ČNB rate refused in the user's language."""

from __future__ import annotations

from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.models import Client

from .web_helpers import post


def _eur_client(lg: Ledger) -> Client:
    lg.settings.update(
        supplier_name="Jana Nováková",
        supplier_vat_id="CZ8001011234",
        vat_payer=True,
        default_vat_rate="21",
        locale="cs",
    )
    client = lg.clients.add(name="Studio Lumen", currency="EUR", hourly_rate="100")
    lg.entries.add(lg.projects.add(client, name="Web"), date="2026-11-06", minutes=600)
    return client


def test_issuing_without_a_rate_says_to_sync_the_cnb_plugin(
    client: TestClient, lg: Ledger
) -> None:
    draft = lg.invoices.draft(_eur_client(lg))

    refused = post(client, f"/invoices/{draft.id}/issue", {}, page=f"/invoices/{draft.id}")

    assert refused.status_code == 400
    assert "Pro EUR chybí kurz ČNB ke dni 2026-11-06, datu zdanitelného plnění." in refused.text
    assert lg.invoices.get(draft.id).status == "draft"


def test_the_invoice_page_shows_the_rate_and_the_vat_in_czk(
    client: TestClient, lg: Ledger
) -> None:
    draft = lg.invoices.draft(_eur_client(lg))
    lg.exchange_rates.set("EUR", "2026-11-06", "24.290")

    issued = post(client, f"/invoices/{draft.id}/issue", {}, page=f"/invoices/{draft.id}")
    page = client.get(f"/invoices/{draft.id}").text

    assert issued.status_code == 303
    assert "Kurz ČNB ze dne 6. 11. 2026: 1 EUR = 24,290 CZK" in page
    rows = [row for row in page.splitlines() if 'data-testid="czk-vat"' in row]
    assert len(rows) == 1
    assert "DPH 21 % ze základu 24\xa0290,00\xa0Kč" in rows[0]
    assert "5\xa0100,90\xa0Kč" in rows[0]
