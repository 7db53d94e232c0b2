"""VAT in the web UI: registering in the settings, rates per line on a draft, the
summary per rate, and refusals in the user's language."""

from __future__ import annotations

from decimal import Decimal

from starlette.testclient import TestClient

from ledger.api import Ledger

from .invoice_helpers import hx
from .web_helpers import post

SETTINGS = {
    "supplier_name": "Jana Nováková", "supplier_vat_id": "", "number_pattern": "{year}-{seq:04d}",
    "credit_note_pattern": "D{year}-{seq:04d}",
    "default_due_days": "14", "payment_tolerance": "1", "locale": "en", "theme": "auto",
}  # fmt: skip


def test_a_vat_payer_registers_then_rates_lines_of_a_draft(client: TestClient, lg: Ledger) -> None:
    refused = post(client, "/settings", {**SETTINGS, "vat_payer": "on"})
    assert refused.status_code == 400
    assert "A VAT payer prints a VAT ID (DIČ) on every invoice: enter yours above." in refused.text
    assert lg.settings.get().vat_payer is False
    saved = post(
        client,
        "/settings",
        {
            **SETTINGS,
            "vat_payer": "on",
            "supplier_vat_id": "CZ8001011234",
            "default_vat_rate": "21",
        },
    )
    assert saved.status_code == 303
    assert (lg.settings.get().vat_payer, lg.settings.get().default_vat_rate) == (True, Decimal(21))
    assert 'name="vat_payer" checked' in client.get("/settings").text

    acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1000")
    web = lg.projects.add(acme, name="Web")
    lg.entries.add(web, date="2026-11-02", minutes=60, description="Design")
    lg.entries.add(web, date="2026-11-03", minutes=60, description="Training")
    preview = hx(client, f"/invoices/new/preview?client={acme.id}&grouping=entry")
    assert "VAT 21 % of CZK\u00a02,000.00" in preview.text
    created = post(client, "/invoices", {"client": str(acme.id), "grouping": "entry"})
    invoice_id = int(created.headers["location"].rsplit("/", 1)[1])
    training = lg.invoices.get(invoice_id).lines[1]

    bad = hx(
        client,
        f"/invoices/{invoice_id}/lines/{training.id}",
        {"description": "Training", "quantity": "1", "unit_price": "1000", "vat_rate": "150"},
    )
    assert "Enter a percentage between 0 and 100." in bad.text
    edited = hx(
        client,
        f"/invoices/{invoice_id}/lines/{training.id}",
        {"description": "Training", "quantity": "1", "unit_price": "1000", "vat_rate": "12"},
    )
    assert edited.status_code == 200
    rates = [row for row in edited.text.splitlines() if 'data-testid="vat-rate"' in row]
    assert len(rates) == 2
    assert "VAT 21 % of CZK\u00a01,000.00" in rates[0]
    assert "CZK\u00a0210.00" in rates[0]
    assert "VAT 12 % of CZK\u00a01,000.00" in rates[1]
    assert "CZK\u00a0120.00" in rates[1]
    assert lg.invoices.get(invoice_id).total == Decimal("2330.00")

    # Saving the details with the rate unchanged keeps each line's own rate.
    details = {"notes": "", "vat_rate": "21", "language": "en"}
    assert post(client, f"/invoices/{invoice_id}", details).status_code == 303
    assert [line.vat_rate for line in lg.invoices.get(invoice_id).lines] == [
        Decimal(21),
        Decimal(12),
    ]


def test_the_reverse_charge_is_explained_in_czech(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(supplier_vat_id="CZ8001011234", vat_payer=True, locale="cs")
    nordwind = lg.clients.add(
        name="Nordwind", currency="EUR", hourly_rate="80", vat_id="DE811234567"
    )
    project = lg.projects.add(nordwind, name="Data")
    lg.entries.add(project, date="2026-11-02", minutes=60)
    refused = hx(client, f"/invoices/new/preview?client={nordwind.id}&vat_rate=21")
    assert (
        "Klient má DIČ jiného státu EU: uplatní se přenesení daňové povinnosti a faktura DPH "
        "neobsahuje."
    ) in refused.text
    draft = lg.invoices.draft(nordwind)
    page = client.get(f"/invoices/{draft.id}").text
    assert "Přenesení daňové povinnosti: daň odvede zákazník." in page
    assert 'name="vat_rate"' not in page  # no rate to set
