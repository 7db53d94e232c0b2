"""The Starlette + HTMX web UI; `create_app(ledger)` builds it."""

from __future__ import annotations

from ledger.web.app import create_app

__all__ = ["create_app"]
