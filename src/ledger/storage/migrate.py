"""Apply the Alembic migrations that ship inside the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

HEAD_REVISION = "0004"
"""The newest migration; a test keeps it equal to Alembic's head."""


def alembic_config() -> Config:
    """Alembic configuration pointing at ``ledger/migrations``."""
    config = Config()
    config.set_main_option("script_location", "ledger.storage:migrations")
    return config


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, None when it has none yet."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there)."""
    if current_revision(engine) == HEAD_REVISION:
        return
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
