"""Sessions live in the database: a restart (or another process) keeps the user logged
in, logout and a password change end them everywhere, and only token hashes are kept."""

from __future__ import annotations

from sqlalchemy import text
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.web import create_app
from ledger.web.config import WebConfig
from support import FakeClock

from .web_helpers import PASSWORD, csrf


def logged_in(lg: Ledger) -> TestClient:
    client = TestClient(create_app(lg, WebConfig()), follow_redirects=False)
    token = csrf(client, "/login")
    client.post("/login", data={"username": "jana", "password": PASSWORD, "csrf_token": token})
    return client


def another_process(lg: Ledger, cookie: str) -> TestClient:
    """A second app on the same database: a restarted server, or another worker."""
    client = TestClient(create_app(lg, WebConfig()), follow_redirects=False)
    client.cookies.set("ledger_session", cookie)
    return client


def test_a_restart_keeps_the_user_logged_in_and_logout_ends_it_everywhere(lg: Ledger) -> None:
    lg.users.create("jana", PASSWORD)
    first = logged_in(lg)
    cookie = first.cookies["ledger_session"]
    second = another_process(lg, cookie)
    assert second.get("/").status_code == 200

    first.post("/logout", data={"csrf_token": csrf(first)})
    assert another_process(lg, cookie).get("/").status_code == 303


def test_only_hashes_of_session_tokens_are_stored(lg: Ledger) -> None:
    lg.users.create("jana", PASSWORD)
    cookie = logged_in(lg).cookies["ledger_session"]
    with lg.database.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT token_hash FROM web_sessions"))]
    assert stored
    assert cookie not in stored
    assert all(len(value) == 64 for value in stored)


def test_a_password_change_ends_the_users_other_sessions(lg: Ledger) -> None:
    lg.users.create("jana", PASSWORD)
    here, elsewhere = logged_in(lg), logged_in(lg)
    response = here.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": "another good one",
        "confirm_password": "another good one", "csrf_token": csrf(here, "/settings"),
    })  # fmt: skip
    assert response.status_code == 303
    assert "Other sessions were logged out" in here.get("/settings").text  # kept for the page
    assert elsewhere.get("/").status_code == 303


def test_an_idle_session_expires_and_is_removed(lg: Ledger, clock: FakeClock) -> None:
    lg.users.create("jana", PASSWORD)
    client = logged_in(lg)
    clock.advance(minutes=61)
    assert client.get("/").status_code == 303
    logged_in(lg)  # a new session sweeps the expired ones
    with lg.database.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM web_sessions")).scalar()
    assert count == 2  # the new login's, and the anonymous one the expired visit got
