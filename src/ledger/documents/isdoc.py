"""ISDOC 6.0.2, the Czech e-invoice: an issued invoice or credit note as XML.

Nothing here reads the database: `ledger.documents.service` hands over the public
invoice, its client, the supplier's settings and, for a credit note, the invoice it
corrects. Elements follow the order of the standard's schema (namespace
``http://isdoc.cz/namespace/2013``); optional ones ledger has no data for are left out.

Amounts: ISDOC keeps the local currency (CZK) in the plain elements and the invoice's
currency in the ``...Curr`` ones. A CZK invoice has plain amounts only. A foreign one
needs the CZK rate of its taxable supply date: given one (`czk_rate`, CZK per unit),
the plain elements carry CZK and the ``...Curr`` ones the invoice's currency (the
service passes the ČNB rate kept on the invoice at issue); without one, the document
states the invoice's currency as its local currency at rate 1, so every amount is
still exact.

Credit notes (document type 2) keep the signs ledger stores: their quantities and
amounts are negative, and they name the corrected invoice in
``OriginalDocumentReferences``. They carry no payment means (a credit note settles
the invoice it corrects; nothing is paid by transfer).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata

from lxml import etree

from ledger.core.models import AppSettings, BankAccount, Client, Invoice, InvoiceLine
from ledger.core.money import quantize
from ledger.errors import Conflict, InvalidInput

NAMESPACE = "http://isdoc.cz/namespace/2013"
VERSION = "6.0.2"
LOCAL_CURRENCY = "CZK"
ISSUING_SYSTEM = f"ledger {metadata.version('ledger')}"
INVOICE, CREDIT_NOTE = 1, 2
"""ISDOC document types: 1 faktura (daňový doklad), 2 opravný daňový doklad (dobropis)."""
BANK_TRANSFER = "42"
UUID_NAMESPACE = uuid.UUID("6f3c0e52-8a4b-5d7e-9c1f-2b3a4d5e6f70")
"""Fixed, so an invoice's UUID is the same every time it is exported."""
UNIT_CODES = {"h": "HUR", "pcs": "H87"}
"""ledger's units as UN/ECE Recommendation 20 codes (hour, piece)."""
CANCELLED_NOTE = "Stornováno: tento doklad byl zrušen (cancelled)."
"""The note a cancelled invoice's ISDOC starts with, so no one books it by mistake."""
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A free-text address split into what ISDOC asks for (best effort)."""

    street: str
    building_number: str
    city: str
    postal_zone: str
    country: str


def document_uuid(supplier: AppSettings, number: str) -> str:
    """A stable UUID for the supplier's document `number` (the same on every export)."""
    issuer = supplier.supplier_company_id or supplier.supplier_name
    return str(uuid.uuid5(UUID_NAMESPACE, f"{issuer}\x1f{number}")).upper()


def isdoc_xml(
    invoice: Invoice,
    client: Client,
    supplier: AppSettings,
    *,
    original: Invoice | None = None,
    czk_rate: Decimal | None = None,
    account: BankAccount | None = None,
) -> bytes:
    """The invoice as ISDOC 6.0.2 XML (UTF-8, with the XML declaration).

    Args:
        invoice: an issued or cancelled invoice or credit note.
        client: the invoice's client.
        supplier: the app's settings (the supplier's identity).
        original: for a credit note, the invoice it corrects.
        czk_rate: CZK per unit of a foreign invoice's currency (see the module's note);
            ignored for a CZK invoice.
        account: the bank account of the invoice's currency, where it is paid (no
            payment details without one).

    Raises:
        Conflict: for a draft (it has no number or date yet).
        InvalidInput: for a rate that is not positive.
    """
    if invoice.number is None or invoice.issue_date is None or invoice.status == "draft":
        raise Conflict(f"draft {invoice.id} has no number yet; issue it before exporting ISDOC")
    amounts = Amounts.of(invoice, czk_rate)
    root = etree.Element(_tag("Invoice"), nsmap={None: NAMESPACE}, version=VERSION)
    _header(root, invoice, supplier, amounts)
    _party(_add(_add(root, "AccountingSupplierParty"), "Party"), *_supplier_party(supplier))
    _party(_add(_add(root, "AccountingCustomerParty"), "Party"), *_client_party(client))
    if original is not None and original.number is not None:
        _original_reference(root, original, supplier)
    _lines(_add(root, "InvoiceLines"), invoice, amounts)
    net, tax = _tax_total(_add(root, "TaxTotal"), invoice, amounts)
    _monetary_total(_add(root, "LegalMonetaryTotal"), net, net + tax, amounts)
    if invoice.kind != "credit_note":
        _payment_means(root, invoice, account, (net + tax).local)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@dataclass(frozen=True, slots=True)
class Pair:
    """An amount in the invoice's currency and in the local one.

    Local totals are sums of converted parts (not converted sums), so the CZK figures
    add up in the document as the foreign ones do.
    """

    amount: Decimal
    local: Decimal

    def __add__(self, other: Pair) -> Pair:
        return Pair(self.amount + other.amount, self.local + other.local)


_NOTHING = Pair(Decimal("0.00"), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class Amounts:
    """How amounts are written: in the local currency, and in the foreign one if any."""

    currency: str
    local: str
    rate: Decimal | None

    @classmethod
    def of(cls, invoice: Invoice, czk_rate: Decimal | None) -> Amounts:
        if invoice.currency == LOCAL_CURRENCY or czk_rate is None:
            return cls(invoice.currency, invoice.currency, None)
        if not czk_rate > 0:
            raise InvalidInput("czk_rate", f"a CZK rate is a positive number, not {czk_rate}")
        return cls(invoice.currency, LOCAL_CURRENCY, czk_rate)

    @property
    def foreign(self) -> bool:
        return self.rate is not None

    def local_amount(self, amount: Decimal) -> Decimal:
        """`amount` of the invoice's currency in the local currency (rounded to hellers)."""
        if self.rate is None:
            return amount
        return quantize(amount * self.rate, LOCAL_CURRENCY)

    def pair(self, amount: Decimal) -> Pair:
        return Pair(amount, self.local_amount(amount))

    def add(self, parent: etree._Element, name: str, value: Pair, curr_first: bool) -> None:
        """``name`` in the local currency, with ``nameCurr`` before or after it if foreign.

        The schema puts ``...Curr`` first in lines and tax subtotals, after it in the
        document's monetary total.
        """
        if self.foreign and curr_first:
            _add(parent, f"{name}Curr", _money(value.amount))
        _add(parent, name, _money(value.local))
        if self.foreign and not curr_first:
            _add(parent, f"{name}Curr", _money(value.amount))


def _header(
    root: etree._Element, invoice: Invoice, supplier: AppSettings, amounts: Amounts
) -> None:
    assert invoice.number is not None
    assert invoice.issue_date is not None
    kind = CREDIT_NOTE if invoice.kind == "credit_note" else INVOICE
    _add(root, "DocumentType", str(kind))
    _add(root, "ID", invoice.number)
    _add(root, "UUID", document_uuid(supplier, invoice.number))
    _add(root, "IssuingSystem", ISSUING_SYSTEM)
    _add(root, "IssueDate", invoice.issue_date.isoformat())
    if invoice.taxable_supply_date is not None and invoice.vat_mode != "none":
        _add(root, "TaxPointDate", invoice.taxable_supply_date.isoformat())
    _add(root, "VATApplicable", _boolean(invoice.vat_mode != "none"))
    _add(root, "ElectronicPossibilityAgreementReference", "")
    note = _note(invoice)
    if note:
        _add(root, "Note", note)
    _add(root, "LocalCurrencyCode", amounts.local)
    if amounts.rate is not None:
        _add(root, "ForeignCurrencyCode", amounts.currency)
    _add(root, "CurrRate", _decimal(amounts.rate or Decimal(1)))
    _add(root, "RefCurrRate", "1")


def _note(invoice: Invoice) -> str:
    parts = [CANCELLED_NOTE] if invoice.status == "cancelled" else []
    if invoice.kind == "credit_note" and invoice.reason:
        parts.append(invoice.reason)
    if invoice.vat_mode == "reverse_charge":
        parts.append("Daň odvede zákazník (reverse charge).")
    if invoice.notes.strip():
        parts.append(invoice.notes.strip())
    return "\n".join(parts)


def _supplier_party(supplier: AppSettings) -> tuple[str, str, PostalAddress, str]:
    address = postal_address(supplier.supplier_address, supplier.supplier_vat_id)
    return (
        supplier.supplier_company_id,
        supplier.supplier_name,
        address,
        supplier.supplier_vat_id,
    )


def _client_party(client: Client) -> tuple[str, str, PostalAddress, str]:
    address = postal_address(client.address, client.vat_id)
    return client.company_id, client.name, address, client.vat_id


def _party(
    party: etree._Element, company_id: str, name: str, address: PostalAddress, vat_id: str
) -> None:
    _add(_add(party, "PartyIdentification"), "ID", company_id)
    _add(_add(party, "PartyName"), "Name", name)
    postal = _add(party, "PostalAddress")
    _add(postal, "StreetName", address.street)
    _add(postal, "BuildingNumber", address.building_number)
    _add(postal, "CityName", address.city)
    _add(postal, "PostalZone", address.postal_zone)
    country = _add(postal, "Country")
    _add(country, "IdentificationCode", address.country)
    _add(country, "Name", "")
    if vat_id:
        scheme = _add(party, "PartyTaxScheme")
        _add(scheme, "CompanyID", vat_id)
        _add(scheme, "TaxScheme", "VAT")


def _original_reference(root: etree._Element, original: Invoice, supplier: AppSettings) -> None:
    assert original.number is not None
    reference = _add(_add(root, "OriginalDocumentReferences"), "OriginalDocumentReference")
    _add(reference, "ID", original.number)
    if original.issue_date is not None:
        _add(reference, "IssueDate", original.issue_date.isoformat())
    _add(reference, "UUID", document_uuid(supplier, original.number))


def _lines(parent: etree._Element, invoice: Invoice, amounts: Amounts) -> None:
    for line in invoice.lines:
        _line(_add(parent, "InvoiceLine"), line, invoice, amounts)


def _line(element: etree._Element, line: InvoiceLine, invoice: Invoice, amounts: Amounts) -> None:
    rate = line.vat_rate if invoice.vat_mode == "vat" and line.vat_rate is not None else _ZERO
    net = amounts.pair(line.amount)
    tax = amounts.pair(line_tax(line.amount, rate, invoice.currency))
    _add(element, "ID", str(line.position))
    quantity = _add(element, "InvoicedQuantity", _decimal(line.quantity))
    quantity.set("unitCode", UNIT_CODES.get(line.unit, line.unit))
    amounts.add(element, "LineExtensionAmount", net, curr_first=True)
    amounts.add(element, "LineExtensionAmountTaxInclusive", net + tax, curr_first=True)
    _add(element, "LineExtensionTaxAmount", _money(tax.local))
    unit_price = line.unit_price + line_tax(line.unit_price, rate, invoice.currency)
    _add(element, "UnitPrice", _money(amounts.local_amount(line.unit_price)))
    _add(element, "UnitPriceTaxInclusive", _money(amounts.local_amount(unit_price)))
    category = _add(element, "ClassifiedTaxCategory")
    _add(category, "Percent", _decimal(rate))
    _add(category, "VATCalculationMethod", "0")  # from the price without VAT
    _add(category, "VATApplicable", _boolean(invoice.vat_mode == "vat"))
    _add(_add(element, "Item"), "Description", line.description)


def line_tax(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The VAT of one line at `rate` percent, rounded half-up to the currency's unit."""
    return quantize(amount * rate / 100, currency)


def _tax_total(parent: etree._Element, invoice: Invoice, amounts: Amounts) -> tuple[Pair, Pair]:
    """One subtotal per VAT rate (one at 0 % without VAT); returns the net and tax totals."""
    rates = [(r.rate, r.base, r.vat) for r in invoice.vat_summary] or [
        (_ZERO, invoice.subtotal, _ZERO)
    ]
    net_total, tax_total = _NOTHING, _NOTHING
    for rate, base, vat in rates:
        net, tax = amounts.pair(base), amounts.pair(vat)
        net_total, tax_total = net_total + net, tax_total + tax
        subtotal = _add(parent, "TaxSubTotal")
        # Nothing was claimed by advance invoices, so the difference is the whole amount.
        for prefix, (prefix_net, prefix_tax) in (
            ("", (net, tax)),
            ("AlreadyClaimed", (_NOTHING, _NOTHING)),
            ("Difference", (net, tax)),
        ):
            amounts.add(subtotal, f"{prefix}TaxableAmount", prefix_net, curr_first=True)
            amounts.add(subtotal, f"{prefix}TaxAmount", prefix_tax, curr_first=True)
            gross = prefix_net + prefix_tax
            amounts.add(subtotal, f"{prefix}TaxInclusiveAmount", gross, curr_first=True)
        category = _add(subtotal, "TaxCategory")
        _add(category, "Percent", _decimal(rate))
        _add(category, "VATApplicable", _boolean(invoice.vat_mode == "vat"))
    amounts.add(parent, "TaxAmount", tax_total, curr_first=True)
    return net_total, tax_total


def _monetary_total(parent: etree._Element, net: Pair, gross: Pair, amounts: Amounts) -> None:
    for name, value in (
        ("TaxExclusiveAmount", net),
        ("TaxInclusiveAmount", gross),
        ("AlreadyClaimedTaxExclusiveAmount", _NOTHING),
        ("AlreadyClaimedTaxInclusiveAmount", _NOTHING),
        ("DifferenceTaxExclusiveAmount", net),
        ("DifferenceTaxInclusiveAmount", gross),
        ("PaidDepositsAmount", _NOTHING),
        ("PayableAmount", gross),
    ):
        amounts.add(parent, name, value, curr_first=False)


def _payment_means(
    root: etree._Element, invoice: Invoice, account: BankAccount | None, payable: Decimal
) -> None:
    payment = _add(_add(root, "PaymentMeans"), "Payment")
    _add(payment, "PaidAmount", _money(payable))
    _add(payment, "PaymentMeansCode", BANK_TRANSFER)
    if invoice.due_date is None or account is None:
        return
    number, bank_code = _account(account)
    details = _add(payment, "Details")
    _add(details, "PaymentDueDate", invoice.due_date.isoformat())
    _add(details, "ID", number or account.iban)
    _add(details, "BankCode", bank_code)
    _add(details, "Name", account.label)
    _add(details, "IBAN", account.iban.replace(" ", ""))
    _add(details, "BIC", account.bic)
    if invoice.variable_symbol:
        _add(details, "VariableSymbol", invoice.variable_symbol)


def _account(account: BankAccount) -> tuple[str, str]:
    """The Czech account number and bank code from ``prefix-number/code``."""
    number, _, code = account.account_number.strip().partition("/")
    return number.strip(), code.strip()


_POSTAL_ZONE = re.compile(r"^(?:([A-Z]{2})[- ]?)?(\d{3} ?\d{2})\s+(.+)$")
_STREET = re.compile(r"^(.*?)\s+(\d[\w/-]*)$")


def postal_address(text: str, vat_id: str = "") -> PostalAddress:
    """Split a free-text address into street, building number, city, postal zone, country.

    ``"Vinohradská 1234/56\\n120 00 Praha 2"`` → Vinohradská, 1234/56, Praha 2, 12000, CZ.
    A line that matches no part goes to the street; the country comes from a line
    naming a two-letter code before the postal code, or from the VAT id's prefix, else CZ.
    """
    lines = [line.strip() for line in re.split(r"[\n,]", text) if line.strip()]
    street, number, city, zone = "", "", "", ""
    country = vat_id[:2].upper() if re.match(r"^[A-Za-z]{2}", vat_id) else "CZ"
    for line in lines:
        found = _POSTAL_ZONE.match(line)
        if found and not zone:
            country = found.group(1) or country
            zone, city = found.group(2).replace(" ", ""), found.group(3)
        elif not street:
            split = _STREET.match(line)
            street, number = (split.group(1), split.group(2)) if split else (line, "")
        elif not city:
            city = line
    return PostalAddress(street, number, city, zone, country)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _tag(name))
    if text is not None:
        element.text = text
    return element


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _money(amount: Decimal) -> str:
    return format(amount, "f")


def _decimal(value: Decimal) -> str:
    normal = value.normalize()
    return format(normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal, "f")


def _boolean(value: bool) -> str:
    return "true" if value else "false"
