"""What a database cannot store is refused as a ledger error on every API path and on
both databases, never as a raw driver error: NUL characters, over-long text and
amounts past what a 64-bit column holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpers import row_counts
from ledger.api import Ledger
from ledger.core.models import Invoice, Project
from ledger.errors import InvalidInput


@pytest.fixture
def work(lg: Ledger) -> Project:
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1500")
    return lg.projects.add(client, name="Web")


@pytest.fixture
def issued(lg: Ledger, work: Project) -> Invoice:
    lg.entries.add(work, date="2026-11-02", minutes=60)
    return lg.invoices.issue(lg.invoices.draft(work.client_id))


Call = Callable[[Ledger, Project], object]

ENTRY_CASES: list[tuple[str, Call, str]] = [
    (
        "NUL in a bulk description",
        lambda lg, p: lg.entries.add_many(p, [{"date": "2026-11-02", "minutes": 5,
                                               "description": "a\x00b"}]),
        "description",
    ),
    (
        "over-long bulk description",
        lambda lg, p: lg.entries.add_many(p, [{"date": "2026-11-02", "minutes": 5,
                                               "description": "x" * 2001}]),
        "description",
    ),
    (
        "bulk amount past the column",
        lambda lg, p: lg.entries.add_many(p, [{"date": "2026-11-02",
                                               "amount": "99999999999999999999"}]),
        "amount",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "field"), [c[1:] for c in ENTRY_CASES], ids=[c[0] for c in ENTRY_CASES]
)
def test_unstorable_entries_are_refused(lg: Ledger, work: Project, call: Call, field: str) -> None:
    counts = row_counts(lg)
    with pytest.raises(InvalidInput) as caught:
        call(lg, work)
    assert caught.value.field.endswith(field)
    assert row_counts(lg) == counts


InvoiceCall = Callable[[Ledger, Invoice], object]


def pay(amount: str, note: str = "") -> InvoiceCall:
    return lambda lg, invoice: lg.invoices.record_payment(invoice, amount, "2026-11-03", note)


INVOICE_CASES: list[tuple[str, InvoiceCall, str]] = [
    ("NUL in a payment note", pay("10", "a\x00b"), "note"),
    ("over-long payment note", pay("10", "n" * 2001), "note"),
    ("payment past the column", pay("9" * 20), "amount"),
]


@pytest.mark.parametrize(
    ("call", "field"), [c[1:] for c in INVOICE_CASES], ids=[c[0] for c in INVOICE_CASES]
)
def test_unstorable_payments_are_refused(
    lg: Ledger, issued: Invoice, call: InvoiceCall, field: str
) -> None:
    counts = row_counts(lg)
    with pytest.raises(InvalidInput) as caught:
        call(lg, issued)
    assert caught.value.field == field
    assert row_counts(lg) == counts


def test_unstorable_draft_lines_are_refused(lg: Ledger, work: Project) -> None:
    lg.entries.add(work, date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(work.client_id)
    line = draft.lines[0].id
    for changes, field in (
        ({"unit": "h\x00"}, "unit"),
        ({"description": "a\x00b"}, "description"),
        ({"quantity": "100000", "unit_price": "9999999999999"}, "unit_price"),
    ):
        with pytest.raises(InvalidInput) as caught:
            lg.invoices.update_line(draft, line, **changes)
        assert caught.value.field == field
    assert lg.invoices.get(draft) == draft
