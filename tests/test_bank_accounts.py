"""Bank accounts, one per currency: an EUR invoice prints and pays into the EUR account."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

import ledger
from document_helpers import SUPPLIER, issued_invoice, pdf_text, set_up_supplier
from ledger.api import Ledger
from ledger.errors import InvalidInput, NotFound
from ledger.storage import audit_chain, migrate
from ledger.storage.database import Database
from ledger.storage.sources import Source

EUR_IBAN = "DE89370400440532013000"


def test_accounts_are_added_listed_changed_and_removed_with_their_source(lg: Ledger) -> None:
    czk = lg.bank_accounts.add("czk", account_number="19-2000145399/0800", label="Fio")
    eur = lg.bank_accounts.add("EUR", iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx")
    assert (eur.currency, eur.iban, eur.bic) == ("EUR", EUR_IBAN, "COBADEFFXXX")
    assert [a.currency for a in lg.bank_accounts.list()] == ["CZK", "EUR"]
    assert lg.bank_accounts.get("eur") == eur
    assert lg.bank_accounts.for_currency("EUR") == eur
    assert lg.bank_accounts.for_currency("USD") is None

    changed = lg.bank_accounts.update(czk, label="Fio CZK", iban="CZ6508000000192000145399")
    assert (changed.label, changed.account_number) == ("Fio CZK", "19-2000145399/0800")
    lg.bank_accounts.remove("EUR")
    assert [a.currency for a in lg.bank_accounts.list()] == ["CZK"]

    events = lg.audit.list(entity="bank_accounts")
    assert [e.action for e in events] == ["insert", "insert", "update", "delete"]
    assert {e.source for e in events} == {"notebook"}
    assert lg.audit.verify() == len(lg.audit.list())
    assert "1 account" in repr(lg.bank_accounts)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"iban": "CZ6608000000192000145399"}, "iban", "check digits"),
        ({"account_number": "12"}, "account_number", "Czech account number"),
        ({"iban": EUR_IBAN, "bic": "?"}, "bic", "not a BIC"),
        ({}, "iban", "IBAN or a Czech account number"),
        ({"currency": "XYZ", "iban": EUR_IBAN}, "currency", "XYZ"),
    ],
)
def test_a_bad_account_is_refused_naming_the_field(
    lg: Ledger, fields: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        lg.bank_accounts.add(**{"currency": "EUR", **fields})
    assert caught.value.field == field
    assert lg.bank_accounts.list() == []


def test_one_account_per_currency(lg: Ledger) -> None:
    lg.bank_accounts.add("EUR", iban=EUR_IBAN)
    czk = lg.bank_accounts.add("CZK", account_number="2001234567/2010")
    with pytest.raises(InvalidInput, match="already a EUR account") as caught:
        lg.bank_accounts.add("eur", iban=EUR_IBAN)
    assert caught.value.field == "currency"
    with pytest.raises(InvalidInput, match="already a EUR account"):
        lg.bank_accounts.update(czk, currency="EUR")
    with pytest.raises(NotFound, match="no USD bank account"):
        lg.bank_accounts.remove("USD")
    assert len(lg.bank_accounts.list()) == 2


def test_an_eur_invoice_prints_and_pays_into_the_eur_account(lg: Ledger) -> None:
    set_up_supplier(lg)
    lg.bank_accounts.update("EUR", iban=EUR_IBAN, bic="COBADEFFXXX")
    invoice = issued_invoice(lg, currency="EUR", language="en", rate="85")
    code = lg.documents.payment_code(invoice)
    assert code is not None
    assert EUR_IBAN in code.payload
    assert "COBADEFFXXX" in code.payload
    text = pdf_text(lg.documents.invoice_pdf(invoice))
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "2001234567/2010" not in text  # the CZK account's number stays off
    czk = issued_invoice(lg, name="Acme")
    assert "2001234567/2010" in pdf_text(lg.documents.invoice_pdf(czk))


def test_an_invoice_without_an_account_for_its_currency_issues_without_payment_details(
    lg: Ledger,
) -> None:
    lg.settings.update(**SUPPLIER)
    lg.bank_accounts.add("CZK", account_number="2001234567/2010")
    invoice = issued_invoice(lg, currency="EUR", language="en", rate="85")
    assert invoice.status == "issued"
    assert lg.documents.account_for(invoice) is None
    assert lg.documents.payment_code(invoice) is None
    text = pdf_text(lg.documents.invoice_pdf(invoice))
    assert "IBAN" not in text
    assert "2001234567/2010" not in text


# --- migration 0012: the settings' single account becomes the CZK account ---------------------


def test_the_migration_moves_the_supplier_account_into_an_audited_czk_account(
    database_url: str,
) -> None:
    database = Database(database_url)
    config = migrate.alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    row = {
        "id": 1, "supplier_name": "Jana", "supplier_address": "", "supplier_company_id": "",
        "supplier_vat_id": "", "supplier_email": "", "supplier_iban": "CZ6508000000192000145399",
        "supplier_bic": "GIBACZPX", "supplier_account_number": "19-2000145399/0800",
        "vat_payer": False, "default_vat_rate_bp": None, "number_pattern": "{year}-{seq:04d}",
        "credit_note_pattern": "D{year}-{seq:04d}", "default_due_days": 14,
        "payment_tolerance_minor": 100, "default_hourly_rate_minor": None, "locale": "en",
        "theme": "auto",
    }  # fmt: skip
    with database.unit_of_work(Source("cli")) as uow:  # as a 0010 ledger saved its settings
        columns = ", ".join(row)
        values = ", ".join(f":{name}" for name in row)
        uow.session.execute(text(f"INSERT INTO app_settings ({columns}) VALUES ({values})"), row)
        change = audit_chain.Change("app_settings", "1", "insert", None, row)
        audit_chain.append(uow.session.connection(), uow.audit_key, "cli", None, [change])
    database.dispose()

    opened = ledger.open(database_url)
    try:
        [account] = opened.bank_accounts.list()
        assert (account.currency, account.account_number) == ("CZK", "19-2000145399/0800")
        assert (account.iban, account.bic) == ("CZ6508000000192000145399", "GIBACZPX")
        [event] = opened.audit.list(entity="bank_accounts")
        assert (event.source, event.action) == ("system:migration", "insert")
        assert opened.audit.verify() == 2  # the chain holds and the rows replay
        assert "supplier_iban" not in opened.settings.get().model_dump()
        added = opened.bank_accounts.add("EUR", iban=EUR_IBAN)
        assert added.id == 2
    finally:
        opened.close()
