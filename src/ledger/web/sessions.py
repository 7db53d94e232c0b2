"""Server-side sessions: the cookie holds only a random token; the session itself is
kept in the database (:mod:`ledger.core.browser_sessions`)."""

from __future__ import annotations

from ledger.core.browser_sessions import BrowserSession, SessionStore

COOKIE = "ledger_session"

__all__ = ["COOKIE", "BrowserSession", "SessionStore"]
