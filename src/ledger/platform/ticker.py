"""A task repeated from a thread of its own while a block runs (a sync's lease
heartbeat, its published progress)."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from sqlalchemy import Update
from sqlalchemy.exc import OperationalError

from ledger.storage.database import Database


class Ticker:
    """Calls `tick` every `every` seconds from a daemon thread until the block ends."""

    def __init__(self, name: str, every: float) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.tick()


def try_update(database: Database, statement: Update) -> bool:
    """Run `statement` in its own transaction; False when the database was busy (the
    next tick tries again)."""
    try:
        with database.engine.begin() as conn:
            conn.execute(statement)
    except OperationalError:
        return False
    return True
