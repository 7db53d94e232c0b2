"""Helpers for the e-invoice tests: credit notes, ISDOC parsing, the schema's order."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ledger.api import Ledger
from ledger.core.models import Invoice
from ledger.documents.isdoc import NAMESPACE

NS = {"i": NAMESPACE}


def credit_note(lg: Ledger, invoice: Invoice, reason: str = "Sleva dohodnutá") -> Invoice:
    """A credit note for every line of `invoice`, dated like it."""
    return lg.invoices.credit(invoice, reason=reason, issue_date=invoice.issue_date)


def parse(xml: bytes) -> etree._Element:
    """The document's root, parsed by lxml (which refuses anything not well-formed)."""
    return etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False))


def text(root: etree._Element, path: str) -> str:
    """The text of the one element at `path` (``i:`` prefixed), or fail."""
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    element = found[0]
    assert isinstance(element, etree._Element)
    return element.text or ""


def amount(root: etree._Element, path: str) -> Decimal:
    return Decimal(text(root, path))


def local_names(element: etree._Element) -> list[str]:
    """The children's names without the namespace, in document order."""
    return [etree.QName(child).localname for child in element]


# The ISDOC 6.0.2 schema's sequences for the types ledger writes: every element in its
# order, the required ones marked with "!". Written from the standard's XSD.
SCHEMA: dict[str, list[str]] = {
    "Invoice": [
        "!DocumentType", "SubDocumentType", "SubDocumentTypeOrigin", "TargetConsolidator",
        "ClientOnTargetConsolidator", "ClientBankAccount", "!ID", "!UUID", "EgovFlag",
        "ISDS_ID", "FileReference", "ReferenceNumber", "EgovClassifiers", "IssuingSystem",
        "!IssueDate", "TaxPointDate", "!VATApplicable",
        "!ElectronicPossibilityAgreementReference", "Note", "!LocalCurrencyCode",
        "ForeignCurrencyCode", "!CurrRate", "!RefCurrRate", "Extensions",
        "!AccountingSupplierParty", "SellerSupplierParty", "AnonymousCustomerParty",
        "!AccountingCustomerParty", "BuyerCustomerParty", "OrderReferences",
        "DeliveryNoteReferences", "OriginalDocumentReferences", "ContractReferences",
        "Delivery", "!InvoiceLines", "NonTaxedDeposits", "TaxedDeposits", "!TaxTotal",
        "!LegalMonetaryTotal", "PaymentMeans", "SupplementsList",
    ],
    "Party": [
        "!PartyIdentification", "!PartyName", "!PostalAddress", "PartyTaxScheme",
        "RegisterIdentification", "Contact",
    ],
    "PartyIdentification": ["UserID", "CatalogFirmIdentification", "!ID"],
    "PartyName": ["!Name"],
    "PostalAddress": ["!StreetName", "!BuildingNumber", "!CityName", "!PostalZone", "!Country"],
    "Country": ["!IdentificationCode", "!Name"],
    "PartyTaxScheme": ["!CompanyID", "!TaxScheme"],
    "OriginalDocumentReference": ["!ID", "IssueDate", "UUID"],
    "InvoiceLine": [
        "!ID", "OrderReference", "DeliveryNoteReference", "OriginalDocumentReference",
        "ContractReference", "EgovClassifier", "InvoicedQuantity", "LineExtensionAmountCurr",
        "!LineExtensionAmount", "LineExtensionAmountBeforeDiscount",
        "LineExtensionAmountTaxInclusiveCurr", "!LineExtensionAmountTaxInclusive",
        "LineExtensionAmountTaxInclusiveBeforeDiscount", "!LineExtensionTaxAmount",
        "!UnitPrice", "!UnitPriceTaxInclusive", "!ClassifiedTaxCategory", "Note", "VATNote",
        "Item", "Extensions",
    ],
    "ClassifiedTaxCategory": [
        "!Percent", "!VATCalculationMethod", "VATApplicable", "LocalReverseCharge",
    ],
    "Item": ["Description", "CatalogueItemIdentification", "SellersItemIdentification"],
    "TaxTotal": ["!TaxSubTotal", "TaxAmountCurr", "!TaxAmount"],
    "TaxSubTotal": [
        "TaxableAmountCurr", "!TaxableAmount", "TaxAmountCurr", "!TaxAmount",
        "TaxInclusiveAmountCurr", "!TaxInclusiveAmount", "AlreadyClaimedTaxableAmountCurr",
        "!AlreadyClaimedTaxableAmount", "AlreadyClaimedTaxAmountCurr",
        "!AlreadyClaimedTaxAmount", "AlreadyClaimedTaxInclusiveAmountCurr",
        "!AlreadyClaimedTaxInclusiveAmount", "DifferenceTaxableAmountCurr",
        "!DifferenceTaxableAmount", "DifferenceTaxAmountCurr", "!DifferenceTaxAmount",
        "DifferenceTaxInclusiveAmountCurr", "!DifferenceTaxInclusiveAmount", "!TaxCategory",
    ],
    "TaxCategory": ["!Percent", "TaxScheme", "VATApplicable", "LocalReverseChargeFlag"],
    "LegalMonetaryTotal": [
        "!TaxExclusiveAmount", "TaxExclusiveAmountCurr", "!TaxInclusiveAmount",
        "TaxInclusiveAmountCurr", "!AlreadyClaimedTaxExclusiveAmount",
        "AlreadyClaimedTaxExclusiveAmountCurr", "!AlreadyClaimedTaxInclusiveAmount",
        "AlreadyClaimedTaxInclusiveAmountCurr", "!DifferenceTaxExclusiveAmount",
        "DifferenceTaxExclusiveAmountCurr", "!DifferenceTaxInclusiveAmount",
        "DifferenceTaxInclusiveAmountCurr", "PayableRoundingAmount",
        "PayableRoundingAmountCurr", "!PaidDepositsAmount", "PaidDepositsAmountCurr",
        "!PayableAmount", "PayableAmountCurr",
    ],
    "Payment": ["!PaidAmount", "!PaymentMeansCode", "Details"],
    "Details": [
        "!PaymentDueDate", "!ID", "!BankCode", "!Name", "!IBAN", "!BIC", "VariableSymbol",
        "ConstantSymbol", "SpecificSymbol",
    ],
}  # fmt: skip
# Wrappers whose children are all one repeated element.
WRAPPERS = {
    "AccountingSupplierParty": "Party",
    "AccountingCustomerParty": "Party",
    "OriginalDocumentReferences": "OriginalDocumentReference",
    "InvoiceLines": "InvoiceLine",
    "PaymentMeans": "Payment",
}


def schema_problems(element: etree._Element) -> list[str]:
    """Where `element` and its descendants break the schema's order or miss a required
    element (for the types in `SCHEMA`); an empty list when none do."""
    name = etree.QName(element).localname
    problems: list[str] = []
    if name in WRAPPERS:
        children = local_names(element)
        if not children or set(children) != {WRAPPERS[name]}:
            problems.append(f"{name} holds {children}")
    elif name in SCHEMA:
        problems += _sequence_problems(name, local_names(element))
    for child in element:
        if etree.QName(child).namespace != NAMESPACE:
            problems.append(f"{etree.QName(child)} is outside the ISDOC namespace")
        problems += schema_problems(child)
    return problems


def _sequence_problems(name: str, children: list[str]) -> list[str]:
    order = [entry.lstrip("!") for entry in SCHEMA[name]]
    required = [entry[1:] for entry in SCHEMA[name] if entry.startswith("!")]
    problems = [f"{name} misses {need}" for need in required if need not in children]
    unknown = [child for child in children if child not in order]
    if unknown:
        return [*problems, f"{name} has unknown {unknown}"]
    positions = [order.index(child) for child in children]
    repeats = {"TaxSubTotal"}
    for before, after, child in zip(positions, positions[1:], children[1:], strict=False):
        if after < before or (after == before and child not in repeats):
            problems.append(f"{name}: {child} is out of the schema's order in {children}")
    return problems
