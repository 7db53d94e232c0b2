"""A sync's live progress is seen from every worker: the one running it publishes its
latest report on the run's row, and the others read it there."""

from __future__ import annotations

import threading
import time
from typing import Any

from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.contracts import SyncContext
from ledger.platform.progress import Progress, RunProgress
from plugin_helpers import make_plugin, open_with, row
from support import FakeClock


def waiting_plugin(reported: threading.Event, release: threading.Event) -> Any:
    def sync(ctx: SyncContext[Any]) -> Any:
        ctx.progress(3, 10, "page 3 of 10")
        reported.set()
        release.wait(60)
        return ctx.ledger.transactions.upsert([row("p-1", "10.00")])

    return make_plugin(sync, name="paged")


def published(viewer: Ledger, run_id: int) -> Progress | None:
    """Wait for the running worker's next publication (each second), then read it."""
    deadline = time.monotonic() + 30
    while (found := viewer.plugins.progress(run_id)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_another_worker_sees_the_progress_of_a_running_sync(
    client: TestClient, lg: Ledger, database_url: str, clock: FakeClock
) -> None:
    reported, release = threading.Event(), threading.Event()
    runner = open_with(database_url, clock, waiting_plugin(reported, release))
    runner.run_progress = RunProgress()  # another process: its own memory
    worker = threading.Thread(target=runner.sync, args=("paged",))
    worker.start()
    try:
        assert reported.wait(30)
        run_id = runner.plugins.history("paged")[0].id
        assert published(lg, run_id) == Progress(3, 10, "page 3 of 10")
        box = client.get(f"/integrations/runs/{run_id}/progress").text
        assert "page 3 of 10" in box
        assert 'value="3"' in box
    finally:
        release.set()
        worker.join()
        runner.close()
    assert lg.plugins.history("paged")[0].status == "succeeded"
    assert lg.plugins.progress(run_id) is None  # an ended run has no live progress
