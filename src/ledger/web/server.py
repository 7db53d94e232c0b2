"""The ledger a web server serves, and the app factory each of its worker processes
calls (``ledger serve --workers N`` on PostgreSQL)."""

from __future__ import annotations

from starlette.applications import Starlette

from ledger.api import Ledger, open_ledger
from ledger.web.app import create_app
from ledger.web.config import WebConfig


def open_web_ledger(database: str | None, config: WebConfig) -> Ledger:
    """Open `database` (None: the configured one) for the web UI: its writes wait
    `config.web_lock_timeout_seconds` at most for another write, so no page hangs."""
    return open_ledger(database, source="system:web", lock_wait=config.web_lock_timeout_seconds)


def app_from_environment() -> Starlette:
    """One worker's app: the database and web settings come from ``LEDGER_*`` variables
    (`ledger serve` sets ``LEDGER_DATABASE_URL`` for its workers)."""
    config = WebConfig()
    return create_app(open_web_ledger(None, config), config)
