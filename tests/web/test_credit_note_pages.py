"""Credit notes in the web UI: the form on an issued invoice, refusals in Czech, the
credit note's own page, and the credit note pattern in the settings."""

from __future__ import annotations

from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.models import Invoice

from .invoice_helpers import errors
from .web_helpers import post


def _issued(lg: Ledger) -> Invoice:
    acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1000")
    project = lg.projects.add(acme, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=120, description="Vývoj")
    lg.entries.add(project, date="2026-11-03", minutes=60, description="Školení")
    return lg.invoices.issue(lg.invoices.draft(acme, grouping="entry"))


def test_a_credit_note_for_a_ticked_line(client: TestClient, lg: Ledger) -> None:
    invoice = _issued(lg)
    page = client.get(f"/invoices/{invoice.id}").text
    training = invoice.lines[1]
    assert f'name="line-{training.id}"' in page
    path = f"/invoices/{invoice.id}/credit"
    done = post(client, path, {f"line-{training.id}": "on", "reason": "Training cancelled"})
    note = lg.invoices.get("D2026-0001")
    assert (done.status_code, done.headers["location"]) == (303, f"/invoices/{note.id}")
    assert [line.description for line in note.lines] == ["Školení"]
    shown = client.get(f"/invoices/{note.id}").text
    assert "Credit note D2026-0001 is issued." in shown
    assert "Training cancelled" in shown
    after = client.get(f"/invoices/{invoice.id}").text
    assert f'name="line-{training.id}"' not in after  # credited once
    assert f'name="line-{invoice.lines[0].id}"' in after


def test_a_credit_note_without_lines_or_reason_is_explained_in_czech(
    client: TestClient, lg: Ledger
) -> None:
    lg.settings.update(locale="cs")
    invoice = _issued(lg)
    refused = post(client, f"/invoices/{invoice.id}/credit", {"reason": ""})
    assert refused.status_code == 400
    assert errors(refused.text) == [
        "Zaškrtněte aspoň jednu položku, která ještě není dobropisována.",
        "Toto pole je povinné.",
    ]
    assert lg.invoices.get(invoice).credit_notes == []


def test_the_credit_note_pattern_is_a_setting(client: TestClient, lg: Ledger) -> None:
    form = {
        "supplier_name": "Jana Nováková", "number_pattern": "{year}-{seq:04d}",
        "credit_note_pattern": "{year}-{seq:04d}", "default_due_days": "14",
        "payment_tolerance": "1", "locale": "en", "theme": "auto",
    }  # fmt: skip
    refused = post(client, "/settings", form)
    assert refused.status_code == 400
    assert "Credit notes are numbered in a series of their own" in refused.text
    saved = post(client, "/settings", {**form, "credit_note_pattern": "OD{year}-{seq:03d}"})
    assert saved.status_code == 303
    assert lg.settings.get().credit_note_pattern == "OD{year}-{seq:03d}"
