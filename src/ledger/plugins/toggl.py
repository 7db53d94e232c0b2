"""Toggl Track, both ways: time entries in, an "invoiced" tag out.

Pull: the first sync reads the time entries from `start_date` on, a month per
request; later syncs ask for what changed since the cursor (Toggl's ``since``,
which also returns deleted entries). Toggl clients and projects become ledger's
by name (an existing client or project of the same name is linked, not
duplicated) or by an explicit map of Toggl project ids to ledger projects.

Push: once an imported entry's invoice is issued in ledger, the entry gets the
`invoiced_tag` in Toggl with one bulk PATCH per hundred entries. `ctx.push`
records each accepted entry, so a failed run never tags twice and a run with
nothing newly invoiced sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ledger.contracts import (
    BadConfiguration,
    BadUpstreamData,
    LinkView,
    Outgoing,
    Plugin,
    PushResult,
    RateLimited,
    SyncContext,
    SyncResult,
    UpstreamError,
    json_body,
    parse_upstream,
)

BASE_URL = "https://api.track.toggl.com/api/v9"
WINDOW_DAYS = 31
BULK_LIMIT = 100  # Toggl's bulk edit takes at most 100 entry ids


class TogglSettings(BaseModel):
    """How to reach one Toggl Track workspace and map it onto ledger."""

    api_token: SecretStr = Field(
        description="API token from your Toggl profile (Profile settings → API Token).",
        min_length=8,
    )
    workspace_id: int | None = Field(
        default=None, description="Workspace to sync (default: your default workspace)."
    )
    start_date: dt.date | None = Field(
        default=None,
        description="First day to import on the first sync (default: 90 days back).",
    )
    mapping: Literal["by_name", "by_setting"] = Field(
        default="by_name",
        description="by_name: Toggl clients and projects become ledger's of the same name "
        "(created when missing); by_setting: only the projects in `projects` are imported.",
    )
    projects: str = Field(
        default="",
        max_length=2000,
        description="With mapping by_setting: TOGGL_PROJECT_ID=LEDGER_PROJECT_ID pairs, "
        "comma-separated (e.g. 198765432=3, 198765433=5).",
    )
    currency: str = Field(
        default="CZK", description="Currency of clients created from Toggl (ISO 4217)."
    )
    invoiced_tag: str = Field(
        default="invoiced",
        min_length=1,
        max_length=40,
        description="Tag given in Toggl to entries once their ledger invoice is issued.",
    )
    push_invoiced: bool = Field(
        default=True, description="Tag invoiced entries in Toggl (the push)."
    )

    @field_validator("projects")
    @classmethod
    def _pairs(cls, value: str) -> str:
        project_map(value)
        return value.strip()


def project_map(text: str) -> dict[int, int]:
    """The `projects` setting as Toggl project id → ledger project id."""
    pairs: dict[int, int] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        toggl, sep, mine = (side.strip() for side in pair.partition("="))
        if not (sep and toggl.isdigit() and mine.isdigit()):
            raise ValueError(
                f"{pair!r}: write TOGGL_PROJECT_ID=LEDGER_PROJECT_ID, e.g. 198765432=3"
            )
        pairs[int(toggl)] = int(mine)
    return pairs


class TogglEntry(BaseModel):
    """A time entry as Toggl's API v9 sends it (the fields ledger uses)."""

    model_config = ConfigDict(extra="ignore")

    id: int
    workspace_id: int
    project_id: int | None = None
    start: dt.datetime
    duration: int
    description: str | None = ""
    billable: bool = False
    at: dt.datetime
    server_deleted_at: dt.datetime | None = None


class TogglProject(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    name: str
    client_id: int | None = None


class TogglClient(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    name: str


class Toggl(Plugin[TogglSettings]):
    """Toggl Track time entries, two-way: import entries, tag invoiced ones."""

    name = "toggl"
    version = "1.0.0"
    Settings = TogglSettings

    def sync(self, ctx: SyncContext[TogglSettings]) -> SyncResult:
        api = TogglApi(ctx)
        me = api.get("/me")
        workspace = ctx.settings.workspace_id or int(me.get("default_workspace_id") or 0)
        if not workspace:
            raise BadConfiguration("your Toggl user has no default workspace; set workspace_id")
        zone = _zone(me.get("timezone"))
        entries = [e for e in self._entries(ctx, api) if e.workspace_id == workspace]
        result = self._pull(ctx, api, workspace, entries, zone)
        latest = max((e.at for e in entries), default=None)
        if latest is not None:
            ctx.cursor = str(int(latest.timestamp()))
        elif ctx.cursor is None:
            ctx.cursor = str(int(ctx.now().timestamp()))
        if ctx.settings.push_invoiced:
            pushed = self._push_invoiced(ctx, workspace)
            ctx.log.info(f"tagged {pushed.sent} invoiced entries in Toggl")
        return result

    # --- pull ----------------------------------------------------------------

    def _entries(self, ctx: SyncContext[TogglSettings], api: TogglApi) -> list[TogglEntry]:
        if ctx.cursor is not None:
            if not ctx.cursor.isdigit():
                raise BadConfiguration(f"the stored cursor {ctx.cursor!r} is not a timestamp")
            return api.entries({"since": ctx.cursor})
        start = ctx.settings.start_date or ctx.today() - dt.timedelta(days=90)
        entries: list[TogglEntry] = []
        while start <= ctx.today():
            end = start + dt.timedelta(days=WINDOW_DAYS)
            entries += api.entries({"start_date": start.isoformat(), "end_date": end.isoformat()})
            start = end
        return entries

    def _pull(
        self,
        ctx: SyncContext[TogglSettings],
        api: TogglApi,
        workspace: int,
        entries: list[TogglEntry],
        zone: dt.tzinfo,
    ) -> SyncResult:
        deleted = [str(e.id) for e in entries if e.server_deleted_at is not None]
        ctx.ledger.entries.remove(deleted)
        live = [e for e in entries if e.server_deleted_at is None and e.duration >= 0]
        if ctx.settings.mapping == "by_setting":
            projects = project_map(ctx.settings.projects)
            result = SyncResult()
        else:
            result, imported = self._map_by_name(ctx, api, workspace, live)
            live = [e for e in live if e.project_id is None or e.project_id in imported]
            projects = {}
        rows = []
        for entry in live:
            row = self._entry_row(ctx, entry, projects, zone)
            if row is not None:
                rows.append(row)
        ctx.log.info(f"Toggl sent {len(entries)} entries ({len(deleted)} deleted)")
        return result + ctx.ledger.entries.upsert(rows)

    def _map_by_name(
        self,
        ctx: SyncContext[TogglSettings],
        api: TogglApi,
        workspace: int,
        entries: list[TogglEntry],
    ) -> tuple[SyncResult, set[int]]:
        """Upsert (or link) the clients and projects `entries` use; return the projects
        whose entries can be imported (those with a client)."""
        used = {e.project_id for e in entries if e.project_id is not None}
        if not used:
            return SyncResult(), set()
        projects = [
            parse_upstream(TogglProject, p, f"projects[{i}]")
            for i, p in enumerate(api.get_list(f"/workspaces/{workspace}/projects"))
        ]
        clients = {
            client.id: client
            for client in (
                parse_upstream(TogglClient, c, f"clients[{i}]")
                for i, c in enumerate(api.get_list(f"/workspaces/{workspace}/clients"))
            )
        }
        wanted = [p for p in projects if p.id in used and p.client_id in clients]
        for project in projects:
            if project.id in used and project.client_id not in clients:
                ctx.log.warning(
                    f"Toggl project {project.name!r} has no client; its entries are not "
                    "imported until you give it one in Toggl"
                )
        mine = self._attach_by_name(ctx, wanted, clients)
        owners = {p.client_id: clients[p.client_id] for p in wanted if p.client_id is not None}
        client_rows = [
            {"external_id": str(c.id), "name": c.name, "currency": ctx.settings.currency}
            for c in owners.values()
            if str(c.id) not in mine
        ]
        project_rows = [
            {"external_id": str(p.id), "name": p.name, "client_external_id": str(p.client_id)}
            for p in wanted
            if str(p.id) not in mine
        ]
        result = ctx.ledger.clients.upsert(client_rows) + ctx.ledger.projects.upsert(project_rows)
        return result, {p.id for p in wanted}

    def _attach_by_name(
        self,
        ctx: SyncContext[TogglSettings],
        projects: list[TogglProject],
        clients: Mapping[int, TogglClient],
    ) -> set[str]:
        """Link Toggl clients and projects to the user's own of the same name.

        Returns the Toggl ids linked to objects the user made: ledger keeps their
        names and settings as the user set them, so they are not upserted.
        """
        client_links = {link.external_id: link for link in ctx.ledger.links.list("clients")}
        links = [*client_links.values(), *ctx.ledger.links.list("projects")]
        linked = {link.external_id for link in links}
        mine = {link.external_id for link in links if not link.upstream_state}
        taken = {link.object_id for link in client_links.values()}
        names = {c.name.casefold(): c.id for c in ctx.ledger.clients.list() if c.id not in taken}
        ledger_projects = ctx.ledger.projects.list()
        for project in projects:
            owner = clients[project.client_id or 0]
            link = client_links.get(str(owner.id))
            client_id = link.object_id if link else names.pop(owner.name.casefold(), None)
            if link is None and client_id is not None:
                ctx.ledger.links.attach("clients", client_id, str(owner.id))
                client_links[str(owner.id)] = LinkView(
                    entity="clients", object_id=client_id, external_id=str(owner.id),
                    upstream_state="", pushed_fingerprint="",
                )  # fmt: skip
                linked.add(str(owner.id))
                mine.add(str(owner.id))
            same = [
                p.id
                for p in ledger_projects
                if p.client_id == client_id and p.name.casefold() == project.name.casefold()
            ]
            if str(project.id) not in linked and client_id is not None and same:
                ctx.ledger.links.attach("projects", same[0], str(project.id))
                mine.add(str(project.id))
        return mine

    def _entry_row(
        self,
        ctx: SyncContext[TogglSettings],
        entry: TogglEntry,
        projects: Mapping[int, int],
        zone: dt.tzinfo,
    ) -> dict[str, Any] | None:
        minutes = round(entry.duration / 60)
        if entry.project_id is None:
            ctx.log.warning(f"Toggl entry {entry.id} has no project; not imported")
            return None
        if not 1 <= minutes <= 24 * 60:
            ctx.log.warning(f"Toggl entry {entry.id} lasts {entry.duration} s; not imported")
            return None
        row: dict[str, Any] = {
            "external_id": str(entry.id),
            "date": entry.start.astimezone(zone).date(),
            "minutes": minutes,
            "description": (entry.description or "").strip()[:2000],
            "billable": entry.billable,
        }
        if ctx.settings.mapping == "by_setting":
            if entry.project_id not in projects:
                ctx.log.warning(
                    f"Toggl project {entry.project_id} is not in the projects setting; "
                    f"entry {entry.id} not imported"
                )
                return None
            row["project_id"] = projects[entry.project_id]
        else:
            row["project_external_id"] = str(entry.project_id)
        return row

    # --- push ----------------------------------------------------------------

    def _push_invoiced(self, ctx: SyncContext[TogglSettings], workspace: int) -> PushResult:
        tag = ctx.settings.invoiced_tag
        issued = ctx.ledger.entries.list(invoice_status="issued")
        states = {entry.id: {"tags": [tag]} for entry in issued}

        def request(batch: Sequence[Outgoing]) -> httpx.Request:
            ids = ",".join(str(item.external_id) for item in batch)
            operations = [{"op": "add", "path": "/tags", "value": [tag]}]
            url = f"{BASE_URL}/workspaces/{workspace}/time_entries/{ids}"
            return ctx.http.build_request("PATCH", url, json=operations)

        def accepted(batch: Sequence[Outgoing], response: httpx.Response) -> dict[int, str]:
            answer = json_body(response)
            done = {str(i) for i in (answer.get("success") or [])}
            return {o.object_id: str(o.external_id) for o in batch if o.external_id in done}

        try:
            return ctx.push(
                "time_entries",
                states,
                request=request,
                accepted=accepted,
                batch_size=BULK_LIMIT,
                only_linked=True,  # entries typed in ledger itself are not Toggl's to tag
            )
        except UpstreamError as exc:
            if exc.status == 402:
                raise quota_exceeded(None) from None
            raise


class TogglApi:
    """Toggl's API v9 through ``ctx.http``: basic auth with the token, quota errors typed."""

    def __init__(self, ctx: SyncContext[TogglSettings]) -> None:
        self.ctx = ctx
        self.auth = httpx.BasicAuth(ctx.settings.api_token.get_secret_value(), "api_token")

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        response = self.ctx.http.get(f"{BASE_URL}{path}", params=params, auth=self.auth)
        if response.status_code == 402:
            raise quota_exceeded(response.headers.get("X-Toggl-Quota-Resets-In"))
        if response.status_code >= 400:
            raise BadConfiguration(
                f"Toggl answered {response.status_code} to {path}: {response.text[:200]}"
            )
        return json_body(response)

    def get_list(self, path: str, params: Mapping[str, str] | None = None) -> list[Any]:
        body = self.get(path, params)
        if body is None:
            return []  # Toggl answers null for an empty list
        if not isinstance(body, list):
            raise BadUpstreamData(f"expected a list, got {type(body).__name__}", field=path)
        return body

    def entries(self, params: Mapping[str, str]) -> list[TogglEntry]:
        items = self.get_list("/me/time_entries", params)
        return [parse_upstream(TogglEntry, e, f"time_entries[{i}]") for i, e in enumerate(items)]


def quota_exceeded(resets_in: str | None) -> RateLimited:
    """Toggl's hourly request quota (per plan) is used up: it answers 402."""
    wait = float(resets_in) if resets_in and resets_in.isdigit() else 3600.0
    return RateLimited("Toggl's hourly API quota is used up", retry_after=wait, status=402)


def _zone(name: object) -> dt.tzinfo:
    """The Toggl user's time zone, which decides an entry's date (UTC if unknown)."""
    try:
        return ZoneInfo(str(name)) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC
