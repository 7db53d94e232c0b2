"""``lg.audit``: read and verify the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import false
from sqlmodel import col, select

from ledger.core.models import AuditEntry, Records
from ledger.core.service import MAX_ID, Service, fits_id
from ledger.errors import InvalidInput
from ledger.storage import audit_chain as audit
from ledger.storage import tables

if TYPE_CHECKING:
    import pandas as pd


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

    def to_frame(self) -> pd.DataFrame:
        """The whole trail as a DataFrame (needs pandas)."""
        return self.list().to_frame()

    def verify(self) -> int:
        """Check the hash chain; return how many events verified.

        Raises:
            AuditChainBroken: naming the first event that was altered or removed.
        """
        with self._lg.database.engine.connect() as conn:
            return audit.verify_chain(conn)
