"""Payment QR codes: SPAYD and EPC payloads against the published vectors, the rules
the specifications set, and rendered images read back with a real decoder (zxing-cpp)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from document_helpers import decode_png, decode_svg, issued_invoice, pdf_text, set_up_supplier
from ledger.api import Ledger
from ledger.documents import payment_qr
from ledger.documents.payment_qr import PaymentCode, check_iban, czech_account_to_iban, epc, spayd
from ledger.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "qr"
SPAYD = json.loads((FIXTURES / "spayd-vectors.json").read_text(encoding="utf-8"))
EPC = json.loads((FIXTURES / "epc-vectors.json").read_text(encoding="utf-8"))
EPC_CHARSETS = {"1": "utf-8", "2": "iso-8859-1"}
IBAN = "CZ2806000000000168540115"


def _epc_from(vector: dict[str, Any]) -> PaymentCode:
    return epc(**vector["input"], encoding=EPC_CHARSETS[vector["lines"][2]])


def _round_trip(code: PaymentCode) -> None:
    for raw, level in (decode_png(code.png()), decode_svg(code.svg())):
        assert raw.decode(code.encoding) == code.payload
        assert level == "M"


# --- SPAYD ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", SPAYD["vectors"], ids=lambda v: v["name"])
def test_spayd_vectors(vector: dict[str, Any]) -> None:
    code = spayd(**vector["input"])
    assert code.standard == "SPAYD"
    assert code.payload == vector["payload"]
    _round_trip(code)


@pytest.mark.parametrize(("amount", "field"), SPAYD["amount_format"])
def test_spayd_amount_format(amount: str, field: str) -> None:
    assert spayd(IBAN, amount=amount).payload == f"SPD*1.0*ACC:{IBAN}*{field}"
    assert spayd(IBAN, amount=Decimal(amount)).payload == f"SPD*1.0*ACC:{IBAN}*{field}"


@pytest.mark.parametrize("case", SPAYD["must_reject"], ids=lambda c: c["why"])
def test_spayd_rejects_what_the_spec_forbids(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        spayd(**case["input"])


@pytest.mark.parametrize(("account", "iban"), SPAYD["czech_account_to_iban"])
def test_czech_account_to_iban(account: str, iban: str) -> None:
    assert czech_account_to_iban(account) == iban
    assert check_iban(iban) == iban


def test_an_asterisk_in_a_value_is_escaped() -> None:
    code = spayd(IBAN, message="A*B**C", recipient="X*Y")
    assert code.payload == f"SPD*1.0*ACC:{IBAN}*RN:X%2AY*MSG:A%2AB%2A%2AC"
    assert code.payload.count("*") == 4  # the separators only
    _round_trip(code)


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"message": "line\nbreak"}, "message", "line breaks"),
        ({"message": "line\rbreak"}, "message", "line breaks"),
        ({"recipient": "Jana\u2028Nováková"}, "recipient", "line breaks"),
        ({"message": "tab\there"}, "message", "control characters"),
        ({"message": "M" * 61}, "message", "at most 60"),
        ({"recipient": "R" * 36}, "recipient", "at most 35"),
        ({"message": "Dobrý den, řekl"}, "message", "iso-8859-1"),
        ({"amount": "1.234"}, "amount", "1234.50"),
        ({"amount": Decimal("1.234")}, "amount", "two decimals"),
        ({"amount": "-1.00"}, "amount", "1234.50"),
        ({"amount": Decimal("-1")}, "amount", "outside"),
        ({"amount": 12.5}, "amount", "text like"),
        ({"amount": True}, "amount", "text like"),
        ({"amount": "1e3"}, "amount", "1234.50"),
        ({"currency": "Kč"}, "currency", "ISO 4217"),
        ({"ss": "12345678901"}, "ss", "10 digits"),
        ({"ks": "03 08"}, "ks", "10 digits"),
        ({"bic": "NOPE"}, "bic", "BIC"),
        ({"due": "1. 10. 2022"}, "due", "YYYY-MM-DD"),
    ],
)
def test_spayd_errors_name_the_field(fields: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment) as caught:
        spayd(IBAN, **fields)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "iban",
    [
        "CZ2906000000000168540115",  # one check digit off
        "CZ2806000000000168540116",  # one account digit off
        "CZ28",
        "2806000000000168540115",
        "CZ28-0600-0000-0001-6854-0115",
    ],
)
def test_a_wrong_iban_is_refused(iban: str) -> None:
    with pytest.raises(InvalidInput, match="IBAN") as caught:
        spayd(iban)
    assert caught.value.field == "iban"


def test_an_iban_is_accepted_with_spaces_and_lower_case() -> None:
    code = spayd("cz28 0600 0000 0001 6854 0115")
    assert code.payload == f"SPD*1.0*ACC:{IBAN}"


@pytest.mark.parametrize("account", ["123456789", "12-/0100", "1234567/010", "abc/0100"])
def test_a_malformed_czech_account_is_refused(account: str) -> None:
    with pytest.raises(InvalidInput, match="Czech account"):
        czech_account_to_iban(account)


# --- EPC -----------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", EPC["vectors"], ids=lambda v: v["name"])
def test_epc_vectors(vector: dict[str, Any]) -> None:
    code = _epc_from(vector)
    assert code.standard == "EPC"
    assert code.payload.split("\n") == vector["lines"]
    assert len(code.payload.encode(code.encoding)) <= payment_qr.EPC_MAX_BYTES
    _round_trip(code)


@pytest.mark.parametrize("case", EPC["must_reject"], ids=lambda c: c["why"])
def test_epc_rejects_what_the_spec_forbids(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        epc(**case["input"])


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "Two\nlines"}, "name", "line breaks"),
        ({"text": "Client:\nMarie"}, "text", "line breaks"),
        ({"text": "T" * 141}, "text", "at most 140"),
        ({"information": "I" * 71}, "information", "at most 70"),
        ({"reference": "RF19539007547034"}, "reference", "check digits"),
        ({"reference": "12345"}, "reference", "RF18539007547034"),
        ({"purpose": "GOODS"}, "purpose", "four letters"),
        ({"amount": "0.001"}, "amount", "1234.50"),
        ({"bic": "BHBLDEHHXX"}, "bic", "BIC"),
        ({"name": "Ž" * 70, "text": "ř" * 140}, "text", "331 bytes"),
        ({"text": "ř", "encoding": "iso-8859-1"}, "text", "iso-8859-1"),
        ({"encoding": "utf-16"}, "encoding", "character set"),
    ],
)
def test_epc_errors_name_the_field(fields: dict[str, Any], field: str, fragment: str) -> None:
    arguments: dict[str, Any] = {"name": "Franz", "iban": "DE71110220330123456789"}
    with pytest.raises(InvalidInput, match=fragment) as caught:
        epc(**{**arguments, **fields})
    assert caught.value.field == field


def test_epc_without_amount_leaves_it_open() -> None:
    code = epc("Franz", "DE71110220330123456789", text="Rent")
    assert code.payload.split("\n")[7] == ""
    assert code.payload.endswith("\n\n\nRent")


@pytest.mark.parametrize(("amount", "line"), [("100", "EUR100"), ("0.01", "EUR0.01")])
def test_epc_amount_format(amount: str, line: str) -> None:
    assert epc("Franz", "DE71110220330123456789", amount).payload.split("\n")[7] == line


# --- images --------------------------------------------------------------------------------


def test_png_and_svg_are_images_of_the_code() -> None:
    code = spayd(IBAN, amount="450.00", currency="CZK")
    assert code.png().startswith(b"\x89PNG")
    assert code.render("png") == code.png()
    assert code.render("svg").startswith(b"<?xml")
    with pytest.raises(InvalidInput, match="png"):
        code.render("gif")  # type: ignore[arg-type]


# --- the QR code of an invoice -------------------------------------------------------------


@pytest.fixture
def supplier(lg: Ledger) -> Ledger:
    set_up_supplier(lg)
    return lg


def test_a_czk_invoice_pays_to_the_czech_account_with_its_variable_symbol(
    supplier: Ledger,
) -> None:
    invoice = issued_invoice(supplier, currency="CZK")
    code = supplier.documents.payment_code(invoice)
    assert code is not None
    assert code.payload == (
        "SPD*1.0*ACC:CZ4720100000002001234567*AM:12100.00*CC:CZK*RN:Jana Novakova"
        f"*MSG:FAKTURA {invoice.number}*X-VS:{invoice.variable_symbol}"
    )
    png = supplier.documents.payment_qr(invoice, "png")
    svg = supplier.documents.payment_qr(invoice, "svg")
    assert png is not None
    assert svg is not None
    assert decode_png(png)[0].decode() == code.payload
    assert decode_svg(svg)[0].decode() == code.payload


def test_without_a_czech_account_number_czk_uses_the_iban_and_bic(supplier: Ledger) -> None:
    supplier.bank_accounts.update("CZK", account_number="")
    code = supplier.documents.payment_code(issued_invoice(supplier))
    assert code is not None
    assert code.payload.startswith("SPD*1.0*ACC:CZ6508000000192000145399+GIBACZPX*AM:")


def test_an_eur_invoice_gets_an_epc_code(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, currency="EUR", language="en", rate="85.5")
    code = supplier.documents.payment_code(invoice)
    assert code is not None
    assert code.payload.split("\n") == [
        "BCD",
        "001",
        "1",
        "SCT",
        "GIBACZPX",
        "Jana Nováková",
        "CZ6508000000192000145399",
        "EUR855",
        "",
        "",
        f"Invoice {invoice.number}",
    ]
    png = supplier.documents.payment_qr(invoice)
    assert png is not None
    assert decode_png(png)[0].decode("utf-8") == code.payload


def test_a_partly_paid_invoice_asks_for_the_rest(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier)
    supplier.invoices.record_payment(invoice, "2100.50", "2026-11-21")
    code = supplier.documents.payment_code(invoice)
    assert code is not None
    assert "*AM:9999.50*" in code.payload


def test_no_code_when_there_is_nothing_to_pay_by_qr(supplier: Ledger) -> None:
    usd = issued_invoice(supplier, currency="USD", name="Globex")
    assert supplier.documents.payment_code(usd) is None
    assert supplier.documents.payment_qr(usd) is None
    assert supplier.documents.payment_qr(usd, "svg") is None

    settled = issued_invoice(supplier, name="Paid up")
    supplier.invoices.record_payment(settled, settled.total, "2026-11-21")
    assert supplier.documents.payment_qr(settled) is None

    cancelled = supplier.invoices.cancel(issued_invoice(supplier, name="Oops"))
    assert supplier.documents.payment_qr(cancelled) is None

    client = supplier.clients.add(name="Draft Co", currency="CZK", hourly_rate="100")
    project = supplier.projects.add(client, name="P")
    supplier.entries.add(project, date="2026-11-02", minutes=60)
    draft = supplier.invoices.draft(client)
    assert supplier.documents.payment_qr(draft) is None


def test_an_amount_above_the_qr_limit_prints_without_the_code_and_says_why(
    supplier: Ledger,
) -> None:
    invoice = issued_invoice(supplier, hours=10, rate="1000000")  # 10 000 000 Kč
    assert invoice.balance > payment_qr.SPAYD_MAX_AMOUNT
    assert supplier.documents.payment_code(invoice) is None
    assert supplier.documents.payment_qr(invoice, "svg") is None
    assert supplier.documents.qr_limit(invoice) == payment_qr.SPAYD_MAX_AMOUNT
    text = " ".join(pdf_text(supplier.documents.invoice_pdf(invoice)).split())
    assert "Bez QR kódu: částka k úhradě přesahuje limit QR plateb (9 999 999,99 Kč)." in text
    below = issued_invoice(supplier, name="Below", hours=1, rate="9999999.99")
    assert supplier.documents.qr_limit(below) is None
    assert supplier.documents.payment_code(below) is not None


def test_no_code_without_a_supplier_account(lg: Ledger) -> None:
    invoice = issued_invoice(lg)
    assert lg.documents.payment_qr(invoice) is None
    eur = issued_invoice(lg, currency="EUR", name="Nordwind GmbH", rate="80")
    lg.bank_accounts.add("EUR", iban="DE71110220330123456789")
    assert lg.documents.payment_qr(eur) is None  # EPC needs the beneficiary's name


def test_a_wrong_supplier_account_is_refused_before_any_code(supplier: Ledger) -> None:
    with pytest.raises(InvalidInput, match="check digits") as caught:
        supplier.bank_accounts.update("CZK", account_number="", iban="CZ6608000000192000145399")
    assert caught.value.field == "iban"


def test_an_unknown_image_format_is_refused(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier)
    with pytest.raises(InvalidInput, match="png"):
        supplier.documents.payment_qr(invoice, "jpeg")  # type: ignore[arg-type]
