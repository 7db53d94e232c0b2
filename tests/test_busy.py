"""A write that cannot get the database in time is `Busy`: a clear error that writes
nothing, a 409 "Busy, try again" page after the web's short wait, one line from the CLI.
On both databases."""

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
from ledger.web.server import open_web_ledger
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


@pytest.fixture
def web_ledger(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    """The ledger `ledger serve` opens, while the CLI's own wait stays long."""
    monkeypatch.setenv("LEDGER_LOCK_TIMEOUT_SECONDS", "30")
    opened = open_web_ledger(database_url, WebConfig())
    opened.users.create("jana", PASSWORD)
    yield opened
    opened.close()


def test_the_web_waits_briefly_for_a_long_write(web_ledger: Ledger) -> None:
    assert web_ledger.database.lock_wait == WebConfig().web_lock_timeout_seconds == 1.0


def test_the_web_answers_busy_with_a_409_that_says_to_try_again(
    web_ledger: Ledger, database_url: str
) -> None:
    with TestClient(create_app(web_ledger, WebConfig()), follow_redirects=False) as client:
        client.post("/login", data={"username": "jana", "password": PASSWORD,
                                    "csrf_token": csrf(client, "/login")})  # fmt: skip
        form = {**GOOD_CLIENT, "csrf_token": csrf(client, "/clients/new")}
        counts = row_counts(web_ledger)
        with held_write_lock(database_url):
            response = client.post("/clients", data=form)
            page = client.get("/clients")  # reading goes on meanwhile
    assert response.status_code == 409
    assert response.headers["retry-after"] == "5"
    assert "Busy, try again" in response.text
    assert "try again in a moment" in response.text
    assert page.status_code == 200
    assert row_counts(web_ledger) == counts
    assert web_ledger.clients.list() == []


def test_a_login_while_a_long_write_holds_the_database_is_never_a_500(
    web_ledger: Ledger, database_url: str
) -> None:
    """SQLite's sessions wait for its single writer; PostgreSQL's do not."""
    with TestClient(create_app(web_ledger, WebConfig()), follow_redirects=False) as client:
        token = csrf(client, "/login")
        with held_write_lock(database_url):
            response = client.post(
                "/login", data={"username": "jana", "password": PASSWORD, "csrf_token": token}
            )
    if web_ledger.database.is_sqlite:
        assert response.status_code == 409
        assert "Busy, try again" in response.text
    else:
        assert (response.status_code, response.headers["location"]) == (303, "/")


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
