# --8<-- [start:declare]
"""Example Tracker, both ways: clients, projects and time entries in, invoices out.

The tutorial "A two-way integration" builds this plugin step by step. Example
Tracker is fictional; its recorded responses live in ``recordings/``.

Pull: every sync reads the tracker's clients and projects, and the time entries
changed since the cursor (a sync token the tracker gives; deleted entries come
with ``"deleted": true``). A tracker client with the name of a client the user
already has is linked to it, not duplicated.

Push: every issued invoice of a linked client goes to the tracker (POST once,
then PUT when it changes, e.g. when it is paid). ``ctx.push`` records each
accepted invoice, so nothing is ever sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import httpx
from pydantic import BaseModel, Field, SecretStr

from ledger.contracts import (
    BadUpstreamData,
    InvoiceView,
    Outgoing,
    Plugin,
    PushResult,
    SyncContext,
    SyncResult,
    json_body,
    parse_upstream,
)

# --8<-- [end:declare]


# --8<-- [start:settings]
class ExampleTrackerSettings(BaseModel):
    """How to reach one Example Tracker account."""

    token: SecretStr = Field(description="API token from the tracker's profile page.")
    base_url: str = Field(
        default="https://api.tracker.example/v1",
        description="The tracker's API; change it only to test against a local fake server.",
    )
    push_invoices: bool = Field(
        default=True, description="Send issued invoices to the tracker (the push)."
    )


# --8<-- [end:settings]


# --8<-- [start:upstream]
class TrackerClient(BaseModel):
    id: str
    name: str
    currency: str


class TrackerProject(BaseModel):
    id: str
    client_id: str
    name: str


class TrackerEntry(BaseModel):
    id: str
    project_id: str
    date: date
    minutes: int
    note: str = ""
    billable: bool = True
    deleted: bool = False


class Changes(BaseModel):
    """``GET /entries``: the entries changed since `changed_since` (all without it)."""

    entries: list[TrackerEntry]
    sync_token: str


class Saved(BaseModel):
    """The answer to ``POST /invoices`` and ``PUT /invoices/{id}``."""

    id: str


# --8<-- [end:upstream]


# --8<-- [start:plugin]
class ExampleTracker(Plugin[ExampleTrackerSettings]):
    """Example Tracker time entries, two-way: entries in, invoices out."""

    name = "example_tracker"
    version = "1.0.0"
    Settings = ExampleTrackerSettings

    # --8<-- [end:plugin]

    # --8<-- [start:sync]
    def sync(self, ctx: SyncContext[ExampleTrackerSettings]) -> SyncResult:
        params = {} if ctx.cursor is None else {"changed_since": ctx.cursor}
        changes = parse_upstream(Changes, get(ctx, "/entries", params), "entries")
        ctx.cursor = changes.sync_token
        ctx.ledger.entries.remove(e.id for e in changes.entries if e.deleted)
        entries = [e for e in changes.entries if not e.deleted]
        result = SyncResult()
        if entries:
            result += pull_projects(ctx, {e.project_id for e in entries})
        result += ctx.ledger.entries.upsert(entry_row(e) for e in entries)
        ctx.log.info(f"the tracker sent {len(changes.entries)} changed entries")
        if ctx.settings.push_invoices:
            pushed = push_invoices(ctx)
            ctx.log.info(f"invoices: {pushed.sent} sent, {pushed.unchanged} unchanged")
        return result

    # --8<-- [end:sync]


# --8<-- [start:get]
def get(
    ctx: SyncContext[ExampleTrackerSettings], path: str, params: dict[str, str] | None = None
) -> Any:
    """One GET of the tracker's API, read as JSON (amounts as exact Decimals)."""
    url = f"{ctx.settings.base_url}{path}"
    response = ctx.http.get(url, params=params, headers=auth(ctx))
    body = json_body(response)
    if not isinstance(body, dict):
        raise BadUpstreamData("is not an object", field=path)
    return body


def auth(ctx: SyncContext[ExampleTrackerSettings]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ctx.settings.token.get_secret_value()}"}


# --8<-- [end:get]


# --8<-- [start:projects]
def pull_projects(ctx: SyncContext[ExampleTrackerSettings], used: set[str]) -> SyncResult:
    """Upsert the projects `used` by the entries, and their clients."""
    projects = [
        parse_upstream(TrackerProject, item, f"projects[{i}]")
        for i, item in enumerate(get(ctx, "/projects")["projects"])
    ]
    projects = [p for p in projects if p.id in used]
    owners = {p.client_id for p in projects}
    clients = [
        parse_upstream(TrackerClient, item, f"clients[{i}]")
        for i, item in enumerate(get(ctx, "/clients")["clients"])
    ]
    clients = [c for c in clients if c.id in owners]
    rows = [
        {"external_id": p.id, "name": p.name, "client_external_id": p.client_id} for p in projects
    ]
    return pull_clients(ctx, clients) + ctx.ledger.projects.upsert(rows)


# --8<-- [end:projects]


# --8<-- [start:clients]
def pull_clients(
    ctx: SyncContext[ExampleTrackerSettings], clients: list[TrackerClient]
) -> SyncResult:
    """Upsert the tracker's clients; link the user's own clients of the same name."""
    links = ctx.ledger.links.list("clients")
    linked = {link.external_id for link in links}
    attached = {link.external_id for link in links if not link.upstream_state}
    taken = {link.object_id for link in links}
    own = {c.name.casefold(): c.id for c in ctx.ledger.clients.list() if c.id not in taken}
    for client in clients:
        if client.id in linked:
            continue
        match = own.pop(client.name.casefold(), None)  # one tracker client per ledger client
        if match is not None:
            ctx.ledger.links.attach("clients", match, client.id)
            attached.add(client.id)
    rows = [
        {"external_id": c.id, "name": c.name, "currency": c.currency}
        for c in clients
        if c.id not in attached  # the user's own client stays as the user set it up
    ]
    return ctx.ledger.clients.upsert(rows)


# --8<-- [end:clients]


# --8<-- [start:entries]
def entry_row(entry: TrackerEntry) -> dict[str, Any]:
    """A tracker entry as ledger's `TimeEntryInput`, under the project it is linked to."""
    return {
        "external_id": entry.id,
        "project_external_id": entry.project_id,
        "date": entry.date,
        "minutes": entry.minutes,
        "description": entry.note,
        "billable": entry.billable,
    }


# --8<-- [end:entries]


# --8<-- [start:push]
def push_invoices(ctx: SyncContext[ExampleTrackerSettings]) -> PushResult:
    """Send every issued invoice of a linked client: POST when new, PUT when changed."""
    links = ctx.ledger.links.list("clients")
    tracker_client = {link.object_id: link.external_id for link in links}
    states = {
        invoice.id: invoice_state(invoice, tracker_client[invoice.client_id])
        for invoice in ctx.ledger.invoices.list(status="issued")
        if invoice.client_id in tracker_client
    }

    def request(batch: Sequence[Outgoing]) -> httpx.Request:
        (invoice,) = batch  # batch_size=1: one invoice per request
        if invoice.external_id is None:
            url = f"{ctx.settings.base_url}/invoices"
            return ctx.http.build_request("POST", url, json=invoice.state, headers=auth(ctx))
        url = f"{ctx.settings.base_url}/invoices/{invoice.external_id}"
        return ctx.http.build_request("PUT", url, json=invoice.state, headers=auth(ctx))

    def accepted(batch: Sequence[Outgoing], response: httpx.Response) -> dict[int, str]:
        answer = parse_upstream(Saved, json_body(response), "invoices")
        return {batch[0].object_id: answer.id}

    return ctx.push("invoices", states, request=request, accepted=accepted)


def invoice_state(invoice: InvoiceView, client_id: str) -> dict[str, Any]:
    """What the tracker keeps of an invoice; a change of any of it is pushed again."""
    return {
        "number": invoice.number,
        "client_id": client_id,
        "issued_on": str(invoice.issue_date),
        "total": str(invoice.total),
        "currency": invoice.currency,
        "paid": invoice.payment_state == "paid",
    }


# --8<-- [end:push]
