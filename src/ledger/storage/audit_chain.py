"""The audit trail: append-only, hash-chained events for every domain change.

Events are written with one executemany on the change's own connection, in the
same transaction (never as ORM objects: a bulk sync writes tens of thousands of
them; on SQLite the rows skip Core's per-row processing, see `_insert_events`). Each
event's hash is an HMAC-SHA256, under the audit key (`audit_key`), of its content and
the previous event's hash, so editing or deleting one breaks the chain at that point,
and without the key nobody can compute a valid hash for a forged or recomputed event.
Events written before the chain was keyed carry a plain SHA-256 (`event_hash` with no
key); `audit_verify` says which ones may.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from ledger.storage.tables import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
REDACTED = "***"

# Columns whose values never enter the audit trail in clear.
REDACTED_COLUMNS: dict[str, frozenset[str]] = {
    "users": frozenset({"password_hash"}),
    "plugin_settings": frozenset({"secrets"}),
    "mail_settings": frozenset({"password"}),
}

AUDIT_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


# Not frozen: a bulk write makes one per row, and a frozen dataclass costs a
# microsecond more to build.
@dataclass(slots=True)
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


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):  # and so dt.datetime
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# The C encoder calls `_iso` only for values JSON has no form for, which is what
# `redact` does with `jsonable` up front, without a Python call per value.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso
)


def _dump(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return _ENCODER.encode(values)


def _dump_redacted(entity: str, values: Mapping[str, Any] | None) -> str | None:
    """`_dump(redact(entity, values))`, without copying rows that hold no secrets."""
    if values is None:
        return None
    secret = REDACTED_COLUMNS.get(entity)
    if secret and not secret.isdisjoint(values):
        values = {k: (REDACTED if k in secret else v) for k, v in values.items()}
    return _ENCODER.encode(values)


def event_hash(prev_hash: str, row: Mapping[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 under `key` over the previous hash and this event's content.

    Without a key, the plain SHA-256 of events written before the chain was keyed.
    """
    return Hasher(key)(*event_parts(prev_hash, row))


def event_parts(prev_hash: str, row: Mapping[str, Any]) -> tuple[str, ...]:
    """What an event's hash covers, in order: the previous hash, then its content."""
    return (
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


class Hasher:
    """Hashes event parts: HMAC-SHA256 under a key, or plain SHA-256 without one."""

    def __init__(self, key: bytes | None) -> None:
        self._base = None if key is None else hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, *parts: str) -> str:
        data = "\x1f".join(parts).encode()
        if self._base is None:
            return hashlib.sha256(data).hexdigest()
        keyed = self._base.copy()  # the key's pads are computed once, not per event
        keyed.update(data)
        return keyed.hexdigest()


def chain_head(conn: Connection) -> str:
    """Hash of the newest event, or the genesis hash of an empty trail."""
    last = conn.execute(
        select(AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
    ).scalar()
    return last or GENESIS_HASH


def append(
    conn: Connection, key: bytes, source: str, run_id: int | None, changes: Iterable[Change]
) -> int:
    """Write `changes` as events chained under `key`, in one executemany; return the count."""
    digest_of = Hasher(key)
    at = utcnow()
    prev = chain_head(conn)
    at_text = at.isoformat()
    run_text = "" if run_id is None else str(run_id)
    rows: list[tuple[Any, ...]] = []
    for change in changes:
        # str(): a table's name is SQLAlchemy's `quoted_name`, which sqlite3 would look
        # up adapters for, row by row.
        entity, entity_id, action = str(change.entity), change.entity_id, change.action
        before = _dump_redacted(entity, change.before)
        after = _dump_redacted(entity, change.after)
        digest = digest_of(
            prev, at_text, source, entity, entity_id, action, before or "", after or "", run_text
        )
        rows.append((source, entity, entity_id, action, before, after, run_id, prev, digest))
        prev = digest
    if rows:
        _insert_events(conn, at, rows)
    return len(rows)


# The columns `append` writes: `at`, then the order of its row tuples.
_EVENT_COLUMNS: tuple[str, ...] = (
    *("at", "source", "entity", "entity_id", "action"),
    *("before", "after", "run_id", "prev_hash", "hash"),
)


def _insert_events(conn: Connection, at: dt.datetime, rows: list[tuple[Any, ...]]) -> None:
    """One executemany of events that share the timestamp `at`.

    On SQLite the rows go to the driver as they are, with `at` converted once:
    Core would process every row's parameters, which costs as much as SQLite's own
    work in a 200,000-row import. Elsewhere Core batches them (insertmanyvalues).
    """
    if conn.dialect.name != "sqlite":
        params = [dict(zip(_EVENT_COLUMNS, (at, *row), strict=True)) for row in rows]
        conn.execute(insert(AUDIT_TABLE), params)
        return
    process = AUDIT_TABLE.c.at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    stored_at = at if process is None else process(at)
    conn.exec_driver_sql(_sqlite_insert_sql(conn), [(stored_at, *row) for row in rows])


_SQLITE_INSERT: list[str] = []


def _sqlite_insert_sql(conn: Connection) -> str:
    if not _SQLITE_INSERT:
        compiled = insert(AUDIT_TABLE).compile(
            dialect=conn.dialect, column_keys=list(_EVENT_COLUMNS)
        )
        if tuple(compiled.positiontup or ()) != _EVENT_COLUMNS:
            raise RuntimeError(f"unexpected audit insert: {compiled.string}")
        _SQLITE_INSERT.append(compiled.string)
    return _SQLITE_INSERT[0]


def events_in_order(conn: Connection) -> Generator[Mapping[str, Any], None, None]:
    """Every event, oldest first, streamed from the server in batches."""
    query = select(AUDIT_TABLE).order_by(AUDIT_TABLE.c.id)
    with conn.execution_options(yield_per=5000).execute(query) as result:
        for row in result.mappings():
            yield dict(row)
