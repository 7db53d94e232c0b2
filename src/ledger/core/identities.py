"""Validated identities: IBAN, BIC, Czech account number, IČO, EU VAT id and e-mail.

Each check takes what a user typed, returns it in the form ledger stores (spaces
removed, upper case) and raises `ValueError` with a sentence naming the value and
the fix, so pydantic models report it on the field (`ledger.core.identity_fields`).
Empty text is always allowed: every identity is optional until a document needs it.
Standard library only, so a payment code is made without loading pydantic.
"""

from __future__ import annotations

import re

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", re.ASCII)
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", re.ASCII)
_CZECH_ACCOUNT = re.compile(r"([0-9]{1,6}-)?[0-9]{2,10}/[0-9]{4}", re.ASCII)
_ICO = re.compile(r"[0-9]{8}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

# The VAT id after its country prefix, per EU member state (and XI, Northern Ireland).
VAT_FORMATS: dict[str, str] = {
    "AT": r"U[0-9]{8}", "BE": r"[01][0-9]{9}", "BG": r"[0-9]{9,10}", "CY": r"[0-9]{8}[A-Z]",
    "CZ": r"[0-9]{8,10}", "DE": r"[0-9]{9}", "DK": r"[0-9]{8}", "EE": r"[0-9]{9}",
    "EL": r"[0-9]{9}", "ES": r"[A-Z0-9][0-9]{7}[A-Z0-9]", "FI": r"[0-9]{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}[0-9]{9}", "HR": r"[0-9]{11}", "HU": r"[0-9]{8}",
    "IE": r"[0-9][A-Z0-9+*][0-9]{5}[A-W][A-IW]?", "IT": r"[0-9]{11}",
    "LT": r"[0-9]{9}|[0-9]{12}", "LU": r"[0-9]{8}", "LV": r"[0-9]{11}", "MT": r"[0-9]{8}",
    "NL": r"[0-9]{9}B[0-9]{2}", "PL": r"[0-9]{10}", "PT": r"[0-9]{9}", "RO": r"[0-9]{2,10}",
    "SE": r"[0-9]{12}", "SI": r"[0-9]{8}", "SK": r"[0-9]{10}",
    "XI": r"[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3}",
}  # fmt: skip


def compact(value: str) -> str:
    """`value` without spaces (also no-break spaces) and in upper case."""
    return re.sub(r"[\s\u00a0\u202f]", "", value).upper()


def check_iban(value: str) -> str:
    """The IBAN without spaces, upper case, its ISO 13616 check digits verified."""
    iban = compact(value)
    if not iban:
        return ""
    if not _IBAN.fullmatch(iban):
        raise ValueError(f"{value!r} is not an IBAN such as CZ65 0800 0000 1920 0014 5399")
    if mod97(iban[4:] + iban[:4]) != 1:
        raise ValueError(f"{value!r} fails the IBAN check digits; copy it again")
    return iban


def check_bic(value: str) -> str:
    """A BIC (SWIFT code): 8 or 11 letters and digits, bank and country first."""
    bic = compact(value)
    if bic and not _BIC.fullmatch(bic):
        raise ValueError(f"{value!r} is not a BIC; write its 8 or 11 characters, e.g. FIOBCZPP")
    return bic


def check_account_number(value: str) -> str:
    """A Czech account number, ``[prefix-]number/bank code`` (``19-2000145399/0800``)."""
    account = compact(value)
    if account and not _CZECH_ACCOUNT.fullmatch(account):
        raise ValueError(f"{value!r} is not a Czech account number such as 19-2000145399/0800")
    return account


def check_company_id(value: str) -> str:
    """A Czech IČO: eight digits whose last is the mod-11 check digit of the others."""
    ico = compact(value)
    if not ico:
        return ""
    if not _ICO.fullmatch(ico):
        raise ValueError(f"{value!r} is not an IČO; write its 8 digits, e.g. 27074358")
    weights = range(8, 1, -1)
    weighted = sum(int(digit) * weight for digit, weight in zip(ico[:7], weights, strict=True))
    if (11 - weighted % 11) % 10 != int(ico[7]):
        raise ValueError(f"{value!r} fails the IČO check digit; copy it again")
    return ico


def check_vat_id(value: str) -> str:
    """An EU VAT id: a country prefix and that country's format (``CZ`` + 8-10 digits)."""
    vat_id = compact(value)
    if not vat_id:
        return ""
    pattern = VAT_FORMATS.get(vat_id[:2])
    if pattern is None:
        raise ValueError(
            f"{value!r} does not start with an EU country prefix; write e.g. CZ27074358"
        )
    if not re.fullmatch(pattern, vat_id[2:], re.ASCII):
        raise ValueError(
            f"{value!r} is not a {vat_id[:2]} VAT id; "
            + ("CZ is followed by 8 to 10 digits" if vat_id[:2] == "CZ" else "copy it again")
        )
    return vat_id


def check_email(value: str) -> str:
    """An e-mail address with one ``@`` and a domain with a dot; stored as typed."""
    email = value.strip()
    if email and not _EMAIL.fullmatch(email):
        raise ValueError(f"{value!r} is not an e-mail address such as jana@example.com")
    return email


def is_foreign_vat_id(vat_id: str) -> bool:
    """True for a VAT id of another country than the Czech Republic."""
    return bool(vat_id) and not compact(vat_id).startswith("CZ")


def mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of letters and digits (letters count as 10-35)."""
    return int("".join(str(int(char, 36)) for char in text)) % 97
