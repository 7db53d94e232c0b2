"""The contract spec of every bundled plugin: recordings, golden files, opt-outs."""

from __future__ import annotations

from pathlib import Path

from ledger.api import Ledger
from ledger.plugins import DemoBank, Fio
from ledger.testing import ContractSpec, Recording

HERE = Path(__file__).parent
FIO = HERE / "recordings" / "fio"


def with_open_invoices(lg: Ledger) -> None:
    """Two issued CZK invoices and one EUR invoice for the demo bank to pay."""
    for name, currency, rate in (("Acme s.r.o.", "CZK", "1500"), ("Nordwind GmbH", "EUR", "85")):
        client = lg.clients.add(name=name, currency=currency, hourly_rate=rate)
        project = lg.projects.add(client, name="Work")
        for day in ("2026-01-05", "2026-01-06"):
            lg.entries.add(project, date=day, minutes=120, description="Development")
            draft = lg.invoices.draft(client, since=day, until=day)
            lg.invoices.issue(draft, issue_date="2026-01-07")


SPECS: dict[str, ContractSpec] = {
    "fio": ContractSpec(
        plugin=Fio,
        settings={"token": "replaced-by-a-canary", "start_date": "2025-01-01"},
        recording=Recording.from_folder(FIO / "main"),
        overlap=(Recording.from_folder(FIO / "window_a"), Recording.from_folder(FIO / "window_b")),
        future_cursor="2999-01-01",
        golden=HERE / "golden" / "fio.json",
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
