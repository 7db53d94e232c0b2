"""Which schema revision a database has; reading it needs no Alembic."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from ledger.storage.revisions import HEAD_REVISION

KEYED_AUDIT_REVISION = "0007"
"""The migration that brought keyed audit chains; events before it carry plain hashes."""


def before_keyed_audit(revision: str | None) -> bool:
    """Whether a database at `revision` may hold events written before keyed chains.

    None is a new database: its every event is keyed.
    """
    return revision is not None and revision < KEYED_AUDIT_REVISION


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, None when it has none yet."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_current(engine: Engine) -> bool:
    """Whether the database has the newest schema (so opening it needs no migration)."""
    return current_revision(engine) == HEAD_REVISION
