"""The bundled Toggl Track plugin: entries in (by name or by map), invoiced tags out."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ledger.api import Ledger
from ledger.errors import InvalidInput
from ledger.plugins import Toggl
from ledger.testing.bundled import SPECS_DIR, invoice_imported_work
from plugin_helpers import open_with

RECORDED = SPECS_DIR / "toggl" / "recordings" / "main"
ANSWERS = {"me": "01_me.json", "projects": "04_projects.json", "clients": "05_clients.json"}


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))["response"]["body"]


@dataclass
class FakeToggl:
    """Toggl's API v9 as the recordings show it, answering `since` and bulk tag edits."""

    entries: list[dict[str, Any]] = field(default_factory=lambda: recorded("03_time_entries.json"))
    changed: list[dict[str, Any]] = field(default_factory=list)  # what `since` returns
    requests: list[httpx.Request] = field(default_factory=list)
    tagged: list[int] = field(default_factory=list)
    refuse: set[int] = field(default_factory=set)
    quota_left: int | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.quota_left is not None:
            if self.quota_left == 0:
                return httpx.Response(402, headers={"X-Toggl-Quota-Resets-In": "1800"})
            self.quota_left -= 1
        path = request.url.path.removeprefix("/api/v9")
        if request.method == "PATCH":
            return self._tag(request, path)
        if path == "/me/time_entries":
            body = self.changed if "since" in request.url.params else self.entries
            return httpx.Response(200, json=body)
        return httpx.Response(200, json=recorded(ANSWERS[path.rsplit("/", 1)[-1]]))

    def _tag(self, request: httpx.Request, path: str) -> httpx.Response:
        ids = [int(i) for i in path.rsplit("/", 1)[1].split(",")]
        assert json.loads(request.content) == [
            {"op": "add", "path": "/tags", "value": ["invoiced"]}
        ]
        good = [i for i in ids if i not in self.refuse]
        self.tagged += good
        failure = [{"id": i, "message": "Time entry not found"} for i in ids if i in self.refuse]
        return httpx.Response(200, json={"success": good, "failure": failure})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def urls(self, method: str = "GET") -> list[str]:
        return [str(r.url) for r in self.requests if r.method == method]


@pytest.fixture
def toggl() -> FakeToggl:
    return FakeToggl()


@pytest.fixture
def lg(database_url: str, clock: Any) -> Iterator[Ledger]:
    opened = open_with(database_url, clock, Toggl)
    opened.plugins.configure("toggl", api_token="toggl-token-1234", start_date="2026-01-01")
    yield opened
    opened.close()


def sync(lg: Ledger, toggl: FakeToggl) -> Any:
    return lg.sync("toggl", transport=toggl.transport)


def test_the_first_sync_imports_entries_with_their_clients_and_projects(
    lg: Ledger, toggl: FakeToggl
) -> None:
    own = lg.clients.add(name="ACME s.r.o.", currency="CZK")

    run = sync(lg, toggl)

    assert run.status == "succeeded", run.error_message
    assert sorted(c.name for c in lg.clients.list()) == ["ACME s.r.o.", "Nordwind GmbH"]
    webshop = next(p for p in lg.projects.list() if p.name == "Webshop")
    assert webshop.client_id == own.id  # linked by name, not duplicated
    entries = {e.description: e for e in lg.entries.list()}
    assert sorted(entries) == [
        "Checkout: API design", "Code review", "Hotfix: platby QR", "Standup a plánování",
    ]  # fmt: skip
    assert (entries["Checkout: API design"].minutes, entries["Code review"].minutes) == (150, 45)
    # 23:30 UTC on 6 January is 00:30 on the 7th in Prague, the user's Toggl time zone
    assert entries["Hotfix: platby QR"].date == dt.date(2026, 1, 7)
    assert entries["Standup a plánování"].billable is False
    assert run.cursor_after == str(
        int(dt.datetime(2026, 1, 15, 11, 0, 5, tzinfo=dt.UTC).timestamp())
    )
    assert all("toggl-token-1234" not in json.dumps(e) for e in run.upstream)
    windows = [r.url.params for r in toggl.requests if r.url.path.endswith("/time_entries")]
    starts = [dt.date.fromisoformat(p["start_date"]) for p in windows]
    ends = [dt.date.fromisoformat(p["end_date"]) for p in windows]
    assert starts[0] == dt.date(2026, 1, 1)
    assert starts[1:] == ends[:-1]  # back to back months, no gap
    assert ends[-1] > lg.today() >= starts[-1]


def test_later_syncs_ask_for_changes_since_the_cursor_and_follow_edits_and_deletions(
    lg: Ledger, toggl: FakeToggl
) -> None:
    first = sync(lg, toggl)
    edited = {
        **toggl.entries[1],
        "description": "Code review (2 PRs)",
        "at": "2026-01-16T08:00:00+00:00",
    }
    deleted = {**toggl.entries[0], "server_deleted_at": "2026-01-16T08:01:00+00:00"}
    toggl.changed = [edited, deleted]

    run = sync(lg, toggl)

    assert run.status == "succeeded", run.error_message
    asked = [r.url.params for r in toggl.requests if r.url.path.endswith("/time_entries")]
    assert asked[-1] == httpx.QueryParams({"since": first.cursor_after})
    descriptions = sorted(e.description for e in lg.entries.list())
    assert descriptions == ["Code review (2 PRs)", "Hotfix: platby QR", "Standup a plánování"]


def test_issued_entries_are_tagged_once_and_refused_ones_are_tried_again(
    lg: Ledger, toggl: FakeToggl
) -> None:
    sync(lg, toggl)
    acme = next(c for c in lg.clients.list() if c.name == "Acme s.r.o.")
    lg.clients.update(acme, hourly_rate="1200")
    webshop = next(p for p in lg.projects.list() if p.name == "Webshop")
    lg.entries.add(webshop, date="2026-01-09", minutes=60, description="Typed in ledger")
    lg.invoices.issue(lg.invoices.draft(acme), issue_date="2026-01-20")
    toggl.refuse = {3456789013}

    tagging = sync(lg, toggl)
    toggl.refuse = set()
    retry = sync(lg, toggl)
    quiet = sync(lg, toggl)

    assert [r.status for r in (tagging, retry, quiet)] == ["succeeded"] * 3
    # the standup is not billable; the entry typed in ledger is not Toggl's to tag
    assert sorted(toggl.tagged) == [3456789012, 3456789013]
    assert toggl.tagged.count(3456789013) == 1
    patches = toggl.urls("PATCH")
    assert len(patches) == 2  # the first run's bulk edit, the retry of the refused one
    assert re.search(r"/workspaces/7654321/time_entries/3456789013$", patches[1])
    assert any("did not accept 1" in w for w in tagging.warnings)


def test_a_dry_run_tags_nothing_and_lists_the_edit_it_would_send(
    lg: Ledger, toggl: FakeToggl
) -> None:
    sync(lg, toggl)
    invoice_imported_work(lg)

    run = lg.sync("toggl", transport=toggl.transport, dry_run=True)

    assert run.status == "succeeded"
    assert toggl.urls("PATCH") == []
    (withheld,) = [e for e in run.upstream if e["would_send"]]
    assert withheld["method"] == "PATCH"
    assert json.loads(withheld["sent"]) == [{"op": "add", "path": "/tags", "value": ["invoiced"]}]
    assert sync(lg, toggl).status == "succeeded"
    assert len(toggl.urls("PATCH")) == 1


def test_mapping_by_setting_imports_only_the_mapped_projects(lg: Ledger, toggl: FakeToggl) -> None:
    project = lg.projects.add(lg.clients.add(name="Mine", currency="CZK"), name="All work")
    lg.plugins.configure(
        "toggl",
        api_token="toggl-token-1234",
        start_date="2026-01-01",
        mapping="by_setting",
        projects=f"198765432={project.id}",
    )

    run = sync(lg, toggl)

    assert run.status == "succeeded", run.error_message
    assert [c.name for c in lg.clients.list()] == ["Mine"]
    assert sorted(e.description for e in lg.entries.list(project)) == [
        "Checkout: API design", "Code review",
    ]  # fmt: skip
    assert any("198765433 is not in the projects setting" in line["message"] for line in run.log)


def test_the_hourly_quota_is_a_rate_limit_with_the_wait(lg: Ledger, toggl: FakeToggl) -> None:
    toggl.quota_left = 1

    run = sync(lg, toggl)

    assert (run.status, run.error_kind) == ("failed", "rate_limit")
    assert "hourly API quota" in (run.error_message or "")
    assert lg.entries.list() == []


def test_a_malformed_project_map_is_refused_when_configured(lg: Ledger) -> None:
    with pytest.raises(InvalidInput, match="write TOGGL_PROJECT_ID=LEDGER_PROJECT_ID"):
        lg.plugins.configure("toggl", api_token="toggl-token-1234", projects="webshop=3")


def test_entries_of_a_project_without_a_client_are_skipped_with_a_warning(
    lg: Ledger, toggl: FakeToggl
) -> None:
    orphan = {**toggl.entries[0], "id": 3456789099, "project_id": 198765499, "pid": 198765499}
    toggl.entries.append(orphan)

    run = sync(lg, toggl)

    assert run.status == "succeeded", run.error_message
    assert len(lg.entries.list()) == 4
    assert any("'Bez klienta' has no client" in w for w in run.warnings)


def test_a_toggl_project_new_on_a_later_sync_finds_the_users_project_by_name(
    lg: Ledger, toggl: FakeToggl
) -> None:
    own = lg.clients.add(name="Acme s.r.o.", currency="CZK")
    toggl.entries = [toggl.entries[0]]  # only Webshop's work at first
    sync(lg, toggl)
    interni = lg.projects.add(own, name="Interní")
    toggl.changed = [recorded("03_time_entries.json")[3]]  # work on Interní appears

    run = sync(lg, toggl)

    assert run.status == "succeeded", run.error_message
    assert sorted(p.name for p in lg.projects.list(own)) == ["Interní", "Webshop"]
    assert [e.project_id for e in lg.entries.list() if e.description.startswith("Standup")] == [
        interni.id
    ]


def test_the_hourly_quota_on_the_tag_push_is_a_rate_limit_too(
    lg: Ledger, toggl: FakeToggl
) -> None:
    sync(lg, toggl)
    invoice_imported_work(lg)
    toggl.quota_left = 2  # /me and the entries since the cursor, then the quota is gone

    run = sync(lg, toggl)

    assert (run.status, run.error_kind) == ("failed", "rate_limit")
    assert toggl.tagged == []
