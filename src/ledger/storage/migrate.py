"""Apply the Alembic migrations that ship inside the package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from ledger.storage.revisions import HEAD_REVISION
from ledger.storage.schema import current_revision, is_current

__all__ = [
    "HEAD_REVISION", "MIGRATION_SOURCE", "alembic_config", "backfill", "current_revision",
    "upgrade",
]  # fmt: skip

MIGRATION_SOURCE = "system:migration"
"""The source of rows a migration moves: they are audited like any other write."""


def alembic_config() -> Config:
    """Alembic configuration pointing at ``ledger/storage/migrations``."""
    config = Config()
    config.set_main_option("script_location", "ledger.storage:migrations")
    return config


def upgrade(engine: Engine, audit_key: bytes | None = None) -> None:
    """Bring the schema to the newest revision (a no-op when it is there).

    `audit_key` signs the audit events of rows a migration moves (a database holding
    such rows cannot be migrated without it).
    """
    if is_current(engine):
        return
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        config.attributes["audit_key"] = audit_key
        command.upgrade(config, "head")


@contextmanager
def backfill(conn: Connection) -> Iterator[None]:
    """Let a migration fill columns it has just added to audited tables.

    Such a fill is part of the schema change, not a business change: the audit trail
    never held the new columns, and its replay skips a column the trail never set.
    """
    conn.info["audit"] = ("migration", None)
    try:
        yield
    finally:
        del conn.info["audit"]
