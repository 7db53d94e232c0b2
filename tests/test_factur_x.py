"""Factur-X PDFs: the EN 16931 CII XML extracted back from the PDF/A-3 and validated
against the profile's XSD, its totals and VAT categories, credit notes, CLI and web."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader
from typer.testing import CliRunner

from document_helpers import CNB_RATES, issued_invoice, pdf_text, set_up_supplier
from einvoice_helpers import credit_note
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.core.models import Invoice
from ledger.documents.factur_x import NAMESPACES, PROFILE
from ledger.errors import Conflict


@pytest.fixture
def supplier(lg: Ledger) -> Ledger:
    set_up_supplier(lg, vat_payer=True)
    return lg


def eur_invoice(lg: Ledger) -> Invoice:
    return issued_invoice(
        lg, currency="EUR", language="en", rate="50", vat_rate="21", notes="Thank you."
    )


def extracted(pdf: bytes) -> etree._Element:
    """The Factur-X XML inside `pdf`, found and XSD-checked by the factur-x library."""
    name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    assert isinstance(xml, bytes)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    return etree.fromstring(xml)


def value(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=NAMESPACES)
    assert isinstance(found, list)
    assert len(found) == 1, f"{path}: {len(found)}"
    element = found[0]
    assert isinstance(element, etree._Element)
    return element.text or ""


def values(root: etree._Element, path: str) -> list[str]:
    found = root.xpath(path, namespaces=NAMESPACES)
    assert isinstance(found, list)
    return [e.text or "" for e in found if isinstance(e, etree._Element)]


SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement/"
TOTALS = SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"


def test_a_eur_invoice_carries_valid_en16931_xml_in_a_pdf_a3(supplier: Ledger) -> None:
    invoice = eur_invoice(supplier)
    pdf = supplier.documents.invoice_facturx(invoice)
    root = extracted(pdf)
    assert value(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == PROFILE
    assert value(root, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    assert value(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert value(root, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == (
        "20261120"
    )
    assert value(root, SETTLEMENT + "ram:InvoiceCurrencyCode") == "EUR"
    assert value(root, SETTLEMENT + "ram:PaymentReference") == invoice.variable_symbol
    assert Decimal(value(root, TOTALS + "ram:TaxBasisTotalAmount")) == invoice.subtotal
    assert Decimal(value(root, TOTALS + "ram:TaxTotalAmount")) == invoice.vat == Decimal(105)
    assert Decimal(value(root, TOTALS + "ram:GrandTotalAmount")) == invoice.total
    lines = [Decimal(v) for v in values(root, "//ram:LineTotalAmount")[:-1]]
    assert sum(lines) == Decimal(value(root, TOTALS + "ram:LineTotalAmount"))
    assert values(root, SETTLEMENT + "ram:ApplicableTradeTax/ram:CategoryCode") == ["S"]
    assert value(root, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == (
        "CZ8001011234"
    )
    assert value(root, "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == "CZ"
    assert value(root, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        "CZ6508000000192000145399"
    )
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in raw or 'pdfaid:part="3"' in raw
    assert "factur-x.xml" in raw.lower()
    assert invoice.number is not None
    assert invoice.number in pdf_text(pdf)


def test_a_credit_note_is_type_381_with_positive_amounts_and_its_invoice(
    supplier: Ledger,
) -> None:
    invoice = eur_invoice(supplier)
    note = credit_note(supplier, invoice, reason="Discount agreed")
    root = extracted(supplier.documents.invoice_facturx(note))
    assert value(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert "Discount agreed" in values(root, "//ram:IncludedNote/ram:Content")
    assert Decimal(value(root, TOTALS + "ram:GrandTotalAmount")) == -note.total == invoice.total
    assert Decimal(value(root, "//ram:BilledQuantity")) > 0
    reference = SETTLEMENT + "ram:InvoiceReferencedDocument/"
    assert value(root, reference + "ram:IssuerAssignedID") == invoice.number


def test_reverse_charge_and_non_payers_use_their_vat_categories(supplier: Ledger) -> None:
    client = supplier.clients.add(
        name="Müller GmbH", currency="EUR", hourly_rate="80", vat_id="DE811907980",
        address="Hauptstraße 5\nDE-10115 Berlin",
    )  # fmt: skip
    project = supplier.projects.add(client, name="API")
    supplier.entries.add(project, date="2026-11-02", minutes=120)
    supplier.exchange_rates.set("EUR", "2026-11-02", CNB_RATES["EUR"])
    invoice = supplier.invoices.issue(supplier.invoices.draft(client), issue_date="2026-11-20")
    root = extracted(supplier.documents.invoice_facturx(invoice))
    tax = SETTLEMENT + "ram:ApplicableTradeTax/"
    assert value(root, tax + "ram:CategoryCode") == "AE"
    assert value(root, tax + "ram:ExemptionReasonCode") == "VATEX-EU-AE"
    assert value(root, tax + "ram:RateApplicablePercent") == "0"
    assert value(root, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == (
        "DE811907980"
    )
    assert value(root, "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == "DE"
    supplier.settings.update(vat_payer=False)
    plain = issued_invoice(supplier, currency="EUR", name="Kunde", rate="40")
    root = extracted(supplier.documents.invoice_facturx(plain))
    assert value(root, tax + "ram:CategoryCode") == "O"
    assert values(root, "//ram:RateApplicablePercent") == []
    assert values(root, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == []


def test_a_draft_has_no_factur_x(supplier: Ledger) -> None:
    client = supplier.clients.add(name="Draft GmbH", currency="EUR", hourly_rate="80")
    project = supplier.projects.add(client, name="API")
    supplier.entries.add(project, date="2026-11-02", minutes=60)
    with pytest.raises(Conflict, match="issue it before making Factur-X"):
        supplier.documents.invoice_facturx(supplier.invoices.draft(client))


def test_the_cli_writes_factur_x_on_request(
    supplier: Ledger, database_url: str, tmp_path: Path
) -> None:
    invoice = eur_invoice(supplier)
    assert invoice.number is not None
    target = tmp_path / "out.pdf"
    args = ["invoice", "pdf", invoice.number, "--database", database_url, "-o", str(target)]
    result = CliRunner().invoke(app, [*args, "--facturx"])
    assert result.exit_code == 0, result.output
    assert value(extracted(target.read_bytes()), "//rsm:ExchangedDocument/ram:ID") == (
        invoice.number
    )
    assert CliRunner().invoke(app, args).exit_code == 0
    assert facturx.get_xml_from_pdf(target.read_bytes())[1] is False  # plain PDF
