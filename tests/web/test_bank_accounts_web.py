"""Bank accounts on the settings page, and the invoice page that says which one is missing."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger

from .web_helpers import csrf, post

EUR = {"currency": "eur", "label": "Fio EUR", "iban": "de89 3704 0044 0532 0130 00", "bic": ""}


def field_error(html: str, form: str, field: str) -> str:
    section = html.split(f'data-testid="{form}"', 1)[1].split("</form>", 1)[0]
    match = re.search(
        rf'name="{field}"(?:(?!</label>).)*?<span class="error">([^<]*)</span>', section, re.S
    )
    assert match, f"no error for {field} in {form}"
    return match.group(1)


def test_an_account_is_added_edited_and_removed(client: TestClient, lg: Ledger) -> None:
    response = post(client, "/settings/accounts", {**EUR, "account_number": ""})
    assert response.status_code == 303
    [account] = lg.bank_accounts.list()
    assert (account.currency, account.iban) == ("EUR", "DE89370400440532013000")
    page = client.get("/settings").text
    assert "The bank account was saved." in page
    assert 'data-testid="account-EUR"' in page

    edited = {**EUR, "account_number": "", "bic": "cobadeffxxx"}
    assert post(client, f"/settings/accounts/{account.id}", edited).status_code == 303
    assert lg.bank_accounts.get("EUR").bic == "COBADEFFXXX"
    assert lg.audit.list(entity="bank_accounts")[-1].source.startswith("user:")

    assert post(client, f"/settings/accounts/{account.id}/remove", {}).status_code == 303
    assert lg.bank_accounts.list() == []
    assert "The bank account was removed." in client.get("/settings").text


def test_a_bad_account_re_renders_with_field_errors(client: TestClient, lg: Ledger) -> None:
    bad = {"currency": "??", "label": "", "account_number": "12", "iban": "CZ66", "bic": "?"}
    response = post(client, "/settings/accounts", bad)
    assert response.status_code == 400
    html = response.text
    assert field_error(html, "account-new", "currency").startswith("Enter a currency code")
    assert field_error(html, "account-new", "iban").startswith("Enter an IBAN such as")
    assert field_error(html, "account-new", "bic").startswith("Enter a BIC of 8 or 11")
    assert field_error(html, "account-new", "account_number").startswith("Enter a Czech account")
    assert 'value="CZ66"' in html  # what was typed stays
    assert lg.bank_accounts.list() == []


def test_a_second_account_in_a_currency_is_a_field_error_in_czech(
    client: TestClient, lg: Ledger
) -> None:
    lg.settings.update(locale="cs")
    lg.bank_accounts.add("EUR", iban="DE89370400440532013000")
    response = post(client, "/settings/accounts", {**EUR, "account_number": ""})
    assert response.status_code == 400
    assert field_error(response.text, "account-new", "currency").startswith(
        "Účet v této měně už existuje"
    )
    none = post(client, "/settings/accounts", {"currency": "USD", "iban": "", "bic": ""})
    assert field_error(none.text, "account-new", "iban") == (
        "Zadejte IBAN nebo číslo účtu (případně obojí)."
    )
    assert "Bankovní účty" in none.text
    assert len(lg.bank_accounts.list()) == 1


def test_editing_a_removed_account_is_not_found(client: TestClient, lg: Ledger) -> None:
    account = lg.bank_accounts.add("EUR", iban="DE89370400440532013000")
    token = csrf(client, "/settings")
    lg.bank_accounts.remove(account)
    response = client.post(f"/settings/accounts/{account.id}", data={**EUR, "csrf_token": token})
    assert response.status_code == 404
    assert lg.bank_accounts.list() == []


@pytest.mark.parametrize("currency", ["EUR", "CZK"])
def test_the_invoice_page_says_which_account_to_add(
    client: TestClient, lg: Ledger, currency: str
) -> None:
    lg.settings.update(supplier_name="Jana Nováková")
    other = "CZK" if currency == "EUR" else "EUR"
    lg.bank_accounts.add(other, iban="DE89370400440532013000")
    acme = lg.clients.add(name="Acme", currency=currency, hourly_rate="100")
    lg.entries.add(lg.projects.add(acme, name="Web"), date="2026-11-02", minutes=60)
    invoice = lg.invoices.issue(lg.invoices.draft(acme))
    page = client.get(f"/invoices/{invoice.id}").text
    assert f"No {currency} bank account" in page
    assert 'href="/settings#accounts"' in page
    assert 'data-testid="payment-qr"' not in page
    assert client.get(f"/invoices/{invoice.id}/pdf").status_code == 200


def test_the_portal_shows_the_account_of_the_invoices_currency(
    anonymous: TestClient, lg: Ledger
) -> None:
    lg.settings.update(supplier_name="Jana Nováková")
    lg.bank_accounts.add("CZK", account_number="2001234567/2010")
    lg.bank_accounts.add("EUR", iban="DE89370400440532013000", bic="COBADEFFXXX")
    nordwind = lg.clients.add(name="Nordwind", currency="EUR", hourly_rate="80")
    lg.entries.add(lg.projects.add(nordwind, name="Data"), date="2026-11-02", minutes=60)
    invoice = lg.invoices.issue(lg.invoices.draft(nordwind))
    _, token = lg.portal.create_link(invoice)
    page = anonymous.get(f"/p/{token}").text
    account = page.split('data-testid="portal-account"', 1)[1].split("</dl>", 1)[0]
    assert "DE89370400440532013000" in account
    assert "COBADEFFXXX" in account
    assert "2001234567/2010" not in page
    assert 'data-testid="portal-qr"' in page
