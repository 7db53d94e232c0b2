"""Payment QR codes: SPAYD (Czech QR Platba) for CZK, EPC069-12 (SEPA GiroCode) for EUR.

The builders check every value against its specification and raise `InvalidInput`
naming the field and the fix; they never produce a code a banking app would misread.

- SPAYD (qr-platba.cz): ``SPD*1.0*ACC:<IBAN>[+BIC]*AM:450.00*CC:CZK*X-VS:...``. Values
  are ISO-8859-1 text without line breaks, a raw ``*`` is written ``%2A``; AM has two
  decimals and is at most 9 999 999.99; MSG holds 60 characters, RN 35; X-VS, X-SS and
  X-KS are at most 10 digits.
- EPC069-12: up to twelve lines joined by LF, at most 331 bytes; version 001 carries
  a BIC, 002 may leave it out; the amount is ``EUR`` with 0.01 to 999 999 999.99; a
  structured reference (ISO 11649) or unstructured text, never both.

Both are drawn with segno at error correction level M (`PaymentCode.png`, `.svg`).
A currency with neither standard gets no code at all (`for_invoice` returns None).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol

from ledger.core import identities
from ledger.core.datetimes import parse_date
from ledger.core.invoice_sheet import InvoiceFacts
from ledger.errors import InvalidInput

if TYPE_CHECKING:
    import segno

QrFormat = Literal["png", "svg"]
Standard = Literal["SPAYD", "EPC"]

STANDARDS: dict[str, Standard] = {"CZK": "SPAYD", "EUR": "EPC"}
"""The QR payment standard of each currency that has one."""

SPAYD_MAX_AMOUNT = Decimal("9999999.99")
EPC_MIN_AMOUNT = Decimal("0.01")
EPC_MAX_AMOUNT = Decimal("999999999.99")
MAX_AMOUNTS: dict[Standard, Decimal] = {"SPAYD": SPAYD_MAX_AMOUNT, "EPC": EPC_MAX_AMOUNT}
EPC_MAX_BYTES = 331
EPC_ENCODINGS = (
    "utf-8",
    "iso-8859-1",
    "iso-8859-2",
    "iso-8859-4",
    "iso-8859-5",
    "iso-8859-7",
    "iso-8859-10",
    "iso-8859-15",
)
"""EPC character sets in the order of their numbers (1 = UTF-8, 2 = ISO-8859-1...)."""


class Payee(Protocol):
    """What a payment code reads of the supplier's settings."""

    @property
    def supplier_name(self) -> str: ...


class PayeeAccount(Protocol):
    """What a payment code reads of the supplier's bank account."""

    @property
    def account_number(self) -> str: ...
    @property
    def iban(self) -> str: ...
    @property
    def bic(self) -> str: ...


_CENT = Decimal("0.01")
_AMOUNT = re.compile(r"\d{1,12}(\.\d{1,2})?")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
_SYMBOL = re.compile(r"\d{1,10}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_PURPOSE = re.compile(r"[A-Z0-9]{4}")
_REFERENCE = re.compile(r"RF\d{2}[A-Z0-9]{1,21}")
_CZECH_ACCOUNT = re.compile(r"(?:(\d{1,6})-)?(\d{1,10})/(\d{4})")


@dataclass(frozen=True, slots=True)
class PaymentCode:
    """A payment payload and the character encoding its QR code carries it in."""

    standard: Standard
    payload: str
    encoding: str

    def qr(self) -> segno.QRCode:
        """The segno QR code (error correction level M, never boosted)."""
        import segno

        return segno.make_qr(self.payload, error="m", boost_error=False, encoding=self.encoding)

    def png(self, scale: int = 8, border: int = 4) -> bytes:
        """The QR code as PNG bytes; `border` is the quiet zone in modules."""
        buffer = io.BytesIO()
        self.qr().save(buffer, kind="png", scale=scale, border=border)
        return buffer.getvalue()

    def svg(self, scale: int = 8, border: int = 4) -> bytes:
        """The QR code as a standalone SVG document."""
        buffer = io.BytesIO()
        self.qr().save(buffer, kind="svg", scale=scale, border=border, xmldecl=True)
        return buffer.getvalue()

    def render(self, fmt: QrFormat) -> bytes:
        """`png` or `svg` bytes."""
        if fmt == "png":
            return self.png()
        if fmt == "svg":
            return self.svg()
        raise InvalidInput("fmt", f"{fmt!r} is not a QR image format; use 'png' or 'svg'")


def spayd(
    iban: str,
    *,
    bic: str = "",
    amount: object = None,
    currency: str = "",
    due: dt.date | str | None = None,
    recipient: str = "",
    message: str = "",
    vs: str = "",
    ss: str = "",
    ks: str = "",
) -> PaymentCode:
    """A QR Platba (SPAYD 1.0) payment.

    Args:
        iban: the payee's IBAN (spaces allowed); `czech_account_to_iban` converts
            ``19-2000145399/0800``.
        bic: the payee bank's BIC, appended to ACC as ``+BIC``.
        amount: text like ``"450.00"`` or a `Decimal`; 0 to 9 999 999.99.
        currency: ISO 4217 code (CC), e.g. ``"CZK"``.
        due: the due date (DT).
        recipient: the payee's name (RN), at most 35 characters.
        message: a message for the payee (MSG), at most 60 characters.
        vs: the variable symbol (X-VS), at most 10 digits.
        ss: the specific symbol (X-SS), at most 10 digits.
        ks: the constant symbol (X-KS), at most 10 digits.

    Raises:
        InvalidInput: naming the first value the specification forbids.
    """
    account = check_iban(iban)
    if bic:
        account += "+" + check_bic(bic)
    fields = [("ACC", account)]
    if amount is not None:
        fields.append(("AM", f"{_amount(amount, 'amount', Decimal(0), SPAYD_MAX_AMOUNT):.2f}"))
    if currency:
        fields.append(("CC", _currency(currency)))
    if due is not None:
        fields.append(("DT", parse_date(due, "due").strftime("%Y%m%d")))
    if recipient:
        fields.append(("RN", _spayd_text(recipient, "recipient", 35)))
    if message:
        fields.append(("MSG", _spayd_text(message, "message", 60)))
    for key, value, field in (("X-VS", vs, "vs"), ("X-SS", ss, "ss"), ("X-KS", ks, "ks")):
        if value:
            fields.append((key, _symbol(value, field)))
    payload = "*".join(["SPD", "1.0", *(f"{key}:{value}" for key, value in fields)])
    return PaymentCode("SPAYD", payload, "iso-8859-1")


def epc(
    name: str,
    iban: str,
    amount: object = None,
    *,
    bic: str = "",
    purpose: str = "",
    reference: str = "",
    text: str = "",
    information: str = "",
    encoding: str = "utf-8",
) -> PaymentCode:
    """An EPC069-12 (SEPA credit transfer, "GiroCode") payment in euros.

    Version 001 when a BIC is given, else 002 (which lets the BIC out).

    Args:
        name: the beneficiary's name, at most 70 characters.
        iban: the beneficiary's IBAN.
        amount: euros, 0.01 to 999 999 999.99 (text or `Decimal`); None leaves it open.
        bic: the beneficiary bank's BIC (8 or 11 characters).
        purpose: a four-letter SEPA purpose code, e.g. ``GDDS``.
        reference: an ISO 11649 creditor reference (``RF...``), at most 35 characters.
        text: unstructured remittance text, at most 140 characters.
        information: a note to the payer, at most 70 characters.
        encoding: one of `EPC_ENCODINGS`; UTF-8 by default.

    Raises:
        InvalidInput: naming the first value the specification forbids.
    """
    if encoding not in EPC_ENCODINGS:
        raise InvalidInput("encoding", f"{encoding!r} is not an EPC character set; use utf-8")
    if reference and text:
        raise InvalidInput("reference", "give a structured reference or a text, not both")
    name = _epc_text(name, "name", 70, encoding)
    if not name:
        raise InvalidInput("name", "the beneficiary's name is required")
    euros = "" if amount is None else _epc_amount(amount)
    lines = [
        "BCD",
        "001" if bic else "002",
        str(EPC_ENCODINGS.index(encoding) + 1),
        "SCT",
        check_bic(bic) if bic else "",
        name,
        check_iban(iban),
        euros,
        _epc_code(purpose, "purpose", _PURPOSE, "four letters or digits such as GDDS"),
        _creditor_reference(reference) if reference else "",
        _epc_text(text, "text", 140, encoding),
        _epc_text(information, "information", 70, encoding),
    ]
    while not lines[-1]:
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode(encoding)) > EPC_MAX_BYTES:
        raise InvalidInput("text", f"the payment is over {EPC_MAX_BYTES} bytes; shorten the text")
    return PaymentCode("EPC", payload, encoding)


def check_iban(value: str, field: str = "iban") -> str:
    """The IBAN without spaces, upper case, its check digits verified."""
    try:
        iban = identities.check_iban(value) if isinstance(value, str) else "?"
    except ValueError as exc:
        raise InvalidInput(field, str(exc)) from None
    if not iban:
        raise InvalidInput(field, "an IBAN is required, such as CZ65 0800 0000 1920 0014 5399")
    return iban


def check_bic(value: str, field: str = "bic") -> str:
    """The BIC in upper case, 8 or 11 characters."""
    bic = value.strip().upper()
    if not _BIC.fullmatch(bic):
        raise InvalidInput(field, f"{value!r} is not a BIC (8 or 11 letters and digits)")
    return bic


def czech_account_to_iban(account: str, field: str = "account") -> str:
    """``[prefix-]number/bank`` (e.g. ``19-2000145399/0800``) as a Czech IBAN."""
    match = _CZECH_ACCOUNT.fullmatch(account.replace(" ", ""))
    if match is None:
        raise InvalidInput(field, f"{account!r} is not a Czech account like 19-2000145399/0800")
    prefix, number, bank = match.groups()
    bban = f"{bank}{int(prefix or 0):06d}{int(number):010d}"
    check = 98 - identities.mod97(bban + "CZ00")
    return f"CZ{check:02d}{bban}"


def for_invoice(
    invoice: InvoiceFacts, supplier: Payee, account: PayeeAccount | None
) -> PaymentCode | None:
    """The QR code that pays what is still owed on an issued invoice into `account`.

    `account` is the supplier's account for the invoice's currency. None when there
    is nothing to pay (a draft, a cancelled or settled invoice), when the currency
    has no QR standard, when there is no account, or when what is owed is above
    the standard's limit (`over_limit` says so; the document then prints without a
    code rather than failing).
    CZK uses the Czech account number when set, else the IBAN; EUR uses the IBAN and
    the supplier's name, which EPC requires.

    Raises:
        InvalidInput: when the account is malformed.
    """
    nothing_to_pay = invoice.status != "issued" or invoice.balance <= 0 or not invoice.number
    if account is None or nothing_to_pay or over_limit(invoice) is not None:
        return None
    label = "Faktura" if invoice.language == "cs" else "Invoice"
    if STANDARDS.get(invoice.currency) == "SPAYD":
        iban, bic = _czech_account(account)
        if iban is None:
            return None
        return spayd(
            iban,
            bic=bic,
            amount=invoice.balance,
            currency=invoice.currency,
            recipient=ascii_text(supplier.supplier_name)[:35],
            message=ascii_text(f"{label} {invoice.number}").upper()[:60],
            vs=invoice.variable_symbol or "",
        )
    if STANDARDS.get(invoice.currency) == "EPC" and account.iban:
        if not supplier.supplier_name.strip():
            return None  # EPC requires the beneficiary's name
        return epc(
            supplier.supplier_name.strip()[:70],
            check_iban(account.iban, "iban"),
            invoice.balance,
            bic=check_bic(account.bic, "bic") if account.bic else "",
            text=f"{label} {invoice.number}",
        )
    return None


def over_limit(invoice: InvoiceFacts) -> Decimal | None:
    """The QR standard's largest amount when an issued invoice owes more, else None."""
    standard = STANDARDS.get(invoice.currency)
    if invoice.status != "issued" or standard is None or invoice.balance <= MAX_AMOUNTS[standard]:
        return None
    return MAX_AMOUNTS[standard]


def _czech_account(account: PayeeAccount) -> tuple[str | None, str]:
    if account.account_number:
        return czech_account_to_iban(account.account_number, "account_number"), ""
    if account.iban:
        iban = check_iban(account.iban, "iban")
        return iban, check_bic(account.bic, "bic") if account.bic else ""
    return None, ""


def _amount(value: object, field: str, minimum: Decimal, maximum: Decimal) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise InvalidInput(field, f"{value!r} is not an amount; pass text like '450.00'")
    if isinstance(value, str):
        if not _AMOUNT.fullmatch(value.strip()):
            raise InvalidInput(
                field, f"{value!r} is not an amount like 1234.50 (a dot, at most two decimals)"
            )
        value = Decimal(value.strip())
    amount = Decimal(value)
    if not amount.is_finite() or amount.quantize(_CENT) != amount:
        raise InvalidInput(field, f"{value} has more than two decimals")
    if not minimum <= amount <= maximum:
        raise InvalidInput(field, f"{value} is outside {minimum} to {maximum}")
    return amount.quantize(_CENT)


def _epc_amount(value: object) -> str:
    amount = _amount(value, "amount", EPC_MIN_AMOUNT, EPC_MAX_AMOUNT)
    return f"EUR{amount:.2f}".rstrip("0").rstrip(".")


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidInput("currency", f"{value!r} is not an ISO 4217 code such as CZK")
    return code


def _symbol(value: str, field: str) -> str:
    text = str(value).strip()
    if not _SYMBOL.fullmatch(text):
        raise InvalidInput(field, f"{value!r} must be 1 to 10 digits and nothing else")
    return text


def _plain_text(value: str, field: str, limit: int) -> str:
    if any(char in "\r\n\u2028\u2029\x85" for char in value):
        raise InvalidInput(field, "line breaks are not allowed; write it on one line")
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidInput(field, "control characters are not allowed")
    if len(value) > limit:
        raise InvalidInput(field, f"at most {limit} characters are allowed, got {len(value)}")
    return value


def _encodable(value: str, field: str, encoding: str) -> str:
    try:
        value.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise InvalidInput(
            field, f"{bad!r} cannot be written in {encoding}; leave it out or transliterate it"
        ) from None
    return value


def _spayd_text(value: str, field: str, limit: int) -> str:
    text = _encodable(_plain_text(value, field, limit), field, "iso-8859-1")
    return text.replace("*", "%2A")


def _epc_text(value: str, field: str, limit: int, encoding: str) -> str:
    return _encodable(_plain_text(value.strip(), field, limit), field, encoding)


def _epc_code(value: str, field: str, pattern: re.Pattern[str], example: str) -> str:
    code = value.strip().upper()
    if code and not pattern.fullmatch(code):
        raise InvalidInput(field, f"{value!r} is not valid; use {example}")
    return code


def _creditor_reference(value: str) -> str:
    reference = _epc_code(value.replace(" ", ""), "reference", _REFERENCE, "RF18539007547034")
    if identities.mod97(reference[4:] + reference[:4]) != 1:
        raise InvalidInput("reference", f"{value!r} fails the ISO 11649 check digits")
    return reference


def ascii_text(text: str) -> str:
    """Drop diacritics (Nováková → Novakova) and anything else outside ASCII."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(kept.encode("ascii", "ignore").decode().split())
