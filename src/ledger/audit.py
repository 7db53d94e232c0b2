"""The audit trail: append-only, hash-chained events for every domain change.

Events are written with SQLAlchemy Core in the same transaction as the change they
describe (never as ORM objects: a bulk sync writes tens of thousands of them). Each
event's hash covers its content and the previous event's hash, so editing or
deleting one breaks the chain at that point and `verify_chain` names it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from ledger.errors import AuditChainBroken
from ledger.tables import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
REDACTED = "***"

# Columns whose values never enter the audit trail in clear.
REDACTED_COLUMNS: dict[str, frozenset[str]] = {
    "users": frozenset({"password_hash"}),
    "plugin_settings": frozenset({"secrets"}),
}

AUDIT_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Change:
    """One row change waiting to be written as an audit event."""

    entity: str
    entity_id: str
    action: str  # "insert" | "update" | "delete"
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def jsonable(value: Any) -> Any:
    """The JSON form of a column value (dates as ISO text)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def redact(entity: str, values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Copy of `values` with secret columns replaced by ``***``."""
    if values is None:
        return None
    secret = REDACTED_COLUMNS.get(entity, frozenset())
    return {k: (REDACTED if k in secret else jsonable(v)) for k, v in values.items()}


def _dump(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and this event's content."""
    parts = (
        prev_hash,
        row["at"].isoformat(),
        row["source"],
        row["entity"],
        row["entity_id"],
        row["action"],
        row["before"] or "",
        row["after"] or "",
        "" if row["run_id"] is None else str(row["run_id"]),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def chain_head(conn: Connection) -> str:
    """Hash of the newest event, or the genesis hash of an empty trail."""
    last = conn.execute(
        select(AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
    ).scalar()
    return last or GENESIS_HASH


def append(conn: Connection, source: str, run_id: int | None, changes: Iterable[Change]) -> int:
    """Write `changes` as chained audit events in one executemany; return the count."""
    at = utcnow()
    prev = chain_head(conn)
    rows: list[dict[str, Any]] = []
    for change in changes:
        row = {
            "at": at,
            "source": source,
            "entity": change.entity,
            "entity_id": change.entity_id,
            "action": change.action,
            "before": _dump(redact(change.entity, change.before)),
            "after": _dump(redact(change.entity, change.after)),
            "run_id": run_id,
            "prev_hash": prev,
        }
        prev = row["hash"] = event_hash(prev, row)
        rows.append(row)
    if rows:
        conn.execute(insert(AUDIT_TABLE), rows)
    return len(rows)


def verify_chain(conn: Connection) -> int:
    """Check every event's hash and link; return the number verified.

    Raises:
        AuditChainBroken: naming the first event that does not verify.
    """
    prev = GENESIS_HASH
    count = 0
    for row in _events_in_order(conn):
        if row["prev_hash"] != prev:
            raise AuditChainBroken(row["id"], "does not link to the event before it")
        if event_hash(prev, row) != row["hash"]:
            raise AuditChainBroken(row["id"], "content does not match its hash")
        prev = row["hash"]
        count += 1
    return count


def _events_in_order(conn: Connection) -> Iterator[Mapping[str, Any]]:
    result = conn.execution_options(yield_per=5000).execute(
        select(AUDIT_TABLE).order_by(AUDIT_TABLE.c.id)
    )
    for row in result.mappings():
        yield dict(row)
