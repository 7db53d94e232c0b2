"""The pure matcher: which payments pay which invoices, and why (no database).

Case tables on realistic Czech invoicing data, the Fio fixtures read as a bank
statement, and properties every case must keep: a re-run on the result changes
nothing, and the work grows in proportion to the input.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from ledger.core.invoices.numbering import variable_symbol
from ledger.core.matching import algorithm as matching
from ledger.core.matching.algorithm import (
    Decision,
    IncomingPayment,
    OpenInvoice,
    find_matches,
)
from ledger.core.matching.messages import number_pattern, numbers_in, numbers_named
from ledger.core.matching.names import same_party
from ledger.core.money import to_minor

FIO = Path(__file__).parent / "fixtures" / "fio"
TOLERANCE = 100  # the default payment_tolerance_minor: 1.00 CZK


def minor(amount: str, currency: str = "CZK") -> int:
    return to_minor(Decimal(amount), currency)


def invoice(
    id: int,
    number: str,
    balance: str,
    currency: str = "CZK",
    client: str = "Acme s.r.o.",
) -> OpenInvoice:
    return OpenInvoice(
        id, number, variable_symbol(number), currency, minor(balance, currency), client
    )


def payment(
    id: int,
    amount: str,
    currency: str = "CZK",
    vs: str = "",
    message: str = "",
    payer: str = "",
) -> IncomingPayment:
    return IncomingPayment(id, minor(amount, currency), currency, vs, message, payer)


ACME_1 = invoice(1, "2026-0001", "12100.00")
ACME_2 = invoice(2, "2026-0002", "3025.00")
KAVARNA_3 = invoice(3, "2026-0003", "5000.00", client="Kavárna U Mostu")
STUDIO_4 = invoice(4, "2026-0004", "5000.00", client="Studio Lumen")
NORDWIND_5 = invoice(5, "2026-0005", "2420.00", currency="EUR", client="Nordwind GmbH")
PAID_6 = invoice(6, "2026-0006", "0.00")  # issued, fully paid earlier
ROUNDED_7 = invoice(7, "2026-0007", "0.40")  # paid but for 40 haléř: within tolerance
OPEN = [ACME_1, ACME_2, KAVARNA_3, STUDIO_4, NORDWIND_5, PAID_6, ROUNDED_7]


@dataclass(frozen=True)
class Case:
    """Payments against the open invoices, and what the matcher must decide."""

    id: str
    payments: list[IncomingPayment]
    # payment id → the (invoice id, amount) allocations applied automatically
    matched: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # payment id → the invoice-id tuples suggested, best first
    suggested: dict[int, list[tuple[int, ...]]] = field(default_factory=dict)
    # payment id → evidence entries the first decision for it must hold
    evidence: dict[int, dict[str, Any]] = field(default_factory=dict)
    invoices: list[OpenInvoice] = field(default_factory=lambda: OPEN)
    tolerance: int = TOLERANCE


CASES = [
    Case(
        "exact variable symbol",
        [payment(10, "12100.00", vs="20260001", message="Faktura 2026-0001", payer="Acme")],
        matched={10: [(1, "12100.00")]},
        evidence={
            10: {
                "variable_symbol": True,
                "amount": "exact",
                "currency": True,
                "message": True,
                "counterparty": True,
            }
        },
    ),
    Case(
        "symbol with leading zeros as banks send it",
        [payment(10, "12100.00", vs="0020260001")],
        matched={10: [(1, "12100.00")]},
        evidence={10: {"variable_symbol": True, "amount": "exact", "message": False}},
    ),
    Case(
        "a rounding cent short, within the tolerance",
        [payment(10, "12099.99", vs="20260001")],
        matched={10: [(1, "12099.99")]},
        evidence={10: {"amount": "within tolerance"}},
    ),
    Case(
        "a cent short with no tolerance is partial",
        [payment(10, "12099.99", vs="20260001")],
        matched={10: [(1, "12099.99")]},
        evidence={10: {"amount": "partial"}},
        tolerance=0,
    ),
    Case(
        "partial then the remainder in one statement",
        [payment(10, "6050.00", vs="20260001"), payment(11, "6050.00", vs="20260001")],
        matched={10: [(1, "6050.00")], 11: [(1, "6050.00")]},
        evidence={10: {"amount": "partial"}, 11: {"amount": "exact"}},
    ),
    Case(
        "overpayment is applied whole and flagged",
        [payment(10, "12600.00", vs="20260001")],
        matched={10: [(1, "12600.00")]},
        evidence={10: {"amount": "over", "variable_symbol": True}},
    ),
    Case(
        "a second payment of a settled invoice is left alone",
        [payment(10, "12100.00", vs="20260001"), payment(11, "12100.00", vs="20260001")],
        matched={10: [(1, "12100.00")]},
    ),
    Case(
        "two invoices of the same amount and no symbol: suggest both, match neither",
        [payment(10, "5000.00", payer="Jana Malá")],
        suggested={10: [(3,), (4,)]},
        evidence={
            10: {"variable_symbol": "missing", "amount": "exact", "counterparty": False},
        },
    ),
    Case(
        "the payer's name ranks the right one first",
        [payment(10, "5000.00", payer="STUDIO LUMEN")],
        suggested={10: [(4,), (3,)]},
        evidence={10: {"counterparty": True}},
    ),
    Case(
        "another currency is never matched or suggested",
        [
            payment(10, "3025.00", currency="EUR", vs="20260002", message="Invoice 2026-0002"),
            payment(11, "12100.00", currency="EUR", vs="20260001"),
        ],
    ),
    Case(
        "the right symbol in the other currency's invoice",
        [payment(10, "2420.00", currency="EUR", vs="20260005", payer="Nordwind GmbH")],
        matched={10: [(5, "2420.00")]},
        evidence={10: {"currency": True, "counterparty": True}},
    ),
    Case(
        "outgoing money is never matched",
        [
            payment(10, "-12100.00", vs="20260001", message="Faktura 2026-0001"),
            payment(11, "-5000.00"),
        ],
    ),
    Case(
        "a paid invoice is never matched or suggested",
        [
            payment(10, "1500.00", vs="20260006"),
            payment(11, "0.00", vs="20260006"),
            payment(12, "1500.00", message="Faktura 2026-0006"),
            payment(13, "0.40", vs="20260007", message="2026-0007"),
        ],
    ),
    Case(
        "wrong symbol: not matched, suggested when amount and message agree",
        [payment(10, "12100.00", vs="20260010", message="Faktura 2026-0001", payer="ACME")],
        suggested={10: [(1,)]},
        evidence={
            10: {
                "variable_symbol": "wrong",
                "amount": "exact",
                "message": True,
                "counterparty": True,
            }
        },
    ),
    Case(
        "wrong symbol and the amount alone agrees",
        [payment(10, "3025.00", vs="20260012")],
        suggested={10: [(2,)]},
        evidence={10: {"variable_symbol": "wrong", "amount": "exact", "message": False}},
    ),
    Case(
        "wrong symbol and nothing else agrees: nothing",
        [payment(10, "999.00", vs="20260012", message="Záloha")],
    ),
    Case(
        "no symbol, the message names the invoice, part of the amount",
        [payment(10, "4000.00", message="Platba za fakturu 2026-0001, 1. splátka")],
        suggested={10: [(1,)]},
        evidence={10: {"variable_symbol": "missing", "amount": "partial", "message": True}},
    ),
    Case(
        "one payment with the symbol of one settles both invoices its message names",
        [payment(10, "15125.00", vs="20260001", message="Faktury 2026-0001 a 2026-0002")],
        matched={10: [(1, "12100.00"), (2, "3025.00")]},
        evidence={
            10: {"amount": "equals the sum of the named invoices", "invoices": 2},
        },
    ),
    Case(
        "one payment naming two invoices without a symbol is a suggestion for both",
        [payment(10, "15125.00", message="Faktury 2026-0001, 2026-0002")],
        suggested={10: [(1, 2), (1,), (2,)]},
        evidence={
            10: {
                "variable_symbol": "missing",
                "amount": "equals the sum of the named invoices",
                "invoices": 2,
            }
        },
    ),
    Case(
        "an invoice named in another currency is never part of a settlement",
        # 12,100.00 CZK + 2,420.00 EUR, were they the same money
        [payment(10, "14520.00", vs="20260001", message="Invoices 2026-0001 and 2026-0005")],
        matched={10: [(1, "14520.00")]},
        evidence={10: {"amount": "over"}},
    ),
    Case(
        "a suggestion sees what the statement's matches leave open",
        # the transfer without a symbol is booked before the first instalment
        [payment(10, "6050.00", payer="Acme s.r.o."), payment(11, "6050.00", vs="20260001")],
        matched={11: [(1, "6050.00")]},
        suggested={10: [(1,)]},
        evidence={10: {"amount": "exact", "counterparty": True}},
    ),
    Case(
        "numbers that name no invoice suggest nothing",
        [payment(10, "777.00", vs="1234567890", message="Refund order 48213, ref 2026/77")],
    ),
]


def _outcome(decisions: list[Decision]) -> tuple[dict[int, Any], dict[int, Any]]:
    matched: dict[int, list[tuple[int, int]]] = {}
    suggested: dict[int, list[tuple[int, ...]]] = {}
    for d in decisions:
        if d.confident:
            assert d.transaction_id not in matched, "one confident decision per payment"
            matched[d.transaction_id] = [(a.invoice_id, a.amount_minor) for a in d.allocations]
        else:
            suggested.setdefault(d.transaction_id, []).append(
                tuple(a.invoice_id for a in d.allocations)
            )
    return matched, suggested


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    decisions = find_matches(case.invoices, case.payments, case.tolerance)

    matched, suggested = _outcome(decisions)
    currency = {p.id: p.currency for p in case.payments}
    assert matched == {
        p: [(i, minor(a, currency[p])) for i, a in allocations]
        for p, allocations in case.matched.items()
    }
    assert suggested == case.suggested
    for payment_id, expected in case.evidence.items():
        first = next(d for d in decisions if d.transaction_id == payment_id)
        assert first.evidence.items() >= expected.items(), first.evidence
    assert json.loads(json.dumps([d.evidence for d in decisions])) == [
        d.evidence for d in decisions
    ], "evidence is stored as JSON"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_suggestions_never_name_closed_invoices_or_other_currencies(case: Case) -> None:
    by_id = {i.id: i for i in case.invoices}
    payments = {p.id: p for p in case.payments}
    for d in find_matches(case.invoices, case.payments, case.tolerance):
        assert payments[d.transaction_id].amount_minor > 0
        for a in d.allocations:
            target = by_id[a.invoice_id]
            assert target.currency == payments[d.transaction_id].currency
            assert target.balance_minor > case.tolerance, f"{target.number} is not open"
            assert a.amount_minor > 0


def _after(case: Case, decisions: list[Decision]) -> tuple[list[OpenInvoice], list[Any]]:
    """The invoices and payments a later run loads once `decisions` are applied."""
    paid: dict[int, int] = {}
    done = set()
    for d in decisions:
        if d.confident:
            done.add(d.transaction_id)
            for a in d.allocations:
                paid[a.invoice_id] = paid.get(a.invoice_id, 0) + a.amount_minor
    invoices = [
        replace(i, balance_minor=i.balance_minor - paid.get(i.id, 0)) for i in case.invoices
    ]
    return invoices, [p for p in case.payments if p.id not in done]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_running_again_on_the_result_decides_the_same(case: Case) -> None:
    first = find_matches(case.invoices, case.payments, case.tolerance)
    invoices, payments = _after(case, first)

    again = find_matches(invoices, payments, case.tolerance)

    assert [d for d in again if d.confident] == []
    assert again == [d for d in first if not d.confident]


def test_all_cases_at_once_decide_as_each_alone() -> None:
    """Cases that share no invoice give the same decisions side by side."""
    payments, expected = [], []
    offset = 0
    for case in CASES:
        if case.invoices is not OPEN or case.tolerance != TOLERANCE or case.matched:
            continue  # cases that pay invoices would change what the next one sees
        offset += 100
        moved = [replace(p, id=p.id + offset) for p in case.payments]
        payments += moved
        expected += [
            replace(d, transaction_id=d.transaction_id + offset)
            for d in find_matches(OPEN, case.payments, TOLERANCE)
        ]
    assert find_matches(OPEN, payments, TOLERANCE) == expected


def test_the_input_may_be_any_iterable() -> None:
    decisions = find_matches(
        iter([ACME_1, KAVARNA_3]),
        (p for p in [payment(10, "12100.00", vs="20260001"), payment(11, "5000.00")]),
        TOLERANCE,
    )
    assert _outcome(decisions) == ({10: [(1, 1210000)]}, {11: [(3,)]})


def test_the_garbage_collector_is_left_as_found() -> None:
    def failing() -> Iterator[IncomingPayment]:
        yield payment(10, "12100.00", vs="20260001")
        raise RuntimeError("the bank went away")

    assert gc.isenabled()
    find_matches(OPEN, [payment(10, "12100.00", vs="20260001")], TOLERANCE)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="went away"):
        find_matches(OPEN, failing(), TOLERANCE)
    assert gc.isenabled()
    gc.disable()
    try:
        find_matches(OPEN, [], TOLERANCE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_no_collection_walks_the_decisions_on_the_way_out() -> None:
    """The collector comes back without a young collection over the decisions, which
    would find nothing: they are all alive."""
    invoices, payments = _statement(40)
    collections: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(record)
    try:
        decisions = find_matches(invoices, payments, TOLERANCE)
        del decisions
    finally:
        gc.callbacks.remove(record)
    assert collections == []


def test_at_most_five_suggestions_for_a_payment() -> None:
    invoices = [invoice(n, f"2026-{n:04d}", "1000.00", client=f"Client {n}") for n in range(1, 9)]
    decisions = find_matches(invoices, [payment(10, "1000.00")], TOLERANCE)
    assert [d.allocations[0].invoice_id for d in decisions] == [1, 2, 3, 4, 5]


def test_an_ambiguous_symbol_is_not_applied() -> None:
    twins = [invoice(1, "2026-0001", "500.00"), invoice(2, "20260001", "500.00", client="B")]
    decisions = find_matches(twins, [payment(10, "500.00", vs="20260001")], TOLERANCE)
    assert [d for d in decisions if d.confident] == []
    assert {d.allocations[0].invoice_id for d in decisions} == {1, 2}


# --- the Fio fixtures, read as a bank statement ---------------------------------------


def fio_payments(name: str) -> list[IncomingPayment]:
    """The transactions of a recorded Fio response as the matcher sees them (raw symbols)."""
    document = json.loads((FIO / name).read_text(encoding="utf-8"))
    listing = document["accountStatement"]["transactionList"] or {"transaction": []}

    def value(item: dict[str, Any], column: str) -> Any:
        cell = item.get(column)
        return None if cell is None else cell["value"]

    return [
        IncomingPayment(
            int(value(item, "column22")),
            to_minor(Decimal(str(value(item, "column1"))), value(item, "column14")),
            value(item, "column14"),
            str(value(item, "column5") or ""),
            str(value(item, "column16") or value(item, "column7") or ""),
            str(value(item, "column10") or ""),
        )
        for item in listing["transaction"]
    ]


FIO_CASES = [
    pytest.param(
        "incoming-invoice-payment.json",
        [invoice(1, "2025001", "12100.00", client="Jan Novák")],
        {26000000001: [(1, 1210000)]},
        {},
        {"variable_symbol": True, "amount": "exact", "message": True, "counterparty": True},
        id="invoice payment by symbol",
    ),
    pytest.param(
        "incoming-leading-zeros.json",
        [invoice(1, "0001090028", "2.99", client="Vojtěch Pithart")],
        {16586408377: [(1, 299)]},
        {},
        {"variable_symbol": True, "amount": "exact", "counterparty": True},
        id="symbol 0001090028 against 1090028",
    ),
    pytest.param(
        "card-payments.json",
        [invoice(1, "5678", "130.00"), invoice(2, "2016-0001", "130.00")],
        {},
        {},
        {},
        id="card payments go out: never matched",
    ),
    pytest.param(
        "foreign-currency-eur.json",
        [
            invoice(1, "2025-0042", "1234567.89", "EUR", client="Nordwind GmbH"),
            invoice(2, "2025-0043", "0.10", "EUR", client="Fio banka"),
        ],
        {},
        {26100000001: [(1,)]},
        {"variable_symbol": "missing", "amount": "exact", "message": True, "counterparty": True},
        id="SEPA payment without a symbol: suggested",
    ),
    pytest.param(
        "foreign-currency-eur.json",
        [invoice(1, "2025-0042", "1234567.89", "CZK", client="Nordwind GmbH")],
        {},
        {},
        {},
        id="the same number and amount in CZK: nothing",
    ),
    pytest.param("empty.json", [ACME_1], {}, {}, {}, id="an empty statement"),
]


@pytest.mark.parametrize(("fixture", "invoices", "matched", "suggested", "evidence"), FIO_CASES)
def test_fio_statement(
    fixture: str,
    invoices: list[OpenInvoice],
    matched: dict[int, Any],
    suggested: dict[int, Any],
    evidence: dict[str, Any],
) -> None:
    payments = fio_payments(fixture)
    decisions = find_matches(invoices, payments, TOLERANCE)

    assert _outcome(decisions) == (matched, suggested)
    if evidence:
        assert decisions[0].evidence.items() >= evidence.items()


def test_the_fio_leading_zeros_fixture_holds_a_padded_symbol() -> None:
    (only,) = fio_payments("incoming-leading-zeros.json")
    assert only.variable_symbol == "0001090028"


# --- numbers in messages --------------------------------------------------------------

MESSAGES = [
    "Faktura 2026-0001",
    "Platba",
    "",
    "Účet 123456789/0800, faktury 2026-0002 a 2026/0003",
    "Refund order 48213",
    "řádek\nse zalomením 2026-0004",  # the separator inside a message
    "Záloha 20260005",
]


@pytest.mark.parametrize(
    "messages",
    [MESSAGES, MESSAGES[:5], MESSAGES[:5] + MESSAGES[6:], ["2026-0001"], ["x", "2026-0001"], []],
)
def test_the_numbers_named_are_those_each_message_holds(messages: list[str]) -> None:
    pattern = number_pattern(8)
    expected = [(i, numbers_in(m, pattern)) for i, m in enumerate(messages)]
    assert list(numbers_named(messages, pattern, 8)) == [(i, n) for i, n in expected if n]


# --- who paid -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payer", "client", "same"),
    [
        ("Novák, Jan", "Jan Novák", True),
        ("NOVAK JAN", "Jan Novák", True),
        ("Ing. Pithart,  Vojtěch", "Vojtěch Pithart", True),  # a title is one word more
        ("ACME S.R.O.", "Acme s.r.o.", True),
        ("Acme", "Acme s.r.o.", True),
        ("Acme Group a.s.", "Acme s.r.o.", True),
        ("Kavárna U Mostu", "Kavarna u mostu", True),
        ("Nordwind GmbH", "Nordwind Logistics GmbH", True),
        ("Nordwind GmbH", "Studio Lumen", False),
        ("", "Acme s.r.o.", False),
        ("s.r.o.", "Acme s.r.o.", False),
    ],
)
def test_same_party(payer: str, client: str, same: bool) -> None:
    assert same_party(payer, client) is same
    assert same_party(client, payer) is same


# --- linear: the work grows with the input, not with its square --------------------------


def _statement(copies: int) -> tuple[list[OpenInvoice], list[IncomingPayment]]:
    """`copies` blocks of realistic invoices and payments, each block on its own numbers."""
    invoices: list[OpenInvoice] = []
    payments: list[IncomingPayment] = []
    for block in range(copies):
        base = block * 100
        for n in range(1, 21):
            seq = base + n
            total = f"{1000 + 37 * seq}.{seq % 100:02d}"
            invoices.append(invoice(seq, f"2026-{seq:05d}", total, client=f"Client {n}"))
            amount = Decimal(total)
            style = n % 5
            symbol = variable_symbol(f"2026-{seq:05d}")
            if style == 1:
                payments.append(payment(seq, str(amount / 2), vs=symbol))
            elif style == 2:
                payments.append(payment(seq, str(amount + 500), vs="00" + symbol))
            elif style == 3:
                payments.append(payment(seq, total, message=f"Faktura 2026-{seq:05d}"))
            elif style == 4:
                payments.append(payment(seq, total, vs="9" + symbol[1:]))
            else:
                payments.append(payment(seq, total, vs=symbol))
        payments += [
            payment(base + 50 + k, f"{10 + k}.00", message=f"Refund order {base + k:06d}")
            for k in range(30)
        ]
    return invoices, payments


def _work(invoices: list[OpenInvoice], payments: list[IncomingPayment]) -> int:
    """Python and C function calls `find_matches` makes: a deterministic measure of work."""
    for value in vars(matching).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()  # every measurement starts cold
    calls = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(profile)
    try:
        find_matches(invoices, payments, TOLERANCE)
    finally:
        sys.setprofile(None)
    return calls


def test_the_work_doubles_when_the_statement_doubles() -> None:
    """A sanity check of linearity that counts calls instead of timing (bench/ times)."""
    small, large = _statement(8), _statement(16)
    assert len(find_matches(*large, TOLERANCE)) == 2 * len(find_matches(*small, TOLERANCE))

    ratio = _work(*large) / _work(*small)

    assert 1.9 <= ratio <= 2.1, ratio
