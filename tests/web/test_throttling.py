"""Login and portal throttling that cannot be turned against the owner: per address,
accounts only slowed down, forwarded addresses believed only from listed proxies,
valid portal links always served, unknown users answered in the same time."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core import users
from ledger.web import create_app
from ledger.web.config import WebConfig
from ledger.web.routes import portal as portal_routes

from .web_helpers import PASSWORD, csrf

PROXY = "testclient"  # the address Starlette's test client connects from
SLOWDOWN = 0.3


@pytest.fixture
def proxied(lg: Ledger) -> Iterator[TestClient]:
    """A client behind a trusted proxy, which says who each request is from."""
    lg.users.create("jana", PASSWORD)
    config = WebConfig(trusted_proxies=PROXY, login_slowdown_seconds=SLOWDOWN,
                       portal_tarpit_seconds=SLOWDOWN)  # fmt: skip
    with TestClient(create_app(lg, config), follow_redirects=False) as client:
        yield client


def log_in(client: TestClient, address: str, password: str) -> int:
    token = csrf(client, "/login")
    response = client.post(
        "/login",
        data={"username": "jana", "password": password, "csrf_token": token},
        headers={"X-Forwarded-For": address},
    )
    return response.status_code


def test_failures_block_their_address_not_the_owner(proxied: TestClient) -> None:
    attacker, owner = "203.0.113.66", "198.51.100.7"
    assert [log_in(proxied, attacker, "wrong password") for _ in range(5)] == [400] * 5
    assert log_in(proxied, attacker, PASSWORD) == 429  # the attacking address is blocked

    started = time.perf_counter()
    assert log_in(proxied, owner, PASSWORD) == 303  # the owner, elsewhere, still logs in
    assert time.perf_counter() - started >= SLOWDOWN  # after the account's slowdown


def test_a_forwarded_address_is_ignored_from_a_peer_that_is_not_a_listed_proxy(
    lg: Ledger,
) -> None:
    lg.users.create("jana", PASSWORD)
    with TestClient(create_app(lg, WebConfig()), follow_redirects=False) as client:
        for number in range(5):  # each claims another address; all come from one peer
            assert log_in(client, f"192.0.2.{number}", "wrong password") == 400
        assert log_in(client, "192.0.2.200", PASSWORD) == 429


def test_a_valid_portal_link_is_served_to_an_address_that_guessed_wrong(
    proxied: TestClient, lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=60)
    invoice = lg.invoices.issue(lg.invoices.draft(client))
    _, token = lg.portal.create_link(invoice)
    guesser = {"X-Forwarded-For": "203.0.113.9"}
    for number in range(30):
        assert proxied.get(f"/p/wrong-{number}", headers=guesser).status_code == 404

    started = time.perf_counter()
    assert proxied.get("/p/wrong-again", headers=guesser).status_code == 404
    assert time.perf_counter() - started >= SLOWDOWN  # wrong links from it now wait

    waits: list[float] = []

    async def counted(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(portal_routes, "tarpit", counted)
    assert proxied.get("/p/wrong-once-more", headers=guesser).status_code == 404
    assert waits == [SLOWDOWN]
    response = proxied.get(f"/p/{token}", headers=guesser)
    assert response.status_code == 200
    assert invoice.number is not None
    assert invoice.number in response.text
    assert waits == [SLOWDOWN]  # a real link does not wait


def test_an_unknown_user_costs_a_password_check_too(
    lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users, "BCRYPT_ROUNDS", 10)  # slow enough to see, fast enough to run
    lg.users.create("jana", PASSWORD)
    lg.users.authenticate("nobody", "warm-up")  # makes the stand-in hash once

    def seconds(name: str) -> float:
        started = time.perf_counter()
        assert lg.users.authenticate(name, "not the password") is None
        return time.perf_counter() - started

    known = min(seconds("jana") for _ in range(3))
    unknown = min(seconds("nobody") for _ in range(3))
    assert unknown > known / 2  # both run bcrypt; without the stand-in, unknown is ~0
