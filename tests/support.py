"""What tests share besides fixtures: the backends, a movable clock, database drops.

Tests import these from here, never from a conftest: each test folder has a
conftest of its own, and which one a bare ``import conftest`` finds depends on order.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


class FakeClock:
    """A clock tests can move."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def drop_database(admin: Engine, name: str, attempts: int = 20) -> None:
    """Drop a test database; retried, since autovacuum may be visiting it for a moment."""
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)
