"""Sync runs held by a lease in the database, not by a process id.

A run holds its plugin while its lease lasts; a heartbeat thread renews the
lease every third of its length. A process that dies stops renewing, and the
next process that looks (another sync, a start-up, a page of the run history,
the server itself) marks the run interrupted, saying when and by whom. Nothing
here trusts process ids: they are reused, and meaningless across containers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from ledger.platform.ticker import Ticker, try_update
from ledger.storage import tables
from ledger.storage.database import Database

RUNS = tables.SyncRun.__table__  # type: ignore[attr-defined]


def now() -> dt.datetime:
    """Lease times are wall-clock UTC with microseconds (the clock of every process)."""
    return dt.datetime.now(dt.UTC)


def recover_expired_runs(database: Database, recovered_by: str) -> int:
    """Mark every running run whose lease expired as interrupted; return how many.

    It looks before it writes, so a page that calls it while a long sync holds
    the database's write lock does not wait for that lock.
    """
    moment = now()
    expired = (RUNS.c.status == "running") & (
        RUNS.c.lease_expires_at.is_(None) | (RUNS.c.lease_expires_at < moment)
    )
    with database.engine.connect() as conn:
        if conn.execute(select(RUNS.c.id).where(expired).limit(1)).first() is None:
            return 0
    statement = (
        update(RUNS)
        .where(expired)
        .values(
            status="interrupted",
            finished_at=moment,
            recovered_at=moment,
            recovered_by=recovered_by,
            error_kind="interrupted",
            error_message=(
                f"recovered at {moment:%Y-%m-%d %H:%M:%S} UTC by {recovered_by}: the "
                "process running this sync stopped renewing its lease (it was killed or "
                "lost the database); nothing of the run was kept"
            ),
        )
    )
    with database.engine.begin() as conn:
        return int(conn.execute(statement).rowcount or 0)


class Heartbeat(Ticker):
    """Renews run `run_id`'s lease every `seconds / 3` until the block ends; a beat the
    busy database refused is made up by the next (the lease has slack)."""

    def __init__(self, database: Database, run_id: int, seconds: float) -> None:
        super().__init__(f"lease-{run_id}", seconds / 3)
        self.database = database
        self.run_id = run_id
        self.seconds = seconds

    def tick(self) -> None:
        statement = (
            update(RUNS)
            .where(RUNS.c.id == self.run_id, RUNS.c.status == "running")
            .values(lease_expires_at=now() + dt.timedelta(seconds=self.seconds))
        )
        try_update(self.database, statement)
