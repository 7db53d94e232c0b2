"""Payment matching: which incoming payments pay which issued invoices, and why.

Pure and linear: open invoices are indexed by variable symbol, by amount and by
the numbers a message may mention, then each payment is looked up once. Only a
variable symbol (with the same currency) is confident enough to apply by itself;
everything weaker becomes a suggestion for the review queue, with the evidence
that led to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_SUGGESTIONS = 5
_NUMBER = re.compile(r"\d[\d/\-]{2,}\d")
_LEGAL_SUFFIXES = {"sro", "as", "vos", "ks", "gmbh", "ag", "ltd", "inc", "llc", "sa", "bv", "spol"}


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An issued invoice that still expects money."""

    id: int
    number: str
    variable_symbol: str
    currency: str
    balance_minor: int
    client_name: str


@dataclass(frozen=True, slots=True)
class IncomingPayment:
    """An unmatched incoming bank transaction."""

    id: int
    amount_minor: int
    currency: str
    variable_symbol: str
    message: str
    counterparty_name: str


@dataclass(frozen=True, slots=True)
class Allocation:
    invoice_id: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
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


def find_matches(
    invoices: Iterable[OpenInvoice], payments: Iterable[IncomingPayment], tolerance_minor: int
) -> list[Decision]:
    """Decide for each payment: a confident match, suggestions, or nothing."""
    index = _build_index(invoices, tolerance_minor)
    decisions: list[Decision] = []
    for payment in payments:
        if payment.amount_minor <= 0:
            continue  # outgoing money never pays an invoice
        decision = _by_symbol(payment, index, tolerance_minor)
        if decision is not None:
            for allocation in decision.allocations:
                index.balance[allocation.invoice_id] -= allocation.amount_minor
            decisions.append(decision)
            continue
        decisions.extend(_suggestions(payment, index, tolerance_minor))
    return decisions


def _build_index(invoices: Iterable[OpenInvoice], tolerance: int) -> _Index:
    # Amounts are bucketed by the tolerance, so "equal within tolerance" is at
    # most three dictionary look-ups, not one per minor unit of tolerance.
    index = _Index(bucket=tolerance + 1)
    for invoice in invoices:
        index.balance[invoice.id] = invoice.balance_minor
        index.by_symbol[(invoice.variable_symbol, invoice.currency)].append(invoice)
        index.by_amount[(invoice.currency, invoice.balance_minor // index.bucket)].append(invoice)
        index.by_digits[invoice.variable_symbol] = invoice
    return index


def _is_open(invoice: OpenInvoice, index: _Index, tolerance: int) -> bool:
    return index.balance[invoice.id] > tolerance


def _by_symbol(payment: IncomingPayment, index: _Index, tolerance: int) -> Decision | None:
    if not payment.variable_symbol:
        return None
    candidates = [
        invoice
        for invoice in index.by_symbol.get((payment.variable_symbol, payment.currency), [])
        if _is_open(invoice, index, tolerance)
    ]
    if len(candidates) != 1:
        return None
    invoice = candidates[0]
    balance = index.balance[invoice.id]
    evidence = _evidence(payment, invoice, balance, tolerance, symbol=True)
    others = [i for i in _mentioned(payment, index, tolerance) if i.id != invoice.id]
    together = balance + sum(index.balance[i.id] for i in others)
    if (
        others
        and payment.amount_minor > balance + tolerance
        and abs(payment.amount_minor - together) <= tolerance
    ):
        allocations = tuple(Allocation(i.id, index.balance[i.id]) for i in [invoice, *others])
        evidence |= {
            "amount": "equals the sum of the named invoices",
            "invoices": len(allocations),
        }
        return Decision(payment.id, allocations, evidence, confident=True)
    return Decision(
        payment.id, (Allocation(invoice.id, payment.amount_minor),), evidence, confident=True
    )


def _suggestions(payment: IncomingPayment, index: _Index, tolerance: int) -> list[Decision]:
    mentioned = [
        i for i in _mentioned(payment, index, tolerance) if i.currency == payment.currency
    ]
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
    for invoice in [*mentioned, *_same_amount(payment, index, tolerance)]:
        if (invoice.id,) in suggestions:
            continue
        balance = index.balance[invoice.id]
        evidence = _evidence(payment, invoice, balance, tolerance, symbol=False)
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
    bucket = payment.amount_minor // index.bucket
    return [
        invoice
        for key in (bucket - 1, bucket, bucket + 1)
        for invoice in index.by_amount.get((payment.currency, key), [])
        if _is_open(invoice, index, tolerance)
        and index.balance[invoice.id] == invoice.balance_minor  # untouched in this run
        and abs(invoice.balance_minor - payment.amount_minor) <= tolerance
    ]


def _mentioned(payment: IncomingPayment, index: _Index, tolerance: int) -> list[OpenInvoice]:
    found: dict[int, OpenInvoice] = {}
    for token in _NUMBER.findall(payment.message):
        digits = re.sub(r"\D", "", token).lstrip("0")
        invoice = index.by_digits.get(digits)
        if invoice is not None and _is_open(invoice, index, tolerance):
            found[invoice.id] = invoice
    return list(found.values())


def _evidence(
    payment: IncomingPayment, invoice: OpenInvoice, balance: int, tolerance: int, *, symbol: bool
) -> dict[str, Any]:
    difference = payment.amount_minor - balance
    if abs(difference) <= tolerance:
        amount = "exact" if difference == 0 else "within tolerance"
    else:
        amount = "partial" if difference < 0 else "over"
    mentioned = invoice.variable_symbol in {
        re.sub(r"\D", "", token).lstrip("0") for token in _NUMBER.findall(payment.message)
    }
    return {
        "variable_symbol": True if symbol else _symbol_state(payment),
        "amount": amount,
        "currency": payment.currency == invoice.currency,
        "message": mentioned,
        "counterparty": same_party(payment.counterparty_name, invoice.client_name),
    }


def _symbol_state(payment: IncomingPayment) -> str:
    return "wrong" if payment.variable_symbol else "missing"


def same_party(counterparty: str, client: str) -> bool:
    """Whether a bank's payer name and a client name plausibly name the same party."""
    left, right = _name_words(counterparty), _name_words(client)
    return bool(left) and bool(right) and (left <= right or right <= left)


def _name_words(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = {re.sub(r"[^a-z0-9]", "", word) for word in re.split(r"[\s,]+", plain)}
    return {w for w in words if w and w not in _LEGAL_SUFFIXES}
