"""Payment matching: which incoming payments pay which issued invoices, and why.

Pure and linear: open invoices are indexed by variable symbol, by amount and by
the numbers a message may mention, then each payment is looked up once. Only a
variable symbol (with the same currency) is confident enough to apply by itself;
everything weaker becomes a suggestion for the review queue, with the evidence
that led to it. Symbols compare without leading zeros, as banks pad them.

A `Matcher` takes the payments in batches, in booking order, so that a caller can
stream them from the database: of the payments no symbol decides it keeps only
those a suggestion may come from.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

from ledger.core.matching.collector import collector_paused
from ledger.core.matching.messages import (
    NUMBER,
    number_pattern,
    numbers_in,
    numbers_named,
)
from ledger.core.matching.names import same_party

MAX_SUGGESTIONS = 5
BATCH = 5_000
"""How many payments `Matcher.decide` takes at a time (their messages are scanned at once)."""


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


class Allocation(NamedTuple):
    """Part of a payment applied to an invoice."""

    invoice_id: int
    amount_minor: int


# `Allocation((invoice_id, amount_minor))` without the Python-level `__new__`: a match
# by symbol makes one for each of thousands of payments.
_allocation = Allocation._make


_Facts = tuple["IncomingPayment", "OpenInvoice", int, int, re.Pattern[str]]
"""What a match by variable symbol's evidence is built from, when it is first read:
the payment, the invoice, its balance before the payment, the tolerance, `index.numbers`."""


@dataclass(slots=True, eq=False)
class Decision:
    """A match to apply (``confident``) or a suggestion to review, and why (`evidence`)."""

    transaction_id: int
    allocations: tuple[Allocation, ...]
    # The evidence, or (a match by symbol's) what it is built from: a run decides
    # thousands of those, and only writing them needs the evidence.
    grounds: dict[str, Any] | _Facts
    confident: bool
    score: int = 0

    @property
    def evidence(self) -> dict[str, Any]:
        """What the payment and the invoice(s) agree on, as the audit records it."""
        if not isinstance(self.grounds, dict):
            self.grounds = _symbol_evidence(*self.grounds)
        return self.grounds

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return (
            self.transaction_id == other.transaction_id
            and self.allocations == other.allocations
            and self.confident == other.confident
            and self.score == other.score
            and self.evidence == other.evidence
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq is


@dataclass
class _Index:
    # by plain symbol, in every currency: the last invoice of each symbol (the usual
    # case, one invoice per symbol, is one look-up, and no list for each invoice) ...
    by_symbol: dict[str, OpenInvoice] = field(default_factory=dict)
    # ... and every invoice of a symbol more than one carries
    twins: dict[str, list[OpenInvoice]] = field(default_factory=lambda: defaultdict(list))
    # by currency, then by amount bucket (see `_index_amounts`)
    by_amount: dict[str, dict[int, list[OpenInvoice]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    bucket: int = 1
    balance: dict[int, int] = field(default_factory=dict)
    numbers: re.Pattern[str] = NUMBER
    parties: dict[tuple[str, str], bool] = field(default_factory=dict)
    ceiling: int = -1  # no larger payment equals an open invoice's balance
    shortest: int = 1  # the length of the shortest symbol


def find_matches(
    invoices: Iterable[OpenInvoice], payments: Iterable[IncomingPayment], tolerance_minor: int
) -> list[Decision]:
    """Decide for each payment: a confident match, suggestions, or nothing.

    Confident matches are decided first, in payment order; suggestions then see
    the balances those matches leave, the same ones a later run loads from the
    database, so running again on the result suggests nothing new.
    """
    with collector_paused():
        return _find(invoices, payments, tolerance_minor)


def _find(
    invoices: Iterable[OpenInvoice], payments: Iterable[IncomingPayment], tolerance_minor: int
) -> list[Decision]:
    # Its own function, so that the matcher and its index are freed before the garbage
    # collector is back: the first collection would walk every object still alive.
    matcher = Matcher(invoices, tolerance_minor)
    decisions = matcher.decide(payments)
    return decisions + matcher.suggest()


class Matcher:
    """`find_matches` for payments that arrive in batches, in payment order.

    `decide` each batch in turn (the confident matches), then `suggest` once (the
    suggestions, against the balances the confident matches left). Of the payments
    no symbol decides it keeps only those a suggestion may come from: no larger than
    the largest open balance, or naming an open invoice in the message.
    """

    def __init__(self, invoices: Iterable[OpenInvoice], tolerance_minor: int) -> None:
        self._invoices = list(invoices)
        self._tolerance = tolerance_minor
        self._index = _build_index(self._invoices, tolerance_minor)
        self._left: list[IncomingPayment] = []
        # The amounts of the payments in `_left`, in place: `suggest` reads them all again
        # long after `decide` did, and each payment's own amount is elsewhere in memory.
        self._amounts = array("q")
        self._named: dict[int, list[str]] = {}  # position in `_left` → the numbers it names

    def decide(self, payments: Iterable[IncomingPayment]) -> list[Decision]:
        """The confident matches among the next `payments`; the rest wait for `suggest`."""
        decisions: list[Decision] = []
        payments = iter(payments)
        while batch := list(islice(payments, BATCH)):
            self._keep(_decide_by_symbol(self._index, batch, self._tolerance, decisions))
        return decisions

    def suggest(self) -> list[Decision]:
        """Suggestions for the payments `decide` left, in payment order (then forgets them)."""
        index, tolerance = self._index, self._tolerance
        _index_amounts(index, self._invoices, tolerance)
        left, amounts, named = self._left, self._amounts, self._named
        self._left, self._amounts, self._named = [], array("q"), {}
        decisions: list[Decision] = []
        for position in sorted({*_near_a_balance(left, amounts, index), *named}):
            decisions += _suggestions(left[position], named.get(position, []), index, tolerance)
        return decisions

    def _keep(self, unsure: list[IncomingPayment]) -> None:
        named: dict[int, list[str]] = {}
        invoices = self._index.by_symbol.keys()
        for position, numbers in numbers_named(
            [payment.message for payment in unsure], self._index.numbers, self._index.shortest
        ):
            # A number that names no invoice is as good as none; outgoing money is
            # never suggested (nor near a balance, which is more than the tolerance).
            if not invoices.isdisjoint(numbers) and unsure[position].amount_minor > 0:
                named[position] = numbers
        left, ceiling = self._left, self._index.ceiling
        amounts = array("q", [payment.amount_minor for payment in unsure])
        if max(amounts, default=0) <= ceiling:  # the usual case
            self._named.update((len(left) + position, n) for position, n in named.items())
            left += unsure
            self._amounts += amounts
            return
        for position, payment in enumerate(unsure):
            found = named.get(position)
            if found is not None:
                self._named[len(left)] = found
            elif payment.amount_minor > ceiling:
                continue
            left.append(payment)
            self._amounts.append(payment.amount_minor)


def _near_a_balance(
    payments: list[IncomingPayment], amounts: array[int], index: _Index
) -> list[int]:
    """The positions of the `payments` (of `amounts`) in a bucket of an open balance in
    their currency (see `_index_amounts`): those a suggestion by amount may come from."""
    by_amount, bucket = index.by_amount, index.bucket
    # Most payments are near no open balance: a look-up of each amount's bucket among
    # every currency's comes first, and the currency only for the few that are.
    buckets = set[int]().union(*by_amount.values())
    near = [position for position, amount in enumerate(amounts) if amount // bucket in buckets]
    nowhere: dict[int, list[OpenInvoice]] = {}
    return [
        position
        for position in near
        if amounts[position] // bucket in by_amount.get(payments[position].currency, nowhere)
    ]


def _decide_by_symbol(
    index: _Index, payments: list[IncomingPayment], tolerance: int, decisions: list[Decision]
) -> list[IncomingPayment]:
    """Apply what a variable symbol decides, in payment order; return the rest, in order."""
    unsure: list[IncomingPayment] = []
    keep, decided, by_symbol = unsure.append, decisions.append, index.by_symbol.get
    for payment in payments:  # the hot loop: `_plain` is inlined
        # by_symbol holds no empty symbol, so a payment without one finds nothing
        symbol = payment.variable_symbol.lstrip("0")
        invoice = by_symbol(symbol)
        if invoice is None:
            keep(payment)  # the usual case
        elif (decision := _by_symbol(payment, symbol, invoice, index, tolerance)) is None:
            keep(payment)
        else:
            decided(decision)
    return unsure


def _build_index(invoices: list[OpenInvoice], tolerance: int) -> _Index:
    index = _Index(bucket=tolerance + 1)
    balance, by_symbol, twins = index.balance, index.by_symbol, index.twins
    for invoice in invoices:
        balance[invoice.id] = invoice.balance_minor
        symbol = invoice.variable_symbol.lstrip("0")  # `_plain`, inline: once per invoice
        if symbol:  # a payment without a symbol is never decided by one
            twin = by_symbol.get(symbol)
            if twin is not None:
                twins[symbol] = [*twins.pop(symbol, [twin]), invoice]
            by_symbol[symbol] = invoice
    if index.by_symbol:
        index.shortest = min(map(len, index.by_symbol))
        index.numbers = number_pattern(index.shortest)
    open_balances = [b for b in balance.values() if b > tolerance]  # balances only fall
    index.ceiling = max(open_balances, default=-1 - tolerance) + tolerance
    return index


def _index_amounts(index: _Index, invoices: list[OpenInvoice], tolerance: int) -> None:
    # Amounts are bucketed by the tolerance and each open invoice is filed under
    # its bucket and both neighbours, so "equal within tolerance" is one
    # dictionary look-up, not one per minor unit of tolerance.
    for invoice in invoices:
        balance = index.balance[invoice.id]
        if balance > tolerance:
            bucket, near = balance // index.bucket, index.by_amount[invoice.currency]
            for key in (bucket - 1, bucket, bucket + 1):
                near[key].append(invoice)


def _plain(symbol: str) -> str:
    """A symbol as compared: banks may pad it with leading zeros (``0001090028``)."""
    return symbol.lstrip("0")


def _is_open(invoice: OpenInvoice, index: _Index, tolerance: int) -> bool:
    return index.balance[invoice.id] > tolerance


def _by_symbol(
    payment: IncomingPayment,
    symbol: str,
    invoice: OpenInvoice,
    index: _Index,
    tolerance: int,
) -> Decision | None:
    """The match `symbol` (the last `invoice` of it) decides, its allocations already
    taken off the balances."""
    # Called for every payment a symbol names: plain look-ups; what only the evidence
    # needs waits in the decision's grounds.
    amount = payment.amount_minor
    if amount <= 0:
        return None  # outgoing money never pays an invoice
    if symbol in index.twins:
        open_ones = [
            i
            for i in index.twins[symbol]
            if i.currency == payment.currency and _is_open(i, index, tolerance)
        ]
        if len(open_ones) != 1:
            return None
        invoice = open_ones[0]
    elif invoice.currency != payment.currency:  # the usual case: one invoice per symbol
        return None
    balances = index.balance
    balance = balances[invoice.id]
    if balance <= tolerance:
        return None  # paid already
    grounds = (payment, invoice, balance, tolerance, index.numbers)
    if amount - balance > tolerance and payment.message:
        settled = _settles_named(grounds, index)
        if settled is not None:
            return settled
    balances[invoice.id] = balance - amount
    return Decision(payment.id, (_allocation((invoice.id, amount)),), grounds, True)


def _settles_named(grounds: _Facts, index: _Index) -> Decision | None:
    """The match of an overpayment that equals the balances of its invoice and of the
    others its message names (in its currency), which it then settles."""
    payment, invoice, balance, tolerance, numbers = grounds
    paid_too = _paid_too(payment, invoice, numbers_in(payment.message, numbers), index, tolerance)
    balances = index.balance
    difference = payment.amount_minor - balance
    if not paid_too or abs(difference - sum(balances[i.id] for i in paid_too)) > tolerance:
        return None
    allocations = tuple(Allocation(i.id, balances[i.id]) for i in [invoice, *paid_too])
    for allocation in allocations:
        balances[allocation.invoice_id] = 0
    evidence = _symbol_evidence(*grounds) | {
        "amount": "equals the sum of the named invoices",
        "invoices": len(allocations),
    }
    return Decision(payment.id, allocations, evidence, True)


def _symbol_evidence(
    payment: IncomingPayment,
    invoice: OpenInvoice,
    balance: int,
    tolerance: int,
    numbers: re.Pattern[str],
) -> dict[str, Any]:
    """A match by symbol's evidence (`_by_symbol` picks an invoice in the payment's
    currency)."""
    return {
        "variable_symbol": True,
        "amount": _agreement(payment.amount_minor - balance, tolerance),
        "currency": True,
        "message": _names(payment.message, _plain(payment.variable_symbol), numbers),
        "counterparty": same_party(payment.counterparty_name, invoice.client_name),
    }


def _agreement(difference: int, tolerance: int) -> str:
    """How a payment's amount agrees with a balance it is `difference` above."""
    if abs(difference) <= tolerance:
        return "exact" if difference == 0 else "within tolerance"
    return "partial" if difference < 0 else "over"


def _names(message: str, symbol: str, numbers: re.Pattern[str]) -> bool:
    """Whether a message names the (plain) `symbol` as `numbers_in` reads numbers."""
    # Its digits hold the symbol if a number in it does: a substring test first spares
    # most payments the regular expression. (`numbers`, `index.numbers`, skips only
    # numbers shorter than any symbol: it finds this one if `NUMBER` does.)
    if not message or symbol not in message.replace("-", "").replace("/", ""):
        return False
    return symbol in numbers_in(message, numbers)


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
    payment_id, amount, currency = payment.id, payment.amount_minor, payment.currency
    mentioned = [i for i in _mentioned(numbers, index, tolerance) if i.currency == currency]
    same = _same_amount(amount, currency, index, tolerance)
    if not (mentioned or same):
        return []  # the common case: income that has nothing to do with an invoice
    state = "wrong" if _plain(payment.variable_symbol) else "missing"
    suggestions: dict[tuple[int, ...], Decision] = {}
    if len(mentioned) > 1:
        total = sum(index.balance[i.id] for i in mentioned)
        if abs(total - amount) <= tolerance:
            allocations = tuple(Allocation(i.id, index.balance[i.id]) for i in mentioned)
            evidence = {
                "variable_symbol": state,
                "currency": True,
                "message": True,
                "amount": "equals the sum of the named invoices",
                "invoices": len(mentioned),
            }
            suggestions[tuple(a.invoice_id for a in allocations)] = Decision(
                payment_id, allocations, evidence, confident=False, score=4
            )
    for invoice in [*mentioned, *same]:
        if (invoice.id,) in suggestions:
            continue
        balance = index.balance[invoice.id]
        names = invoice.variable_symbol.lstrip("0") in numbers
        evidence = _evidence(payment, state, names, invoice, balance, tolerance, index)
        amount_agrees = evidence["amount"] in ("exact", "within tolerance")
        if not (amount_agrees or names):
            continue
        score = 2 * amount_agrees + 2 * names + bool(evidence["counterparty"])
        suggestions[(invoice.id,)] = Decision(
            payment_id,
            (Allocation(invoice.id, min(amount, balance)),),
            evidence,
            confident=False,
            score=score,
        )
    if len(suggestions) == 1:  # the usual case
        return list(suggestions.values())
    ranked = sorted(suggestions.values(), key=lambda d: (-d.score, d.allocations[0].invoice_id))
    return ranked[:MAX_SUGGESTIONS]


def _same_amount(amount: int, currency: str, index: _Index, tolerance: int) -> list[OpenInvoice]:
    return [
        invoice
        for invoice in index.by_amount.get(currency, {}).get(amount // index.bucket, ())
        if abs(index.balance[invoice.id] - amount) <= tolerance
    ]


def _mentioned(numbers: list[str], index: _Index, tolerance: int) -> list[OpenInvoice]:
    found: dict[int, OpenInvoice] = {}
    for digits in numbers:
        invoice = index.by_symbol.get(digits)
        if invoice is not None and _is_open(invoice, index, tolerance):
            found[invoice.id] = invoice
    return list(found.values())


def _evidence(
    payment: IncomingPayment,
    symbol: bool | str,
    names: bool,
    invoice: OpenInvoice,
    balance: int,
    tolerance: int,
    index: _Index,
) -> dict[str, Any]:
    return {
        "variable_symbol": symbol,
        "amount": _agreement(payment.amount_minor - balance, tolerance),
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
