"""The contract spec of every bundled plugin: recordings, golden files, opt-outs."""

from __future__ import annotations

from pathlib import Path

import httpx

from ledger.api import Ledger
from ledger.plugins import DemoBank, Fio, Toggl
from ledger.testing import ContractSpec, PushSpec, Recording

HERE = Path(__file__).parent
FIO = HERE / "recordings" / "fio"
TOGGL = HERE / "recordings" / "toggl"


def with_open_invoices(lg: Ledger) -> None:
    """Two issued CZK invoices and one EUR invoice for the demo bank to pay."""
    for name, currency, rate in (("Acme s.r.o.", "CZK", "1500"), ("Nordwind GmbH", "EUR", "85")):
        client = lg.clients.add(name=name, currency=currency, hourly_rate=rate)
        project = lg.projects.add(client, name="Work")
        for day in ("2026-01-05", "2026-01-06"):
            lg.entries.add(project, date=day, minutes=120, description="Development")
            draft = lg.invoices.draft(client, since=day, until=day)
            lg.invoices.issue(draft, issue_date="2026-01-07")


def toggl_tags(request: httpx.Request) -> httpx.Response:
    """Toggl's bulk edit: every entry id in the path tagged, as its answer lists them."""
    ids = [int(i) for i in request.url.path.rsplit("/", 1)[1].split(",")]
    return httpx.Response(200, json={"success": ids, "failure": []})


def invoice_imported_work(lg: Ledger) -> None:
    """Bill the entries Toggl imported for Acme, so the next sync tags them."""
    acme = next(c for c in lg.clients.list() if c.name == "Acme s.r.o.")
    lg.clients.update(acme, hourly_rate="1200")
    lg.invoices.issue(lg.invoices.draft(acme), issue_date="2026-01-15")


SPECS: dict[str, ContractSpec] = {
    "fio": ContractSpec(
        plugin=Fio,
        settings={"token": "replaced-by-a-canary", "start_date": "2025-01-01"},
        recording=Recording.from_folder(FIO / "main"),
        overlap=(Recording.from_folder(FIO / "window_a"), Recording.from_folder(FIO / "window_b")),
        future_cursor="2999-01-01",
        golden=HERE / "golden" / "fio.json",
    ),
    "toggl": ContractSpec(
        plugin=Toggl,
        settings={"api_token": "replaced-by-a-canary", "start_date": "2026-01-01"},
        recording=Recording.from_folder(TOGGL / "main"),
        future_cursor="4102444800",
        golden=HERE / "golden" / "toggl.json",
        push=PushSpec(upstream=toggl_tags, prepare=invoice_imported_work),
        opt_out={
            "overlap": "Toggl's first sync reads whole months and later ones what changed "
            "since the cursor; there are no overlapping windows to record.",
        },
    ),
    "demo_bank": ContractSpec(
        plugin=DemoBank,
        prepare=with_open_invoices,
        golden=HERE / "golden" / "demo_bank.json",
        opt_out={
            "overlap": "demo_bank has no upstream windows; it derives one statement.",
            "cursor": "demo_bank has no upstream to send a cursor to; it restates its data.",
            "upstream_faults": "demo_bank makes no HTTP requests; there is no upstream to fail.",
        },
    ),
}
