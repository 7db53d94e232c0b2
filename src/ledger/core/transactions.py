"""Money transactions: what banks and other sources report as paid in or out."""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import func
from sqlmodel import Session, col, select

from ledger.contracts.inputs import TransactionInput
from ledger.core.models import MoneyTransaction, PublicModel, Records
from ledger.core.money import AmountInput, from_minor, parse_amount, to_minor
from ledger.core.service import Ref, Service, get_row, ref_id
from ledger.core.validation import validated
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

Kind = Literal["income", "expense"]

COMPARED_COLUMNS = (
    "account", "booked_on", "amount_minor", "currency", "counterparty_name",
    "counterparty_account", "variable_symbol", "constant_symbol", "specific_symbol",
    "message", "details", "kind",
)  # fmt: skip
"""What a source reports about a transaction; a re-sync compares these."""


def fingerprint(row: Mapping[str, Any]) -> str:
    """A digest of the compared columns: a re-sync compares 32 characters, not 12 columns.

    Each value's text (ISO for the date) is prefixed by its length, so no text,
    whatever it holds, can shift into its neighbour's place.
    """
    values = [str(row[name]) for name in COMPARED_COLUMNS]
    text = "\x1f".join([f"{len(value)}:{value}" for value in values])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def transaction_row(source: str, data: TransactionInput) -> dict[str, Any]:
    """The stored columns of a validated transaction."""
    assert data.amount is not None
    amount_minor = to_minor(data.amount, data.currency)
    row = {
        "source": source,
        **data.model_dump(exclude={"amount", "details"}),
        "details": json.dumps(data.details, sort_keys=True, ensure_ascii=False),
        "amount_minor": amount_minor,
        "kind": "income" if amount_minor > 0 else "expense",
    }
    row["fingerprint"] = fingerprint(row)
    return row


class Transactions(Service):
    """``lg.transactions``: money in and out, from banks or entered by hand."""

    counted = (tables.MoneyTransaction, "transaction", "transactions")

    def add(
        self,
        source: str = "manual",
        *,
        external_id: str,
        booked_on: dt.date | str,
        amount: AmountInput,
        currency: str,
        account: str = "",
        counterparty_name: str = "",
        counterparty_account: str = "",
        variable_symbol: str = "",
        constant_symbol: str = "",
        specific_symbol: str = "",
        message: str = "",
        details: Mapping[str, str] | None = None,
    ) -> MoneyTransaction:
        """Record one transaction by hand; the fields are those of `TransactionInput`.

        Args:
            source: where it comes from (``manual`` for one typed in).
            external_id: its id at the source; unique per source.
            amount: signed: + paid in, - paid out.
        """
        # Text is read here by the API's parser, so "1,000" is refused, not 1.00.
        exact = parse_amount(amount) if isinstance(amount, str) and amount else amount
        fields = {
            "external_id": external_id, "booked_on": booked_on, "amount": exact,
            "currency": currency, "account": account, "counterparty_name": counterparty_name,
            "counterparty_account": counterparty_account, "variable_symbol": variable_symbol,
            "constant_symbol": constant_symbol, "specific_symbol": specific_symbol,
            "message": message, "details": dict(details or {}),
        }  # fmt: skip
        data = validated(TransactionInput, fields)
        row = tables.MoneyTransaction(**transaction_row(source, data))
        with self._lg.atomic() as uow:
            if _recorded(uow.session, row.source, row.external_id):
                raise Conflict(
                    f"transaction {row.external_id!r} from {row.source!r} is already recorded"
                )
            uow.session.add(row)
            uow.session.flush()
        return MoneyTransaction.from_row(row)

    def get(self, transaction: Ref) -> MoneyTransaction:
        """One transaction by id."""
        with self._lg.reading() as session:
            row = get_row(
                session, tables.MoneyTransaction, ref_id(transaction, "transaction"), "transaction"
            )
            return MoneyTransaction.from_row(row)

    def list(
        self,
        *,
        source: str | None = None,
        kind: Kind | None = None,
        matched: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Records[MoneyTransaction]:
        """Transactions, newest booking first, filtered by source, kind and match state.

        `limit` and `offset` page through them.
        """
        query = _filtered(
            select(tables.MoneyTransaction).order_by(
                col(tables.MoneyTransaction.booked_on).desc(),
                col(tables.MoneyTransaction.id).desc(),
            ),
            source,
            kind,
            matched,
        )
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._lg.reading() as session:
            return Records(
                (MoneyTransaction.from_row(row) for row in session.exec(query)),
                model=MoneyTransaction,
            )

    def count(
        self,
        *,
        source: str | None = None,
        kind: Kind | None = None,
        matched: bool | None = None,
    ) -> int:
        """How many transactions `list` returns with the same filters (for paging)."""
        query = _filtered(
            select(func.count()).select_from(tables.MoneyTransaction), source, kind, matched
        )
        with self._lg.reading() as session:
            return int(session.exec(query).one())

    def sources(self) -> builtins.list[str]:
        """Every source that has reported transactions, by name."""
        query = select(tables.MoneyTransaction.source).distinct()
        with self._lg.reading() as session:
            return sorted(session.exec(query))

    def matches(self, transactions: Iterable[Ref]) -> dict[int, builtins.list[TransactionMatch]]:
        """transaction id → the invoice payments it was matched to (unmatched ones absent)."""
        ids = [ref_id(t, "transaction") for t in transactions]
        found: dict[int, builtins.list[TransactionMatch]] = {}
        with self._lg.reading() as session:
            for start in range(0, len(ids), _BATCH):
                query = (
                    select(tables.Payment, tables.Invoice)
                    .join(tables.Invoice, col(tables.Payment.invoice_id) == tables.Invoice.id)
                    .where(col(tables.Payment.transaction_id).in_(ids[start : start + _BATCH]))
                    .order_by(col(tables.Payment.id))
                )
                for payment, invoice in session.exec(query):
                    assert payment.id is not None
                    assert payment.transaction_id is not None
                    found.setdefault(payment.transaction_id, []).append(
                        TransactionMatch(
                            payment_id=payment.id,
                            invoice_id=payment.invoice_id,
                            invoice_number=invoice.number,
                            amount=from_minor(payment.amount_minor, payment.currency),
                            currency=payment.currency,
                            method=payment.method,
                            evidence=json.loads(payment.evidence or "{}"),
                        )
                    )
        return found


class TransactionMatch(PublicModel):
    """The part of a transaction applied to one invoice, and why."""

    payment_id: int
    invoice_id: int
    invoice_number: str | None
    amount: Decimal
    currency: str
    method: str
    evidence: dict[str, Any]


_BATCH = 500  # ids per IN (...): well under SQLite's limit


def _filtered(query: Any, source: str | None, kind: str | None, matched: bool | None) -> Any:
    if source is not None:
        query = query.where(tables.MoneyTransaction.source == source)
    if kind is not None:
        if kind not in get_args(Kind):
            known = ", ".join(get_args(Kind))
            raise InvalidInput("kind", f"no transaction is {kind!r}; use one of {known}")
        query = query.where(tables.MoneyTransaction.kind == kind)
    if matched is not None:
        link = col(tables.MoneyTransaction.matched_invoice_id)
        query = query.where(link.is_not(None) if matched else link.is_(None))
    return query


def _recorded(session: Session, source: str, external_id: str) -> bool:
    query = select(tables.MoneyTransaction.id).where(
        tables.MoneyTransaction.source == source,
        tables.MoneyTransaction.external_id == external_id,
    )
    return session.exec(query).first() is not None
