"""Clients, projects and time entries a sync stages: spooled beyond a batch, the latest
occurrence of each external id winning, unchanged records only counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.api import Ledger
from ledger.contracts import SyncContext, SyncResult
from ledger.platform.spool import BATCH_ROWS
from plugin_helpers import count, make_plugin, open_with, raw_rows

DAY = dt.date(2026, 11, 2)
MANY = 2 * BATCH_ROWS + 500  # two batches spill to the spool's file


def entry(n: int, description: str = "") -> dict[str, Any]:
    return {
        "external_id": f"e{n}",
        "project_external_id": "p1",
        "date": DAY - dt.timedelta(days=n % 300),
        "minutes": 15 + n % 200,
        "description": description or f"Úkol č. {n}",
    }


class Tracker:
    """An imaginary time tracker whose pages the test sets."""

    def __init__(self) -> None:
        self.pages: list[list[dict[str, Any]]] = []

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        result = ctx.ledger.clients.upsert([{"external_id": "c1", "name": "Acme s.r.o."}])
        project = {"external_id": "p1", "name": "Web", "client_external_id": "c1"}
        result += ctx.ledger.projects.upsert([project])
        for page in self.pages:
            result += ctx.ledger.entries.upsert(page)
        return result


@pytest.fixture
def tracker() -> Tracker:
    return Tracker()


@pytest.fixture
def lg(database_url: str, clock: Any, tracker: Tracker) -> Iterator[Ledger]:
    opened = open_with(database_url, clock, make_plugin(tracker.sync, "tracker"))
    yield opened
    opened.close()


def descriptions(lg: Ledger) -> dict[str, str]:
    """Each entry's description by its external id."""
    by_id = {e.id: e.description for e in lg.entries.list()}
    return {
        str(row["external_id"]): by_id[int(row["object_id"])]
        for row in raw_rows(lg, "external_links")
        if row["entity"] == "time_entries"
    }


def test_records_beyond_a_batch_are_written_once_each_the_last_occurrence_winning(
    lg: Ledger, tracker: Tracker
) -> None:
    pages = [entry(n) for n in range(MANY)]
    tracker.pages = [pages[i : i + 1000] for i in range(0, MANY, 1000)]
    tracker.pages.append([entry(0, "Oprava po revizi")])  # e0 again, after two spills

    run = lg.sync("tracker")

    assert (run.status, run.warnings) == ("succeeded", [])
    assert (run.created, run.updated, run.unchanged) == (MANY + 2, 0, 1)
    assert count(lg, "work_entries") == MANY
    stored = descriptions(lg)
    assert len(stored) == MANY
    assert stored["e0"] == "Oprava po revizi"
    assert stored[f"e{MANY - 1}"] == f"Úkol č. {MANY - 1}"


def test_a_second_run_over_the_same_records_writes_nothing(lg: Ledger, tracker: Tracker) -> None:
    tracker.pages = [
        [entry(n) for n in range(i, min(MANY, i + 1000))] for i in range(0, MANY, 1000)
    ]
    lg.sync("tracker")
    events = count(lg, "audit_events")

    run = lg.sync("tracker")

    assert (run.status, run.warnings) == ("succeeded", [])
    assert (run.created, run.updated, run.unchanged) == (0, 0, MANY + 2)
    written = {row["entity"] for row in raw_rows(lg, "audit_events")[events:]}
    assert not written & {"work_entries", "external_links", "clients", "projects"}


def test_a_repeat_that_restores_what_was_pulled_undoes_an_earlier_change_in_the_run(
    lg: Ledger, tracker: Tracker
) -> None:
    tracker.pages = [[entry(1, "Návrh"), entry(2, "Schůzka")]]
    lg.sync("tracker")

    tracker.pages = [[entry(1, "Přepracovaný návrh")], [entry(1, "Návrh")]]
    run = lg.sync("tracker")

    # The plugin's own counts (a repeat counts as unchanged) differ here; the run's
    # warning says so. The ledger's counts are what was written.
    assert run.status == "succeeded"
    assert (run.created, run.updated, run.unchanged) == (0, 0, 4)  # c1, p1, e1, the repeat
    assert descriptions(lg) == {"e1": "Návrh", "e2": "Schůzka"}


def test_a_change_repeated_later_in_the_run_is_written_as_its_last_occurrence(
    lg: Ledger, tracker: Tracker
) -> None:
    tracker.pages = [[entry(1, "Návrh"), entry(2, "Schůzka")]]
    lg.sync("tracker")

    tracker.pages = [[entry(1, "Návrh")], [entry(1, "Nový návrh"), entry(2, "Schůzka")]]
    run = lg.sync("tracker")

    assert run.status == "succeeded"
    assert (run.created, run.updated, run.unchanged) == (0, 1, 4)  # c1, p1, e2, the repeat
    assert descriptions(lg) == {"e1": "Nový návrh", "e2": "Schůzka"}
