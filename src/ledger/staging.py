"""Money transactions a sync stages, and applying them in one audited transaction.

A plugin's upserts are validated and kept in memory while it talks to the
network, so a slow or failing upstream never holds a database lock and a failed
run has nothing to undo. The engine applies the stage at the end, comparing
against the stored rows with one query: new rows are inserted, changed rows
updated, identical rows left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger import tables
from ledger.contracts.errors import BadUpstreamData
from ledger.contracts.plugin import SyncResult
from ledger.db import RowUpdate, UnitOfWork
from ledger.errors import InvalidInput
from ledger.money import quantize
from ledger.tables import utcnow
from ledger.transactions import TransactionInput, transaction_row
from ledger.validation import validated

COMPARED_COLUMNS = (
    "account",
    "booked_on",
    "amount_minor",
    "currency",
    "counterparty_name",
    "counterparty_account",
    "variable_symbol",
    "constant_symbol",
    "specific_symbol",
    "message",
    "details",
    "kind",
)
_TABLE = tables.MoneyTransaction.__table__  # type: ignore[attr-defined]

Stored = dict[str, tuple[int, tuple[Any, ...]]]


def stored_transactions(session: Session, source: str) -> Stored:
    """external id → (row id, compared values) of every stored row of `source`."""
    columns = [_TABLE.c[name] for name in COMPARED_COLUMNS]
    query = select(_TABLE.c.external_id, _TABLE.c.id, *columns).where(_TABLE.c.source == source)
    return {row[0]: (row[1], tuple(row[2:])) for row in session.connection().execute(query)}


class TransactionStage:
    """The transactions one run has upserted so far, first occurrence wins."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[str, dict[str, Any]] = {}
        self.closed_reason: str | None = None

    def add(
        self, items: Iterable[TransactionInput | Mapping[str, Any]], stored: Stored
    ) -> SyncResult:
        """Validate and stage `items`; count them against `stored` rows."""
        if self.closed_reason:
            raise RuntimeError(self.closed_reason)
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
            elif found[1] != _compared(row):
                updated += 1
            else:
                unchanged += 1
        return SyncResult(created=created, updated=updated, unchanged=unchanged)


def apply_stage(uow: UnitOfWork, stage: TransactionStage) -> SyncResult:
    """Write the staged rows: insert new ones, update changed ones; all audited."""
    stored = stored_transactions(uow.session, stage.source)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[RowUpdate] = []
    for external_id, row in stage.rows.items():
        found = stored.get(external_id)
        if found is None:
            inserts.append({**row, "created_at": now, "matched_invoice_id": None})
            continue
        row_id, values = found
        before = {
            name: old
            for name, old in zip(COMPARED_COLUMNS, values, strict=True)
            if row[name] != old
        }
        if before:
            updates.append(
                RowUpdate(row_id, before, {name: row[name] for name in COMPARED_COLUMNS})
            )
    uow.insert_many(tables.MoneyTransaction, inserts)
    uow.update_many(tables.MoneyTransaction, updates)
    unchanged = len(stage.rows) - len(inserts) - len(updates)
    return SyncResult(created=len(inserts), updated=len(updates), unchanged=unchanged)


def _compared(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in COMPARED_COLUMNS)


def _validated_row(
    source: str, item: TransactionInput | Mapping[str, Any], index: int
) -> dict[str, Any]:
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
