"""Shared fixtures: a fresh migrated database per test, on SQLite and PostgreSQL.

Set ``LEDGER_TEST_DATABASE_URL`` to a PostgreSQL URL whose role may create
databases, and every database-backed test runs on both. In CI it must be set.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import ledger
from ledger.api import Ledger
from ledger.storage import migrate
from ledger.storage.database import Database
from support import BACKENDS, PG_URL, FakeClock, drop_database


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError(
            "CI must set LEDGER_TEST_DATABASE_URL: the suite runs on PostgreSQL too"
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        yield ""
        return
    name = f"ledger_tmpl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(database.engine)
    database.dispose()
    yield name
    try:
        drop_database(admin, name)
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_template: str
) -> Iterator[str]:
    """URL of a fresh, migrated, empty database."""
    if request.param == "sqlite":
        path = tmp_path / "ledger.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    name = f"ledger_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        drop_database(admin, name)
    finally:
        admin.dispose()


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep key files and default databases of every test out of the real data directory."""
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lg(database_url: str, clock: FakeClock) -> Iterator[Ledger]:
    """A ledger on a fresh database, writing as ``notebook``, at a fixed time."""
    opened = ledger.open(database_url, clock=clock)
    yield opened
    opened.close()
