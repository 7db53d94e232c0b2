"""Server-side sessions: the cookie holds only a random id, the rest stays here.

Sessions live in the server process (ledger serves one user from one process),
so a restart logs the user out; that is the safe direction to fail in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

COOKIE = "ledger_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class WebSession:
    """One browser's session; `user_id` is None before login."""

    user_id: int | None
    csrf_token: str
    created: dt.datetime
    last_seen: dt.datetime
    flash: list[tuple[str, str]] = field(default_factory=list)


class SessionStore:
    """Sessions by the hash of their cookie token, with idle and absolute expiry."""

    def __init__(
        self, idle: dt.timedelta, absolute: dt.timedelta, clock: Callable[[], dt.datetime]
    ) -> None:
        self.idle = idle
        self.absolute = absolute
        self.clock = clock
        self._sessions: dict[str, WebSession] = {}
        self._lock = threading.Lock()

    def create(self, user_id: int | None = None) -> tuple[str, WebSession]:
        """A new session and the token for its cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = WebSession(user_id, secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._sessions[_hash(token)] = session
        return token, session

    def get(self, token: str | None) -> WebSession | None:
        """The live session of `token`; expired ones are dropped."""
        if not token:
            return None
        key = _hash(token)
        now = self.clock()
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if now - session.last_seen > self.idle or now - session.created > self.absolute:
                del self._sessions[key]
                return None
            session.last_seen = now
            return session

    def drop(self, token: str | None) -> None:
        """End one session (logout)."""
        if token:
            with self._lock:
                self._sessions.pop(_hash(token), None)

    def drop_user(self, user_id: int) -> None:
        """End every session of a user (password change)."""
        with self._lock:
            for key in [k for k, s in self._sessions.items() if s.user_id == user_id]:
                del self._sessions[key]
