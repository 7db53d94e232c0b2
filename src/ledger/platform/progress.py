"""What running syncs report while they go on, shared by the ledgers of one process."""

from __future__ import annotations

import threading
from dataclasses import dataclass


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
