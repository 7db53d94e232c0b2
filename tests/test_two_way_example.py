"""The tutorial's two-way plugin, Example Tracker, against its recordings and a live push.

The plugin and its fake upstream are files of ``docs/examples/``: the tutorial
"A two-way integration" includes them, and these tests hold the page to its word.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.api import Ledger
from ledger.contracts.http import HttpPolicy
from ledger.testing import run_contract
from plugin_helpers import domain_snapshot, open_with

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
NAME = "example_tracker"


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The example modules, imported from ``docs/examples`` as the tutorial's reader does."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    names = ("example_tracker", "fake_tracker", "example_tracker_spec")
    modules = {name: importlib.import_module(name) for name in names}
    yield modules
    for name in modules:
        sys.modules.pop(name, None)


@pytest.fixture
def lg(database_url: str, clock: Any, examples: dict[str, Any]) -> Iterator[Ledger]:
    """A ledger where the user already has Acme s.r.o., with Example Tracker enabled."""
    opened = open_with(database_url, clock, examples["example_tracker"].ExampleTracker)
    opened.plugins.configure(NAME, token="tracker-token-1234")
    opened.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
    yield opened
    opened.close()


@pytest.fixture
def tracker(examples: dict[str, Any]) -> Any:
    return examples["fake_tracker"].FakeTracker()


def sync(lg: Ledger, tracker: Any, **options: Any) -> Any:
    run = lg.sync(NAME, transport=tracker.transport, **options)
    assert run.status == "succeeded", run.error_message
    return run


def issue(lg: Ledger, client_name: str, rate: str = "1500") -> Any:
    client = next(c for c in lg.clients.list() if c.name == client_name)
    lg.clients.update(client, hourly_rate=rate)
    return lg.invoices.issue(lg.invoices.draft(client), issue_date="2026-01-20")


def test_the_first_sync_pulls_entries_with_their_projects_and_links_acme_by_name(
    lg: Ledger, tracker: Any
) -> None:
    (acme,) = lg.clients.list()

    run = sync(lg, tracker)

    assert (run.created, run.updated, run.cursor_after) == (7, 0, "t-20260116-0004")
    assert sorted(c.name for c in lg.clients.list()) == ["Acme s.r.o.", "Nordwind GmbH"]
    website = next(p for p in lg.projects.list() if p.name == "Website")
    assert website.client_id == acme.id  # linked by name, not duplicated
    assert lg.clients.get(acme).hourly_rate == 1500  # and left as the user set it up
    entries = {e.description: e for e in lg.entries.list()}
    assert sorted(entries) == [
        "Checkout: API design",
        "Code review",
        "Hotfix: login page",
        "Standup",
    ]
    assert (entries["Checkout: API design"].minutes, entries["Standup"].billable) == (150, False)
    assert {e.source for e in lg.audit.list(run_id=run.id)} == {f"plugin:{NAME}"}
    assert tracker.changing == []  # no issued invoice yet: nothing to push


def test_a_second_sync_sends_the_cursor_and_changes_nothing(lg: Ledger, tracker: Any) -> None:
    sync(lg, tracker)
    before = domain_snapshot(lg)

    again = sync(lg, tracker)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 0)
    assert str(tracker.received[-1].url).endswith("/entries?changed_since=t-20260116-0004")
    assert domain_snapshot(lg) == before
    assert lg.audit.list(run_id=again.id) == []


def test_an_issued_invoice_is_pushed_once_then_again_only_when_it_changes(
    lg: Ledger, tracker: Any
) -> None:
    sync(lg, tracker)
    invoice = issue(lg, "Acme s.r.o.")

    first = sync(lg, tracker)
    quiet = sync(lg, tracker)
    lg.invoices.record_payment(invoice, amount=invoice.total, date="2026-01-25")
    paid = sync(lg, tracker)
    sync(lg, tracker)

    assert [(r.method, r.url.path) for r in tracker.changing] == [
        ("POST", "/v1/invoices"),
        ("PUT", "/v1/invoices/i-401"),
    ]
    assert tracker.invoices["i-401"] == {
        "number": invoice.number,
        "client_id": "c-101",
        "issued_on": "2026-01-20",
        "total": str(invoice.total),
        "currency": "CZK",
        "paid": True,
    }
    assert tracker.changing[0].headers["Authorization"] == "Bearer tracker-token-1234"
    assert "invoices: 1 sent, 0 unchanged" in [line["message"] for line in first.log]
    assert "invoices: 0 sent, 1 unchanged" in [line["message"] for line in quiet.log]
    assert "invoices: 1 sent, 0 unchanged" in [line["message"] for line in paid.log]


def test_a_push_that_fails_midway_sends_each_invoice_exactly_once(
    lg: Ledger, tracker: Any
) -> None:
    sync(lg, tracker)
    issue(lg, "Acme s.r.o.")
    issue(lg, "Nordwind GmbH", rate="80")
    tracker.fail_on = 2

    failed = lg.sync(NAME, transport=tracker.transport)
    tracker.fail_on = None
    sync(lg, tracker)
    sync(lg, tracker)

    assert (failed.status, failed.error_kind) == ("failed", "server")
    posted = [json.loads(r.content)["client_id"] for r in tracker.changing]
    # The second POST failed (a POST is never retried blindly); only it went again.
    assert sorted(posted[:2]) == ["c-101", "c-102"]
    assert posted[2] == posted[1]
    assert len(posted) == 3
    assert sorted(i["client_id"] for i in tracker.invoices.values()) == ["c-101", "c-102"]


def test_a_dry_run_sends_nothing_and_lists_what_it_would_send(lg: Ledger, tracker: Any) -> None:
    sync(lg, tracker)
    issue(lg, "Acme s.r.o.")

    dry = sync(lg, tracker, dry_run=True)

    assert tracker.changing == []
    would = [(e["method"], e["url"]) for e in dry.upstream if e["would_send"]]
    assert would == [("POST", "https://api.tracker.example/v1/invoices")]
    assert "invoices: 0 sent, 0 unchanged" in [line["message"] for line in dry.log]
    sync(lg, tracker)
    assert [r.method for r in tracker.changing] == ["POST"]  # the dry run recorded no link


def test_a_dry_run_of_the_first_sync_writes_nothing(lg: Ledger, tracker: Any) -> None:
    before = domain_snapshot(lg)

    dry = sync(lg, tracker, dry_run=True)

    assert domain_snapshot(lg) == before
    assert {(c["entity"], c["action"]) for c in dry.changes} >= {("work_entries", "insert")}
    assert dry.cursor_after == "t-20260116-0004"


def test_the_fake_server_answers_over_loopback_http_only_when_opted_in(
    lg: Ledger, tracker: Any, examples: dict[str, Any]
) -> None:
    server = examples["fake_tracker"].serve(tracker, port=0)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        lg.plugins.configure(NAME, token="tracker-token-1234", base_url=base_url)

        refused = lg.sync(NAME)
        run = lg.sync(NAME, policy=HttpPolicy(allow_loopback_http=True))
    finally:
        server.shutdown()
        server.server_close()

    assert (refused.status, refused.error_kind) == ("failed", "upstream")
    assert "--allow-loopback-http" in (refused.error_message or "")
    assert (run.status, run.created) == ("succeeded", 7), run.error_message


def test_the_example_passes_the_whole_contract_suite(examples: dict[str, Any]) -> None:
    report = run_contract(examples["example_tracker_spec"].SPEC)

    assert report.passed, report.render()
    assert report.result("overlap").status == "opted_out"
