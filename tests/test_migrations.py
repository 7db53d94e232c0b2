"""Migrations: one head, a schema equal to the models, SQLite set up for durability."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import ledger
import ledger.storage.tables
from helpers import open_copy
from ledger.api import Ledger
from ledger.storage import migrate
from ledger.storage.database import Database


@pytest.fixture
def sqlite_lg(tmp_path: Path, sqlite_template: Path, clock: Any) -> Iterator[Ledger]:
    opened = open_copy(sqlite_template, tmp_path, clock)
    yield opened
    opened.close()


def _differences(engine: sa.Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def _run(engine: sa.Engine, action: Any, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def test_head_revision_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == [migrate.HEAD_REVISION]
    assert script.get_current_head() == migrate.HEAD_REVISION


def test_a_fresh_database_is_at_head(lg: Ledger) -> None:
    assert migrate.current_revision(lg.database.engine) == migrate.HEAD_REVISION


def test_the_migrated_schema_matches_the_models(lg: Ledger) -> None:
    assert _differences(lg.database.engine) == []
    names = set(sa.inspect(lg.database.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= names


def test_upgrade_is_idempotent(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    migrate.upgrade(lg.database.engine)
    _run(lg.database.engine, command.upgrade, "head")
    assert [c.name for c in lg.clients.list()] == ["Acme"]
    assert migrate.current_revision(lg.database.engine) == migrate.HEAD_REVISION


def test_downgrade_to_base_and_up_again(lg: Ledger) -> None:
    engine = lg.database.engine
    _run(engine, command.downgrade, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    _run(engine, command.upgrade, "head")
    assert _differences(engine) == []
    lg.clients.add(name="Acme", currency="CZK")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_events")
    assert lg.audit.verify() == 1


def test_a_new_database_file_is_created_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "ledger.db"
    opened = ledger.open(path)
    try:
        assert migrate.current_revision(opened.database.engine) == migrate.HEAD_REVISION
    finally:
        opened.close()
    with sqlite3.connect(path) as conn:  # WAL is a property of the file itself
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 1)],
)
def test_sqlite_pragmas(sqlite_lg: Ledger, pragma: str, expected: object) -> None:
    with sqlite_lg.database.engine.connect() as conn:
        assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_sqlite_busy_timeout(sqlite_lg: Ledger) -> None:
    with sqlite_lg.database.engine.connect() as conn:
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout is not None
    assert timeout >= 5000


def test_sqlite_enforces_foreign_keys(sqlite_lg: Ledger) -> None:
    sqlite_lg.clients.add(name="Acme", currency="CZK")
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"), sqlite_lg.atomic() as uow:
        uow.session.add(
            ledger.storage.tables.Project(client_id=999, name="Orphan", currency="CZK")
        )
    assert sqlite_lg.projects.list() == []


def test_every_pooled_sqlite_connection_gets_the_pragmas(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with database.engine.connect() as first, database.engine.connect() as second:
            for conn in (first, second):
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        database.dispose()
