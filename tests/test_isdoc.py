"""ISDOC 6.0.2 export read back with lxml: namespace, version, the schema's order and
required elements, credit notes, foreign currency, VAT regimes, totals, CLI and names."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from document_helpers import CNB_RATES, issued_invoice, set_up_supplier
from einvoice_helpers import (
    NS,
    amount,
    credit_note,
    local_names,
    parse,
    schema_problems,
    text,
)
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.core.models import Invoice
from ledger.documents.isdoc import NAMESPACE, PostalAddress, postal_address
from ledger.errors import Conflict, InvalidInput


@pytest.fixture
def supplier(lg: Ledger) -> Ledger:
    """A supplier registered for VAT, with CZK and EUR bank accounts."""
    return set_up_supplier(lg, vat_payer=True)


def two_rate_invoice(lg: Ledger) -> Invoice:
    """An issued invoice with lines at 21 % and 12 %."""
    client = lg.clients.add(
        name="Ďáblice s.r.o.", currency="CZK", hourly_rate="1000", company_id="27074358",
        vat_id="CZ27074358", address="Kubelíkova 1224/42\n130 00 Praha 3",
    )  # fmt: skip
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=90, description="Návrh")
    draft = lg.invoices.draft(client, vat_rate="21", notes="Děkuji za spolupráci.")
    draft = lg.invoices.add_line(draft, "Kniha", "3", "333.33", vat_rate="12")
    return lg.invoices.issue(draft, issue_date="2026-11-20")


def test_an_invoice_is_isdoc_602_in_the_schemas_order(supplier: Ledger) -> None:
    invoice = two_rate_invoice(supplier)
    root = parse(supplier.documents.invoice_isdoc(invoice))
    assert root.tag == f"{{{NAMESPACE}}}Invoice"
    assert NAMESPACE == "http://isdoc.cz/namespace/2013"
    assert root.get("version") == "6.0.2"
    assert schema_problems(root) == []
    assert text(root, "i:DocumentType") == "1"
    assert text(root, "i:ID") == invoice.number
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", text(root, "i:UUID"))
    assert text(root, "i:IssueDate") == "2026-11-20"
    assert text(root, "i:TaxPointDate") == str(invoice.taxable_supply_date)
    assert text(root, "i:VATApplicable") == "true"
    assert text(root, "i:Note") == "Děkuji za spolupráci."
    assert text(root, "i:LocalCurrencyCode") == "CZK"
    assert "ForeignCurrencyCode" not in local_names(root)
    assert (text(root, "i:CurrRate"), text(root, "i:RefCurrRate")) == ("1", "1")


def test_the_parties_carry_ico_dic_and_the_address(supplier: Ledger) -> None:
    root = parse(supplier.documents.invoice_isdoc(two_rate_invoice(supplier)))
    seller = "i:AccountingSupplierParty/i:Party/"
    buyer = "i:AccountingCustomerParty/i:Party/"
    assert text(root, seller + "i:PartyIdentification/i:ID") == "12345679"
    assert text(root, seller + "i:PartyName/i:Name") == "Jana Nováková"
    assert text(root, seller + "i:PartyTaxScheme/i:CompanyID") == "CZ8001011234"
    assert text(root, seller + "i:PartyTaxScheme/i:TaxScheme") == "VAT"
    assert text(root, buyer + "i:PartyIdentification/i:ID") == "27074358"
    assert text(root, buyer + "i:PartyTaxScheme/i:CompanyID") == "CZ27074358"
    address = buyer + "i:PostalAddress/"
    assert text(root, address + "i:StreetName") == "Kubelíkova"
    assert text(root, address + "i:BuildingNumber") == "1224/42"
    assert text(root, address + "i:CityName") == "Praha 3"
    assert text(root, address + "i:PostalZone") == "13000"
    assert text(root, address + "i:Country/i:IdentificationCode") == "CZ"


def test_lines_and_totals_read_back_equal_to_the_invoice(supplier: Ledger) -> None:
    invoice = two_rate_invoice(supplier)
    root = parse(supplier.documents.invoice_isdoc(invoice))
    lines = root.xpath("i:InvoiceLines/i:InvoiceLine", namespaces=NS)
    assert isinstance(lines, list)
    assert len(lines) == len(invoice.lines) == 2
    for element, line in zip(lines, invoice.lines, strict=True):
        assert isinstance(element, type(root))
        assert text(element, "i:Item/i:Description") == line.description
        assert amount(element, "i:InvoicedQuantity") == line.quantity
        assert amount(element, "i:LineExtensionAmount") == line.amount
        assert amount(element, "i:UnitPrice") == line.unit_price
        assert amount(element, "i:ClassifiedTaxCategory/i:Percent") == line.vat_rate
        tax = amount(element, "i:LineExtensionTaxAmount")
        assert amount(element, "i:LineExtensionAmountTaxInclusive") == line.amount + tax
    subtotals = root.xpath("i:TaxTotal/i:TaxSubTotal", namespaces=NS)
    assert isinstance(subtotals, list)
    read = {
        amount(s, "i:TaxCategory/i:Percent"): (
            amount(s, "i:TaxableAmount"),
            amount(s, "i:TaxAmount"),
        )
        for s in subtotals
        if isinstance(s, type(root))
    }
    assert read == {r.rate: (r.base, r.vat) for r in invoice.vat_summary}
    assert set(read) == {Decimal(21), Decimal(12)}
    assert amount(root, "i:TaxTotal/i:TaxAmount") == invoice.vat
    total = "i:LegalMonetaryTotal/"
    assert amount(root, total + "i:TaxExclusiveAmount") == invoice.subtotal
    assert amount(root, total + "i:TaxInclusiveAmount") == invoice.total
    assert amount(root, total + "i:PayableAmount") == invoice.total
    assert sum(r.base for r in invoice.vat_summary) == invoice.subtotal


def test_payment_means_name_the_account_iban_and_variable_symbol(supplier: Ledger) -> None:
    invoice = two_rate_invoice(supplier)
    root = parse(supplier.documents.invoice_isdoc(invoice))
    payment = "i:PaymentMeans/i:Payment/"
    assert amount(root, payment + "i:PaidAmount") == invoice.total
    assert text(root, payment + "i:PaymentMeansCode") == "42"
    details = payment + "i:Details/"
    assert text(root, details + "i:PaymentDueDate") == str(invoice.due_date)
    assert text(root, details + "i:ID") == "2001234567"
    assert text(root, details + "i:BankCode") == "2010"
    assert text(root, details + "i:IBAN") == "CZ6508000000192000145399"
    assert text(root, details + "i:BIC") == "GIBACZPX"
    assert text(root, details + "i:VariableSymbol") == invoice.variable_symbol


def test_a_credit_note_is_type_2_and_names_the_invoice_it_corrects(supplier: Ledger) -> None:
    invoice = two_rate_invoice(supplier)
    note = credit_note(supplier, invoice, reason="Sleva za zpoždění")
    first = supplier.documents.invoice_isdoc(note)
    root = parse(first)
    assert schema_problems(root) == []
    assert text(root, "i:DocumentType") == "2"
    assert text(root, "i:ID") == note.number
    assert "Sleva za zpoždění" in text(root, "i:Note")
    reference = "i:OriginalDocumentReferences/i:OriginalDocumentReference/"
    assert text(root, reference + "i:ID") == invoice.number
    assert text(root, reference + "i:IssueDate") == "2026-11-20"
    original = parse(supplier.documents.invoice_isdoc(invoice))
    assert text(root, reference + "i:UUID") == text(original, "i:UUID")
    assert text(root, "i:UUID") != text(original, "i:UUID")
    assert amount(root, "i:LegalMonetaryTotal/i:TaxInclusiveAmount") == note.total < 0
    assert amount(root, "i:TaxTotal/i:TaxAmount") == note.vat == -invoice.vat
    assert "PaymentMeans" not in local_names(root)
    assert supplier.documents.invoice_isdoc(note) == first  # the same every time


def test_a_foreign_invoice_with_a_czk_rate_keeps_both_currencies(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, currency="EUR", language="en", rate="50", vat_rate="21")
    root = parse(supplier.documents.invoice_isdoc(invoice, czk_rate=Decimal("25.125")))
    assert schema_problems(root) == []
    assert text(root, "i:LocalCurrencyCode") == "CZK"
    assert text(root, "i:ForeignCurrencyCode") == "EUR"
    assert text(root, "i:CurrRate") == "25.125"
    total = "i:LegalMonetaryTotal/"
    assert amount(root, total + "i:TaxInclusiveAmountCurr") == invoice.total == Decimal("605.00")
    assert amount(root, total + "i:TaxInclusiveAmount") == Decimal("15200.63")
    line = "i:InvoiceLines/i:InvoiceLine/"
    assert amount(root, line + "i:LineExtensionAmountCurr") == Decimal("500.00")
    assert amount(root, line + "i:LineExtensionAmount") == Decimal("12562.50")
    assert amount(root, "i:TaxTotal/i:TaxAmountCurr") == Decimal("105.00")
    assert amount(root, "i:TaxTotal/i:TaxAmount") == Decimal("2638.13")


def test_czk_totals_add_up_from_their_converted_parts(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, currency="EUR", language="en", rate="50", vat_rate="21")
    # 500 → 12561.705 → 12561.71 and 105 → 2637.958 → 2637.96, while 605 → 15199.663:
    # converting the total alone would say 15199.66.
    root = parse(supplier.documents.invoice_isdoc(invoice, czk_rate=Decimal("25.12341")))
    total = "i:LegalMonetaryTotal/"
    net = amount(root, total + "i:TaxExclusiveAmount")
    tax = amount(root, "i:TaxTotal/i:TaxAmount")
    assert (net, tax) == (Decimal("12561.71"), Decimal("2637.96"))
    assert amount(root, total + "i:TaxInclusiveAmount") == net + tax == Decimal("15199.67")
    assert amount(root, total + "i:PayableAmount") == net + tax
    assert amount(root, "i:PaymentMeans/i:Payment/i:PaidAmount") == net + tax
    line = "i:InvoiceLines/i:InvoiceLine/"
    assert amount(root, line + "i:LineExtensionAmountTaxInclusive") == net + tax


def test_a_foreign_invoice_takes_the_rate_kept_at_issue(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, currency="EUR", language="en", rate="50", vat_rate="21")
    assert invoice.czk is not None
    root = parse(supplier.documents.invoice_isdoc(invoice))
    assert schema_problems(root) == []
    assert (text(root, "i:LocalCurrencyCode"), text(root, "i:ForeignCurrencyCode")) == (
        "CZK", "EUR",
    )  # fmt: skip
    assert Decimal(text(root, "i:CurrRate")) == Decimal(CNB_RATES["EUR"])
    assert amount(root, "i:TaxTotal/i:TaxAmount") == invoice.czk.vat


def test_a_foreign_invoice_without_a_rate_is_written_in_its_currency(supplier: Ledger) -> None:
    supplier.settings.update(vat_payer=False)  # a non-payer's invoice keeps no CZK rate
    invoice = issued_invoice(supplier, currency="EUR", language="en", rate="50")
    root = parse(supplier.documents.invoice_isdoc(invoice))
    assert schema_problems(root) == []
    assert text(root, "i:LocalCurrencyCode") == "EUR"
    assert "ForeignCurrencyCode" not in local_names(root)
    assert amount(root, "i:LegalMonetaryTotal/i:TaxInclusiveAmount") == Decimal("500.00")
    assert not root.xpath("//*[contains(local-name(), 'Curr') and local-name() != "
                          "'LocalCurrencyCode' and local-name() != 'CurrRate' and "
                          "local-name() != 'RefCurrRate']")  # fmt: skip


def test_reverse_charge_and_non_payers_charge_no_vat(supplier: Ledger) -> None:
    client = supplier.clients.add(
        name="Müller GmbH", currency="EUR", hourly_rate="80", vat_id="DE811907980",
        company_id="HRB 1234", address="Hauptstraße 5\nDE-10115 Berlin",
    )  # fmt: skip
    project = supplier.projects.add(client, name="API")
    supplier.entries.add(project, date="2026-11-02", minutes=120)
    supplier.exchange_rates.set("EUR", "2026-11-02", CNB_RATES["EUR"])
    invoice = supplier.invoices.issue(supplier.invoices.draft(client), issue_date="2026-11-20")
    assert invoice.vat_mode == "reverse_charge"
    root = parse(supplier.documents.invoice_isdoc(invoice))
    assert schema_problems(root) == []
    assert text(root, "i:VATApplicable") == "true"
    assert "reverse charge" in text(root, "i:Note")
    assert text(root, "i:TaxTotal/i:TaxSubTotal/i:TaxCategory/i:Percent") == "0"
    assert text(root, "i:TaxTotal/i:TaxSubTotal/i:TaxCategory/i:VATApplicable") == "false"
    assert amount(root, "i:TaxTotal/i:TaxSubTotal/i:TaxableAmountCurr") == Decimal("160.00")
    assert amount(root, "i:TaxTotal/i:TaxSubTotal/i:TaxableAmount") == Decimal("3886.40")
    country = "i:AccountingCustomerParty/i:Party/i:PostalAddress/i:Country/i:IdentificationCode"
    assert text(root, country) == "DE"
    supplier.settings.update(vat_payer=False)
    plain = issued_invoice(supplier, name="Neplátce s.r.o.")
    assert plain.vat_mode == "none"
    root = parse(supplier.documents.invoice_isdoc(plain))
    assert schema_problems(root) == []
    assert text(root, "i:VATApplicable") == "false"
    assert "TaxPointDate" not in local_names(root)
    assert amount(root, "i:TaxTotal/i:TaxAmount") == 0
    assert amount(root, "i:LegalMonetaryTotal/i:PayableAmount") == plain.total


def test_a_cancelled_invoice_is_corrected_by_a_credit_note_of_type_2(supplier: Ledger) -> None:
    invoice = supplier.invoices.cancel(issued_invoice(supplier, notes="Díky."))
    root = parse(supplier.documents.invoice_isdoc(invoice))
    assert (text(root, "i:DocumentType"), text(root, "i:Note")) == ("1", "Díky.")
    note = parse(supplier.documents.invoice_isdoc(invoice.credit_notes[0]))
    assert text(note, "i:DocumentType") == "2"
    reference = "i:OriginalDocumentReferences/i:OriginalDocumentReference/i:ID"
    assert text(note, reference) == invoice.number


def test_a_draft_has_no_isdoc_and_a_bad_rate_is_refused(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, currency="EUR", rate="50")
    client = supplier.clients.get(invoice.client_id)
    project = supplier.projects.add(client, name="More")
    supplier.entries.add(project, date="2026-11-03", minutes=60)
    draft = supplier.invoices.draft(client)
    with pytest.raises(Conflict, match="issue it before exporting ISDOC"):
        supplier.documents.invoice_isdoc(draft)
    with pytest.raises(InvalidInput, match="positive"):
        supplier.documents.invoice_isdoc(invoice, czk_rate=Decimal(-1))


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("Vinohradská 1234/56\n120 00 Praha 2", ("Vinohradská",
         "1234/56", "Praha 2", "12000", "CZ")),
        ("Na Příkopě 3, 11000 Praha 1", ("Na Příkopě", "3", "Praha 1", "11000", "CZ")),
        ("Hauptstraße 5\nDE-10115 Berlin", ("Hauptstraße", "5", "Berlin", "10115", "DE")),
        ("Dvůr Králové", ("Dvůr Králové", "", "", "", "CZ")),
        ("", ("", "", "", "", "CZ")),
    ],
)  # fmt: skip
def test_postal_addresses_split_into_their_parts(text_in: str, expected: tuple[str, ...]) -> None:
    assert postal_address(text_in) == PostalAddress(*expected)


def test_the_cli_writes_the_isdoc_file(
    supplier: Ledger, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = issued_invoice(supplier, currency="EUR", language="en", rate="50")
    assert invoice.number is not None
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["invoice", "isdoc", invoice.number, "--database", database_url]
    result = runner.invoke(app, [*args, "--czk-rate", "25.5"])
    assert result.exit_code == 0, result.output
    written = tmp_path / f"invoice-{invoice.number}.isdoc"
    assert f"{written.name} written" in result.output
    root = parse(written.read_bytes())
    assert text(root, "i:ForeignCurrencyCode") == "EUR"
    assert text(root, "i:CurrRate") == "25.5"
    bad = runner.invoke(app, [*args, "--czk-rate", "zero"])
    assert bad.exit_code != 0
    assert "czk_rate" in bad.output
    assert "Traceback" not in bad.output
    out = runner.invoke(app, [*args, "-o", "-"])
    assert out.exit_code == 0
    assert parse(out.stdout_bytes).get("version") == "6.0.2"
