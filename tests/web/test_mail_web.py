"""E-mail in the web UI: the SMTP settings form, Send on the invoice page, reminders on
the dashboard; sent to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import html

from starlette.testclient import TestClient

from document_helpers import issued_invoice, set_up_supplier
from ledger.api import Ledger
from ledger.core.models import Invoice
from smtp_server import LOGIN, Sink, free_port, smtp_server

from .web_helpers import csrf

__all__ = ["smtp_server"]  # the fixture, used by name

CLIENT_EMAIL = "ucetni@dablice.example"


def ready(lg: Ledger, port: int, issue_date: str = "2026-11-20") -> Invoice:
    set_up_supplier(lg, locale="cs")
    lg.mail.configure(host="127.0.0.1", port=port, security="none",
                      sender="jana@novakova.example")  # fmt: skip
    invoice = issued_invoice(lg, language="cs", issue_date=issue_date)
    lg.clients.update(invoice.client_id, email=CLIENT_EMAIL)
    return invoice


def post(client: TestClient, path: str, page: str, **form: str) -> tuple[int, str]:
    data = {"csrf_token": csrf(client, page), **form}
    response = client.post(path, data=data, follow_redirects=True)
    return response.status_code, html.unescape(response.text)


def test_the_settings_form_saves_and_never_shows_the_password(
    client: TestClient, lg: Ledger
) -> None:
    lg.settings.update(locale="cs")
    form = {"host": "smtp.example.com", "port": "587", "security": "starttls",
            "username": "jana", "password": LOGIN[1], "sender": "neni-adresa"}  # fmt: skip
    status, page = post(client, "/settings/mail", "/settings", **form)
    assert status == 400
    assert "Zadejte e-mailovou adresu, např. jana@example.com." in page
    assert LOGIN[1] not in page
    assert not lg.mail.settings().configured

    fixed = {**form, "sender": "jana@novakova.example", "bcc_self": "on"}
    status, page = post(client, "/settings/mail", "/settings", **fixed)
    assert status == 200
    assert "Nastavení e-mailu bylo uloženo." in page
    assert LOGIN[1] not in page
    assert "Uloženo: nechte prázdné" in page
    saved = lg.mail.settings()
    assert (saved.host, saved.password_set, saved.bcc_self) == ("smtp.example.com", True, True)


def test_send_from_the_invoice_page(client: TestClient, lg: Ledger, smtp_server: Sink) -> None:
    invoice = ready(lg, smtp_server.port)
    page_path = f"/invoices/{invoice.id}"
    assert f'value="{CLIENT_EMAIL}"' in client.get(page_path).text
    status, page = post(client, f"{page_path}/send", page_path)
    assert status == 200
    assert f"Faktura byla odeslána na {CLIENT_EMAIL}." in page
    assert "Odesláno 1 krát" in page
    assert smtp_server.last().message["Subject"] == f"Faktura {invoice.number} – Jana Nováková"
    assert "/p/" in str(smtp_server.last().message.get_body(preferencelist=("plain",)))
    audit = client.get("/audit?entity=invoice_mailings")
    assert audit.status_code == 200
    assert "Odeslaný e-mail" in audit.text
    assert str(invoice.number) in audit.text


def test_a_failed_send_shows_the_reason_in_czech_and_records_nothing(
    client: TestClient, lg: Ledger
) -> None:
    invoice = ready(lg, free_port())
    page_path = f"/invoices/{invoice.id}"
    status, page = post(client, f"{page_path}/send", page_path)
    assert status == 400
    assert "E-mail nebyl odeslán: cannot send through 127.0.0.1" in page
    assert lg.mail.history(invoice).sent_count == 0
    assert list(lg.portal.links(invoice)) == []

    status, page = post(client, f"{page_path}/send", page_path, to="neni-adresa")
    assert status == 400
    assert "Zadejte e-mailovou adresu" in page


def test_overdue_invoices_are_listed_on_the_dashboard_with_a_reminder_button(
    client: TestClient, lg: Ledger, smtp_server: Sink
) -> None:
    invoice = ready(lg, smtp_server.port, issue_date="2026-11-05")  # due 19 Nov, today 25 Nov
    issued_invoice(lg, name="Včas s.r.o.")  # due in December: not listed
    dashboard = client.get("/").text
    assert "Po splatnosti: pošlete upomínku" in dashboard
    assert dashboard.count('data-testid="overdue-row"') == 1
    assert f'data-testid="remind-{invoice.number}"' in dashboard
    status, page = post(client, f"/invoices/{invoice.id}/remind", "/")
    assert status == 200
    assert f"Upomínka byla odeslána na {CLIENT_EMAIL}." in page
    assert "Odeslána 1 upomínka" in page
    assert smtp_server.last().message["Subject"].startswith("Upomínka: Faktura")
