"""Money transactions a sync stages, and applying them in one audited transaction.

A plugin's upserts are validated and kept in memory while it talks to the
network, so a slow or failing upstream never holds a database lock and a failed
run has nothing to undo. The engine applies the stage at the end, comparing
against the stored rows with one query: new rows are inserted, changed rows
updated, identical rows left alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger.contracts.errors import BadUpstreamData
from ledger.contracts.inputs import TransactionInput
from ledger.contracts.money import MAX_AMOUNT
from ledger.contracts.plugin import SyncResult
from ledger.core.money import CURRENCY_EXPONENTS, quantize
from ledger.core.transactions import COMPARED_COLUMNS, fingerprint, transaction_row
from ledger.core.validation import validated
from ledger.errors import InvalidInput
from ledger.storage import tables
from ledger.storage.database import RowUpdate, UnitOfWork
from ledger.storage.tables import utcnow

_TABLE = tables.MoneyTransaction.__table__  # type: ignore[attr-defined]

Stored = dict[str, tuple[int, str]]


def stored_transactions(session: Session, source: str) -> Stored:
    """external id → (row id, fingerprint) of every stored row of `source`."""
    query = select(_TABLE.c.external_id, _TABLE.c.id, _TABLE.c.fingerprint).where(
        _TABLE.c.source == source
    )
    rows = session.connection().execute(query)
    return {external_id: (row_id, digest) for external_id, row_id, digest in rows}


class TransactionStage:
    """The transactions one run has upserted so far, first occurrence wins."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[str, dict[str, Any]] = {}
        self.closed_reason: str | None = None
        self.stored: Stored | None = None

    def add(
        self, items: Iterable[TransactionInput | Mapping[str, Any]], stored: Stored
    ) -> SyncResult:
        """Validate and stage `items`; count them against `stored` rows."""
        if self.closed_reason:
            raise RuntimeError(self.closed_reason)
        self.stored = stored
        created = updated = unchanged = 0
        for index, item in enumerate(items):
            row = _validated_row(self.source, item, index)
            external_id = row["external_id"]
            if external_id in self.rows:
                unchanged += 1  # a repeat within one run (overlapping pages)
                continue
            self.rows[external_id] = row
            found = stored.get(external_id)
            if found is None:
                created += 1
            elif found[1] != row["fingerprint"]:
                updated += 1
            else:
                unchanged += 1
        return SyncResult(created=created, updated=updated, unchanged=unchanged)


def apply_stage(uow: UnitOfWork, stage: TransactionStage) -> SyncResult:
    """Write the staged rows: insert new ones, update changed ones; all audited.

    The snapshot the stage was counted against is still exact here: only one run
    per plugin exists at a time, and nothing else writes a plugin's transactions'
    compared columns.
    """
    stored = (
        stage.stored
        if stage.stored is not None
        else stored_transactions(uow.session, stage.source)
    )
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    changed: dict[int, dict[str, Any]] = {}
    for external_id, row in stage.rows.items():
        found = stored.get(external_id)
        if found is None:
            inserts.append({**row, "created_at": now, "matched_invoice_id": None})
        elif found[1] != row["fingerprint"]:
            changed[found[0]] = row
    updates = _updates(uow, changed)
    uow.insert_many(tables.MoneyTransaction, inserts)
    uow.update_many(tables.MoneyTransaction, updates)
    unchanged = len(stage.rows) - len(inserts) - len(updates)
    return SyncResult(created=len(inserts), updated=len(updates), unchanged=unchanged)


def _updates(uow: UnitOfWork, changed: dict[int, dict[str, Any]]) -> list[RowUpdate]:
    """Row updates for rows whose fingerprint changed, with the old values of what differs."""
    columns = ("fingerprint", *COMPARED_COLUMNS)
    updates = []
    ids = sorted(changed)
    for start in range(0, len(ids), 500):  # bounded IN lists on every database
        query = select(_TABLE.c.id, *(_TABLE.c[name] for name in columns)).where(
            _TABLE.c.id.in_(ids[start : start + 500])
        )
        for row_id, *old in uow.session.connection().execute(query):
            new = changed[row_id]
            before = {n: o for n, o in zip(columns, old, strict=True) if new[n] != o}
            updates.append(RowUpdate(row_id, before, {n: new[n] for n in columns}))
    return updates


_TEXT_LIMITS = {
    "account": 60,
    "counterparty_name": 200,
    "counterparty_account": 60,
    "message": 2000,
}
_SYMBOLS = ("variable_symbol", "constant_symbol", "specific_symbol")
_FIELDS = frozenset(TransactionInput.model_fields)
_DIGITS = re.compile(r"\d{0,10}")
_MAX_ID = 100


def fast_row(source: str, item: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored row of a plainly well-formed item, or None to let pydantic decide.

    A bank sync upserts tens of thousands of rows; validating each through the
    pydantic model costs more than writing it. This path accepts only inputs it
    can judge exactly as `TransactionInput` would (exact types, no coercion) and
    leaves everything else, errors included, to the model.
    """
    if not isinstance(item, dict) or not item.keys() <= _FIELDS:
        return None
    row = _required_fields(source, item)
    if row is None or not _optional_fields(item, row):
        return None
    return row


def _required_fields(source: str, item: dict[str, Any]) -> dict[str, Any] | None:
    external_id, amount, currency = (
        item.get("external_id"),
        item.get("amount"),
        item.get("currency"),
    )
    if type(external_id) is not str or type(item.get("booked_on")) is not dt.date:
        return None
    if "\x00" in external_id:
        return None
    external_id = external_id.strip()
    if not 0 < len(external_id) <= _MAX_ID or currency not in CURRENCY_EXPONENTS:
        return None
    if type(amount) not in (Decimal, int) or not amount or not abs(amount) < MAX_AMOUNT:
        return None
    scaled = Decimal(amount).scaleb(CURRENCY_EXPONENTS[currency])
    if scaled != scaled.to_integral_value():
        return None  # more places than the currency has: the model explains why
    minor = int(scaled)
    return {
        "source": source,
        "external_id": external_id,
        "booked_on": item["booked_on"],
        "currency": currency,
        "amount_minor": minor,
        "kind": "income" if minor > 0 else "expense",
    }


def _optional_fields(item: dict[str, Any], row: dict[str, Any]) -> bool:
    for name, limit in _TEXT_LIMITS.items():
        text = item.get(name, "")
        if type(text) is not str or len(text := text.strip()) > limit or "\x00" in text:
            return False
        row[name] = text
    for name in _SYMBOLS:
        symbol = item.get(name, "")
        if type(symbol) is not str or not _DIGITS.fullmatch(symbol := symbol.strip()):
            return False
        row[name] = symbol.lstrip("0")
    details = item.get("details", {})
    if type(details) is not dict or not all(
        type(k) is str and type(v) is str for k, v in details.items()
    ):
        return False
    row["details"] = json.dumps(details, sort_keys=True, ensure_ascii=False) if details else "{}"
    row["fingerprint"] = fingerprint(row)
    return True


def _validated_row(
    source: str, item: TransactionInput | Mapping[str, Any], index: int
) -> dict[str, Any]:
    if not isinstance(item, TransactionInput) and (row := fast_row(source, item)) is not None:
        return row
    try:
        data = (
            item if isinstance(item, TransactionInput) else validated(TransactionInput, dict(item))
        )
    except InvalidInput as exc:
        raise BadUpstreamData(exc.message, field=f"transactions[{index}].{exc.field}") from None
    except TypeError:
        raise BadUpstreamData(
            f"expected a mapping or TransactionInput, got {type(item).__name__}",
            field=f"transactions[{index}]",
        ) from None
    if data.amount is not None and quantize(data.amount, data.currency) != data.amount:
        # Upstream amounts are stored exactly or not at all, never silently rounded.
        raise BadUpstreamData(
            f"{data.amount} has more decimal places than {data.currency} allows",
            field=f"transactions[{index}].amount",
        )
    return transaction_row(source, data)
