"""Exchange rates a sync stages, applied in the run's one audited transaction.

Like transactions, a plugin's rates are validated and held in memory while it
talks to upstream, and written when the run is applied: keyed on (currency,
day), a new pair is inserted, a changed one updated, an identical one left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger.contracts.errors import BadUpstreamData
from ledger.contracts.inputs import ExchangeRateInput
from ledger.contracts.plugin import SyncResult
from ledger.core.exchange_rates import rate_row
from ledger.core.validation import validated
from ledger.errors import InvalidInput
from ledger.storage import tables
from ledger.storage.database import RowUpdate, UnitOfWork
from ledger.storage.tables import utcnow

_TABLE = tables.ExchangeRate.__table__  # type: ignore[attr-defined]
_COMPARED = ("rate_micro", "quantity", "source")

Key = tuple[str, dt.date]
StoredRates = dict[Key, tuple[int, tuple[Any, ...]]]


def stored_rates(session: Session) -> StoredRates:
    """(currency, day) → (row id, compared values) of every stored rate."""
    query = select(_TABLE.c.currency, _TABLE.c.day, _TABLE.c.id, *(_TABLE.c[c] for c in _COMPARED))
    rows = session.connection().execute(query)
    return {(currency, day): (row_id, tuple(rest)) for currency, day, row_id, *rest in rows}


class RateStage:
    """The rates one run has upserted so far; the last occurrence of a pair wins."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[Key, dict[str, Any]] = {}
        self.stored: StoredRates | None = None
        self.closed_reason: str | None = None
        self.repeats = 0  # pairs given twice in one run: counted unchanged the second time

    def add(
        self, items: Iterable[ExchangeRateInput | Mapping[str, Any]], stored: StoredRates
    ) -> SyncResult:
        """Validate and stage `items`; count them against the `stored` rates."""
        if self.closed_reason:
            raise RuntimeError(self.closed_reason)
        self.stored = stored
        created = updated = unchanged = 0
        for index, item in enumerate(items):
            row = _validated_row(self.source, item, index)
            key = (row["currency"], row["day"])
            repeated = key in self.rows
            self.rows[key] = row
            self.repeats += repeated
            found = stored.get(key)
            if repeated or (found is not None and found[1] == _compared(row)):
                unchanged += 1
            elif found is None:
                created += 1
            else:
                updated += 1
        return SyncResult(created=created, updated=updated, unchanged=unchanged)


def apply_rates(uow: UnitOfWork, stage: RateStage) -> SyncResult:
    """Insert the new rates and update the changed ones, audited; count them."""
    if not stage.rows:
        return SyncResult()
    stored = stage.stored if stage.stored is not None else stored_rates(uow.session)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[RowUpdate] = []
    for key, row in stage.rows.items():
        found = stored.get(key)
        if found is None:
            inserts.append({**row, "created_at": now})
            continue
        row_id, old = found
        new = _compared(row)
        before = {c: o for c, o, n in zip(_COMPARED, old, new, strict=True) if o != n}
        if before:
            updates.append(RowUpdate(row_id, before, dict(zip(_COMPARED, new, strict=True))))
    uow.insert_many(tables.ExchangeRate, inserts)
    uow.update_many(tables.ExchangeRate, updates)
    unchanged = len(stage.rows) - len(inserts) - len(updates) + stage.repeats
    return SyncResult(created=len(inserts), updated=len(updates), unchanged=unchanged)


def _compared(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in _COMPARED)


def _validated_row(
    source: str, item: ExchangeRateInput | Mapping[str, Any], index: int
) -> dict[str, Any]:
    if isinstance(item, ExchangeRateInput):
        return rate_row(source, item)
    if not isinstance(item, Mapping):
        raise BadUpstreamData(
            f"expected a mapping or ExchangeRateInput, got {type(item).__name__}",
            field=f"exchange_rates[{index}]",
        )
    try:
        data = validated(ExchangeRateInput, dict(item))
    except InvalidInput as exc:
        raise BadUpstreamData(exc.message, field=f"exchange_rates[{index}].{exc.field}") from None
    return rate_row(source, data)
