"""Invoice PDF, payment QR and share links in the web UI, and the client portal."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree
from pypdf import PdfReader
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.models import Invoice
from ledger.web import create_app
from ledger.web.config import WebConfig

from .invoice_helpers import row_counts
from .web_helpers import csrf


def issued(lg: Ledger, currency: str = "CZK", name: str = "Acme s.r.o.") -> Invoice:
    lg.settings.update(supplier_name="Jana Nováková")
    if lg.bank_accounts.for_currency(currency) is None:
        lg.bank_accounts.add(currency, iban="CZ6508000000192000145399")
    client = lg.clients.add(name=name, currency=currency, hourly_rate="1500")
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=90, description="Review")
    return lg.invoices.issue(lg.invoices.draft(client))


def share(client: TestClient, invoice: Invoice, **form: str) -> str:
    token = csrf(client, f"/invoices/{invoice.id}")
    response = client.post(f"/invoices/{invoice.id}/share", data={"csrf_token": token, **form})
    assert response.status_code == 303
    page = client.get(f"/invoices/{invoice.id}").text
    address = re.search(r'value="(http[^"]+/p/[A-Za-z0-9_-]+)" data-testid="share-link"', page)
    assert address, "the new link is shown once on the invoice page"
    assert address.group(1) not in client.get(f"/invoices/{invoice.id}").text
    return address.group(1)


def test_the_pdf_downloads_and_reads_back(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "2026-0001" in response.headers["content-disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "2 250,00" in text or "2,250.00" in text


def test_the_payment_qr_is_an_svg_and_absent_without_a_standard(
    client: TestClient, lg: Ledger
) -> None:
    czk = issued(lg)
    assert client.get(f"/invoices/{czk.id}/qr.svg").headers["content-type"].startswith("image/svg")
    usd = issued(lg, currency="USD", name="Globex")
    assert client.get(f"/invoices/{usd.id}/qr.svg").status_code == 404
    assert 'data-testid="payment-qr"' not in client.get(f"/invoices/{usd.id}").text


def test_an_amount_above_the_qr_limit_opens_without_the_code(
    client: TestClient, lg: Ledger
) -> None:
    lg.settings.update(supplier_name="Jana Nováková")
    lg.bank_accounts.add("CZK", iban="CZ6508000000192000145399")
    big = lg.clients.add(name="Big", currency="CZK", hourly_rate="1000000")
    project = lg.projects.add(big, name="Tower")
    lg.entries.add(project, date="2026-11-02", minutes=600)
    invoice = lg.invoices.issue(lg.invoices.draft(big))
    page = client.get(f"/invoices/{invoice.id}")
    assert page.status_code == 200
    assert 'data-testid="payment-qr"' not in page.text
    assert "the amount due is above the QR payment limit of CZK\u00a09,999,999.99" in page.text
    assert client.get(f"/invoices/{invoice.id}/qr.svg").status_code == 404
    pdf = client.get(f"/invoices/{invoice.id}/pdf")
    assert pdf.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "above the QR payment limit" in text or "přesahuje limit QR plateb" in text


def test_documents_need_a_session(anonymous: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    lg.users.create("jana", "correct horse battery")
    assert anonymous.get(f"/invoices/{invoice.id}/pdf").status_code == 303


def test_a_share_link_opens_that_invoice_only_and_writes_nothing(
    client: TestClient, lg: Ledger
) -> None:
    invoice = issued(lg)
    other = issued(lg, name="Globex")
    address = share(client, invoice)
    assert address.startswith("http://127.0.0.1:8000/p/")
    path = address.removeprefix("http://127.0.0.1:8000")
    before = row_counts(lg)
    with TestClient(create_app(lg, WebConfig()), follow_redirects=False) as visitor:
        page = visitor.get(path)
        assert page.status_code == 200
        assert "2026-0001" in page.text
        assert "2026-0002" not in page.text
        assert other.client_name not in page.text
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "noindex" in page.headers["x-robots-tag"]
        assert "set-cookie" not in page.headers
        assert 'data-testid="portal-qr"' in page.text
        pdf = visitor.get(path + "/pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert visitor.post(path).status_code == 405
    assert row_counts(lg) == before


def test_revoked_wrong_and_expired_tokens_are_the_same_plain_404(
    client: TestClient, lg: Ledger, clock: object
) -> None:
    invoice = issued(lg)
    revoked = share(client, invoice).split("/p/")[1]
    expiring = share(client, invoice, expires_days="1").split("/p/")[1]
    link_ids = [link.id for link in lg.portal.links(invoice) if link.state == "active"]
    token = csrf(client, f"/invoices/{invoice.id}")
    client.post(
        f"/invoices/{invoice.id}/share/{max(link_ids) - 1}/revoke", data={"csrf_token": token}
    )
    clock.advance(days=2)  # type: ignore[attr-defined]
    bodies = set()
    for token_text in (revoked, expiring, "x" * 43, "short"):
        response = client.get(f"/p/{token_text}")
        assert response.status_code == 404
        bodies.add(response.text)
    assert bodies == {"Not found"}


def test_a_draft_cannot_be_shared(client: TestClient, lg: Ledger) -> None:
    customer = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    lg.entries.add(lg.projects.add(customer, name="Web"), date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(customer)
    token = csrf(client, f"/invoices/{draft.id}")
    response = client.post(f"/invoices/{draft.id}/share", data={"csrf_token": token})
    assert response.status_code == 409
    assert not lg.portal.links(draft)


@pytest.mark.parametrize("days", ["0", "abc", "99999"])
def test_bad_expiry_is_a_form_error(client: TestClient, lg: Ledger, days: str) -> None:
    invoice = issued(lg)
    token = csrf(client, f"/invoices/{invoice.id}")
    response = client.post(
        f"/invoices/{invoice.id}/share", data={"csrf_token": token, "expires_days": days}
    )
    assert response.status_code == 400
    assert not lg.portal.links(invoice)
    assert str(invoice.number) in response.text  # the invoice page again, not an error page
    assert 'data-testid="error-expires_days"' in response.text
    assert f'name="expires_days" inputmode="numeric" size="6" value="{days}"' in response.text


def test_a_czech_expiry_error_is_in_czech(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    lg.settings.update(locale="cs")
    token = csrf(client, f"/invoices/{invoice.id}")
    response = client.post(
        f"/invoices/{invoice.id}/share", data={"csrf_token": token, "expires_days": "x"}
    )
    error = re.search(r'data-testid="error-expires_days">([^<]+)<', response.text)
    assert error is not None
    assert error.group(1) == "Zadejte počet dní od 1 do 3650, nebo pole nechte prázdné."


def test_a_new_share_link_has_a_copy_button_and_is_listed(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    token = csrf(client, f"/invoices/{invoice.id}")
    client.post(f"/invoices/{invoice.id}/share", data={"csrf_token": token})
    page = client.get(f"/invoices/{invoice.id}").text
    documents = page[page.index('id="documents"') :]
    assert 'data-testid="copy-share-link"' in documents
    assert 'data-copy="share-address-1"' in documents
    assert 'id="share-address-1"' in documents
    assert documents.count('data-testid="share-row"') == 1
    assert '<script src="/static/copy.js" defer></script>' in page
    assert client.get("/static/copy.js").status_code == 200
    again = client.get(f"/invoices/{invoice.id}").text
    assert 'data-testid="copy-share-link"' not in again  # the address is shown once
    assert again.count('data-testid="share-row"') == 1  # the link stays listed


def test_the_month_pdf_merges_the_months_invoices(client: TestClient, lg: Ledger) -> None:
    issued(lg)
    issued(lg, name="Globex")
    response = client.get("/invoices/month.pdf", params={"month": "2026-11"})
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2
    assert client.get("/invoices/month.pdf", params={"month": "nope"}).status_code == 400


def test_the_isdoc_downloads_from_the_invoice_page_and_the_portal(
    client: TestClient, lg: Ledger
) -> None:
    invoice = issued(lg)
    page = client.get(f"/invoices/{invoice.id}").text
    assert f'href="/invoices/{invoice.id}/isdoc"' in page
    response = client.get(f"/invoices/{invoice.id}/isdoc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "2026-0001.isdoc" in response.headers["content-disposition"]
    root = etree.fromstring(response.content)
    assert root.get("version") == "6.0.2"
    address = share(client, invoice).removeprefix("http://127.0.0.1:8000")
    with TestClient(create_app(lg, WebConfig()), follow_redirects=False) as visitor:
        assert 'data-testid="portal-isdoc"' in visitor.get(address).text
        portal = visitor.get(address + "/isdoc")
        assert portal.status_code == 200
        assert portal.content == response.content
        assert portal.headers["cache-control"] == "no-store"
        assert visitor.get(address[:-2] + "xx/isdoc").status_code == 404


def test_a_draft_offers_no_isdoc(client: TestClient, lg: Ledger) -> None:
    client_row = lg.clients.add(name="Draft s.r.o.", currency="CZK", hourly_rate="1000")
    project = lg.projects.add(client_row, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(client_row)
    assert "/isdoc" not in client.get(f"/invoices/{draft.id}").text
    response = client.get(f"/invoices/{draft.id}/isdoc")
    assert response.status_code == 409
    assert "issue it before exporting ISDOC" in response.text


def test_a_foreign_invoice_offers_a_factur_x_pdf(client: TestClient, lg: Ledger) -> None:
    czk, eur = issued(lg), issued(lg, currency="EUR", name="Globex GmbH")
    assert "/facturx.pdf" not in client.get(f"/invoices/{czk.id}").text
    assert f"/invoices/{eur.id}/facturx.pdf" in client.get(f"/invoices/{eur.id}").text
    response = client.get(f"/invoices/{eur.id}/facturx.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert "factur-x.xml" in reader.attachments
    root = etree.fromstring(reader.attachments["factur-x.xml"][0])
    assert etree.QName(root).localname == "CrossIndustryInvoice"


def test_the_month_export_downloads_as_a_zip(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    response = client.get("/invoices/month.zip", params={"month": "2026-11"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "2026-11.zip" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert f"invoice-{invoice.number}.isdoc" in names or f"faktura-{invoice.number}.isdoc" in names
    assert "vat-summary.csv" in names
    assert client.get("/invoices/month.zip", params={"month": "nope"}).status_code == 400
    assert client.get("/invoices/month.zip", params={"month": "2026-01"}).status_code == 404
