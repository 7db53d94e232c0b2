"""What the invoice and money pages ask of the API: previews, paging, totals, matches."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from helpers import register_for_vat, row_counts
from ledger.api import Ledger
from ledger.core.models import Client
from ledger.errors import InvalidInput, NotFound


@pytest.fixture
def acme(lg: Ledger) -> Client:
    client = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
    web = lg.projects.add(client, name="Web")
    ops = lg.projects.add(client, name="Ops", hourly_rate="1000")
    lg.entries.add(web, date="2026-11-02", minutes=90, description="Design")
    lg.entries.add(ops, date="2026-11-03", minutes=30, description="Deploy")
    lg.entries.add(web, date="2026-11-04", amount="250", description="Domain")
    return client


@pytest.mark.parametrize("grouping", ["project", "entry", "day"])
def test_a_preview_is_the_draft_it_announces_and_writes_nothing(
    lg: Ledger, acme: Client, grouping: str
) -> None:
    register_for_vat(lg)
    before = row_counts(lg)
    preview = lg.invoices.preview(acme, grouping=grouping, vat_rate="21")  # type: ignore[arg-type]
    assert row_counts(lg) == before
    assert [e.description for e in preview.entries] == ["Design", "Deploy", "Domain"]
    draft = lg.invoices.draft(acme, grouping=grouping, vat_rate="21")  # type: ignore[arg-type]
    assert [(p.description, p.quantity, p.unit_price, p.amount) for p in preview.lines] == [
        (d.description, d.quantity, d.unit_price, d.amount) for d in draft.lines
    ]
    assert (preview.subtotal, preview.vat, preview.total) == (
        draft.subtotal,
        draft.vat,
        draft.total,
    )
    assert preview.total == Decimal("3630.00")  # (2,250 + 500 + 250) × 1.21


def test_a_preview_refuses_what_a_draft_refuses(lg: Ledger, acme: Client) -> None:
    with pytest.raises(InvalidInput) as nothing:
        lg.invoices.preview(acme, since="2027-01-01")
    assert nothing.value.field == "client"
    with pytest.raises(InvalidInput) as grouping:
        lg.invoices.preview(acme, grouping="week")  # type: ignore[arg-type]
    assert grouping.value.field == "grouping"
    with pytest.raises(InvalidInput) as vat:
        lg.invoices.preview(acme, vat_rate="101")
    assert vat.value.field == "vat_rate"


def test_invoices_page_count_and_total_per_currency(lg: Ledger, acme: Client) -> None:
    first = lg.invoices.issue(lg.invoices.draft(acme, since="2026-11-02", until="2026-11-02"))
    second = lg.invoices.issue(lg.invoices.draft(acme))
    lg.invoices.record_payment(first, "1000", "2026-11-20")
    nordwind = lg.clients.add(name="Nordwind", currency="EUR", hourly_rate="85")
    lg.entries.add(lg.projects.add(nordwind, name="Data"), date="2026-11-05", minutes=60)
    euro = lg.invoices.draft(nordwind)
    assert [i.id for i in lg.invoices.list(limit=2)] == [euro.id, second.id]
    assert [i.id for i in lg.invoices.list(limit=2, offset=2)] == [first.id]
    assert lg.invoices.list(limit=2) == [lg.invoices.get(euro), lg.invoices.get(second)]
    assert lg.invoices.count() == 3
    assert lg.invoices.count(status="issued", client=acme) == 2
    totals = {t.currency: t for t in lg.invoices.totals()}
    assert (totals["CZK"].invoices, totals["CZK"].total) == (2, Decimal("3000.00"))
    assert (totals["CZK"].paid, totals["CZK"].outstanding) == (
        Decimal("1000.00"),
        Decimal("2000.00"),
    )
    assert (totals["EUR"].total, totals["EUR"].outstanding) == (Decimal("85.00"), Decimal(0))
    lg.invoices.cancel(euro)
    assert [t.currency for t in lg.invoices.totals()] == ["CZK"]  # cancelled ones left out


def test_invoices_page_count_and_total_with_no_invoices(lg: Ledger) -> None:
    assert lg.invoices.list(limit=10) == []
    assert lg.invoices.count() == 0
    assert lg.invoices.totals() == []


def test_transactions_page_count_sources_and_matches(lg: Ledger, acme: Client) -> None:
    invoice = lg.invoices.issue(lg.invoices.draft(acme))
    symbol = invoice.variable_symbol
    assert symbol is not None
    paid = lg.transactions.add("bank", external_id="1", booked_on="2026-11-10", amount="3000",
                               currency="CZK", variable_symbol=symbol)  # fmt: skip
    lg.transactions.add(
        "bank", external_id="2", booked_on="2026-11-11", amount="-10", currency="CZK"
    )
    lg.transactions.add(
        "card", external_id="3", booked_on="2026-11-12", amount="-5", currency="EUR"
    )
    lg.match()
    assert lg.transactions.sources() == ["bank", "card"]
    assert lg.transactions.count() == 3
    assert lg.transactions.count(source="bank", kind="expense") == 1
    assert lg.transactions.count(matched=True) == 1
    assert [t.external_id for t in lg.transactions.list(limit=2, offset=1)] == ["2", "1"]
    matches = lg.transactions.matches(lg.transactions.list())
    assert list(matches) == [paid.id]
    (match,) = matches[paid.id]
    assert (match.invoice_id, match.invoice_number, match.amount) == (
        invoice.id, invoice.number, Decimal("3000.00"),
    )  # fmt: skip
    assert match.method == "match"
    assert match.evidence["variable_symbol"] is True
    assert lg.matching.waiting() == 0


HUGE = 2**64


@pytest.mark.parametrize(
    "call",
    [
        lambda lg: lg.invoices.list(client=HUGE),
        lambda lg: lg.entries.list(HUGE),
        lambda lg: lg.projects.list(HUGE),
        lambda lg: lg.plugins.run(HUGE),
        lambda lg: lg.invoices.get(HUGE),
        lambda lg: lg.users.change_password(HUGE, "old", "new password 1"),
    ],
    ids=["invoices by client", "entries", "projects", "sync run", "invoice", "user"],
)
def test_an_id_past_64_bits_is_not_found(lg: Ledger, call: Callable[[Ledger], object]) -> None:
    with pytest.raises(NotFound, match=str(HUGE)):
        call(lg)


def test_audit_filters_past_64_bits_match_nothing_or_everything(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    assert lg.audit.list(run_id=HUGE) == []
    assert len(lg.audit.list(before=HUGE)) == len(lg.audit.list()) == 1
