"""What running syncs report while they go on: kept in memory for the ledgers of the
process that runs them, and published on the run's row for every other worker."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select, update

from ledger.platform.ticker import Ticker, try_update
from ledger.storage import tables
from ledger.storage.database import Database

RUNS = tables.SyncRun.__table__  # type: ignore[attr-defined]
PUBLISH_EVERY = 1.0
"""Seconds between writes of a run's progress to its row (the web UI polls each second)."""
MESSAGE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Progress:
    """A run's latest report: `done` of `total` (None when unknown), and a message."""

    done: int
    total: int | None
    message: str


class RunProgress:
    """The runs this process executes, and the progress each reported last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[int, Progress | None] = {}

    def start(self, run_id: int) -> None:
        """Mark `run_id` as running in this process."""
        with self._lock:
            self._active[run_id] = None

    def report(self, run_id: int, progress: Progress) -> None:
        """Keep the latest progress of a running `run_id`."""
        with self._lock:
            if run_id in self._active:
                self._active[run_id] = progress

    def finish(self, run_id: int) -> None:
        """Forget `run_id` once it has ended."""
        with self._lock:
            self._active.pop(run_id, None)

    def is_running(self, run_id: int) -> bool:
        """Whether this process is executing `run_id`."""
        with self._lock:
            return run_id in self._active

    def of(self, run_id: int) -> Progress | None:
        """The latest progress `run_id` reported, None before its first report."""
        with self._lock:
            return self._active.get(run_id)


THIS_PROCESS = RunProgress()
"""The runs of this process: every ledger opened in it shares them (their default)."""


class ProgressPublisher(Ticker):
    """While the block runs, writes run `run_id`'s latest progress to its row when it
    changed, from a thread of its own, so a busy database never holds up the plugin."""

    def __init__(
        self, database: Database, run_id: int, runs: RunProgress, every: float = PUBLISH_EVERY
    ) -> None:
        super().__init__(f"progress-{run_id}", every)
        self.database = database
        self.run_id = run_id
        self.runs = runs
        self._published: Progress | None = None

    def tick(self) -> None:
        latest = self.runs.of(self.run_id)
        if latest is None or latest == self._published:
            return
        statement = (
            update(RUNS)
            .where(RUNS.c.id == self.run_id, RUNS.c.status == "running")
            .values(_storable(latest))
        )
        if try_update(self.database, statement):
            self._published = latest


def _storable(progress: Progress) -> dict[str, int | str | None]:
    """The row's progress columns; a count past 64 bits is left out rather than fail."""

    def count(value: int | None) -> int | None:
        return value if value is not None and abs(value) < 2**63 else None

    return {
        "progress_done": count(progress.done) or 0,
        "progress_total": count(progress.total),
        "progress_message": progress.message.replace("\x00", "")[:MESSAGE_LENGTH],
    }


def published_progress(database: Database, run_id: int) -> Progress | None:
    """The progress another process published for running `run_id`, if any."""
    query = select(RUNS.c.progress_done, RUNS.c.progress_total, RUNS.c.progress_message).where(
        RUNS.c.id == run_id, RUNS.c.status == "running"
    )
    with database.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.progress_done is None:
        return None
    return Progress(row.progress_done, row.progress_total, row.progress_message or "")
