"""Web fixtures: the app around a fresh ledger, a browser-like client, logged in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core import users
from ledger.web import create_app
from ledger.web.config import WebConfig

from .web_helpers import PASSWORD, csrf


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cost 4 instead of 12 keeps the suite fast; test_security checks the real cost."""
    monkeypatch.setattr(users, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def anonymous(lg: Ledger) -> Iterator[TestClient]:
    """A client with no account logged in."""
    with TestClient(create_app(lg, WebConfig()), follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(lg: Ledger, anonymous: TestClient) -> TestClient:
    """A client logged in as the single user (created for the test)."""
    lg.users.create("jana", PASSWORD)
    token = csrf(anonymous, "/login")
    response = anonymous.post(
        "/login", data={"username": "jana", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return anonymous
