"""Two-way sync: plugins write clients, projects and entries, and push without duplicates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ledger.api import Ledger
from ledger.contracts import DRY_RUN_HEADER, Outgoing, SyncContext, SyncResult, UpstreamError
from ledger.contracts.http import ExchangeLog, HttpPolicy, build_client
from ledger.contracts.redaction import Redactor
from plugin_helpers import count, domain_snapshot, make_plugin, open_with

ENTRY_DAY = dt.date(2026, 11, 2)


def entry(external_id: str, minutes: int, description: str) -> dict[str, Any]:
    """A time entry as the imaginary tracker reports it, on project p1."""
    return {
        "external_id": external_id,
        "date": ENTRY_DAY,
        "minutes": minutes,
        "project_external_id": "p1",
        "description": description,
    }


@dataclass
class Upstream:
    """An imaginary time tracker: clients, projects and entries, and a tag endpoint."""

    clients: list[dict[str, Any]] = field(
        default_factory=lambda: [{"external_id": "c1", "name": "Acme s.r.o."}]
    )
    projects: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"external_id": "p1", "name": "Website", "client_external_id": "c1"}
        ]
    )
    entries: list[dict[str, Any]] = field(
        default_factory=lambda: [entry("e1", 90, "Design"), entry("e2", 30, "Call")]
    )
    removed: list[str] = field(default_factory=list)
    received: list[httpx.Request] = field(default_factory=list)
    fail_on: int | None = None  # answer the Nth changing request with a 500
    next_id: int = 100

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        if request.method != "GET" and len(self.changing) == self.fail_on:
            return httpx.Response(500, json={"error": "injected"})
        if request.method == "POST":
            self.next_id += 1
            return httpx.Response(201, json={"id": self.next_id})
        return httpx.Response(200, json={"ok": True})

    @property
    def changing(self) -> list[httpx.Request]:
        return [r for r in self.received if r.method != "GET"]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def pulling(upstream: Upstream) -> Any:
    def sync(ctx: SyncContext[Any]) -> SyncResult:
        result = ctx.ledger.clients.upsert(upstream.clients)
        result += ctx.ledger.projects.upsert(upstream.projects)
        result += ctx.ledger.entries.upsert(upstream.entries)
        ctx.ledger.entries.remove(upstream.removed)
        return result

    return sync


def pushing(upstream: Upstream, seen: list[Any], batch_size: int = 1) -> Any:
    """Pushes every entry's description, creating unlinked ones (POST) and updating linked."""

    def sync(ctx: SyncContext[Any]) -> SyncResult:
        states = {e.id: {"text": e.description} for e in ctx.ledger.entries.list()}

        def request(batch: Sequence[Outgoing]) -> httpx.Request:
            item = batch[0]
            if item.external_id is None:
                return ctx.http.build_request("POST", "https://up.example/e", json=item.state)
            url = f"https://up.example/e/{item.external_id}"
            return ctx.http.build_request("PUT", url, json=item.state)

        def accepted(batch: Sequence[Outgoing], response: httpx.Response) -> dict[int, str]:
            seen.append(response)
            given = response.json().get("id")
            return {o.object_id: str(given or o.external_id) for o in batch}

        seen.append(
            ctx.push(
                "time_entries", states, request=request, accepted=accepted, batch_size=batch_size
            )
        )
        return SyncResult()

    return sync


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def opened(database_url: str, clock: Any) -> Iterator[list[Ledger]]:
    ledgers: list[Ledger] = []
    yield ledgers
    for lg in ledgers:
        lg.close()


def open_two_way(database_url: str, clock: Any, opened: list[Ledger], *plugins: Any) -> Ledger:
    lg = open_with(database_url, clock, *plugins)
    opened.append(lg)
    return lg


def sync(lg: Ledger, name: str, upstream: Upstream, **options: Any) -> Any:
    return lg.sync(name, transport=upstream.transport, **options)


def test_a_plugin_creates_clients_projects_and_entries_audited_as_itself(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))
    run = sync(lg, "tracker", upstream)

    assert (run.status, run.created, run.updated) == ("succeeded", 4, 0)
    (client,) = lg.clients.list()
    (project,) = lg.projects.list()
    assert (client.name, project.name, project.client_id) == ("Acme s.r.o.", "Website", client.id)
    minutes = sorted((e.description, e.minutes) for e in lg.entries.list())
    assert minutes == [("Call", 30), ("Design", 90)]
    events = lg.audit.list(run_id=run.id)
    assert {e.source for e in events} == {"plugin:tracker"}
    inserted = sorted({e.entity for e in events if e.action == "insert"})
    assert inserted == ["clients", "external_links", "projects", "work_entries"]
    links = {(link["entity"], link["external_id"]) for link in _links(lg)}
    assert links == {("clients", "c1"), ("projects", "p1"),
                     ("time_entries", "e1"), ("time_entries", "e2")}  # fmt: skip


def test_a_second_sync_over_the_same_upstream_changes_nothing(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))
    sync(lg, "tracker", upstream)
    before = domain_snapshot(lg)

    again = sync(lg, "tracker", upstream)

    assert (again.status, again.created, again.updated, again.unchanged) == (
        "succeeded", 0, 0, 4,
    )  # fmt: skip
    assert domain_snapshot(lg) == before
    assert lg.audit.list(run_id=again.id) == []


def test_an_entry_edited_upstream_after_it_was_invoiced_stays_as_billed(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))
    sync(lg, "tracker", upstream)
    client = lg.clients.update(lg.clients.list()[0], hourly_rate="1000")
    lg.invoices.issue(lg.invoices.draft(client), issue_date="2026-11-30")
    design = next(e for e in lg.entries.list() if e.description == "Design")

    upstream.entries[0] = {**upstream.entries[0], "minutes": 120}
    run = sync(lg, "tracker", upstream)
    again = sync(lg, "tracker", upstream)

    assert (run.status, run.updated) == ("succeeded", 0)
    assert lg.entries.get(design).minutes == 90
    assert [w for w in run.warnings if "after it was invoiced" in w] == [
        f"time entry 'e1' changed upstream after it was invoiced (invoice id "
        f"{design.invoice_id}); ledger keeps the billed entry as it is"
    ]
    assert again.warnings == []  # said once, not on every sync


def test_an_unbilled_entry_edited_or_deleted_upstream_follows_it(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))
    sync(lg, "tracker", upstream)

    upstream.entries[0] = {**upstream.entries[0], "minutes": 120, "description": "Design v2"}
    upstream.removed = ["e2"]
    del upstream.entries[1]
    run = sync(lg, "tracker", upstream)

    assert (run.status, run.updated) == ("succeeded", 1)
    assert [(e.description, e.minutes) for e in lg.entries.list()] == [("Design v2", 120)]
    assert {link["external_id"] for link in _links(lg, "time_entries")} == {"e1"}
    assert any("removed 1 entries" in line["message"] for line in run.log)


def test_an_existing_client_attached_by_name_is_not_duplicated(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    def attach_then_pull(ctx: SyncContext[Any]) -> SyncResult:
        mine = {c.name: c.id for c in ctx.ledger.clients.list()}
        for client in upstream.clients:
            if client["name"] in mine:
                ctx.ledger.links.attach("clients", mine[client["name"]], client["external_id"])
        result: SyncResult = pulling(upstream)(ctx)
        return result

    lg = open_two_way(database_url, clock, opened, make_plugin(attach_then_pull, "tracker"))
    own = lg.clients.add(name="Acme s.r.o.", currency="EUR")

    run = sync(lg, "tracker", upstream)

    assert (run.status, run.warnings) == ("succeeded", [])  # the counts agree
    assert (run.created, run.updated) == (3, 1)
    assert [c.id for c in lg.clients.list()] == [own.id]
    assert lg.clients.get(own).currency == "EUR"  # only the fields upstream set change
    assert lg.projects.list()[0].client_id == own.id


def test_a_reference_to_an_unknown_project_fails_the_run_and_writes_nothing(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    upstream.entries.append(
        {"external_id": "e9", "date": ENTRY_DAY, "minutes": 5, "project_external_id": "nope"}
    )
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))
    before = domain_snapshot(lg)

    run = sync(lg, "tracker", upstream)

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert "no projects with external id 'nope'" in (run.error_message or "")
    assert domain_snapshot(lg) == before


def test_invalid_records_name_the_item_and_field(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    upstream.entries[1] = {**upstream.entries[1], "minutes": 0}
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))

    run = sync(lg, "tracker", upstream)

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert (run.error_message or "").startswith("time_entries[1].minutes:")
    assert count(lg, "clients") == 0


def test_a_dry_run_lists_the_writes_and_withholds_every_changing_request(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    answers: list[httpx.Response] = []

    def pull_and_post(ctx: SyncContext[Any]) -> SyncResult:
        result: SyncResult = pulling(upstream)(ctx)
        ctx.http.get("https://up.example/me")
        answers.append(ctx.http.post("https://up.example/e", json={"text": "hello"}))
        assert ctx.dry_run
        return result

    lg = open_two_way(database_url, clock, opened, make_plugin(pull_and_post, "tracker"))
    before = domain_snapshot(lg)

    run = sync(lg, "tracker", upstream, dry_run=True)

    assert run.status == "succeeded"
    assert domain_snapshot(lg) == before
    assert [r.method for r in upstream.received] == ["GET"]
    (answer,) = answers
    assert (answer.status_code, answer.headers[DRY_RUN_HEADER]) == (202, "1")
    assert answer.json() == {"ledger_dry_run": True}
    withheld = [e for e in run.upstream if e["would_send"]]
    assert [(e["method"], e["url"], json.loads(e["sent"])) for e in withheld] == [
        ("POST", "https://up.example/e", {"text": "hello"})
    ]
    changed = {(c["entity"], c["action"]) for c in run.changes}
    assert {("work_entries", "insert"), ("clients", "insert")} <= changed


def test_a_push_sends_each_object_once_and_nothing_when_nothing_changed(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    seen: list[Any] = []
    lg = open_two_way(database_url, clock, opened, make_plugin(pushing(upstream, seen), "tracker"))
    project = lg.projects.add(lg.clients.add(name="Acme", currency="CZK"), name="Web")
    for text in ("one", "two", "three"):
        lg.entries.add(project, date=ENTRY_DAY, minutes=10, description=text)

    first = sync(lg, "tracker", upstream)
    again = sync(lg, "tracker", upstream)

    assert (first.status, again.status) == ("succeeded", "succeeded")
    assert [r.method for r in upstream.changing] == ["POST"] * 3
    assert (seen[-1].sent, seen[-1].unchanged) == (0, 3)
    entry = lg.entries.list()[1]
    lg.entries.update(entry, description="two, edited")
    sync(lg, "tracker", upstream)
    last = upstream.changing[-1]
    assert (last.method, json.loads(last.content)) == ("PUT", {"text": "two, edited"})
    assert str(last.url).endswith("/e/102")
    assert len(upstream.changing) == 4


def test_a_push_that_fails_midway_resends_nothing_that_upstream_accepted(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    seen: list[Any] = []
    lg = open_two_way(database_url, clock, opened, make_plugin(pushing(upstream, seen), "tracker"))
    project = lg.projects.add(lg.clients.add(name="Acme", currency="CZK"), name="Web")
    for number in range(5):
        lg.entries.add(project, date=ENTRY_DAY, minutes=10, description=f"task {number}")
    upstream.fail_on = 3

    failed = sync(lg, "tracker", upstream)
    upstream.fail_on = None
    rerun = sync(lg, "tracker", upstream)

    assert (failed.status, failed.error_kind, rerun.status) == ("failed", "server", "succeeded")
    bodies = [json.loads(r.content)["text"] for r in upstream.changing]
    # the third POST failed (and a POST is never retried blindly): only it goes again
    assert bodies == ["task 0", "task 1", "task 2", "task 2", "task 3", "task 4"]
    assert len(_links(lg, "time_entries")) == 5


def test_a_dry_run_push_sends_and_records_nothing(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    seen: list[Any] = []
    lg = open_two_way(database_url, clock, opened, make_plugin(pushing(upstream, seen), "tracker"))
    project = lg.projects.add(lg.clients.add(name="Acme", currency="CZK"), name="Web")
    lg.entries.add(project, date=ENTRY_DAY, minutes=10, description="one")

    run = sync(lg, "tracker", upstream, dry_run=True)

    assert run.status == "succeeded"
    assert upstream.changing == []
    assert (seen[-1].sent, seen[-1].withheld) == (0, 1)
    assert _links(lg) == []
    assert [e["method"] for e in run.upstream if e["would_send"]] == ["POST"]


@pytest.mark.parametrize(
    ("reach", "message"),
    [
        (lambda ctx: ctx.ledger.invoices.issue, "only the user issues"),
        (lambda ctx: ctx.ledger.invoices.delete, "never deletes ledger records"),
        (lambda ctx: ctx.ledger.users, "no access to users or passwords"),
        (lambda ctx: ctx.ledger.settings, "its own settings as ctx.settings"),
        (lambda ctx: ctx.ledger.transactions.pay, "matching pays the invoices"),
    ],
)
def test_writes_a_plugin_must_not_make_are_refused_with_the_reason(
    database_url: str, clock: Any, opened: list[Ledger], reach: Any, message: str
) -> None:
    def sneaky(ctx: SyncContext[Any]) -> SyncResult:
        reach(ctx)
        return SyncResult()

    lg = open_two_way(database_url, clock, opened, make_plugin(sneaky, "sneaky"))
    run = lg.sync("sneaky")

    assert (run.status, run.error_kind) == ("failed", "bug")
    assert message in (run.error_message or "")
    assert "docs/plugins/access.md" in (run.error_message or "")


def test_plain_http_reaches_only_loopback_and_only_when_opted_in() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    def client(**policy: Any) -> httpx.Client:
        log = ExchangeLog(Redactor())
        return build_client(HttpPolicy(**policy), log, httpx.MockTransport(answer))

    with pytest.raises(UpstreamError, match="--allow-loopback-http"):
        client().get("http://127.0.0.1:8000/x")
    opted = client(allow_loopback_http=True)
    assert opted.get("http://127.0.0.1:8000/x").status_code == 200
    assert opted.get("http://localhost:8000/x").status_code == 200
    with pytest.raises(UpstreamError, match=r"only to 127\.0\.0\.1"):
        opted.get("http://example.com/x")


def _links(lg: Ledger, entity: str | None = None) -> list[dict[str, Any]]:
    import sqlalchemy as sa

    query = "SELECT * FROM external_links" + (" WHERE entity = :e" if entity else "")
    with lg.database.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(query), {"e": entity}).mappings()]


def test_a_record_repeated_within_a_run_counts_once_and_the_counts_agree(
    database_url: str, clock: Any, opened: list[Ledger], upstream: Upstream
) -> None:
    upstream.entries.append(dict(upstream.entries[0]))  # overlapping pages
    lg = open_two_way(database_url, clock, opened, make_plugin(pulling(upstream), "tracker"))

    run = sync(lg, "tracker", upstream)

    assert (run.status, run.warnings) == ("succeeded", [])
    assert (run.created, run.unchanged) == (4, 1)
    assert len(lg.entries.list()) == 2


@pytest.mark.parametrize("amount", ["1,500", "1 500,50", "1.500,00", "1e3", "1_000", "١٢"])
def test_an_amount_upstream_wrote_ambiguously_fails_the_run_not_guessed(
    database_url: str, clock: Any, opened: list[Ledger], amount: str
) -> None:
    def send(ctx: SyncContext[Any]) -> SyncResult:
        row = {"external_id": "t-1", "booked_on": ENTRY_DAY, "amount": amount, "currency": "CZK"}
        return ctx.ledger.transactions.upsert([row])

    lg = open_two_way(database_url, clock, opened, make_plugin(send, "loose"))
    run = lg.sync("loose")

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert "is not a plain number" in (run.error_message or "")
    assert count(lg, "money_transactions") == 0
