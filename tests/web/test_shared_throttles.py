"""The login and portal throttles live in the database: two apps on one database (two
workers, two hosts) count the same failures, and the rows stay out of the audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

import ledger
from ledger.api import Ledger
from ledger.core.throttles import Throttle
from ledger.storage.database import Database
from ledger.web import create_app
from ledger.web.config import WebConfig
from support import FakeClock

from .web_helpers import PASSWORD, csrf

PROXY = "testclient"  # the address Starlette's test client connects from


@pytest.fixture
def workers(database_url: str, lg: Ledger, clock: FakeClock) -> Iterator[list[TestClient]]:
    """Two apps, each with its own `Ledger` and connections, on the same database."""
    lg.users.create("jana", PASSWORD)
    other = ledger.open(database_url, clock=clock)
    config = WebConfig(trusted_proxies=PROXY, login_slowdown_seconds=0, portal_tarpit_seconds=0)
    with (
        TestClient(create_app(lg, config), follow_redirects=False) as first,
        TestClient(create_app(other, config), follow_redirects=False) as second,
    ):
        yield [first, second]
    other.close()


def log_in(client: TestClient, address: str, password: str, user: str = "jana") -> int:
    response = client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": csrf(client, "/login")},
        headers={"X-Forwarded-For": address},
    )
    return response.status_code


def test_failures_on_one_worker_count_on_the_other(workers: list[TestClient]) -> None:
    attacker = "203.0.113.66"
    statuses = [log_in(workers[number % 2], attacker, "wrong password") for number in range(5)]
    assert statuses == [400] * 5  # spread over both workers
    assert log_in(workers[0], attacker, PASSWORD) == 429
    assert log_in(workers[1], attacker, PASSWORD) == 429
    assert log_in(workers[1], "198.51.100.7", PASSWORD) == 303  # the owner, elsewhere


def test_the_window_ends_for_every_worker(workers: list[TestClient], clock: FakeClock) -> None:
    attacker = "203.0.113.66"
    for _ in range(5):
        assert log_in(workers[0], attacker, "wrong password") == 400
    clock.advance(minutes=16)
    assert log_in(workers[1], attacker, PASSWORD) == 303


def test_a_success_clears_the_address_for_every_worker(workers: list[TestClient]) -> None:
    address = "198.51.100.7"
    for _ in range(4):
        assert log_in(workers[0], address, "wrong password") == 400
    assert log_in(workers[1], address, PASSWORD) == 303
    for _ in range(4):  # a fresh count: four more do not block it
        assert log_in(workers[0], address, "wrong password") == 400
    assert log_in(workers[1], address, PASSWORD) == 303


def test_portal_guesses_on_one_worker_count_on_the_other(lg: Ledger, clock: FakeClock) -> None:
    first = Throttle(lg.database, "portal", 3, _ten(), clock)
    second = Throttle(lg.database, "portal", 3, _ten(), clock)
    for _ in range(2):
        first.failed("portal:203.0.113.9")
    assert not second.blocked("portal:203.0.113.9")
    second.failed("portal:203.0.113.9")
    assert first.blocked("portal:203.0.113.9")
    assert not first.blocked("portal:198.51.100.7")


def test_scopes_are_apart(lg: Ledger, clock: FakeClock) -> None:
    login = Throttle(lg.database, "login", 1, _ten(), clock)
    portal = Throttle(lg.database, "portal", 1, _ten(), clock)
    login.failed("ip:203.0.113.9")
    assert login.blocked("ip:203.0.113.9")
    assert not portal.blocked("ip:203.0.113.9")


def test_only_hashes_are_stored_and_the_audit_still_verifies(
    workers: list[TestClient], lg: Ledger
) -> None:
    events = lg.audit.verify()
    assert log_in(workers[0], "203.0.113.66", "wrong password", user="not-a-user\u00e9") == 400
    with lg.database.engine.connect() as conn:
        rows = conn.execute(text("SELECT scope, key_hash, failures FROM throttle_windows"))
        stored = [tuple(row) for row in rows]
    assert {scope for scope, _, _ in stored} == {"login"}
    assert all(len(key) == 64 and "203.0.113.66" not in key for _, key, _ in stored)
    assert [failures for _, _, failures in stored] == [1, 1]  # the address and the account
    assert lg.audit.verify() == events  # security bookkeeping, not audited business data


def test_a_failure_after_the_window_starts_a_new_one(lg: Ledger, clock: FakeClock) -> None:
    throttle = Throttle(lg.database, "login", 5, _ten(), clock)
    for _ in range(3):
        throttle.failed("ip:203.0.113.1")
    assert throttle.recent("ip:203.0.113.1") == 3
    clock.advance(minutes=11)
    throttle.failed("ip:203.0.113.1")  # meets its ended row before the pruning does
    assert throttle.recent("ip:203.0.113.1") == 1
    clock.advance(minutes=9)
    assert throttle.recent("ip:203.0.113.1") == 1  # the new window started 9 minutes ago


def test_ended_windows_are_pruned(lg: Ledger, clock: FakeClock) -> None:
    throttle = Throttle(lg.database, "login", 5, _ten(), clock)
    throttle.failed("ip:203.0.113.1")
    clock.advance(minutes=11)
    throttle.failed("ip:203.0.113.2")
    with lg.database.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM throttle_windows")).scalar()
    assert count == 1


def test_a_failure_is_counted_even_while_the_database_is_held(
    database_url: str, lg: Ledger, clock: FakeClock
) -> None:
    """Another write holding the throttle's table (a long sync on SQLite) makes its
    write `Busy`: the answer is not held up, and this process keeps the count."""
    quick = Database(database_url, lock_wait=0.1)
    throttle = Throttle(quick, "login", 2, _ten(), clock)
    address = "ip:203.0.113.9"
    with lg.database.engine.begin() as holder:
        if lg.database.is_sqlite:
            holder.exec_driver_sql("DELETE FROM throttle_windows")  # takes the write lock
        else:
            holder.exec_driver_sql("LOCK TABLE throttle_windows IN EXCLUSIVE MODE")
        throttle.failed(address)
        throttle.failed(address)
        assert throttle.blocked(address)
        clock.advance(minutes=11)
        assert not throttle.blocked(address)
        throttle.failed(address)
        throttle.succeeded(address)  # its write is Busy too, and does not fail
        assert throttle.recent(address) == 0
    throttle.failed(address)  # the lock is gone: written again
    assert Throttle(lg.database, "login", 2, _ten(), clock).recent(address) == 1
    quick.dispose()


def _ten() -> dt.timedelta:
    return dt.timedelta(minutes=10)
