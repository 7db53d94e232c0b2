"""Validated identities: IBAN, IČO, VAT id and e-mail, wherever the app takes them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger import demo
from ledger.api import Ledger
from ledger.core import identities
from ledger.errors import InvalidInput


@pytest.mark.parametrize(
    ("check", "typed", "stored"),
    [
        (identities.check_iban, "cz65 0800 0000 1920 0014 5399", "CZ6508000000192000145399"),
        (identities.check_iban, "DE71110220330123456789", "DE71110220330123456789"),
        (identities.check_company_id, "27074358", "27074358"),
        (identities.check_company_id, "2707 4358", "27074358"),
        (identities.check_company_id, "08765430", "08765430"),  # a leading zero is kept
        (identities.check_vat_id, "cz27074358", "CZ27074358"),
        (identities.check_vat_id, "CZ8001011234", "CZ8001011234"),
        (identities.check_vat_id, "DE811234567", "DE811234567"),
        (identities.check_vat_id, "ATU12345678", "ATU12345678"),
        (identities.check_vat_id, "NL123456789B01", "NL123456789B01"),
        (identities.check_email, " jana@example.com ", "jana@example.com"),
        (identities.check_iban, "", ""),  # every identity is optional
    ],
)
def test_a_valid_identity_is_stored_compact(
    check: Callable[[str], str], typed: str, stored: str
) -> None:
    assert check(typed) == stored


@pytest.mark.parametrize(
    ("check", "typed", "problem"),
    [
        (identities.check_iban, "CZ6608000000192000145399", "check digits"),
        (identities.check_iban, "CZ65-0800", "is not an IBAN"),
        (identities.check_company_id, "27074357", "check digit"),
        (identities.check_company_id, "1234567", "8 digits"),
        (identities.check_company_id, "2707435A", "8 digits"),
        (identities.check_vat_id, "CZ1234567", "8 to 10 digits"),
        (identities.check_vat_id, "CZ12345678901", "8 to 10 digits"),
        (identities.check_vat_id, "27074358", "EU country prefix"),
        (identities.check_vat_id, "US123456789", "EU country prefix"),
        (identities.check_vat_id, "DE12345678", "not a DE VAT id"),
        (identities.check_email, "jana", "e-mail address"),
        (identities.check_email, "jana@example", "e-mail address"),
        (identities.check_email, "a@b@c.cz", "e-mail address"),
    ],
)
def test_a_wrong_identity_is_refused_naming_it(
    check: Callable[[str], str], typed: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        check(typed)
    assert repr(typed) in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("supplier_company_id", "12345678"),
        ("supplier_vat_id", "CZ123"),
        ("supplier_email", "not-an-email"),
    ],
)
def test_the_settings_refuse_a_wrong_identity(lg: Ledger, field: str, value: str) -> None:
    before = lg.settings.get()
    with pytest.raises(InvalidInput) as caught:
        lg.settings.update(**{field: value})  # type: ignore[arg-type]
    assert caught.value.field == field
    assert lg.settings.get() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("company_id", "12345678"), ("vat_id", "CZ123"), ("email", "jana@")],
)
def test_a_client_with_a_wrong_identity_is_refused(lg: Ledger, field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        lg.clients.add(name="Acme", **{field: value})  # type: ignore[arg-type]
    assert caught.value.field == field
    assert lg.clients.list() == []


def test_a_foreign_client_keeps_its_own_registry_number(lg: Ledger) -> None:
    nordwind = lg.clients.add(name="Nordwind GmbH", vat_id="DE811234567", company_id="HRB 12345")
    assert nordwind.company_id == "HRB 12345"
    with pytest.raises(InvalidInput, match="IČO"):
        lg.clients.update(nordwind, vat_id="CZ27074358")  # now Czech: an IČO is required


def test_the_demo_identities_are_valid() -> None:
    for name in ("supplier_company_id", "supplier_vat_id", "supplier_email"):
        check = getattr(identities, f"check_{name.removeprefix('supplier_')}")
        assert check(demo.SUPPLIER[name])
    for account in demo.BANK_ACCOUNTS:
        assert identities.check_iban(account["iban"]) == account["iban"]
        assert identities.check_account_number(account["account_number"])
        assert identities.check_bic(account["bic"])
    for client in demo.CLIENTS:
        identities.check_vat_id(client.get("vat_id", ""))
        if not identities.is_foreign_vat_id(client.get("vat_id", "")):
            identities.check_company_id(client.get("company_id", ""))
