"""Typed access to what the middleware puts on a request."""

from __future__ import annotations

from starlette.requests import Request

from ledger.api import Ledger
from ledger.core.models import AppSettings


def ledger_of(request: Request) -> Ledger:
    """The request's `Ledger`: bound to the signed-in user, or read-only in the portal."""
    ledger = request.state.ledger
    if not isinstance(ledger, Ledger):
        raise RuntimeError("no ledger on this request; is WebMiddleware installed?")
    return ledger


def settings_of(request: Request) -> AppSettings:
    """The settings the middleware read for this request."""
    settings = request.state.settings
    if not isinstance(settings, AppSettings):
        raise RuntimeError("no settings on this request; is WebMiddleware installed?")
    return settings
