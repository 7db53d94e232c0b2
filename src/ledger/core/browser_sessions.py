"""Web UI sessions, kept in the database: a restart keeps users logged in, and every
process serving the same database shares them.

The cookie holds a random token; the database holds only its SHA-256, so a copy of
the database logs nobody in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, insert, select, update

from ledger.core.service import Clock
from ledger.errors import Busy
from ledger.storage import tables
from ledger.storage.database import Database

SESSIONS = tables.WebSession.__table__  # type: ignore[attr-defined]
TOUCH_EVERY = dt.timedelta(minutes=1)
"""How stale `last_seen_at` may get before a request writes it again (fewer writes)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class BrowserSession:
    """One browser's session; `user_id` is None before login."""

    user_id: int | None
    csrf_token: str
    created: dt.datetime
    last_seen: dt.datetime
    flash: list[tuple[str, str]] = field(default_factory=list)


class SessionStore:
    """Sessions by the hash of their cookie token, with idle and absolute expiry."""

    def __init__(
        self, database: Database, idle: dt.timedelta, absolute: dt.timedelta, clock: Clock
    ) -> None:
        self.database = database
        self.idle = idle
        self.absolute = absolute
        self.clock = clock

    def create(
        self, user_id: int | None = None, flash: list[tuple[str, str]] | None = None
    ) -> tuple[str, BrowserSession]:
        """A new session and the token for its cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = BrowserSession(user_id, secrets.token_urlsafe(32), now, now, flash or [])
        values = {
            "token_hash": _hash(token), "user_id": user_id, "csrf_token": session.csrf_token,
            "created_at": now, "last_seen_at": now, "flash": json.dumps(session.flash),
        }  # fmt: skip
        with self._writing() as conn:
            conn.execute(insert(SESSIONS).values(values))
            # Sessions nobody came back to expire here, a few at a time, as new ones start.
            conn.execute(
                delete(SESSIONS).where(
                    (SESSIONS.c.last_seen_at < now - self.idle)
                    | (SESSIONS.c.created_at < now - self.absolute)
                )
            )
        return token, session

    def get(self, token: str | None) -> BrowserSession | None:
        """The live session of `token`; an expired one is deleted."""
        if not token:
            return None
        key = _hash(token)
        with self.database.engine.connect() as conn:
            row = conn.execute(select(SESSIONS).where(SESSIONS.c.token_hash == key)).first()
        if row is None:
            return None
        now = self.clock()
        created, seen = _aware(row.created_at), _aware(row.last_seen_at)
        if now - seen > self.idle or now - created > self.absolute:
            self.drop(token)
            return None
        if now - seen >= TOUCH_EVERY:
            try:
                self._set(key, last_seen_at=now)
                seen = now
            except Busy:
                pass  # a long write holds the database: a later request touches it
        flash = [(kind, text) for kind, text in json.loads(row.flash)]
        return BrowserSession(row.user_id, row.csrf_token, created, seen, flash)

    def save_flash(self, token: str, flash: list[tuple[str, str]]) -> None:
        """Keep the messages a page will show after the next redirect."""
        self._set(_hash(token), flash=json.dumps(flash))

    def drop(self, token: str | None) -> None:
        """End one session (logout)."""
        if token:
            with self._writing() as conn:
                conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == _hash(token)))

    def drop_user(self, user_id: int) -> None:
        """End every session of a user (password change)."""
        with self._writing() as conn:
            conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))

    def _set(self, key: str, **values: object) -> None:
        with self._writing() as conn:
            conn.execute(update(SESSIONS).where(SESSIONS.c.token_hash == key).values(values))

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A transaction on the sessions table; waiting too long for SQLite's write lock
        (a long sync) is `Busy`, like every other write."""
        with self.database.busy_after_lock_wait(), self.database.engine.begin() as conn:
            yield conn


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC; PostgreSQL aware."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
