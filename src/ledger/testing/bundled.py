"""The contract spec of every bundled plugin, shipped with ledger.

Each bundled plugin keeps its recordings and golden file in the package, under
``ledger/plugins/specs/<name>/``, so ``ledger plugin check fio`` works from an
installed ledger with no flags and ``tests/contract/`` checks the same specs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

import ledger.plugins
from ledger.api import Ledger
from ledger.errors import NotFound
from ledger.plugins import Cnb, DemoBank, Fio, Toggl
from ledger.testing.recording import Recording
from ledger.testing.spec import ContractSpec, PushSpec

SPECS_DIR = Path(ledger.plugins.__file__).parent / "specs"
"""``ledger/plugins/specs/``: one folder of recordings and golden file per plugin."""


def with_open_invoices(lg: Ledger) -> None:
    """Two issued CZK invoices and two EUR invoices for the demo bank to pay."""
    for name, currency, rate in (("Acme s.r.o.", "CZK", "1500"), ("Nordwind GmbH", "EUR", "85")):
        client = lg.clients.add(name=name, currency=currency, hourly_rate=rate)
        project = lg.projects.add(client, name="Work")
        for day in ("2026-01-05", "2026-01-06"):
            lg.entries.add(project, date=day, minutes=120, description="Development")
            draft = lg.invoices.draft(client, since=day, until=day)
            lg.invoices.issue(draft, issue_date="2026-01-07")


# --8<-- [start:fio_spec]
def fio_spec() -> ContractSpec:
    """Fio: a recorded statement, two overlapping windows, the token in the URL path."""
    recordings = SPECS_DIR / "fio" / "recordings"
    return ContractSpec(
        plugin=Fio,
        settings={"token": "replaced-by-a-canary", "start_date": "2025-01-01"},
        recording=Recording.from_folder(recordings / "main"),
        overlap=(
            Recording.from_folder(recordings / "window_a"),
            Recording.from_folder(recordings / "window_b"),
        ),
        future_cursor="2999-01-01",
        golden=SPECS_DIR / "fio" / "golden.json",
        secret_in_url="Fio's API takes the token in the URL path "  # noqa: S106 (a reason)
        "(https://fioapi.fio.cz/v1/rest/periods/{token}/...), as the bank documents.",
    )


# --8<-- [end:fio_spec]


def cnb_spec() -> ContractSpec:
    """ČNB: four recorded daily fixings; in the first window today's is not out yet."""
    recordings = SPECS_DIR / "cnb" / "recordings"
    return ContractSpec(
        plugin=Cnb,
        settings={"currencies": "EUR,USD,JPY,HUF", "start_date": "2026-01-12"},
        recording=Recording.from_folder(recordings / "main"),
        # A sync before 14:30 (today answered with yesterday's fixing), then after it.
        overlap=(
            Recording.from_folder(recordings / "window_a"),
            Recording.from_folder(recordings / "window_b"),
        ),
        future_cursor="2999-01-01",
        golden=SPECS_DIR / "cnb" / "golden.json",
    )


def demo_bank_spec() -> ContractSpec:
    """The demo bank: no upstream, so no recordings; it pays the invoices it finds."""
    return ContractSpec(
        plugin=DemoBank,
        prepare=with_open_invoices,
        golden=SPECS_DIR / "demo_bank" / "golden.json",
        opt_out={
            "overlap": "demo_bank has no upstream windows; it derives one statement.",
            "cursor": "demo_bank has no upstream to send a cursor to; it restates its data.",
            "upstream_faults": "demo_bank makes no HTTP requests; there is no upstream to fail.",
        },
    )


def toggl_tags(request: httpx.Request) -> httpx.Response:
    """Toggl's bulk edit: every entry id in the path tagged, as its answer lists them."""
    ids = [int(i) for i in request.url.path.rsplit("/", 1)[1].split(",")]
    return httpx.Response(200, json={"success": ids, "failure": []})


def invoice_imported_work(lg: Ledger) -> None:
    """Bill the entries Toggl imported for Acme, so the next sync tags them."""
    acme = next(c for c in lg.clients.list() if c.name == "Acme s.r.o.")
    lg.clients.update(acme, hourly_rate="1200")
    lg.invoices.issue(lg.invoices.draft(acme), issue_date="2026-01-15")


def toggl_spec() -> ContractSpec:
    """Toggl Track: recorded API v9 answers, and a fake of its bulk tag edit for the push."""
    recordings = SPECS_DIR / "toggl" / "recordings"
    return ContractSpec(
        plugin=Toggl,
        settings={"api_token": "replaced-by-a-canary", "start_date": "2026-01-01"},
        recording=Recording.from_folder(recordings / "main"),
        # A first sync, then one whose `since` answer repeats two of its entries.
        overlap=(
            Recording.from_folder(recordings / "window_a"),
            Recording.from_folder(recordings / "window_b"),
        ),
        future_cursor="4102444800",
        golden=SPECS_DIR / "toggl" / "golden.json",
        push=PushSpec(upstream=toggl_tags, prepare=invoice_imported_work),
    )


BUNDLED_SPECS: dict[str, Callable[[], ContractSpec]] = {
    "cnb": cnb_spec,
    "demo_bank": demo_bank_spec,
    "fio": fio_spec,
    "toggl": toggl_spec,
}
"""Bundled plugin name → the function building its contract spec."""


def bundled_spec(name: str) -> ContractSpec:
    """The contract spec of bundled plugin `name`.

    Raises:
        NotFound: no bundled plugin has that name (the message lists them).
    """
    try:
        return BUNDLED_SPECS[name]()
    except KeyError:
        names = ", ".join(sorted(BUNDLED_SPECS))
        raise NotFound(
            f"no bundled plugin is called {name!r}; bundled: {names} "
            "(to check your own plugin, give the path of its file)"
        ) from None
