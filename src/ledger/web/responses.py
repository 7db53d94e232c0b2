"""Answers to the invoice and money pages' actions: a fragment for htmx or the page,
a redirect after a change (htmx: ``HX-Redirect``), a friendly answer to a stale page."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ledger.errors import Conflict, NotFound
from ledger.web.rendering import is_htmx

Handler = Callable[[Request], Awaitable[Response]]
BlockingHandler = Callable[[Request], Response]
"""A handler that calls the ledger directly: Starlette runs it in a worker thread."""


def partial(request: Request) -> bool:
    """Whether to answer with a fragment: htmx asked, and not to restore history."""
    return is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"


def done(request: Request, url: str, message: str = "", status: int = 200) -> Response:
    """After a change: a flash message and the page at `url` (htmx: a full reload)."""
    if message:
        request.state.session.flash.append(("ok" if status < 400 else "error", message))
    if is_htmx(request):
        return Response(status_code=status, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def refused(
    message: str, back: Callable[[Request], str]
) -> Callable[[Handler | BlockingHandler], Handler]:
    """An htmx action that clashes with the current state (a page out of date):
    `message` as a flash and the current page again. Without htmx, the error page.

    A blocking handler still runs in a worker thread, off the event loop."""

    def decorate(handler: Handler | BlockingHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(request: Request) -> Response:
            try:
                if inspect.iscoroutinefunction(handler):
                    return await cast(Handler, handler)(request)
                return await run_in_threadpool(cast(BlockingHandler, handler), request)
            except (Conflict, NotFound) as exc:
                if not is_htmx(request):
                    raise
                text = request.state.translator.gettext(message)
                status = 404 if isinstance(exc, NotFound) else 409
                return done(request, back(request), text, status=status)

        return wrapped

    return decorate
