"""``lg.audit``: read and verify the audit trail."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Connection, false
from sqlmodel import col, select

from ledger.core.audit_subjects import Subjects, subjects_of
from ledger.core.models import AuditEntry, Records
from ledger.core.service import MAX_ID, Service, fits_id
from ledger.errors import ConfigurationError, InvalidInput
from ledger.storage import audit_checkpoints, tables
from ledger.storage.audit_checkpoints import Checkpoint, parse_head
from ledger.storage.audit_verify import Verification, verify

if TYPE_CHECKING:
    import pandas as pd


LAST_ID = sa.select(sa.func.max(tables.AuditEvent.__table__.c.id))  # type: ignore[attr-defined]
"""The newest event's id: built once, as every page asks for it."""


class AuditLog(Service):
    """Every change with its source, newest last; append-only and hash-chained."""

    counted = (tables.AuditEvent, "event", "events")

    def list(
        self,
        *,
        source: str | None = None,
        entity: str | None = None,
        entity_id: int | str | None = None,
        run_id: int | None = None,
        limit: int | None = None,
        before: int | None = None,
    ) -> Records[AuditEntry]:
        """Events in order, filtered by source, entity (table name), row and sync run.

        With `limit`, the newest `limit` events (older than event id `before`).
        """
        table = tables.AuditEvent
        query = select(table).order_by(col(table.id))
        if source is not None:
            query = query.where(table.source == source)
        if entity is not None:
            if entity not in tables.AUDITED_TABLES:
                known = ", ".join(sorted(tables.AUDITED_TABLES))
                raise InvalidInput("entity", f"nothing audited is called {entity!r}; use {known}")
            query = query.where(table.entity == entity)
        if entity_id is not None:
            query = query.where(table.entity_id == str(entity_id))
        if run_id is not None:
            query = query.where(table.run_id == run_id if fits_id(run_id) else false())
        if before is not None and before < MAX_ID:  # every id is below a larger bound
            query = query.where(col(table.id) < before)
        if limit is not None:
            query = query.order_by(None).order_by(col(table.id).desc()).limit(limit)
        with self._lg.reading() as session:
            rows = sorted(session.exec(query), key=lambda row: row.id or 0)
            return Records((AuditEntry.from_row(row) for row in rows), model=AuditEntry)

    def sources(self) -> tuple[str, ...]:
        """Every source that has written, sorted (for filters)."""
        with self._lg.reading() as session:
            query = select(tables.AuditEvent.source).distinct()
            return tuple(sorted(session.exec(query)))

    def last_id(self) -> int:
        """The newest event's id (0 before any): every change to the data appends an
        event, so a cache of figures read from the data is current while this stays."""
        with self._lg.reading() as session:
            return int(session.connection().execute(LAST_ID).scalar() or 0)

    def tables_changed(self, after: int, upto: int, *, at_most: int = 500) -> set[str] | None:
        """The tables that events `after` < id <= `upto` changed (read by the primary
        key's range), or None when they are more than `at_most` events (anything may
        have changed)."""
        if upto - after > at_most:
            return None
        event = tables.AuditEvent.__table__  # type: ignore[attr-defined]
        query = sa.select(event.c.entity).distinct().where(event.c.id > after, event.c.id <= upto)
        with self._lg.reading() as session:
            return set(session.connection().execute(query).scalars())

    def subjects(self, events: Iterable[AuditEntry], *, sources: Iterable[str] = ()) -> Subjects:
        """What `events` are about: names, invoice numbers and currencies, and the
        names of the users behind them and behind `sources` (``user:<id>``)."""
        with self._lg.reading() as session:
            return subjects_of(session, events, sources)

    def to_frame(self) -> pd.DataFrame:
        """The whole trail as a DataFrame (needs pandas)."""
        return self.list().to_frame()

    def verify(self, *, head: str | None = None) -> int:
        """Check the trail (see `check`); return how many events verified."""
        return self.check(head=head).events

    def check(self, *, head: str | None = None) -> Verification:
        """Check the keyed chain, every stored checkpoint, `head`, and replay the rows.

        Args:
            head: a line `checkpoint` printed, kept outside the database; catches events
                removed or recomputed after the last stored checkpoint.

        Raises:
            AuditChainBroken: naming the first event or checkpoint that does not verify.
            AuditRowsDiffer: listing each business row that differs from the trail.
            ConfigurationError: the secret key is missing, so signatures cannot be checked.
            InvalidInput: `head` is not a head line.
        """
        mark = None if head is None else parse_head(head)
        with self._snapshot() as conn:
            try:
                key = self._lg.database.audit_key.derived(create=False)
            except ConfigurationError:
                if mark is None and self._is_empty(conn):
                    return Verification(0, 0, 0)  # nothing written, so no key made yet
                raise
            return verify(conn, key, mark)

    def checkpoint(self) -> Checkpoint:
        """Sign the trail's current head and store it; keep its `line()` elsewhere too."""
        with self._lg.atomic() as uow:  # the write lock: no event lands meanwhile
            return audit_checkpoints.record(uow.session.connection(), uow.audit_key)

    def checkpoints(self) -> builtins.list[Checkpoint]:
        """Every stored checkpoint, oldest first."""
        with self._lg.database.engine.connect() as conn:
            return list(audit_checkpoints.stored(conn))

    def mark_unkeyed(self) -> None:
        """Sign the events an upgraded database already has as written before keying.

        Called once, when opening migrates a database from before keyed chains;
        `verify` accepts plain SHA-256 hashes up to the marked event and no further.
        """
        with self._lg.atomic() as uow:
            conn = uow.session.connection()
            if not self._is_empty(conn):
                audit_checkpoints.record(conn, uow.audit_key, audit_checkpoints.UNKEYED_UNTIL)

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A connection that sees one moment: the trail and the tables must agree.

        SQLite's read transaction is a snapshot already; PostgreSQL's default sees
        each statement's own, so a write between reading the trail and the tables
        would show as a difference.
        """
        with self._lg.database.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")  # in place
            yield conn

    @staticmethod
    def _is_empty(conn: Connection) -> bool:
        query = sa.select(tables.AuditEvent.id).limit(1)  # type: ignore[call-overload]
        return conn.execute(query).first() is None
