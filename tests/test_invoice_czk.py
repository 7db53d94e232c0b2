"""A VAT payer's foreign-currency invoice in CZK: issuing snapshots the ČNB rate of the
taxable supply date, and the model, PDF, CLI and web page show the rate and the VAT
in CZK; without a rate, issuing is refused with the fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from document_helpers import SUPPLIER, pdf_text
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.core.clients import Language
from ledger.core.invoices.credit_notes import issue_credit_note
from ledger.core.models import Client, Invoice
from ledger.errors import MissingExchangeRate
from ledger.storage import tables

NBSP = "\u00a0"


def _czk(text: str) -> str:
    """``242 900,00 Kč`` as the Czech PDF prints it (no-break spaces)."""
    return f"{text} Kč".replace(" ", NBSP)


@pytest.fixture
def payer(lg: Ledger) -> Ledger:
    lg.settings.update(**SUPPLIER, vat_payer=True, default_vat_rate="21")
    lg.exchange_rates.set("EUR", "2026-11-06", "24.290")  # Friday
    lg.exchange_rates.set("EUR", "2026-11-09", "24.315")  # Monday
    return lg


def _eur_client(lg: Ledger, vat_id: str = "", language: Language = "cs") -> Client:
    client = lg.clients.add(
        name="Studio Lumen", currency="EUR", language=language, hourly_rate="100", vat_id=vat_id
    )
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=600, description="Vývoj")
    lg.entries.add(project, date="2026-11-03", minutes=120, description="Školení")
    return client


def _issued_on_sunday(lg: Ledger, client: Client) -> Invoice:
    """Issued with the taxable supply on Sunday 8 November: Friday's fixing applies."""
    draft = lg.invoices.draft(client, grouping="entry")
    training = draft.lines[1]
    draft = lg.invoices.update_line(draft, training.id, vat_rate="12")
    draft = lg.invoices.update(draft, taxable_supply_date="2026-11-08")
    return lg.invoices.issue(draft, issue_date="2026-11-10")


def test_issuing_a_eur_invoice_snapshots_the_rate_of_the_taxable_supply(payer: Ledger) -> None:
    invoice = _issued_on_sunday(payer, _eur_client(payer))

    czk = invoice.czk
    assert czk is not None
    assert (czk.currency, czk.day, czk.rate, czk.quantity) == (
        "EUR",
        dt.date(2026, 11, 6),
        Decimal("24.29"),
        1,
    )
    # 1000 EUR at 21 % and 200 EUR at 12 %: each base and VAT at 24.290, to hellers.
    assert [(r.rate, r.base, r.vat) for r in czk.vat_summary] == [
        (Decimal("21"), Decimal("24290.00"), Decimal("5100.90")),
        (Decimal("12"), Decimal("4858.00"), Decimal("582.96")),
    ]
    assert (czk.base, czk.vat) == (Decimal("29148.00"), Decimal("5683.86"))
    # A later correction of the stored rate leaves the issued document as it was.
    payer.exchange_rates.set("EUR", "2026-11-06", "25.000")
    assert payer.invoices.get(invoice.id).czk == czk


def test_issuing_without_a_rate_is_refused_with_the_fix(lg: Ledger) -> None:
    lg.settings.update(**SUPPLIER, vat_payer=True, default_vat_rate="21")
    draft = lg.invoices.draft(_eur_client(lg))

    with pytest.raises(MissingExchangeRate, match="ledger sync cnb") as refused:
        lg.invoices.issue(draft, issue_date="2026-11-10")

    assert (refused.value.currency, refused.value.day) == ("EUR", "2026-11-03")
    again = lg.invoices.get(draft.id)
    assert (again.status, again.number, again.czk) == ("draft", None, None)


def test_the_pdf_prints_the_rate_and_the_vat_in_czk(payer: Ledger) -> None:
    invoice = _issued_on_sunday(payer, _eur_client(payer))

    text = pdf_text(payer.documents.invoice_pdf(invoice))

    assert "Kurz ČNB ze dne 6. 11. 2026: 1 EUR = 24,290 CZK" in text
    assert "Sazba DPH Základ v CZK DPH v CZK" in text
    assert f"21{NBSP}% {_czk('24 290,00')} {_czk('5 100,90')}" in text
    assert f"12{NBSP}% {_czk('4 858,00')} {_czk('582,96')}" in text
    assert f"{_czk('29 148,00')} {_czk('5 683,86')}" in text


def test_the_english_pdf_words_it_in_english(payer: Ledger) -> None:
    invoice = _issued_on_sunday(payer, _eur_client(payer, language="en"))

    text = pdf_text(payer.documents.invoice_pdf(invoice))

    assert "ČNB rate of 6 Nov 2026: 1 EUR = 24.290 CZK" in text
    assert "VAT in CZK" in text


def test_the_reverse_charge_prints_the_base_the_client_declares(payer: Ledger) -> None:
    client = _eur_client(payer, vat_id="DE811234567")
    draft = payer.invoices.update(payer.invoices.draft(client), taxable_supply_date="2026-11-09")
    invoice = payer.invoices.issue(draft, issue_date="2026-11-10")

    assert invoice.vat_mode == "reverse_charge"
    assert invoice.czk is not None
    assert (invoice.czk.day, invoice.czk.vat_summary) == (dt.date(2026, 11, 9), [])
    assert (invoice.czk.base, invoice.czk.vat) == (Decimal("29178.00"), Decimal("0"))
    text = pdf_text(payer.documents.invoice_pdf(invoice))
    assert "Kurz ČNB ze dne 9. 11. 2026: 1 EUR = 24,315 CZK" in text
    assert f"Základ daně v CZK (přizná odběratel): {_czk('29 178,00')}" in text


def test_czk_invoices_and_a_non_payers_need_no_rate(lg: Ledger) -> None:
    lg.settings.update(**SUPPLIER, vat_payer=False)
    eur = lg.invoices.issue(lg.invoices.draft(_eur_client(lg)), issue_date="2026-11-10")
    lg.settings.update(vat_payer=True, default_vat_rate="21")
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    lg.entries.add(lg.projects.add(client, name="Web"), date="2026-11-02", minutes=60)
    czk = lg.invoices.issue(lg.invoices.draft(client), issue_date="2026-11-10")

    assert (eur.czk, czk.czk) == (None, None)


def test_invoice_show_prints_the_rate_and_the_czk_vat(payer: Ledger, database_url: str) -> None:
    invoice = _issued_on_sunday(payer, _eur_client(payer))
    assert invoice.number is not None

    shown = CliRunner().invoke(app, ["invoice", "show", invoice.number, "-d", database_url])

    assert shown.exit_code == 0, shown.output
    assert "ČNB rate 1 EUR = 24.290 CZK (fixing of 2026-11-06)" in shown.stdout
    assert "VAT CZK" in shown.stdout
    assert "5100.90" in shown.stdout.replace(",", "").replace(" ", "")


def test_a_credit_note_converts_at_its_originals_rate(payer: Ledger) -> None:
    invoice = _issued_on_sunday(payer, _eur_client(payer))
    payer.exchange_rates.set("EUR", "2026-11-20", "25.000")  # the credit note's own day

    with payer.atomic() as uow:
        original = uow.session.get(tables.Invoice, invoice.id)
        assert original is not None
        note = issue_credit_note(
            uow.session, original, None, "Returned", dt.date(2026, 11, 20), payer.clock()
        )
        note_id = note.id
    assert note_id is not None

    credited = payer.invoices.get(note_id)
    assert credited.czk is not None
    assert (credited.czk.day, credited.czk.rate) == (dt.date(2026, 11, 6), Decimal("24.29"))
    assert credited.czk.base == Decimal("-29148.00")
