"""Answers to the invoice and money pages' actions: a fragment for htmx or the page,
a redirect after a change (htmx: ``HX-Redirect``), a friendly answer to a stale page."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ledger.errors import Conflict, NotFound
from ledger.web.forms import BlockingHandler, off_the_loop
from ledger.web.rendering import is_htmx, render

Handler = Callable[[Request], Awaitable[Response]]


def partial(request: Request) -> bool:
    """Whether to answer with a fragment: htmx asked, and not to restore history."""
    return is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"


BUSY_STATUS = 409
"""A write refused as busy is a conflict of the moment (not a server fault, not a 5xx)."""


def busy_page(request: Request) -> Response:
    """Another write held the database past the web's short lock wait: nothing was
    written, and the same request in a moment usually works."""
    t = request.state.translator
    title = t.gettext("Busy, try again")
    message = t.gettext("Another change is being saved. Nothing was lost; try again in a moment.")
    response = render(
        request, "error.html", {"title": title, "message": message}, status=BUSY_STATUS
    )
    response.headers["Retry-After"] = "5"
    return response


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

    A blocking handler still runs in a worker thread, off the event loop, with its form
    (if any) read first for `posted`."""

    def decorate(handler: Handler | BlockingHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(request: Request) -> Response:
            try:
                if inspect.iscoroutinefunction(handler):
                    return await cast(Handler, handler)(request)
                return await off_the_loop(cast(BlockingHandler, handler), request)
            except (Conflict, NotFound) as exc:
                if not is_htmx(request):
                    raise
                text = request.state.translator.gettext(message)
                status = 404 if isinstance(exc, NotFound) else 409
                return done(request, back(request), text, status=status)

        return wrapped

    return decorate
