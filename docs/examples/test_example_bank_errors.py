"""Your own tests next to the contract suite: one upstream answer each."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from example_bank import ExampleBank

import ledger
from ledger import Ledger, Registry
from ledger.testing import RecordedResponse, Recording

URL = r"/accounts/2001234567/transactions"


@pytest.fixture
def lg(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh ledger with Example Bank configured (a random token) and enabled."""
    lg = ledger.open(tmp_path / "ledger.db", registry=Registry([ExampleBank]))
    lg.plugins.configure("example_bank", account_id="2001234567", token=secrets.token_urlsafe(16))
    lg.plugins.enable("example_bank")
    yield lg
    lg.close()


def replay(*responses: RecordedResponse) -> httpx.BaseTransport:
    return Recording(responses).transport()


def test_a_page_pointing_backwards_fails_as_bad_data(lg: Ledger) -> None:
    page = {"transactions": [], "next_page": 1, "sync_token": "st-1"}
    run = lg.sync("example_bank", transport=replay(RecordedResponse(URL, body=page)))

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert run.error_message == "next_page: page 1 points back to page 1"


def test_a_revoked_token_fails_as_auth_and_writes_nothing(lg: Ledger) -> None:
    refused = RecordedResponse(URL, status=401, body={"error": "token revoked"})
    run = lg.sync("example_bank", transport=replay(refused))

    assert (run.status, run.error_kind) == ("failed", "auth")
    assert "token revoked" in (run.error_message or "")
    assert lg.transactions.list() == []


def test_the_token_is_sent_as_a_bearer_header(lg: Ledger) -> None:
    seen: list[httpx.Request] = []

    def bank(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"transactions": [], "sync_token": "st-1"})

    run = lg.sync("example_bank", transport=httpx.MockTransport(bank))

    assert run.status == "succeeded"
    assert seen[0].headers["Authorization"].startswith("Bearer ")
