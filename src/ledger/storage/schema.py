"""Which schema revision a database has; reading it needs no Alembic.

The revisions are plain constants (this module imports SQLAlchemy only to read a
database), so a command that checks them without the ORM loads nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

HEAD_REVISION = "0017"
"""The newest migration; a test keeps it equal to Alembic's head."""


KEYED_AUDIT_REVISION = "0007"
"""The migration that brought keyed audit chains; events before it carry plain hashes."""


def before_keyed_audit(revision: str | None) -> bool:
    """Whether a database at `revision` may hold events written before keyed chains.

    None is a new database: its every event is keyed.
    """
    return revision is not None and revision < KEYED_AUDIT_REVISION


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, None when it has none yet."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_current(engine: Engine) -> bool:
    """Whether the database has the newest schema (so opening it needs no migration)."""
    return current_revision(engine) == HEAD_REVISION
