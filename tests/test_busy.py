"""A write that cannot get the database in time is `Busy`: a clear error that writes
nothing, a 503 page that says to try again, one line from the CLI. On both databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient
from typer.testing import CliRunner

import ledger
from helpers import row_counts
from ledger.api import Ledger
from ledger.cli import matching as cli_matching
from ledger.cli.app import app
from ledger.cli.common import open_cli_ledger
from ledger.errors import Busy
from ledger.storage.database import _PG_WRITE_LOCK
from ledger.web import create_app
from ledger.web.config import WebConfig
from web.test_clients import GOOD_CLIENT
from web.web_helpers import PASSWORD, csrf


@contextmanager
def held_write_lock(url: str) -> Iterator[None]:
    """Another process's write in progress: SQLite's write lock, or ledger's PG lock."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        other = sqlite3.connect(parsed.database or "", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = create_engine(url)
    with engine.connect() as holder:
        holder.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_WRITE_LOCK})")
        try:
            yield
        finally:
            holder.exec_driver_sql(f"SELECT pg_advisory_unlock({_PG_WRITE_LOCK})")
    engine.dispose()


@pytest.fixture
def impatient(
    database_url: str, clock: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Ledger]:
    """A ledger that waits half a second for the write lock."""
    monkeypatch.setenv("LEDGER_LOCK_TIMEOUT_SECONDS", "0.5")
    opened = ledger.open(database_url)
    yield opened
    opened.close()


def test_a_write_that_waits_too_long_is_busy_and_writes_nothing(
    impatient: Ledger, database_url: str
) -> None:
    counts = row_counts(impatient)
    with held_write_lock(database_url), pytest.raises(Busy, match="nothing was written"):
        impatient.clients.add(name="Acme", currency="CZK")
    assert row_counts(impatient) == counts
    assert impatient.clients.add(name="Acme", currency="CZK").name == "Acme"  # once free


def test_the_web_answers_busy_with_a_503_that_says_to_try_again(
    impatient: Ledger, database_url: str
) -> None:
    impatient.users.create("jana", PASSWORD)
    with TestClient(create_app(impatient, WebConfig()), follow_redirects=False) as client:
        client.post("/login", data={"username": "jana", "password": PASSWORD,
                                    "csrf_token": csrf(client, "/login")})  # fmt: skip
        form = {**GOOD_CLIENT, "csrf_token": csrf(client, "/clients/new")}
        with held_write_lock(database_url):
            response = client.post("/clients", data=form)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "try again in a moment" in response.text
    assert impatient.clients.list() == []


def test_the_cli_says_busy_in_one_line(
    impatient: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Ledger] = []

    def opening(database: str | None) -> Ledger:
        opened.append(open_cli_ledger(database))
        return opened[-1]

    # The test runner outlives the command, so it closes what the command opened.
    monkeypatch.setattr(cli_matching, "open_cli_ledger", opening)
    with held_write_lock(database_url):
        result = CliRunner().invoke(app, ["match", "--database", database_url])
    for lg in opened:
        lg.close()
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith("error: the database is busy with another change")
