"""What an attacker with write access to the database (but not the key) can do to it.

Each function works on a plain SQLAlchemy connection, outside ledger's guards, with
the audit table's append-only triggers dropped, as someone holding the database would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from ledger.storage import audit_chain as audit
from ledger.storage.tables import utcnow

EVENTS = audit.AUDIT_TABLE
CLIENTS = SQLModel.metadata.tables["clients"]


@contextmanager
def attacker(url: str) -> Iterator[sa.Connection]:
    """A connection to the database at `url` that ledger's guards do not see."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            drop_append_only_triggers(conn)
            yield conn
    finally:
        engine.dispose()


def drop_append_only_triggers(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")


def delete_events_from(conn: sa.Connection, first: int) -> None:
    """Remove the last events, from `first` on, and the rows they created."""
    rows = conn.execute(
        sa.select(EVENTS.c.entity, EVENTS.c.entity_id).where(
            EVENTS.c.id >= first, EVENTS.c.action == "insert"
        )
    ).all()
    conn.execute(sa.delete(EVENTS).where(EVENTS.c.id >= first))
    for entity, entity_id in rows:
        conn.execute(sa.text(f"DELETE FROM {entity} WHERE id = :id"), {"id": int(entity_id)})


def append_event(conn: sa.Connection, entity: str, entity_id: int, after: dict[str, Any]) -> int:
    """Add an insert event with a correct unkeyed hash (and its row); return its id."""
    head = conn.execute(sa.select(EVENTS.c.id, EVENTS.c.hash).order_by(EVENTS.c.id.desc())).first()
    prev = head[1] if head else audit.GENESIS_HASH
    row = {
        "at": utcnow(),
        "source": "cli",
        "entity": entity,
        "entity_id": str(entity_id),
        "action": "insert",
        "before": None,
        "after": json.dumps(after, sort_keys=True, separators=(",", ":")),
        "run_id": None,
    }
    inserted = sa.insert(EVENTS).values(prev_hash=prev, hash=audit.event_hash(prev, row), **row)
    return int(conn.execute(inserted.returning(EVENTS.c.id)).scalar_one())


def insert_client(conn: sa.Connection, name: str) -> int:
    """Add a client row with SQL, past the audit; return its id."""
    values = {
        "name": name,
        "currency": "CZK",
        "archived": False,
        **dict.fromkeys(("contact_name", "email", "phone", "address"), ""),
        **dict.fromkeys(("company_id", "vat_id"), ""),
        "language": "en",
        "payment_terms_days": 14,
        "created_at": utcnow(),
    }
    inserted = sa.insert(CLIENTS).values(**values).returning(CLIENTS.c.id)
    return int(conn.execute(inserted).scalar_one())


def edit_and_recompute(conn: sa.Connection, event_id: int, after: dict[str, Any]) -> None:
    """Change one event's values, then recompute every hash from it on (unkeyed)."""
    conn.execute(
        sa.update(EVENTS)
        .where(EVENTS.c.id == event_id)
        .values(after=json.dumps(after, sort_keys=True, separators=(",", ":")))
    )
    recompute_from(conn, event_id)


def recompute_from(conn: sa.Connection, first: int, key: bytes | None = None) -> None:
    """Rehash the chain from event `first` on, as a forger who knows the function does."""
    prev_row = conn.execute(sa.select(EVENTS.c.hash).where(EVENTS.c.id == first - 1)).first()
    prev = prev_row[0] if prev_row else audit.GENESIS_HASH
    rows = conn.execute(sa.select(EVENTS).where(EVENTS.c.id >= first).order_by(EVENTS.c.id))
    for row in [dict(r) for r in rows.mappings()]:
        digest = audit.event_hash(prev, row, key)
        conn.execute(
            sa.update(EVENTS).where(EVENTS.c.id == row["id"]).values(prev_hash=prev, hash=digest)
        )
        prev = digest
