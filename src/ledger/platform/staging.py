"""Money transactions a sync stages, and applying them in one audited transaction.

While the plugin runs (no write lock held), each upserted row is compared with
what is stored as it arrives, against a snapshot of the source's
(external id → fingerprint) loaded on the first upsert:

- a row whose digest as given (`input_digest`) equals the stored fingerprint is
  the very row accepted before: unchanged, with no validation and nothing kept.
  Nothing is written for it, so nothing unvalidated ever reaches the database;
- any other row is validated (`validated_row`); one whose normalised
  `fingerprint` is the stored one is unchanged too, one whose fingerprint differs
  is compared column by column with the stored row, so the same data in another
  form is still unchanged;
- new and changed rows go to a `RowSpool` (a batch in memory, the rest in a
  temporary file), so memory does not grow with the rows' contents: a run keeps
  only the snapshot, which also marks the external ids it has seen (about 60
  bytes a row measured), and drops it before the apply.

A stored row's `fingerprint` is thus the `input_digest` of the mapping it was last
written from, or for rows written from a `TransactionInput` (or before this
scheme) the `fingerprint` of its columns; either matching means unchanged.

The engine applies the spools at the end, batch by batch, inside the run's one
transaction: the write lock is held for the apply alone (proportional to the
rows created or updated; a re-sync of unchanged rows holds it for milliseconds),
never while the plugin waits on upstream, and a failure anywhere writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger.contracts.inputs import TransactionInput
from ledger.contracts.plugin import SyncResult
from ledger.core.transactions import COMPARED_COLUMNS, fingerprint
from ledger.platform.spool import RowSpool
from ledger.platform.transaction_rows import validated_row
from ledger.storage import tables
from ledger.storage.database import RowUpdate, UnitOfWork
from ledger.storage.tables import utcnow

_TABLE = tables.MoneyTransaction.__table__  # type: ignore[attr-defined]
_CHUNK = 1000  # rows compared per round trip for rows whose fingerprint differs
_STORED_COLUMNS = ("fingerprint", *COMPARED_COLUMNS)
_SEEN = None  # the snapshot's entry of a row this run already had
_MISSING: Any = object()
_PERSON = b"ledger-input"  # keeps `input_digest`s apart from `fingerprint`s

Reading = Callable[[], AbstractContextManager[Session]]
Stored = dict[str, str | None]
"""external id → stored fingerprint; `_SEEN` once this run has had the row."""


def input_digest(item: Mapping[str, Any]) -> str:
    """A digest of a row as the plugin gave it: the cheap first comparison of a re-sync.

    The repr of the built-in values a plugin sends (text, numbers, dates, dicts)
    tells any two apart, so an equal digest means an equal row; the `person`
    keeps these digests apart from `fingerprint`'s in the same column.
    """
    return hashlib.blake2b(repr(item).encode(), digest_size=16, person=_PERSON).hexdigest()


def stored_transactions(session: Session, source: str) -> Stored:
    """external id → fingerprint of every stored row of `source`.

    Read with the driver's own cursor: the values are plain text, and building
    SQLAlchemy's row objects would cost a tenth of an unchanged re-sync.
    """
    connection = session.connection()
    query = select(_TABLE.c.external_id, _TABLE.c.fingerprint).where(_TABLE.c.source == source)
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())  # type: ignore[assignment]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        stored: Stored = {}
        while rows := cursor.fetchmany(5000):
            stored.update(rows)
        return stored
    finally:
        cursor.close()


class TransactionStage:
    """The transactions one run has upserted so far, first occurrence wins."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.inserts = RowSpool()
        self.updates = RowSpool()
        self.unchanged = 0
        self.closed_reason: str | None = None
        self._stored: Stored | None = None

    def add(
        self, items: Iterable[TransactionInput | Mapping[str, Any]], reading: Reading
    ) -> SyncResult:
        """Compare `items` with the stored rows (read through `reading`) and stage what
        differs; return what they will create, update and leave unchanged.

        Raises:
            BadUpstreamData: an item is invalid; names the item and field.
        """
        if self._stored is None:
            with reading() as session:
                self._stored = stored_transactions(session, self.source)
        created, updated, unchanged = self.inserts.count, self.updates.count, self.unchanged
        iterator = iter(items)
        offset = 0
        while chunk := list(islice(iterator, _CHUNK)):
            self._add_chunk(chunk, offset, self._stored, reading)
            offset += len(chunk)
        return SyncResult(
            created=self.inserts.count - created,
            updated=self.updates.count - updated,
            unchanged=self.unchanged - unchanged,
        )

    def seal(self) -> None:
        """Refuse further rows and drop the snapshot: the run's upserts are over."""
        self.closed_reason = "this run's upserts are over"
        self._stored = None

    def close(self, reason: str) -> None:
        """Refuse further rows and drop the staged ones."""
        self.closed_reason = reason
        self.inserts.close()
        self.updates.close()

    def _add_chunk(
        self,
        chunk: list[TransactionInput | Mapping[str, Any]],
        offset: int,
        stored: Stored,
        reading: Reading,
    ) -> None:
        if self.closed_reason:
            raise RuntimeError(self.closed_reason)
        differing: dict[str, dict[str, Any]] = {}
        for index, item in _identical_skipped(chunk, offset, stored, self):
            row = validated_row(self.source, item, index)
            external_id = row["external_id"]
            known = stored.get(external_id, _MISSING)
            stored[external_id] = _SEEN
            digest = input_digest(item) if type(item) is dict else fingerprint(row)
            row["fingerprint"] = digest
            if known is _MISSING:
                self.inserts.add(row)
            elif known is _SEEN or known in (digest, fingerprint(row)):
                self.unchanged += 1  # a repeat within one run, or the same data again
            else:
                differing[external_id] = row
        if differing:
            with reading() as session:
                self._compare(session, differing)

    def _compare(self, session: Session, rows: dict[str, dict[str, Any]]) -> None:
        """Stage an update of each row whose compared columns differ from the stored ones."""
        columns = [_TABLE.c[name] for name in _STORED_COLUMNS]
        query = select(_TABLE.c.id, _TABLE.c.external_id, *columns).where(
            _TABLE.c.source == self.source, _TABLE.c.external_id.in_(list(rows))
        )
        for row_id, external_id, *old in session.connection().execute(query):
            new = rows[external_id]
            before = {n: o for n, o in zip(_STORED_COLUMNS, old, strict=True) if new[n] != o}
            if before.keys() - {"fingerprint"}:
                self.updates.add(RowUpdate(row_id, before, {n: new[n] for n in _STORED_COLUMNS}))
            else:
                self.unchanged += 1  # the same data in another form: leave the row alone


def _identical_skipped(
    chunk: list[TransactionInput | Mapping[str, Any]],
    offset: int,
    stored: Stored,
    stage: TransactionStage,
) -> list[tuple[int, TransactionInput | Mapping[str, Any]]]:
    """The (index, item) pairs of `chunk` not identical to their stored row; the
    identical ones are marked seen and counted unchanged on `stage`.

    The hot loop of an unchanged re-sync, so `input_digest` is inlined.
    """
    rest = []
    identical = 0
    blake2b, person = hashlib.blake2b, _PERSON
    for index, item in enumerate(chunk, offset):
        if type(item) is dict and type(key := item.get("external_id")) is str:
            known = stored.get(key)
            if (
                known
                and known
                == blake2b(repr(item).encode(), digest_size=16, person=person).hexdigest()
            ):
                stored[key] = _SEEN
                identical += 1
                continue
        rest.append((index, item))
    stage.unchanged += identical
    return rest


def apply_stage(uow: UnitOfWork, stage: TransactionStage) -> SyncResult:
    """Write the staged rows batch by batch: insert new ones, update changed ones; all
    audited, in `uow`'s transaction.

    The snapshot the stage was compared with is still exact here: only one run per
    plugin exists at a time, and nothing else writes a plugin's transactions'
    compared columns.
    """
    stage.seal()  # the snapshot is no longer needed: let matching have its memory
    now = utcnow()
    for batch in stage.inserts.batches():
        for row in batch:  # the stage's own rows, applied once
            row["created_at"] = now
        uow.insert_many(tables.MoneyTransaction, batch)
    for updates in stage.updates.batches():
        uow.update_many(tables.MoneyTransaction, updates)
    return SyncResult(
        created=stage.inserts.count, updated=stage.updates.count, unchanged=stage.unchanged
    )
