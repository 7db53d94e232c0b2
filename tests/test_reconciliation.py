"""``lg.matching`` on a real database: matches, the review queue, undo, audit, syncs.

Case tables run on SQLite and, with ``LEDGER_TEST_DATABASE_URL``, on PostgreSQL.
Invoices are drafted and issued through the API; a few carry the numbers the Fio
fixtures pay (``2025001``, ``0001090028``), as invoices carried over from the
previous system would.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from ledger.api import Ledger
from ledger.contracts.http import HttpPolicy
from ledger.core.invoices.numbering import variable_symbol
from ledger.core.matching.service import apply_matching
from ledger.core.models import Client, Invoice, MoneyTransaction
from ledger.core.money import to_minor
from ledger.demo import load_demo
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.storage import tables

FIO = Path(__file__).parent / "fixtures" / "fio"
MATCHING_TABLES = ("payments", "money_transactions", "match_suggestions")
CLIENTS = {
    "acme": ("Acme s.r.o.", "CZK"),
    "kavarna": ("Kavárna U Mostu", "CZK"),
    "studio": ("Studio Lumen", "CZK"),
    "nordwind": ("Nordwind GmbH", "EUR"),
}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)


class Book:
    """A ledger's clients, invoices and bank transactions, by short keys."""

    def __init__(self, lg: Ledger) -> None:
        self.lg = lg
        self.clients: dict[str, Client] = {}
        self.invoices: dict[str, Invoice] = {}
        self.transactions: dict[str, MoneyTransaction] = {}

    def client(self, key: str) -> Client:
        if key not in self.clients:
            name, currency = CLIENTS[key]
            self.clients[key] = self.lg.clients.add(name=name, currency=currency)
        return self.clients[key]

    def invoice(self, key: str, total: str, client: str = "acme") -> Invoice:
        """An issued invoice of `total` for one fixed-price item (no VAT)."""
        owner = self.client(client)
        project = self.lg.projects.add(owner, name=f"Work {key}")
        self.lg.entries.add(project, date="2026-11-10", amount=total, description=f"Work {key}")
        draft = self.lg.invoices.draft(owner, project=project)
        self.invoices[key] = self.lg.invoices.issue(draft, issue_date="2026-11-20")
        return self.invoices[key]

    def pay(
        self,
        key: str,
        amount: str,
        currency: str = "CZK",
        vs: str = "",
        message: str = "",
        payer: str = "",
        booked_on: str = "2026-11-22",
    ) -> MoneyTransaction:
        """A bank transaction; `vs` and `message` may name invoices: ``{A.number}``."""
        self.transactions[key] = self.lg.transactions.add(
            source="bank",
            external_id=key,
            booked_on=booked_on,
            amount=amount,
            currency=currency,
            variable_symbol=vs.format(**self.invoices),
            message=message.format(**self.invoices),
            counterparty_name=payer,
        )
        return self.transactions[key]

    def tx(self, key: str) -> MoneyTransaction:
        return self.lg.transactions.get(self.transactions[key].id)

    def states(self) -> dict[str, str | None]:
        return {k: self.lg.invoices.get(i.id).payment_state for k, i in self.invoices.items()}

    def matched(self) -> dict[str, list[str]]:
        """Transaction key → keys of the invoices its payments went to."""
        keys = {i.id: k for k, i in self.invoices.items()}
        tx_keys = {t.id: k for k, t in self.transactions.items()}
        found: dict[str, list[str]] = {}
        for key, inv in self.invoices.items():
            for payment in self.lg.invoices.payments(inv.id):
                if payment.transaction_id is not None:
                    found.setdefault(tx_keys[payment.transaction_id], []).append(key)
        for tx_key, invoice_keys in found.items():
            link = self.tx(tx_key).matched_invoice_id
            assert link is not None
            assert keys[link] in invoice_keys
        return {k: sorted(v) for k, v in sorted(found.items())}

    def queue(self) -> set[tuple[str, tuple[str, ...]]]:
        keys = {i.id: k for k, i in self.invoices.items()}
        tx_keys = {t.id: k for k, t in self.transactions.items()}
        return {
            (tx_keys[s.transaction_id], tuple(keys[a.invoice_id] for a in s.allocations))
            for s in self.lg.matching.queue()
        }

    def evidence(self, tx_key: str) -> dict[str, Any]:
        """The evidence stored on the transaction's payment, or of its best suggestion."""
        tx = self.transactions[tx_key]
        for inv in self.invoices.values():
            for payment in self.lg.invoices.payments(inv.id):
                if payment.transaction_id == tx.id:
                    return payment.evidence
        best = next(s for s in self.lg.matching.queue() if s.transaction_id == tx.id)
        return best.evidence


def rows(lg: Ledger, *names: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the matching tables, in id order."""
    with lg.database.engine.connect() as conn:
        return {
            name: [
                dict(r)
                for r in conn.execute(
                    sa.select(SQLModel.metadata.tables[name]).order_by(sa.text("id"))
                ).mappings()
            ]
            for name in names or MATCHING_TABLES
        }


def audit_count(lg: Ledger) -> int:
    with lg.database.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar_one())


@dataclass(frozen=True)
class Step:
    """Transactions arrive, matching runs, and this is what the ledger shows."""

    pay: list[dict[str, str]]
    states: dict[str, str | None]
    matched: dict[str, list[str]] = field(default_factory=dict)
    queue: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    invoices: dict[str, tuple[str, str]]  # key → (total, client key)
    steps: list[Step]
    tolerance: int | None = None
    cancelled: tuple[str, ...] = ()
    paid_by_hand: tuple[str, ...] = ()


def tx(key: str, amount: str, **fields: str) -> dict[str, str]:
    return {"key": key, "amount": amount, **fields}


A_VS = "{A.variable_symbol}"
CASES = [
    Case(
        "exact variable symbol",
        {"A": ("12100.00", "acme")},
        [
            Step(
                [tx("t1", "12100.00", vs=A_VS, message="Faktura {A.number}", payer="ACME s.r.o.")],
                {"A": "paid"},
                {"t1": ["A"]},
                evidence={
                    "t1": {
                        "variable_symbol": True,
                        "amount": "exact",
                        "currency": True,
                        "message": True,
                        "counterparty": True,
                    }
                },
            )
        ],
    ),
    Case(
        "variable symbol with leading zeros",
        {"A": ("12100.00", "acme")},
        [Step([tx("t1", "12100.00", vs="00" + A_VS)], {"A": "paid"}, {"t1": ["A"]})],
    ),
    Case(
        "a rounding cent short is paid",
        {"A": ("12100.00", "acme")},
        [
            Step(
                [tx("t1", "12099.99", vs=A_VS)],
                {"A": "paid"},
                {"t1": ["A"]},
                evidence={"t1": {"amount": "within tolerance"}},
            )
        ],
    ),
    Case(
        "the tolerance is the payment_tolerance_minor setting",
        {"A": ("12100.00", "acme"), "B": ("12100.00", "kavarna")},
        [
            Step(
                [
                    tx("t1", "12099.99", vs=A_VS),
                    tx("t2", "12099.98", vs="{B.variable_symbol}"),
                ],
                {"A": "paid", "B": "partially_paid"},
                {"t1": ["A"], "t2": ["B"]},
                evidence={"t1": {"amount": "within tolerance"}, "t2": {"amount": "partial"}},
            )
        ],
        tolerance=1,
    ),
    Case(
        "partial payment then the remainder",
        {"A": ("12100.00", "acme")},
        [
            Step(
                [tx("t1", "6050.00", vs=A_VS, message="1. splátka")],
                {"A": "partially_paid"},
                {"t1": ["A"]},
                evidence={"t1": {"amount": "partial"}},
            ),
            Step(
                [tx("t2", "6050.00", vs=A_VS, booked_on="2026-11-24")],
                {"A": "paid"},
                {"t1": ["A"], "t2": ["A"]},
                evidence={"t2": {"amount": "exact"}},
            ),
        ],
    ),
    Case(
        "the remainder without a symbol is suggested",
        {"A": ("12100.00", "acme")},
        [
            Step([tx("t1", "6050.00", vs=A_VS)], {"A": "partially_paid"}, {"t1": ["A"]}),
            Step(
                [tx("t2", "6050.00", payer="Acme s.r.o.", booked_on="2026-11-24")],
                {"A": "partially_paid"},
                {"t1": ["A"]},
                {("t2", ("A",))},
                evidence={"t2": {"variable_symbol": "missing", "counterparty": True}},
            ),
        ],
    ),
    Case(
        "overpayment is flagged",
        {"A": ("12100.00", "acme")},
        [
            Step(
                [tx("t1", "12600.00", vs=A_VS)],
                {"A": "overpaid"},
                {"t1": ["A"]},
                evidence={"t1": {"amount": "over"}},
            )
        ],
    ),
    Case(
        "two invoices of the same amount and no symbol: both suggested, neither matched",
        {"A": ("5000.00", "kavarna"), "B": ("5000.00", "studio")},
        [
            Step(
                [tx("t1", "5000.00", payer="Jana Malá")],
                {"A": "unpaid", "B": "unpaid"},
                queue={("t1", ("A",)), ("t1", ("B",))},
                evidence={"t1": {"variable_symbol": "missing", "amount": "exact"}},
            )
        ],
    ),
    Case(
        "a payment in another currency is never matched",
        {"A": ("500.00", "acme")},
        [
            Step(
                [tx("t1", "500.00", currency="EUR", vs=A_VS, message="Invoice {A.number}")],
                {"A": "unpaid"},
            )
        ],
    ),
    Case(
        "a EUR invoice is matched by a EUR payment",
        {"A": ("2420.00", "nordwind")},
        [
            Step(
                [tx("t1", "2420.00", currency="EUR", vs=A_VS, payer="NORDWIND GMBH")],
                {"A": "paid"},
                {"t1": ["A"]},
                evidence={"t1": {"counterparty": True}},
            )
        ],
    ),
    Case(
        "an outgoing payment is never matched",
        {"A": ("12100.00", "acme")},
        [Step([tx("t1", "-12100.00", vs=A_VS, message="Faktura {A.number}")], {"A": "unpaid"})],
    ),
    Case(
        "a cancelled invoice is never matched or suggested",
        {"A": ("12100.00", "acme")},
        [Step([tx("t1", "12100.00", vs=A_VS, message="Faktura {A.number}")], {"A": "credited"})],
        cancelled=("A",),
    ),
    Case(
        "an invoice paid by hand is never matched or suggested",
        {"A": ("12100.00", "acme")},
        [
            Step(
                [
                    tx("t1", "12100.00", message="Faktura {A.number}", payer="Acme"),
                    tx("t2", "12100.00", vs=A_VS),
                ],
                {"A": "paid"},
            )
        ],
        paid_by_hand=("A",),
    ),
    Case(
        "an invoice paid by an earlier match is never suggested",
        {"A": ("12100.00", "acme")},
        [
            Step([tx("t1", "12100.00", vs=A_VS)], {"A": "paid"}, {"t1": ["A"]}),
            Step(
                [tx("t2", "12100.00", message="Faktura {A.number}", booked_on="2026-11-24")],
                {"A": "paid"},
                {"t1": ["A"]},
            ),
        ],
    ),
    Case(
        "wrong symbol: suggested because amount and message agree",
        {"A": ("12100.00", "acme")},
        [
            Step(
                [tx("t1", "12100.00", vs="20269999", message="Faktura {A.number}")],
                {"A": "unpaid"},
                queue={("t1", ("A",))},
                evidence={"t1": {"variable_symbol": "wrong", "amount": "exact", "message": True}},
            )
        ],
    ),
    Case(
        "wrong symbol and nothing else agrees: nothing",
        {"A": ("12100.00", "acme")},
        [Step([tx("t1", "999.00", vs="20269999", message="Záloha")], {"A": "unpaid"})],
    ),
    Case(
        "one payment settles the two invoices it names, by the symbol of one",
        {"A": ("12100.00", "acme"), "B": ("3025.00", "acme")},
        [
            Step(
                [tx("t1", "15125.00", vs=A_VS, message="Faktury {A.number} a {B.number}")],
                {"A": "paid", "B": "paid"},
                {"t1": ["A", "B"]},
                evidence={"t1": {"amount": "equals the sum of the named invoices"}},
            )
        ],
    ),
    Case(
        "one payment naming two invoices without a symbol is a suggestion",
        {"A": ("12100.00", "acme"), "B": ("3025.00", "acme")},
        [
            Step(
                [tx("t1", "15125.00", message="Faktury {A.number}, {B.number}")],
                {"A": "unpaid", "B": "unpaid"},
                queue={("t1", ("A", "B")), ("t1", ("A",)), ("t1", ("B",))},
                evidence={"t1": {"amount": "equals the sum of the named invoices"}},
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(lg: Ledger, case: Case) -> None:
    book = Book(lg)
    if case.tolerance is not None:
        lg.settings.update(payment_tolerance_minor=case.tolerance)
    for key, (total, client) in case.invoices.items():
        book.invoice(key, total, client)
    for key in case.cancelled:
        lg.invoices.cancel(book.invoices[key].id)
    for key in case.paid_by_hand:
        lg.invoices.record_payment(book.invoices[key].id, book.invoices[key].total, "2026-11-21")

    for step in case.steps:
        for spec in step.pay:
            book.pay(**spec)
        report = lg.match()

        assert book.states() == step.states
        assert book.matched() == step.matched
        assert book.queue() == step.queue
        for tx_key, expected in step.evidence.items():
            assert book.evidence(tx_key).items() >= expected.items()
        assert report.matched == len(
            {k for k in step.matched if k in {p["key"] for p in step.pay}}
        )

    before, events = rows(lg), audit_count(lg)
    again = lg.match()
    assert (again.matched, again.suggested) == (0, 0)
    assert rows(lg) == before
    assert audit_count(lg) == events


# --- the review queue -------------------------------------------------------------------


def same_amount(lg: Ledger) -> Book:
    """Two invoices of 5,000 CZK and one payment of 5,000 CZK without a symbol."""
    book = Book(lg)
    book.invoice("A", "5000.00", "kavarna")
    book.invoice("B", "5000.00", "studio")
    book.pay("t1", "5000.00", payer="Jana Malá")
    lg.match()
    return book


def suggestion_for(book: Book, tx_key: str, invoice_key: str) -> int:
    tx_id, invoice_id = book.transactions[tx_key].id, book.invoices[invoice_key].id
    return next(
        s.id
        for s in book.lg.matching.queue()
        if s.transaction_id == tx_id and [a.invoice_id for a in s.allocations] == [invoice_id]
    )


def statuses(lg: Ledger) -> list[str]:
    return [r["status"] for r in rows(lg, "match_suggestions")["match_suggestions"]]


def test_the_queue_shows_the_payment_and_why(lg: Ledger) -> None:
    book = same_amount(lg)
    first, second = lg.matching.queue()

    assert first.transaction_id == second.transaction_id == book.transactions["t1"].id
    assert (first.amount, first.currency, first.counterparty_name) == (
        Decimal("5000.00"),
        "CZK",
        "Jana Malá",
    )
    assert first.booked_on == dt.date(2026, 11, 22)
    assert [a.invoice_number for a in first.allocations] == [book.invoices["A"].number]
    assert first.allocations[0].amount == Decimal("5000.00")
    assert first.evidence == {
        "variable_symbol": "missing",
        "amount": "exact",
        "currency": True,
        "message": False,
        "counterparty": False,
    }
    assert first.status == "open"
    assert first.score >= second.score


def test_accepting_a_suggestion_applies_it_and_closes_the_others(lg: Ledger) -> None:
    book = same_amount(lg)
    chosen = suggestion_for(book, "t1", "B")

    lg.matching.accept(chosen)

    assert book.states() == {"A": "unpaid", "B": "paid"}
    assert book.matched() == {"t1": ["B"]}
    assert book.queue() == set()
    assert sorted(statuses(lg)) == ["accepted", "superseded"]
    (payment,) = lg.invoices.payments(book.invoices["B"].id)
    assert payment.method == "accepted"
    assert payment.evidence["accepted_suggestion"] == chosen
    assert payment.evidence["amount"] == "exact"
    with pytest.raises(Conflict, match="already accepted"):
        lg.matching.accept(chosen)


def test_accepting_a_settlement_of_two_invoices(lg: Ledger) -> None:
    book = Book(lg)
    book.invoice("A", "12100.00")
    book.invoice("B", "3025.00")
    book.pay("t1", "15125.00", message="Faktury {A.number}, {B.number}")
    lg.match()
    both = next(s for s in lg.matching.queue() if len(s.allocations) == 2)

    lg.matching.accept(both.id)

    assert book.states() == {"A": "paid", "B": "paid"}
    assert book.matched() == {"t1": ["A", "B"]}
    assert book.queue() == set()


def test_rejecting_removes_it_from_the_queue_for_good(lg: Ledger) -> None:
    book = same_amount(lg)
    lg.matching.reject(suggestion_for(book, "t1", "A"))

    assert book.queue() == {("t1", ("B",))}
    lg.match()
    assert book.queue() == {("t1", ("B",))}, "a rejected suggestion is not offered again"
    assert book.states() == {"A": "unpaid", "B": "unpaid"}
    with pytest.raises(Conflict, match="already rejected"):
        lg.matching.accept(suggestion_for_status(lg, "rejected"))


def suggestion_for_status(lg: Ledger, status: str) -> int:
    return next(
        int(r["id"])
        for r in rows(lg, "match_suggestions")["match_suggestions"]
        if r["status"] == status
    )


def test_a_suggestion_for_an_invoice_paid_since_is_not_offered(lg: Ledger) -> None:
    """Two payments of 5,000 without a symbol: once one pays A, the other is not offered A."""
    book = same_amount(lg)
    book.pay("t2", "5000.00", payer="Petr Malý")
    lg.match()
    assert len(book.queue()) == 4
    stale = suggestion_for(book, "t2", "A")

    lg.matching.accept(suggestion_for(book, "t1", "A"))

    assert book.queue() == {("t2", ("B",))}
    with pytest.raises(Conflict, match="already paid"):
        lg.matching.accept(stale)
    assert book.states() == {"A": "paid", "B": "unpaid"}

    lg.matching.unmatch(book.transactions["t1"].id)
    assert ("t2", ("A",)) in book.queue(), "offered again once A is open again"


def test_a_suggestion_for_an_invoice_cancelled_since_is_not_offered(lg: Ledger) -> None:
    book = same_amount(lg)
    stale = suggestion_for(book, "t1", "A")

    lg.invoices.cancel(book.invoices["A"].id)  # a credit note settles it

    assert book.queue() == {("t1", ("B",))}
    with pytest.raises(Conflict, match="cancelled by credit note D2026-0001"):
        lg.matching.accept(stale)
    assert book.matched() == {}


def test_a_suggestion_for_a_payment_matched_by_hand_is_closed(lg: Ledger) -> None:
    book = same_amount(lg)

    lg.matching.match(book.transactions["t1"].id, book.invoices["A"].id)

    assert book.queue() == set()
    assert statuses(lg) == ["superseded", "superseded"]
    assert book.states() == {"A": "paid", "B": "unpaid"}


# --- undo: unmatch, then rematch --------------------------------------------------------


def test_unmatch_then_rematch_by_hand(lg: Ledger) -> None:
    book = Book(lg)
    book.invoice("A", "12100.00")
    book.invoice("B", "12100.00", "kavarna")
    book.pay("t1", "12100.00", vs=A_VS)
    lg.match()
    assert book.matched() == {"t1": ["A"]}
    t1 = book.transactions["t1"].id

    assert lg.matching.unmatch(t1) == 1

    assert book.states() == {"A": "unpaid", "B": "unpaid"}
    assert book.matched() == {}
    assert book.tx("t1").matched_invoice_id is None
    report = lg.match()
    assert (report.matched, report.suggested) == (0, 0), "unmatch locks out the matcher"
    assert book.matched() == {}
    assert book.queue() == set()

    lg.matching.match(t1, book.invoices["B"].id)

    assert book.states() == {"A": "unpaid", "B": "paid"}
    assert book.matched() == {"t1": ["B"]}
    (payment,) = lg.invoices.payments(book.invoices["B"].id)
    assert (payment.method, payment.evidence) == ("manual", {"manual": True})
    lg.match()
    assert book.matched() == {"t1": ["B"]}

    lg.matching.unmatch(t1)
    lg.matching.match(t1, book.invoices["A"].id)
    assert book.matched() == {"t1": ["A"]}
    with pytest.raises(Conflict, match="not matched"):
        lg.matching.unmatch(book.pay("t2", "1.00").id)


def test_unmatch_an_accepted_suggestion_then_accept_another(lg: Ledger) -> None:
    book = same_amount(lg)
    lg.matching.accept(suggestion_for(book, "t1", "A"))
    assert book.queue() == set()

    lg.matching.unmatch(book.transactions["t1"].id)

    assert book.states() == {"A": "unpaid", "B": "unpaid"}
    assert book.queue() == {("t1", ("A",)), ("t1", ("B",))}, "the decision is undone"
    lg.match()
    assert book.queue() == {("t1", ("A",)), ("t1", ("B",))}

    lg.matching.accept(suggestion_for(book, "t1", "B"))

    assert book.states() == {"A": "unpaid", "B": "paid"}
    assert book.matched() == {"t1": ["B"]}
    assert book.queue() == set()


def test_a_settlement_of_two_invoices_is_undone_whole(lg: Ledger) -> None:
    book = Book(lg)
    book.invoice("A", "12100.00")
    book.invoice("B", "3025.00")
    book.pay("t1", "15125.00", vs=A_VS, message="Faktury {A.number} a {B.number}")
    lg.match()

    assert lg.matching.unmatch(book.transactions["t1"].id) == 2

    assert book.states() == {"A": "unpaid", "B": "unpaid"}


@pytest.mark.parametrize(
    ("build", "call", "error", "fragment"),
    [
        ("expense", "match", InvalidInput, "only incoming payments"),
        ("euro", "match", InvalidInput, "the payment is in EUR"),
        ("partial", "too_much", InvalidInput, "at most 100.00"),
        ("partial", "zero", InvalidInput, "more than 0"),
        ("cancelled", "match", Conflict, "cancelled by credit note D2026-0001; nothing is due"),
        ("income", "unknown_tx", NotFound, "transaction 999999 does not exist"),
        ("income", "unknown_suggestion", NotFound, "suggestion 999999 does not exist"),
        ("income", "unmatch", Conflict, "is not matched"),
    ],
)
def test_refused_by_hand(
    lg: Ledger, build: str, call: str, error: type[Exception], fragment: str
) -> None:
    book = Book(lg)
    target = book.invoice("A", "12100.00")
    amounts = {"expense": "-500.00", "euro": "500.00", "partial": "500.00", "income": "500.00"}
    t1 = book.pay("t1", amounts.get(build, "500.00"), currency="EUR" if build == "euro" else "CZK")
    if build == "cancelled":
        lg.invoices.cancel(target.id)
    if build == "partial":
        lg.matching.match(t1.id, target.id, "400.00")
    before, events = rows(lg), audit_count(lg)

    actions: dict[str, Callable[[], object]] = {
        "match": lambda: lg.matching.match(t1.id, target.id),
        "too_much": lambda: lg.matching.match(t1.id, target.id, "100.01"),
        "zero": lambda: lg.matching.match(t1.id, target.id, "0"),
        "unknown_tx": lambda: lg.matching.match(999999, target.id),
        "unknown_suggestion": lambda: lg.matching.accept(999999),
        "unmatch": lambda: lg.matching.unmatch(t1.id),
    }
    with pytest.raises(error, match=fragment):
        actions[call]()

    assert rows(lg) == before, "a refused call writes nothing"
    assert audit_count(lg) == events


def test_part_of_a_payment_by_hand_then_the_rest_to_another_invoice(lg: Ledger) -> None:
    book = Book(lg)
    book.invoice("A", "300.00")
    book.invoice("B", "200.00", "kavarna")
    t1 = book.pay("t1", "500.00", message="Faktury {A.number} a {B.number}")

    lg.matching.match(t1.id, book.invoices["A"].id, "300.00")
    lg.matching.match(t1.id, book.invoices["B"].id)

    assert book.states() == {"A": "paid", "B": "paid"}
    assert book.matched() == {"t1": ["A", "B"]}
    assert lg.matching.unmatch(t1.id) == 2


# --- re-running changes nothing ---------------------------------------------------------


def every_kind(lg: Ledger) -> Book:
    """Invoices and a payment of every kind the matcher tells apart, over three days."""
    book = Book(lg)
    book.invoice("A", "12100.00")
    book.invoice("B", "3025.00")
    book.invoice("C", "5000.00", "kavarna")
    book.invoice("D", "5000.00", "studio")
    book.invoice("E", "2420.00", "nordwind")
    book.invoice("F", "8000.00", "kavarna")
    book.invoice("G", "990.00", "studio")
    book.pay("early", "4000.00", payer="Kavárna U Mostu", booked_on="2026-11-21")
    book.pay("part", "4000.00", vs="{F.variable_symbol}", booked_on="2026-11-23")
    book.pay("both", "15125.00", vs=A_VS, message="Faktury {A.number} a {B.number}")
    book.pay("same", "5000.00")
    book.pay("eur", "2420.00", currency="EUR", vs="{E.variable_symbol}")
    book.pay("wrong", "990.00", vs="20269999", message="{G.number}")
    book.pay("out", "-990.00", vs="{G.variable_symbol}")
    book.pay("noise", "120.00", message="Vratka 2026/11/0042")
    return book


EVERY_KIND_QUEUE = {("early", ("F",)), ("same", ("C",)), ("same", ("D",)), ("wrong", ("G",))}


def test_rerunning_matching_changes_nothing(lg: Ledger) -> None:
    """Every case's transactions in one ledger, then a second and a third run."""
    book = every_kind(lg)
    first = lg.match()
    assert first.matched == 3
    assert first.suggested == 4
    before, events = rows(lg), audit_count(lg)

    for _ in range(2):
        again = lg.match()
        assert (again.matched, again.suggested, again.decisions) == (0, 0, [])
        assert rows(lg) == before
        assert audit_count(lg) == events
    assert book.queue() == EVERY_KIND_QUEUE


@pytest.mark.parametrize("batch", [1, 2, 3])
def test_matching_read_in_batches_decides_as_at_once(lg: Ledger, batch: int) -> None:
    """A payment suggested for the balance a later day's payment leaves is still found."""
    book = every_kind(lg)
    with lg.atomic() as uow:
        report = apply_matching(uow, batch=batch)

    assert (report.matched, report.suggested) == (3, 4)
    assert book.matched() == {"both": ["A", "B"], "eur": ["E"], "part": ["F"]}
    assert book.queue() == EVERY_KIND_QUEUE


def test_matching_leaves_the_garbage_collector_as_it_found_it(lg: Ledger) -> None:
    book = same_amount(lg)
    book.pay("t2", "5000.00", vs="{A.variable_symbol}")
    assert gc.isenabled()
    assert lg.match().matched == 1
    assert gc.isenabled()

    gc.disable()
    try:
        lg.match()
        assert not gc.isenabled(), "the caller's choice is kept"
    finally:
        gc.enable()


# --- audit: every match with its source and evidence -----------------------------------


def test_a_notebook_match_is_audited_with_its_evidence(lg: Ledger) -> None:
    book = Book(lg)
    book.invoice("A", "12100.00")
    t1 = book.pay("t1", "12100.00", vs=A_VS, message="Faktura {A.number}")
    events = audit_count(lg)

    report = lg.match()

    (payment,) = lg.invoices.payments(book.invoices["A"].id)
    (inserted,) = lg.audit.list(entity="payments", entity_id=payment.id)
    assert (inserted.source, inserted.action, inserted.run_id) == ("notebook", "insert", None)
    assert inserted.after is not None
    assert json.loads(inserted.after["evidence"]) == payment.evidence
    assert payment.evidence["variable_symbol"] is True
    assert inserted.after["transaction_id"] == t1.id
    assert inserted.after["method"] == "match"
    (linked,) = [
        e
        for e in lg.audit.list(entity="money_transactions", entity_id=t1.id)
        if e.action == "update"
    ]
    assert linked.source == "notebook"
    assert linked.changes() == {"matched_invoice_id": (None, book.invoices["A"].id)}
    assert audit_count(lg) == events + 2
    assert report.decisions == [
        {
            "transaction_id": t1.id,
            "invoices": [book.invoices["A"].id],
            "evidence": payment.evidence,
        }
    ]
    assert lg.audit.verify() == audit_count(lg)


def test_review_decisions_and_undo_are_audited(lg: Ledger) -> None:
    book = same_amount(lg)
    suggestions = lg.audit.list(entity="match_suggestions")
    assert {(e.source, e.action) for e in suggestions} == {("notebook", "insert")}
    chosen = suggestion_for(book, "t1", "A")

    cli = lg.with_source("cli")
    cli.matching.accept(chosen)
    cli.matching.unmatch(book.transactions["t1"].id)

    payment_events = lg.audit.list(entity="payments")
    assert [(e.source, e.action) for e in payment_events] == [("cli", "insert"), ("cli", "delete")]
    assert payment_events[0].after is not None
    assert json.loads(payment_events[0].after["evidence"])["accepted_suggestion"] == chosen
    status_changes = [
        e.changes()["status"]
        for e in lg.audit.list(entity="match_suggestions", source="cli")
        if "status" in e.changes()
    ]
    assert sorted(status_changes) == sorted(
        [
            ("open", "accepted"),
            ("open", "superseded"),
            ("accepted", "open"),
            ("superseded", "open"),
        ]
    )
    locked = lg.audit.list(entity="money_transactions", source="cli")[-1]
    assert locked.changes()["match_locked"] == (False, True)


# --- matching inside a bank sync --------------------------------------------------------


def carried_over(lg: Ledger, client: Client, number: str, total: str, issued: str) -> Invoice:
    """An issued invoice from the previous system, keeping its number (audited)."""
    issue_date = dt.date.fromisoformat(issued)
    minor = to_minor(Decimal(total), client.currency)
    with lg.atomic() as uow:
        row = tables.Invoice(
            client_id=client.id,
            status="issued",
            number=number,
            variable_symbol=variable_symbol(number),
            currency=client.currency,
            issue_date=issue_date,
            taxable_supply_date=issue_date,
            due_date=issue_date + dt.timedelta(days=14),
            subtotal_minor=minor,
            total_minor=minor,
        )
        uow.session.add(row)
        uow.session.flush()
        assert row.id is not None
        invoice_id = row.id
    return lg.invoices.get(invoice_id)


def fio_sync(lg: Ledger, fixture: str) -> Any:
    body = (FIO / fixture).read_bytes()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    return lg.sync("fio", transport=transport, policy=HttpPolicy(sleep=lambda seconds: None))


@pytest.fixture
def fio(lg: Ledger) -> Ledger:
    lg.plugins.enable("fio")
    lg.plugins.configure("fio", token="fio-test-token-0123456789", start_date="2025-01-01")
    return lg


def test_a_fio_sync_matches_the_invoice_its_payment_names(fio: Ledger) -> None:
    """incoming-invoice-payment.json pays 12,100 CZK with the symbol 2025001."""
    fio.settings.update(
        number_pattern="{year}{seq:03d}", supplier_vat_id="CZ8001011234", vat_payer=True
    )
    novak = fio.clients.add(name="Jan Novák", currency="CZK")
    project = fio.projects.add(novak, name="Web")
    fio.entries.add(project, date="2025-02-20", amount="10000", description="E-shop")
    draft = fio.invoices.draft(novak, vat_rate="21")
    invoice = fio.invoices.issue(draft, issue_date="2025-03-01")
    assert (invoice.number, invoice.variable_symbol, invoice.total) == (
        "2025001",
        "2025001",
        Decimal("12100.00"),
    )

    run = fio_sync(fio, "incoming-invoice-payment.json")

    assert run.status == "succeeded", run.error_message
    assert fio.invoices.get(invoice.id).payment_state == "paid"
    (payment,) = fio.invoices.payments(invoice.id)
    assert payment.paid_on == dt.date(2025, 3, 14)
    assert payment.evidence == {
        "variable_symbol": True,
        "amount": "exact",
        "currency": True,
        "message": True,
        "counterparty": True,
    }
    (event,) = fio.audit.list(entity="payments", entity_id=payment.id)
    assert (event.source, event.run_id) == ("plugin:fio", run.id)
    assert any("1 matched" in line["message"] for line in run.log)

    again = fio_sync(fio, "incoming-invoice-payment.json")
    assert again.status == "succeeded"
    assert len(fio.invoices.payments(invoice.id)) == 1


@pytest.mark.parametrize(
    ("fixture", "client", "number", "total", "state", "queued"),
    [
        ("incoming-leading-zeros.json", ("Vojtěch Pithart", "CZK"), "0001090028", "2.99",
         "paid", 0),
        ("card-payments.json", ("ORDR", "CZK"), "5678", "130.00", "overdue", 0),
        ("foreign-currency-eur.json", ("Nordwind GmbH", "EUR"), "2025-0042", "1234567.89",
         "overdue", 1),
        ("foreign-currency-eur.json", ("Nordwind GmbH", "CZK"), "2025-0042", "1234567.89",
         "overdue", 0),
    ],
    ids=["padded symbol", "card payments go out", "SEPA without symbol", "other currency"],
)  # fmt: skip
def test_fio_statements(
    fio: Ledger,
    fixture: str,
    client: tuple[str, str],
    number: str,
    total: str,
    state: str,
    queued: int,
) -> None:
    owner = fio.clients.add(name=client[0], currency=client[1])
    invoice = carried_over(fio, owner, number, total, "2025-05-02")

    run = fio_sync(fio, fixture)

    assert run.status == "succeeded", run.error_message
    assert fio.invoices.get(invoice.id).payment_state == state
    queue = fio.matching.queue()
    assert len(queue) == queued
    for suggestion in queue:
        assert [a.invoice_id for a in suggestion.allocations] == [invoice.id]
        assert suggestion.evidence["message"] is True
        assert suggestion.evidence["amount"] == "exact"
        assert suggestion.evidence["counterparty"] is True
        (event,) = fio.audit.list(entity="match_suggestions", entity_id=suggestion.id)
        assert (event.source, event.run_id) == ("plugin:fio", run.id)
    for tx in fio.transactions.list(kind="expense"):
        assert tx.matched_invoice_id is None


# --- the demo: sync the demo bank, see what is paid and why, undo it all ----------------


def test_demo_bank_sync_matches_queues_and_can_be_undone(lg: Ledger) -> None:
    load_demo(lg)
    states_before = {i.id: i.payment_state for i in lg.invoices.list()}
    payments_before = rows(lg, "payments")
    lg.plugins.enable("demo_bank")

    run = lg.sync("demo_bank")

    assert run.status == "succeeded", run.error_message
    invoices = lg.invoices.list()
    assert {"paid", "partially_paid", "overpaid"} <= {i.payment_state for i in invoices}
    by_symbol = {i.variable_symbol: i for i in invoices if i.status == "issued"}
    queue = lg.matching.queue()
    queued = Counter(s.transaction_id for s in queue)
    incoming = lg.transactions.list(source="demo_bank", kind="income")
    assert incoming
    auto_matched = []
    for tx in incoming:
        target = by_symbol.get(tx.variable_symbol) if tx.variable_symbol else None
        if target is not None:
            auto_matched.append(tx.id)
            assert tx.matched_invoice_id == target.id
            (payment,) = [p for p in lg.invoices.payments(target.id) if p.transaction_id == tx.id]
            assert payment.evidence["variable_symbol"] is True
            (event,) = lg.audit.list(entity="payments", entity_id=payment.id)
            assert (event.source, event.run_id) == ("plugin:demo_bank", run.id)
            assert event.after is not None
            assert json.loads(event.after["evidence"]) == payment.evidence
        else:
            assert tx.matched_invoice_id is None
            assert queued[tx.id] >= 1, f"{tx.message!r} waits in the review queue"
    assert {s.evidence["variable_symbol"] for s in queue} == {"missing", "wrong"}
    assert all(s.evidence["message"] for s in queue)
    for tx in lg.transactions.list(source="demo_bank", kind="expense"):
        assert tx.matched_invoice_id is None
    for event in lg.audit.list(run_id=run.id):
        assert event.source == "plugin:demo_bank"

    after_sync = rows(lg)
    events = audit_count(lg)
    assert lg.match().matched == 0
    again = lg.sync("demo_bank")
    assert again.status == "succeeded"
    assert again.created == 0
    assert rows(lg) == after_sync
    assert audit_count(lg) == events

    # Every decision can be undone: the queue's by accepting then unmatching, the
    # automatic ones by unmatching; the invoices end as they were before the sync.
    for tx_id in auto_matched:
        lg.matching.unmatch(tx_id)
    accepted = []
    while waiting := lg.matching.queue():
        lg.matching.accept(waiting[0].id)
        accepted.append(waiting[0].transaction_id)
    assert len(accepted) == len(queued)
    for tx_id in accepted:
        lg.matching.unmatch(tx_id)

    assert {i.id: i.payment_state for i in lg.invoices.list()} == states_before
    assert rows(lg, "payments") == payments_before
    assert Counter(s.transaction_id for s in lg.matching.queue()) == queued
    assert lg.audit.verify() == audit_count(lg)
