"""The web application: `create_app` builds it around a `Ledger`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ledger.api import Ledger
from ledger.core.throttles import Throttle
from ledger.errors import Busy, Conflict, InvalidInput, LedgerError, NotFound
from ledger.web.config import WebConfig
from ledger.web.data_cache import DataCache
from ledger.web.rendering import render
from ledger.web.responses import busy_page
from ledger.web.routes import auth, dashboard
from ledger.web.security import WebMiddleware
from ledger.web.sessions import SessionStore

STATIC = Path(__file__).parent / "static"


def all_routes(docs: Path | None = None) -> list[BaseRoute]:
    """Every page, in one list (no decorators, no discovery); the guide at /docs."""
    from ledger.web.routes import pages

    guide: BaseRoute = (
        Mount("/docs", app=StaticFiles(directory=docs, html=True), name="docs")
        if docs is not None
        else Route("/docs{rest:path}", docs_not_built)
    )
    return [
        *auth.routes,
        *dashboard.routes,
        *pages.routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        guide,
    ]


async def docs_not_built(request: Request) -> Response:
    """/docs of a ledger whose guide was not built: how to build it."""
    t = request.state.translator
    message = t.gettext(
        "This ledger's guide is not built. Run `make docs-build` in its checkout, or set "
        "LEDGER_DOCS_DIR to a built site."
    )
    return render(request, "error.html", {"title": t.gettext("Not found"), "message": message},
                  status=404)  # fmt: skip


def create_app(ledger: Ledger, config: WebConfig | None = None) -> Starlette:
    """The ASGI app serving `ledger`'s web UI."""
    config = config or WebConfig()
    clock = ledger.clock
    sessions = SessionStore(
        ledger.database,
        dt.timedelta(minutes=config.session_idle_minutes),
        dt.timedelta(hours=config.session_max_hours),
        clock,
    )
    app = Starlette(
        routes=all_routes(config.docs_site()),
        middleware=[Middleware(WebMiddleware, ledger=ledger, config=config, sessions=sessions)],
        exception_handlers={LedgerError: ledger_error, HTTPException: http_error},
    )
    app.state.ledger = ledger
    app.state.config = config
    app.state.sessions = sessions
    app.state.data_cache = DataCache()
    # In the database, so every worker and host serving it counts the same attempts.
    app.state.portal_throttle = Throttle(
        ledger.database, "portal", 30, dt.timedelta(minutes=10), clock
    )
    app.state.throttle = Throttle(
        ledger.database,
        "login",
        config.login_attempts,
        dt.timedelta(minutes=config.login_window_minutes),
        clock,
    )
    return app


def ledger_error(request: Request, exc: Exception) -> Response:
    """A user mistake or a state clash: a page that says so, never a 500.

    A plain function, so Starlette renders it (and reads the layout's data) in a worker."""
    t = request.state.translator
    if isinstance(exc, Busy):
        return busy_page(request)
    status = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 400
    title = {404: t.gettext("Not found"), 409: t.gettext("Not possible now")}.get(
        status, t.gettext("Please check your input")
    )
    message = exc.message if isinstance(exc, InvalidInput) else str(exc)
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def http_error(request: Request, exc: Exception) -> Response:
    t = request.state.translator
    status = getattr(exc, "status_code", 500)
    title = t.gettext("Not found") if status == 404 else t.gettext("Something went wrong")
    return render(request, "error.html", {"title": title, "message": ""}, status=status)
