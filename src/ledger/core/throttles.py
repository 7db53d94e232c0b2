"""Failure throttles (login, client portal) kept in the database, so every worker and
host serving one database counts the same attempts.

A key (``ip:203.0.113.9``, ``user:jana``) has a window that opens at its first failure
and counts failures until it ends; a success clears it. The database holds only the
SHA-256 of each key, and rows of ended windows are pruned as new failures come in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Insert, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ledger.core.service import Clock
from ledger.errors import Busy
from ledger.storage import tables
from ledger.storage.database import Database

WINDOWS = tables.ThrottleWindow.__table__  # type: ignore[attr-defined]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode(errors="surrogatepass")).hexdigest()


class Throttle:
    """Counts failures per key within a window; `attempts` of them block the key."""

    def __init__(
        self, database: Database, scope: str, attempts: int, window: dt.timedelta, clock: Clock
    ) -> None:
        self.database = database
        self.scope = scope
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._unrecorded = _Unrecorded(window)

    def recent(self, key: str) -> int:
        """Failures of `key` in its current window."""
        cutoff = self.clock() - self.window
        query = select(WINDOWS.c.failures).where(
            (WINDOWS.c.scope == self.scope)
            & (WINDOWS.c.key_hash == _hash(key))
            & (WINDOWS.c.window_start > cutoff)
        )
        with self.database.engine.connect() as conn:
            stored = conn.execute(query).scalar() or 0
        return stored + self._unrecorded.count(key, self.clock())

    def blocked(self, *keys: str) -> bool:
        """Whether any of `keys` has used up its attempts."""
        return any(self.recent(key) >= self.attempts for key in keys)

    def failed(self, *keys: str) -> None:
        """Count one failure for each of `keys`.

        When a long write holds the database (a sync on SQLite), the failure is counted
        in this process instead, so the answer is not held up and the count not lost.
        """
        now = self.clock()
        try:
            with self._writing() as conn:
                for key in keys:
                    conn.execute(self._count_failure(key, now))
                conn.execute(
                    delete(WINDOWS).where(
                        (WINDOWS.c.scope == self.scope)
                        & (WINDOWS.c.window_start <= now - self.window)
                    )
                )
        except Busy:
            for key in keys:
                self._unrecorded.add(key, now)

    def succeeded(self, *keys: str) -> None:
        """Clear the failures of `keys` (the right password came)."""
        for key in keys:
            self._unrecorded.clear(key)
        hashes = [_hash(key) for key in keys]
        try:
            with self._writing() as conn:
                conn.execute(
                    delete(WINDOWS).where(
                        (WINDOWS.c.scope == self.scope) & WINDOWS.c.key_hash.in_(hashes)
                    )
                )
        except Busy:
            pass  # the window ends by itself; the login goes on meanwhile

    def _count_failure(self, key: str, now: dt.datetime) -> Insert:
        """One statement, so workers failing the same key at once both count: a new
        window, or one more failure in the current one, or a fresh window after it ended."""
        dialect = sqlite if self.database.is_sqlite else postgresql
        statement = dialect.insert(WINDOWS).values(
            scope=self.scope, key_hash=_hash(key), window_start=now, failures=1
        )
        ended = WINDOWS.c.window_start <= now - self.window
        upsert: Insert = statement.on_conflict_do_update(
            index_elements=[WINDOWS.c.scope, WINDOWS.c.key_hash],
            set_={
                "failures": case((ended, 1), else_=WINDOWS.c.failures + 1),
                "window_start": case(
                    (ended, statement.excluded.window_start), else_=WINDOWS.c.window_start
                ),
            },
        )
        return upsert

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A short transaction that waits `lock_wait` at most for a lock, then is `Busy`."""
        with self.database.busy_after_lock_wait(), self.database.engine.begin() as conn:
            if not self.database.is_sqlite:
                wait = max(1, int(self.database.lock_wait * 1000))
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {wait}")
            yield conn


class _Unrecorded:
    """Failures this process could not write while another write held the database."""

    def __init__(self, window: dt.timedelta) -> None:
        self.window = window
        self._times: dict[str, deque[dt.datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def add(self, key: str, now: dt.datetime) -> None:
        with self._lock:
            self._times[key].append(now)

    def count(self, key: str, now: dt.datetime) -> int:
        with self._lock:
            times = self._times.get(key)
            if times is None:
                return 0
            while times and now - times[0] > self.window:
                times.popleft()
            if not times:
                del self._times[key]
            return len(times)

    def clear(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)
