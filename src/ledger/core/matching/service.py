"""``lg.matching``: apply payment matching, review suggestions, match and unmatch.

Loading and applying use SQL Core and the bulk audited writes, so matching tens of
thousands of transactions stays linear and fast; every applied match is a
payment row audited under the caller's source (a sync's matching under
``plugin:<name>`` and its run) with the evidence that justified it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select as core_select
from sqlmodel import Session, col, select

from ledger.core.invoices.credit_notes import check_payable, refuse_fully_credited
from ledger.core.matching.algorithm import BATCH, Allocation, Decision, Matcher
from ledger.core.matching.collector import collector_paused
from ledger.core.matching.inputs import (
    BOOKED_ON,
    INVOICES,
    PAYMENTS,
    IncomingRow,
    incoming_payments,
    open_invoices,
    row_date,
    tolerance_of,
    unmatched_income,
)
from ledger.core.models import PublicModel, Records
from ledger.core.money import amount_to_minor, from_minor
from ledger.core.service import Ref, Service, get_row, ref_id
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables
from ledger.storage.database import RowUpdate, UnitOfWork
from ledger.storage.tables import utcnow

SUGGESTIONS = tables.MatchSuggestion.__table__  # type: ignore[attr-defined]


class SuggestedAllocation(PublicModel):
    invoice_id: int
    invoice_number: str
    amount: Decimal


class Suggestion(PublicModel):
    """A possible match waiting for the user, with the evidence behind it."""

    id: int
    transaction_id: int
    booked_on: dt.date
    amount: Decimal
    currency: str
    counterparty_name: str
    variable_symbol: str
    message: str
    allocations: list[SuggestedAllocation]
    evidence: dict[str, Any]
    score: int
    status: str


class MatchReport(PublicModel):
    """What a matching run did."""

    matched: int
    suggested: int
    decisions: list[dict[str, Any]]


class Matching(Service):
    """Payment matching and its review queue."""

    def run(self) -> MatchReport:
        """Match unmatched incoming payments to open invoices (safe to repeat)."""
        with self._lg.atomic() as uow:
            return apply_matching(uow)

    def queue(self) -> Records[Suggestion]:
        """Open suggestions, best first: the review queue.

        A suggestion whose payment has been matched meanwhile, or one of whose
        invoices is no longer open (paid or cancelled since), is not offered; it
        comes back if that changes again (an unmatch).
        """
        with self._lg.reading() as session:
            rows = session.exec(
                select(tables.MatchSuggestion, tables.MoneyTransaction)
                .join(tables.MoneyTransaction)
                .where(tables.MatchSuggestion.status == "open")
                .order_by(col(tables.MatchSuggestion.score).desc(), col(tables.MatchSuggestion.id))
            ).all()
            numbers = _invoice_numbers(session)
            tolerance = tolerance_of(session)
            still_open = {i.id for i in open_invoices(session) if i.balance_minor > tolerance}
            matched = _matched_transactions(session)
        return Records(
            _suggestion(s, t, numbers)
            for s, t in rows
            if t.id not in matched and all(i in still_open for i, _ in json.loads(s.allocations))
        )

    def waiting(self) -> int:
        """How many suggestions the review queue holds (without loading them)."""
        query = core_select(func.count()).where(SUGGESTIONS.c.status == "open")
        with self._lg.reading() as session:
            return int(session.connection().execute(query).scalar() or 0)

    def accept(self, suggestion: Ref) -> None:
        """Apply a suggestion as a match; other suggestions for its payment close."""
        with self._lg.atomic() as uow:
            row = _open_suggestion(uow.session, suggestion)
            transaction = get_row(
                uow.session, tables.MoneyTransaction, row.transaction_id, "transaction"
            )
            if _applied(uow.session, transaction):
                raise Conflict(
                    f"transaction {transaction.id} is already matched; unmatch it first"
                )
            allocations = [Allocation(i, a) for i, a in json.loads(row.allocations)]
            _refuse_paid(uow.session, allocations)
            evidence = {**json.loads(row.evidence), "accepted_suggestion": row.id}
            _apply(uow, transaction, allocations, evidence, method="accepted")
            row.status = "accepted"
            _close_other_suggestions(uow.session, transaction, keep=row.id)

    def reject(self, suggestion: Ref) -> None:
        """Dismiss a suggestion; it is not offered again."""
        with self._lg.atomic() as uow:
            _open_suggestion(uow.session, suggestion).status = "rejected"

    def match(self, transaction: Ref, invoice: Ref, amount: object = None) -> None:
        """Match a transaction to an invoice by hand (all of it, or `amount`)."""
        with self._lg.atomic() as uow:
            row = get_row(
                uow.session,
                tables.MoneyTransaction,
                ref_id(transaction, "transaction"),
                "transaction",
            )
            target = get_row(uow.session, tables.Invoice, ref_id(invoice, "invoice"), "invoice")
            if row.kind != "income":
                raise InvalidInput("transaction", "only incoming payments can pay an invoice")
            if target.currency != row.currency:
                raise InvalidInput(
                    "invoice",
                    f"the payment is in {row.currency}, the invoice in {target.currency}",
                )
            unapplied = row.amount_minor - _applied(uow.session, row)
            minor = unapplied if amount is None else amount_to_minor(amount, row.currency)
            if not 0 < minor <= unapplied:
                raise InvalidInput(
                    "amount",
                    f"must be more than 0 and at most {from_minor(unapplied, row.currency)}, "
                    "the part of the payment not yet applied",
                )
            _apply(
                uow, row, [Allocation(target.id or 0, minor)], {"manual": True}, method="manual"
            )
            _close_other_suggestions(uow.session, row, keep=None)

    def unmatch(self, transaction: Ref) -> int:
        """Undo every match of a transaction; the matcher leaves it alone afterwards.

        Suggestions for the transaction that the undone match accepted or
        superseded are open again, so one of them can be accepted instead.

        Returns:
            How many payments were removed.
        """
        with self._lg.atomic() as uow:
            row = get_row(
                uow.session,
                tables.MoneyTransaction,
                ref_id(transaction, "transaction"),
                "transaction",
            )
            query = select(tables.Payment).where(tables.Payment.transaction_id == row.id)
            payments = list(uow.session.exec(query))
            if not payments:
                raise Conflict(f"transaction {row.id} is not matched to any invoice")
            for payment in payments:
                uow.session.delete(payment)
            row.matched_invoice_id = None
            row.match_locked = True
            closed = select(tables.MatchSuggestion).where(
                tables.MatchSuggestion.transaction_id == row.id,
                col(tables.MatchSuggestion.status).in_(("accepted", "superseded")),
            )
            for suggestion in uow.session.exec(closed):
                suggestion.status = "open"
            uow.session.flush()
            return len(payments)


def apply_matching(uow: UnitOfWork, batch: int = BATCH) -> MatchReport:
    """Find and apply matches and suggestions inside an open unit of work.

    Unmatched income is read `batch` rows at a time; the outcome is the same for any.
    """
    with collector_paused():
        matched, suggested, described = _find_and_write(uow, batch)
    # Built from the values just written: validating them again would cost as much
    # as writing them.
    return MatchReport.model_construct(matched=matched, suggested=suggested, decisions=described)


def _find_and_write(uow: UnitOfWork, batch: int) -> tuple[int, int, list[dict[str, Any]]]:
    # Its own function, so that what it reads is freed when it returns, before the
    # garbage collector is back: a collection that found it still alive would walk it.
    session = uow.session
    matcher = Matcher(open_invoices(session), tolerance_of(session))
    confident: list[Decision] = []
    rows: dict[int, IncomingRow] = {}  # of the payments matched
    for read in unmatched_income(session, batch):  # a batch at a time: bounded memory
        decided = matcher.decide(incoming_payments(read))
        if decided:
            by_id = {row[0]: row for row in read}
            rows.update((d.transaction_id, by_id[d.transaction_id]) for d in decided)
            confident += decided
    suggestions = matcher.suggest()
    _insert_payments(uow, confident, rows)
    suggested = _insert_suggestions(uow, suggestions)
    return len(confident), suggested, [_describe(d) for d in confident]


_EVIDENCE = json.JSONEncoder(sort_keys=True)  # as json.dumps(..., sort_keys=True)


def _insert_payments(
    uow: UnitOfWork, decisions: Sequence[Decision], rows: dict[int, IncomingRow]
) -> None:
    if not decisions:
        return
    now = utcnow()
    payments = []
    links = []
    for d in decisions:
        row = rows[d.transaction_id]
        currency, booked_on, linked = row[2], row_date(row[BOOKED_ON]), row[BOOKED_ON + 1]
        evidence = _EVIDENCE.encode(d.evidence)
        payments += [
            {
                "invoice_id": a.invoice_id,
                "amount_minor": a.amount_minor,
                "currency": currency,
                "paid_on": booked_on,
                "transaction_id": d.transaction_id,
                "method": "match",
                "note": "",
                "evidence": evidence,
                "created_at": now,
            }
            for a in d.allocations
        ]
        links.append(
            RowUpdate(
                d.transaction_id,
                {"matched_invoice_id": linked},
                {"matched_invoice_id": d.allocations[0].invoice_id},
            )
        )
    uow.insert_many(tables.Payment, payments)
    uow.update_many(tables.MoneyTransaction, links)


def _insert_suggestions(uow: UnitOfWork, decisions: Sequence[Decision]) -> int:
    if not decisions:
        return 0
    conn = uow.session.connection()
    existing = set(
        conn.execute(core_select(SUGGESTIONS.c.transaction_id, SUGGESTIONS.c.allocations)).all()
    )
    now = utcnow()
    rows = []
    for d in decisions:
        allocations = json.dumps([[a.invoice_id, a.amount_minor] for a in d.allocations])
        if (d.transaction_id, allocations) in existing:
            continue
        rows.append(
            {
                "transaction_id": d.transaction_id,
                "allocations": allocations,
                "evidence": _EVIDENCE.encode(d.evidence),
                "score": d.score,
                "status": "open",
                "created_at": now,
            }
        )
    uow.insert_many(tables.MatchSuggestion, rows)
    return len(rows)


def _apply(
    uow: UnitOfWork,
    transaction: tables.MoneyTransaction,
    allocations: list[Allocation],
    evidence: dict[str, Any],
    method: str,
) -> None:
    for allocation in allocations:
        invoice = get_row(uow.session, tables.Invoice, allocation.invoice_id, "invoice")
        check_payable(invoice)
        refuse_fully_credited(uow.session, invoice)
        uow.session.add(
            tables.Payment(
                invoice_id=allocation.invoice_id,
                amount_minor=allocation.amount_minor,
                currency=transaction.currency,
                paid_on=transaction.booked_on,
                transaction_id=transaction.id,
                method=method,
                evidence=json.dumps(evidence, sort_keys=True),
            )
        )
    transaction.matched_invoice_id = allocations[0].invoice_id
    transaction.match_locked = False
    uow.session.flush()


def _applied(session: Session, transaction: tables.MoneyTransaction) -> int:
    query = core_select(func.sum(PAYMENTS.c.amount_minor)).where(
        PAYMENTS.c.transaction_id == transaction.id
    )
    return int(session.connection().execute(query).scalar() or 0)


def _matched_transactions(session: Session) -> set[int]:
    query = core_select(PAYMENTS.c.transaction_id).where(PAYMENTS.c.transaction_id.is_not(None))
    return set(session.connection().execute(query.distinct()).scalars())


def _refuse_paid(session: Session, allocations: list[Allocation]) -> None:
    """A suggestion may be older than the payment that settled one of its invoices."""
    tolerance = tolerance_of(session)
    for allocation in allocations:
        invoice = get_row(session, tables.Invoice, allocation.invoice_id, "invoice")
        paid = core_select(func.sum(PAYMENTS.c.amount_minor)).where(
            PAYMENTS.c.invoice_id == invoice.id
        )
        balance = invoice.total_minor - int(session.connection().execute(paid).scalar() or 0)
        refuse_fully_credited(session, invoice)
        if invoice.status == "issued" and balance <= tolerance:
            raise Conflict(
                f"invoice {invoice.number or invoice.id} is already paid; "
                "match the payment by hand if it belongs there too"
            )


def _close_other_suggestions(
    session: Session, transaction: tables.MoneyTransaction, keep: int | None
) -> None:
    query = select(tables.MatchSuggestion).where(
        tables.MatchSuggestion.transaction_id == transaction.id,
        tables.MatchSuggestion.status == "open",
    )
    for other in session.exec(query):
        if other.id != keep:
            other.status = "superseded"
    session.flush()


def _open_suggestion(session: Session, suggestion: Ref) -> tables.MatchSuggestion:
    row = get_row(session, tables.MatchSuggestion, ref_id(suggestion, "suggestion"), "suggestion")
    if row.status != "open":
        raise Conflict(f"suggestion {row.id} is already {row.status}")
    return row


def _invoice_numbers(session: Session) -> dict[int, str]:
    return {
        i: n or str(i)
        for i, n in session.connection().execute(core_select(INVOICES.c.id, INVOICES.c.number))
    }


def _suggestion(
    row: tables.MatchSuggestion, tx: tables.MoneyTransaction, numbers: dict[int, str]
) -> Suggestion:
    assert row.id is not None
    assert tx.id is not None
    return Suggestion(
        id=row.id,
        transaction_id=tx.id,
        booked_on=tx.booked_on,
        amount=from_minor(tx.amount_minor, tx.currency),
        currency=tx.currency,
        counterparty_name=tx.counterparty_name,
        variable_symbol=tx.variable_symbol,
        message=tx.message,
        allocations=[
            SuggestedAllocation(
                invoice_id=i,
                invoice_number=numbers.get(i, str(i)),
                amount=from_minor(a, tx.currency),
            )
            for i, a in json.loads(row.allocations)
        ],
        evidence=json.loads(row.evidence),
        score=row.score,
        status=row.status,
    )


def _describe(decision: Decision) -> dict[str, Any]:
    return {
        "transaction_id": decision.transaction_id,
        "invoices": [a.invoice_id for a in decision.allocations],
        "evidence": decision.evidence,
    }
