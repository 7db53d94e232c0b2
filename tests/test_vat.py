"""VAT on invoices: per line and per rate for a VAT payer, none for a non-payer, the
reverse charge for EU businesses; each read back from the PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from document_helpers import pdf_text, set_up_supplier
from ledger.api import Ledger
from ledger.core.invoices import vat
from ledger.core.models import Client
from ledger.errors import InvalidInput

NBSP = "\u00a0"


def _czk(text: str) -> str:
    """``12 100,00 Kč`` as the Czech PDF prints it (no-break spaces)."""
    return f"{text} Kč".replace(" ", NBSP)


@pytest.fixture
def payer(lg: Ledger) -> Ledger:
    set_up_supplier(lg, vat_payer=True, default_vat_rate="21")
    return lg


def _client_with_work(
    lg: Ledger, *, name: str = "Ďáblice s.r.o.", currency: str = "CZK", vat_id: str = ""
) -> Client:
    client = lg.clients.add(
        name=name, currency=currency, language="cs", hourly_rate="1000", vat_id=vat_id
    )
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=600, description="Vývoj")
    lg.entries.add(project, date="2026-11-09", minutes=120, description="Školení")
    return client


def test_a_vat_payer_bills_two_rates_with_a_summary_per_rate(payer: Ledger) -> None:
    draft = payer.invoices.draft(_client_with_work(payer), grouping="entry")
    assert draft.vat_mode == "vat"
    assert [line.vat_rate for line in draft.lines] == [Decimal("21"), Decimal("21")]
    training = draft.lines[1]
    draft = payer.invoices.update_line(draft, training.id, vat_rate="12")
    draft = payer.invoices.add_line(draft, "Kniha", "1", "333.33", vat_rate="0")
    assert [(r.rate, r.base, r.vat, r.total) for r in draft.vat_summary] == [
        (Decimal("21"), Decimal("10000.00"), Decimal("2100.00"), Decimal("12100.00")),
        (Decimal("12"), Decimal("2000.00"), Decimal("240.00"), Decimal("2240.00")),
        (Decimal("0"), Decimal("333.33"), Decimal("0.00"), Decimal("333.33")),
    ]
    assert (draft.subtotal, draft.vat, draft.total) == (
        Decimal("12333.33"),
        Decimal("2340.00"),
        Decimal("14673.33"),
    )
    issued = payer.invoices.issue(draft, issue_date="2026-11-20")
    text = pdf_text(payer.documents.invoice_pdf(issued))
    assert "daňový doklad" in text
    assert "Sazba DPH Základ daně DPH Celkem" in text
    for row in (
        f"21{NBSP}% {_czk('10 000,00')} {_czk('2 100,00')} {_czk('12 100,00')}",
        f"12{NBSP}% {_czk('2 000,00')} {_czk('240,00')} {_czk('2 240,00')}",
        f"0{NBSP}% {_czk('333,33')} {_czk('0,00')} {_czk('333,33')}",
    ):
        assert row in text, row
    assert f"Školení 2{NBSP}hod {_czk('1 000,00')} 12{NBSP}% {_czk('2 000,00')}" in text
    assert "DIČ: CZ8001011234" in text
    assert "Neplátce" not in text


def test_vat_is_rounded_once_per_rate_not_per_line(payer: Ledger) -> None:
    client = payer.clients.add(name="Acme", currency="CZK")
    project = payer.projects.add(client, name="Web")
    for day in (2, 3, 4):
        payer.entries.add(project, date=f"2026-11-0{day}", amount="0.50")
    draft = payer.invoices.draft(client, grouping="entry")
    # Per line 0.105 would round to 0.11 each (0.33); on the base 1.50 it is 0.315 → 0.32.
    assert draft.vat == Decimal("0.32")
    assert vat.summarize([(50, 2100)] * 3) == [vat.RateTotal(2100, 150, 32)]


def test_a_non_payer_charges_no_vat_and_says_so(lg: Ledger) -> None:
    set_up_supplier(lg)  # a VAT id, yet not registered: an "identified person"
    client = _client_with_work(lg)
    with pytest.raises(InvalidInput, match="not registered for VAT") as refused:
        lg.invoices.draft(client, vat_rate="21")
    assert refused.value.field == "vat_rate"
    draft = lg.invoices.draft(client)
    assert (draft.vat_mode, draft.vat_summary, draft.vat) == ("none", [], Decimal("0.00"))
    with pytest.raises(InvalidInput, match="not registered for VAT"):
        lg.invoices.add_line(draft, "Kniha", "1", "100", vat_rate="12")
    with pytest.raises(InvalidInput, match="not registered for VAT"):
        lg.invoices.update(draft, vat_rate="21")
    text = pdf_text(lg.documents.invoice_pdf(lg.invoices.issue(draft)))
    assert "Neplátce DPH" in text
    assert "daňový doklad" not in text
    assert "Sazba DPH" not in text
    assert f"Celkem k úhradě {_czk('12 000,00')}" in text


def test_an_eu_business_gets_the_reverse_charge_with_both_vat_ids(payer: Ledger) -> None:
    client = _client_with_work(payer, name="Nordwind GmbH", currency="EUR", vat_id="DE811234567")
    with pytest.raises(InvalidInput, match="reverse charge applies") as refused:
        payer.invoices.draft(client, vat_rate="21")
    assert refused.value.codes == {"vat_rate": "vat_reverse_charge"}
    draft = payer.invoices.draft(client)
    assert draft.vat_mode == "reverse_charge"
    assert [line.vat_rate for line in draft.lines] == [None]
    assert (draft.vat, draft.total) == (Decimal("0.00"), Decimal("12000.00"))
    payer.exchange_rates.set("EUR", "2026-11-09", "24.315")  # the taxable supply's rate
    text = pdf_text(payer.documents.invoice_pdf(payer.invoices.issue(draft)))
    assert "Daň odvede zákazník" in text
    assert "DIČ: CZ8001011234" in text
    assert "DIČ: DE811234567" in text
    assert "daňový doklad" in text
    assert "Sazba DPH" not in text


def test_a_czech_business_and_a_consumer_abroad_pay_czech_vat(payer: Ledger) -> None:
    czech = _client_with_work(payer, vat_id="CZ27074358")
    consumer = _client_with_work(payer, name="Studio Lumen", currency="EUR")
    assert payer.invoices.draft(czech).vat_mode == "vat"
    assert payer.invoices.draft(consumer).vat_mode == "vat"


def test_the_vat_registration_needs_a_vat_id_and_sets_the_default_rate(lg: Ledger) -> None:
    with pytest.raises(InvalidInput, match="VAT payer prints a VAT id") as refused:
        lg.settings.update(vat_payer=True)
    assert refused.value.field == "vat_payer"
    assert lg.settings.get().vat_payer is False  # nothing written
    lg.settings.update(supplier_vat_id="CZ8001011234", vat_payer=True, default_vat_rate="12")
    assert lg.settings.get().default_vat_rate == Decimal("12")
    draft = lg.invoices.draft(_client_with_work(lg))
    assert {line.vat_rate for line in draft.lines} == {Decimal("12")}
    with pytest.raises(InvalidInput):
        lg.settings.update(default_vat_rate="101")


def test_the_taxable_supply_date_defaults_to_the_last_day_of_the_work(payer: Ledger) -> None:
    draft = payer.invoices.draft(_client_with_work(payer))
    assert draft.taxable_supply_date == dt.date(2026, 11, 9)
    issued = payer.invoices.issue(draft, issue_date="2026-11-20")
    assert (issued.issue_date, issued.taxable_supply_date) == (
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 9),
    )


def test_a_line_rate_outside_0_to_100_is_refused(payer: Ledger) -> None:
    draft = payer.invoices.draft(_client_with_work(payer))
    for bad in ("-1", "100.5", "12.345", "abc"):
        with pytest.raises(InvalidInput) as refused:
            payer.invoices.update_line(draft, draft.lines[0].id, vat_rate=bad)
        assert refused.value.field == "vat_rate", bad
    assert payer.invoices.get(draft.id) == draft


def test_a_number_series_keeps_the_order_of_its_dates(payer: Ledger) -> None:
    client = _client_with_work(payer)
    later = payer.invoices.issue(payer.invoices.draft(client), issue_date="2026-11-25")
    payer.entries.add(payer.projects.list()[0], date="2026-11-10", minutes=60)
    draft = payer.invoices.draft(client)
    with pytest.raises(InvalidInput, match="issue this one on 2026-11-25 or later") as refused:
        payer.invoices.issue(draft, issue_date="2026-11-24")
    assert refused.value.field == "issue_date"
    assert payer.invoices.get(draft.id).status == "draft"
    issued = payer.invoices.issue(draft, issue_date="2026-11-25")
    assert (later.number, issued.number) == ("2026-0001", "2026-0002")
    # A new year is a new series: its first number may come before a late December one.
    payer.entries.add(payer.projects.list()[0], date="2026-11-11", minutes=60)
    assert payer.invoices.issue(payer.invoices.draft(client), issue_date="2027-01-02").number == (
        "2027-0001"
    )
