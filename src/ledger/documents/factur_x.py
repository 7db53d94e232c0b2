"""Factur-X / ZUGFeRD: the invoice PDF as PDF/A-3 with its EN 16931 CII XML inside.

The XML is UN/CEFACT Cross Industry Invoice (CII) in the Factur-X **EN 16931** profile
(ZUGFeRD 2 "Comfort"): the full European e-invoicing norm, the least a public buyer or
an EU business's software must accept, and what ledger has data for — lines with their
VAT category and rate, a VAT breakdown, parties with VAT ids, payment by IBAN. The
smaller profiles (MINIMUM, BASIC WL) carry no lines and are not valid invoices in
Germany; EXTENDED adds fields ledger does not have.

The `factur-x` library embeds the XML into the WeasyPrint PDF (rendered as PDF/A-3b),
writes the XMP metadata the standard asks for, and validates the XML against the
profile's XSD on the way. Nothing here reads the database.

Credit notes are type 381 with positive amounts (the type says it is a credit), as
EN 16931 expects, and name the invoice they correct (BT-25).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from ledger.core.models import AppSettings, BankAccount, Client, Invoice, InvoiceLine
from ledger.documents.isdoc import UNIT_CODES, PostalAddress, postal_address
from ledger.errors import Conflict

PROFILE = "urn:cen.eu:en16931:2017"
"""The EN 16931 (Factur-X "EN 16931", ZUGFeRD "Comfort") guideline id."""
LEVEL = "en16931"
PDF_VARIANT = "pdf/a-3b"
FILE_NAME = "factur-x.xml"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NAMESPACES = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
INVOICE_TYPE, CREDIT_NOTE_TYPE = "380", "381"
SEPA_TRANSFER, CREDIT_TRANSFER = "58", "30"
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class TaxCategory:
    """An EN 16931 VAT category (UNCL 5305) with its rate and exemption reason."""

    code: str
    rate: Decimal | None
    reason: str = ""
    reason_code: str = ""


NOT_SUBJECT = TaxCategory("O", None, "Not subject to VAT", "VATEX-EU-O")
REVERSE_CHARGE = TaxCategory("AE", Decimal(0), "Reverse charge", "VATEX-EU-AE")


def category(invoice: Invoice, rate: Decimal | None) -> TaxCategory:
    """The category of a line or breakdown at `rate` on `invoice`."""
    if invoice.vat_mode == "reverse_charge":
        return REVERSE_CHARGE
    if invoice.vat_mode != "vat" or rate is None:
        return NOT_SUBJECT
    return TaxCategory("S" if rate > 0 else "Z", rate)


def cii_xml(
    invoice: Invoice,
    client: Client,
    supplier: AppSettings,
    original: Invoice | None = None,
    account: BankAccount | None = None,
) -> bytes:
    """The invoice as Factur-X EN 16931 CII XML (UTF-8); `account` is the bank account
    of the invoice's currency (no payment means without one).

    Raises:
        Conflict: for a draft.
    """
    if invoice.number is None or invoice.issue_date is None or invoice.status == "draft":
        raise Conflict(f"draft {invoice.id} has no number yet; issue it before making Factur-X")
    sign = Decimal(-1) if invoice.kind == "credit_note" else Decimal(1)
    root = etree.Element(_tag("rsm", "CrossIndustryInvoice"), nsmap=NAMESPACES)
    parameter = _add(_add(root, "rsm", "ExchangedDocumentContext"),
                     "ram", "GuidelineSpecifiedDocumentContextParameter")  # fmt: skip
    _add(parameter, "ram", "ID", PROFILE)
    _document(_add(root, "rsm", "ExchangedDocument"), invoice)
    transaction = _add(root, "rsm", "SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(_add(transaction, "ram", "IncludedSupplyChainTradeLineItem"), line, invoice, sign)
    agreement = _add(transaction, "ram", "ApplicableHeaderTradeAgreement")
    vat_registered = invoice.vat_mode != "none"
    _party(_add(agreement, "ram", "SellerTradeParty"), *_seller(supplier, vat_registered))
    _party(_add(agreement, "ram", "BuyerTradeParty"), *_buyer(client))
    delivery = _add(transaction, "ram", "ApplicableHeaderTradeDelivery")
    if invoice.taxable_supply_date is not None:
        event = _add(delivery, "ram", "ActualDeliverySupplyChainEvent")
        _date(_add(event, "ram", "OccurrenceDateTime"), invoice.taxable_supply_date)
    _settlement(_add(transaction, "ram", "ApplicableHeaderTradeSettlement"),
                invoice, account, original, sign)  # fmt: skip
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def embed(pdf: bytes, xml: bytes, *, title: str, author: str, language: str) -> bytes:
    """The PDF/A-3 `pdf` with `xml` embedded as ``factur-x.xml``, validated by its XSD."""
    import facturx

    metadata = {"author": author, "title": title, "subject": title, "keywords": "Factur-X"}
    result: bytes = facturx.generate_from_binary(
        pdf, xml, flavor="factur-x", level=LEVEL, check_xsd=True,
        pdf_metadata=metadata, lang=language,
    )  # fmt: skip
    return result


def _document(document: etree._Element, invoice: Invoice) -> None:
    assert invoice.number is not None
    assert invoice.issue_date is not None
    _add(document, "ram", "ID", invoice.number)
    credit = invoice.kind == "credit_note"
    _add(document, "ram", "TypeCode", CREDIT_NOTE_TYPE if credit else INVOICE_TYPE)
    _date(_add(document, "ram", "IssueDateTime"), invoice.issue_date)
    notes = [invoice.reason if credit else "", invoice.notes.strip()]
    for note in filter(None, notes):
        _add(_add(document, "ram", "IncludedNote"), "ram", "Content", note)


def _line(item: etree._Element, line: InvoiceLine, invoice: Invoice, sign: Decimal) -> None:
    _add(_add(item, "ram", "AssociatedDocumentLineDocument"), "ram", "LineID", str(line.position))
    _add(_add(item, "ram", "SpecifiedTradeProduct"), "ram", "Name", line.description or "-")
    price = _add(_add(item, "ram", "SpecifiedLineTradeAgreement"),
                 "ram", "NetPriceProductTradePrice")  # fmt: skip
    _add(price, "ram", "ChargeAmount", _amount(line.unit_price))
    quantity = _add(_add(item, "ram", "SpecifiedLineTradeDelivery"), "ram", "BilledQuantity",
                    _number(line.quantity * sign))  # fmt: skip
    quantity.set("unitCode", UNIT_CODES.get(line.unit, "C62"))  # C62: one (unit)
    settlement = _add(item, "ram", "SpecifiedLineTradeSettlement")
    rate = line.vat_rate if invoice.vat_mode == "vat" else None
    _tax(_add(settlement, "ram", "ApplicableTradeTax"), category(invoice, rate))
    summation = _add(settlement, "ram", "SpecifiedTradeSettlementLineMonetarySummation")
    _add(summation, "ram", "LineTotalAmount", _amount(line.amount * sign))


def _tax(
    tax: etree._Element,
    found: TaxCategory,
    *,
    calculated: Decimal | None = None,
    basis: Decimal | None = None,
) -> None:
    """An ApplicableTradeTax in the schema's order (amounts only in the breakdown)."""
    if calculated is not None:
        _add(tax, "ram", "CalculatedAmount", _amount(calculated))
    _add(tax, "ram", "TypeCode", "VAT")
    if found.reason and basis is not None:
        _add(tax, "ram", "ExemptionReason", found.reason)
    if basis is not None:
        _add(tax, "ram", "BasisAmount", _amount(basis))
    _add(tax, "ram", "CategoryCode", found.code)
    if found.reason_code and basis is not None:
        _add(tax, "ram", "ExemptionReasonCode", found.reason_code)
    if found.rate is not None:
        _add(tax, "ram", "RateApplicablePercent", _number(found.rate))


def _seller(
    supplier: AppSettings, vat_registered: bool
) -> tuple[str, str, PostalAddress, str, str]:
    address = postal_address(supplier.supplier_address, supplier.supplier_vat_id)
    vat_id = supplier.supplier_vat_id if vat_registered else ""
    return (
        supplier.supplier_name, supplier.supplier_company_id, address,
        supplier.supplier_email, vat_id,
    )  # fmt: skip


def _buyer(client: Client) -> tuple[str, str, PostalAddress, str, str]:
    address = postal_address(client.address, client.vat_id)
    return client.name, client.company_id, address, client.email, client.vat_id


def _party(
    party: etree._Element,
    name: str,
    company_id: str,
    address: PostalAddress,
    email: str,
    vat_id: str,
) -> None:
    _add(party, "ram", "Name", name)
    if company_id:
        _add(_add(party, "ram", "SpecifiedLegalOrganization"), "ram", "ID", company_id)
    postal = _add(party, "ram", "PostalTradeAddress")
    if address.postal_zone:
        _add(postal, "ram", "PostcodeCode", address.postal_zone)
    street = f"{address.street} {address.building_number}".strip()
    if street:
        _add(postal, "ram", "LineOne", street)
    if address.city:
        _add(postal, "ram", "CityName", address.city)
    _add(postal, "ram", "CountryID", address.country)
    if email:
        uri = _add(_add(party, "ram", "URIUniversalCommunication"), "ram", "URIID", email)
        uri.set("schemeID", "EM")
    if vat_id:
        registration = _add(_add(party, "ram", "SpecifiedTaxRegistration"), "ram", "ID", vat_id)
        registration.set("schemeID", "VA")


def _settlement(
    settlement: etree._Element,
    invoice: Invoice,
    account: BankAccount | None,
    original: Invoice | None,
    sign: Decimal,
) -> None:
    if invoice.variable_symbol:
        _add(settlement, "ram", "PaymentReference", invoice.variable_symbol)
    _add(settlement, "ram", "InvoiceCurrencyCode", invoice.currency)
    _payment_means(settlement, account)
    for rate, base, vat in _breakdown(invoice):
        _tax(_add(settlement, "ram", "ApplicableTradeTax"), category(invoice, rate),
             calculated=vat * sign, basis=base * sign)  # fmt: skip
    if invoice.due_date is not None:
        terms = _add(settlement, "ram", "SpecifiedTradePaymentTerms")
        _date(_add(terms, "ram", "DueDateDateTime"), invoice.due_date)
    _totals(_add(settlement, "ram", "SpecifiedTradeSettlementHeaderMonetarySummation"),
            invoice, sign)  # fmt: skip
    if original is not None and original.number is not None:
        reference = _add(settlement, "ram", "InvoiceReferencedDocument")
        _add(reference, "ram", "IssuerAssignedID", original.number)
        if original.issue_date is not None:
            formatted = _add(reference, "ram", "FormattedIssueDateTime")
            _add(formatted, "qdt", "DateTimeString", original.issue_date.strftime("%Y%m%d")).set(
                "format", "102"
            )


def _breakdown(invoice: Invoice) -> list[tuple[Decimal | None, Decimal, Decimal]]:
    """(rate, base, VAT) per VAT rate; one untaxed group without VAT."""
    if invoice.vat_mode == "vat" and invoice.vat_summary:
        return [(r.rate, r.base, r.vat) for r in invoice.vat_summary]
    return [(None, invoice.subtotal, _ZERO)]


def _payment_means(settlement: etree._Element, account: BankAccount | None) -> None:
    iban = "" if account is None else account.iban.replace(" ", "")
    if account is None or not iban:
        return
    means = _add(settlement, "ram", "SpecifiedTradeSettlementPaymentMeans")
    sepa = iban[:2].upper() in SEPA_COUNTRIES
    _add(means, "ram", "TypeCode", SEPA_TRANSFER if sepa else CREDIT_TRANSFER)
    _add(_add(means, "ram", "PayeePartyCreditorFinancialAccount"), "ram", "IBANID", iban)
    if account.bic:
        institution = _add(means, "ram", "PayeeSpecifiedCreditorFinancialInstitution")
        _add(institution, "ram", "BICID", account.bic)


SEPA_COUNTRIES = frozenset((
    "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR",
    "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT",
    "RO", "SE", "SI", "SK", "SM", "VA",
))  # fmt: skip
"""Where an IBAN's account takes SEPA credit transfers (payment means code 58)."""


def _totals(summation: etree._Element, invoice: Invoice, sign: Decimal) -> None:
    _add(summation, "ram", "LineTotalAmount", _amount(invoice.subtotal * sign))
    _add(summation, "ram", "TaxBasisTotalAmount", _amount(invoice.subtotal * sign))
    tax = _add(summation, "ram", "TaxTotalAmount", _amount(invoice.vat * sign))
    tax.set("currencyID", invoice.currency)
    _add(summation, "ram", "GrandTotalAmount", _amount(invoice.total * sign))
    _add(summation, "ram", "DuePayableAmount", _amount(invoice.total * sign))


def _date(parent: etree._Element, value: dt.date) -> None:
    _add(parent, "udt", "DateTimeString", value.strftime("%Y%m%d")).set("format", "102")


def _add(
    parent: etree._Element, prefix: str, name: str, text: str | None = None
) -> etree._Element:
    element = etree.SubElement(parent, _tag(prefix, name))
    if text is not None:
        element.text = text
    return element


def _tag(prefix: str, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _number(value: Decimal) -> str:
    normal = value.normalize()
    return format(normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal, "f")
