"""Payment matching: which incoming payments pay which issued invoices, and why.

Pure and linear: open invoices are indexed by variable symbol, by amount and by
the numbers a message may mention, then each payment is looked up once. Only a
variable symbol (with the same currency) is confident enough to apply by itself;
everything weaker becomes a suggestion for the review queue, with the evidence
that led to it. Symbols compare without leading zeros, as banks pad them.
"""

from __future__ import annotations

import functools
import gc
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

MAX_SUGGESTIONS = 5
_NUMBER = re.compile(r"\d[\d/\-]{2,}\d")
_WORD_BREAK = re.compile(r"[\s,]+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")
_LEGAL_SUFFIXES = {"sro", "as", "vos", "ks", "gmbh", "ag", "ltd", "inc", "llc", "sa", "bv", "spol"}


@dataclass(slots=True)
class OpenInvoice:
    """An issued invoice that still expects money."""

    id: int
    number: str
    variable_symbol: str
    currency: str
    balance_minor: int
    client_name: str


@dataclass(slots=True)
class IncomingPayment:
    """An unmatched incoming bank transaction."""

    id: int
    amount_minor: int
    currency: str
    variable_symbol: str
    message: str
    counterparty_name: str


@dataclass(slots=True)
class Allocation:
    invoice_id: int
    amount_minor: int


@dataclass(slots=True)
class Decision:
    """A match to apply (``confident``) or a suggestion to review."""

    transaction_id: int
    allocations: tuple[Allocation, ...]
    evidence: dict[str, Any]
    confident: bool
    score: int = 0


@dataclass
class _Index:
    by_symbol: dict[tuple[str, str], list[OpenInvoice]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_amount: dict[tuple[str, int], list[OpenInvoice]] = field(
        default_factory=lambda: defaultdict(list)
    )
    bucket: int = 1
    by_digits: dict[str, OpenInvoice] = field(default_factory=dict)
    balance: dict[int, int] = field(default_factory=dict)
    numbers: re.Pattern[str] = _NUMBER
    parties: dict[tuple[str, str], bool] = field(default_factory=dict)


def find_matches(
    invoices: Iterable[OpenInvoice], payments: Iterable[IncomingPayment], tolerance_minor: int
) -> list[Decision]:
    """Decide for each payment: a confident match, suggestions, or nothing.

    Confident matches are decided first, in payment order; suggestions then see
    the balances those matches leave, the same ones a later run loads from the
    database, so running again on the result suggests nothing new.
    """
    with collector_paused():
        return _find(list(invoices), payments, tolerance_minor)


def _find(
    open_invoices: list[OpenInvoice], payments: Iterable[IncomingPayment], tolerance_minor: int
) -> list[Decision]:
    index = _build_index(open_invoices, tolerance_minor)
    decisions: list[Decision] = []
    unsure = _decide_by_symbol(index, list(payments), tolerance_minor, decisions)
    _index_amounts(index, open_invoices, tolerance_minor)
    for payment, numbers in _worth_a_look(index, unsure):
        decisions.extend(_suggestions(payment, numbers, index, tolerance_minor))
    return decisions


def _decide_by_symbol(
    index: _Index, payments: list[IncomingPayment], tolerance: int, decisions: list[Decision]
) -> list[IncomingPayment]:
    """Apply what a variable symbol decides, in payment order; return the rest, in order."""
    unsure: list[IncomingPayment] = []
    by_symbol, balance = index.by_symbol.get, index.balance
    for payment in payments:  # the hot loop: `_plain` is inlined
        if payment.amount_minor <= 0:
            continue  # outgoing money never pays an invoice
        # by_symbol holds no empty symbol, so a payment without one finds nothing
        candidates = by_symbol((payment.variable_symbol.lstrip("0"), payment.currency))
        decision = _by_symbol(payment, candidates, index, tolerance) if candidates else None
        if decision is None:
            unsure.append(payment)
            continue
        for allocation in decision.allocations:
            balance[allocation.invoice_id] -= allocation.amount_minor
        decisions.append(decision)
    return unsure


def _worth_a_look(
    index: _Index, unsure: list[IncomingPayment]
) -> Iterator[tuple[IncomingPayment, list[str]]]:
    """The payments a suggestion may come from, with the numbers their messages name.

    Most income has nothing to do with an invoice: no open invoice near its amount
    and no open invoice's number in its message tell, without a closer look.
    """
    by_amount, by_digits, bucket = index.by_amount, index.by_digits.keys(), index.bucket
    findall = index.numbers.findall
    for payment in unsure:
        tokens = findall(payment.message) if payment.message else None
        if (payment.currency, payment.amount_minor // bucket) in by_amount:
            yield payment, _digits(tokens)
        elif tokens:
            numbers = _digits(tokens)
            if not by_digits.isdisjoint(numbers):
                yield payment, numbers


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector during bulk work, then restore it.

    Matching keeps tens of thousands of new objects alive (a payment each, then
    the decisions and rows to write); every few thousand survivors set off a full
    collection of every object in the process, a fifth of a 50,000-transaction
    run. Reference counting still frees what the work drops. The collector is
    left as it was found, so a caller that switched it off keeps it off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_index(invoices: list[OpenInvoice], tolerance: int) -> _Index:
    index = _Index(bucket=tolerance + 1)
    balance, by_symbol, by_digits = index.balance, index.by_symbol, index.by_digits
    for invoice in invoices:
        balance[invoice.id] = invoice.balance_minor
        symbol = invoice.variable_symbol.lstrip("0")  # `_plain`, inline: once per invoice
        if symbol:  # a payment without a symbol is never decided by one
            by_symbol[(symbol, invoice.currency)].append(invoice)
            by_digits[symbol] = invoice
    if index.by_digits:
        index.numbers = _number_pattern(min(map(len, index.by_digits)))
    return index


@functools.lru_cache(maxsize=16)
def _number_pattern(shortest: int) -> re.Pattern[str]:
    """`_NUMBER` for tokens of at least `shortest` characters.

    Numbers in a message matter only when they name an invoice, and dropping
    separators and leading zeros only shortens a token: the regular expression
    skips shorter ones (order refs, years, amounts), which most messages hold.
    """
    return re.compile(rf"\d[\d/\-]{{{max(2, shortest - 2)},}}\d")


def _index_amounts(index: _Index, invoices: list[OpenInvoice], tolerance: int) -> None:
    # Amounts are bucketed by the tolerance and each open invoice is filed under
    # its bucket and both neighbours, so "equal within tolerance" is one
    # dictionary look-up, not one per minor unit of tolerance.
    for invoice in invoices:
        balance = index.balance[invoice.id]
        if balance > tolerance:
            bucket = balance // index.bucket
            for key in (bucket - 1, bucket, bucket + 1):
                index.by_amount[(invoice.currency, key)].append(invoice)


def _plain(symbol: str) -> str:
    """A symbol as compared: banks may pad it with leading zeros (``0001090028``)."""
    return symbol.lstrip("0")


def _numbers(message: str, pattern: re.Pattern[str] = _NUMBER) -> list[str]:
    """The numbers a message mentions, as plain digits (``2026-0001`` → ``20260001``)."""
    return _digits(pattern.findall(message)) if message else []


def _digits(tokens: list[str] | None) -> list[str]:
    # A token holds only digits, "/" and "-": dropping the two leaves the digits.
    if not tokens:
        return []
    return [token.replace("-", "").replace("/", "").lstrip("0") for token in tokens]


def _is_open(invoice: OpenInvoice, index: _Index, tolerance: int) -> bool:
    return index.balance[invoice.id] > tolerance


def _by_symbol(
    payment: IncomingPayment, candidates: list[OpenInvoice], index: _Index, tolerance: int
) -> Decision | None:
    # Called for every payment a symbol names: plain look-ups, no helpers.
    if len(candidates) == 1:  # the usual case: one invoice per symbol
        invoice = candidates[0]
    else:
        open_ones = [i for i in candidates if _is_open(i, index, tolerance)]
        if len(open_ones) != 1:
            return None
        invoice = open_ones[0]
    balance = index.balance[invoice.id]
    if balance <= tolerance:
        return None  # paid already
    evidence = _evidence(
        payment, invoice, balance, tolerance, _names(payment, invoice), True, index
    )
    if payment.amount_minor > balance + tolerance and payment.message:
        numbers = _numbers(payment.message, index.numbers)
        paid_too = _paid_too(payment, invoice, numbers, index, tolerance)
        if paid_too and (
            abs(payment.amount_minor - balance - sum(index.balance[i.id] for i in paid_too))
            <= tolerance
        ):
            allocations = tuple(
                Allocation(i.id, index.balance[i.id]) for i in [invoice, *paid_too]
            )
            evidence |= {
                "amount": "equals the sum of the named invoices",
                "invoices": len(allocations),
            }
            return Decision(payment.id, allocations, evidence, True)
    return Decision(payment.id, (Allocation(invoice.id, payment.amount_minor),), evidence, True)


def _names(payment: IncomingPayment, invoice: OpenInvoice) -> bool:
    """Whether the payment's message names the invoice's number (as `_numbers` reads it)."""
    symbol = invoice.variable_symbol.lstrip("0")
    message = payment.message
    # Its digits hold the symbol if a number in it does: a substring test first spares
    # most payments the regular expression.
    if not message or symbol not in message.replace("-", "").replace("/", ""):
        return False
    return symbol in _numbers(message)


def _paid_too(
    payment: IncomingPayment,
    invoice: OpenInvoice,
    numbers: list[str],
    index: _Index,
    tolerance: int,
) -> list[OpenInvoice]:
    """Other open invoices in the payment's currency that its message names."""
    return [
        i
        for i in _mentioned(numbers, index, tolerance)
        if i.id != invoice.id and i.currency == payment.currency
    ]


def _suggestions(
    payment: IncomingPayment, numbers: list[str], index: _Index, tolerance: int
) -> list[Decision]:
    mentioned = [
        i for i in _mentioned(numbers, index, tolerance) if i.currency == payment.currency
    ]
    same = _same_amount(payment, index, tolerance)
    if not (mentioned or same):
        return []  # the common case: income that has nothing to do with an invoice
    suggestions: dict[tuple[int, ...], Decision] = {}
    if len(mentioned) > 1:
        total = sum(index.balance[i.id] for i in mentioned)
        if abs(total - payment.amount_minor) <= tolerance:
            allocations = tuple(Allocation(i.id, index.balance[i.id]) for i in mentioned)
            evidence = {
                "variable_symbol": _symbol_state(payment),
                "currency": True,
                "message": True,
                "amount": "equals the sum of the named invoices",
                "invoices": len(mentioned),
            }
            suggestions[tuple(a.invoice_id for a in allocations)] = Decision(
                payment.id, allocations, evidence, confident=False, score=4
            )
    for invoice in [*mentioned, *same]:
        if (invoice.id,) in suggestions:
            continue
        balance = index.balance[invoice.id]
        names = invoice.variable_symbol.lstrip("0") in numbers
        evidence = _evidence(payment, invoice, balance, tolerance, names, False, index)
        amount_agrees = evidence["amount"] in ("exact", "within tolerance")
        if not (amount_agrees or evidence["message"]):
            continue
        score = 2 * amount_agrees + 2 * bool(evidence["message"]) + bool(evidence["counterparty"])
        suggestions[(invoice.id,)] = Decision(
            payment.id,
            (Allocation(invoice.id, min(payment.amount_minor, balance)),),
            evidence,
            confident=False,
            score=score,
        )
    ranked = sorted(suggestions.values(), key=lambda d: (-d.score, d.allocations[0].invoice_id))
    return ranked[:MAX_SUGGESTIONS]


def _same_amount(payment: IncomingPayment, index: _Index, tolerance: int) -> list[OpenInvoice]:
    key = (payment.currency, payment.amount_minor // index.bucket)
    return [
        invoice
        for invoice in index.by_amount.get(key, ())
        if abs(index.balance[invoice.id] - payment.amount_minor) <= tolerance
    ]


def _mentioned(numbers: list[str], index: _Index, tolerance: int) -> list[OpenInvoice]:
    found: dict[int, OpenInvoice] = {}
    for digits in numbers:
        invoice = index.by_digits.get(digits)
        if invoice is not None and _is_open(invoice, index, tolerance):
            found[invoice.id] = invoice
    return list(found.values())


def _evidence(
    payment: IncomingPayment,
    invoice: OpenInvoice,
    balance: int,
    tolerance: int,
    names: bool,
    symbol: bool,
    index: _Index,
) -> dict[str, Any]:
    difference = payment.amount_minor - balance
    if abs(difference) <= tolerance:
        amount = "exact" if difference == 0 else "within tolerance"
    else:
        amount = "partial" if difference < 0 else "over"
    return {
        "variable_symbol": True if symbol else _symbol_state(payment),
        "amount": amount,
        "currency": payment.currency == invoice.currency,
        "message": names,
        "counterparty": _same_party(payment.counterparty_name, invoice.client_name, index),
    }


def _same_party(counterparty: str, client: str, index: _Index) -> bool:
    # `same_party` for this run's pairs: a dictionary look-up is cheaper than its cache.
    pair = (counterparty, client)
    same = index.parties.get(pair)
    if same is None:
        same = index.parties[pair] = same_party(counterparty, client)
    return same


def _symbol_state(payment: IncomingPayment) -> str:
    return "wrong" if _plain(payment.variable_symbol) else "missing"


@functools.lru_cache(maxsize=8192)
def same_party(counterparty: str, client: str) -> bool:
    """Whether a bank's payer name and a client name plausibly name the same party."""
    left, right = _name_words(counterparty), _name_words(client)
    return bool(left) and bool(right) and (left <= right or right <= left)


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset[str]:
    # Cached: a run compares the same few client names again and again.
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = {_NOT_ALPHANUMERIC.sub("", word) for word in _WORD_BREAK.split(plain)}
    return frozenset(w for w in words if w and w not in _LEGAL_SUFFIXES)
