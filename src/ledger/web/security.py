"""Sessions, CSRF, authentication and security headers for every request."""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ledger.api import Ledger
from ledger.errors import Busy
from ledger.web.config import WebConfig
from ledger.web.i18n import Translator
from ledger.web.responses import busy_page
from ledger.web.sessions import COOKIE, SessionStore

PUBLIC_PREFIXES = ("/login", "/setup", "/static/", "/p/", "/favicon.ico", "/docs")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

Handler = Callable[[Request], Awaitable[Response]]


def client_address(request: Request, proxies: frozenset[str]) -> str:
    """Who is asking: the peer, or the client a trusted proxy forwarded for.

    ``X-Forwarded-For`` counts only when the peer is a proxy the operator listed; then
    the nearest address in it that is not one of those proxies is the client.
    """
    peer = request.client.host if request.client else "?"
    if peer not in proxies:
        return peer
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
    for address in reversed([part for part in forwarded if part]):
        if address not in proxies:
            return address
    return peer


class WebMiddleware(BaseHTTPMiddleware):
    """Loads the session, checks CSRF and login, and adds the security headers."""

    def __init__(self, app: object, ledger: Ledger, config: WebConfig, sessions: SessionStore):
        super().__init__(app)  # type: ignore[arg-type]
        self.ledger = ledger
        self.config = config
        self.sessions = sessions

    async def dispatch(self, request: Request, call_next: Handler) -> Response:
        if request.url.path.startswith("/p/"):
            return await self._portal(request, call_next)
        if request.url.path.startswith("/static/"):  # files need no session
            return await call_next(request)
        settings = await run_in_threadpool(self.ledger.settings.get)
        request.state.settings = settings  # for the handler: read once per request
        request.state.translator = Translator(settings.locale, settings.time_zone)
        request.state.theme = settings.theme
        request.state.session = None
        token = request.cookies.get(COOKIE)
        try:
            found = await run_in_threadpool(self.sessions.get, token)
            new_token = None
            if found is None:
                new_token, session = await run_in_threadpool(self.sessions.create)
            else:
                session = found
        except Busy:  # a new session waited too long for a long write (SQLite)
            return await run_in_threadpool(busy_page, request)
        flash_at_start = list(session.flash)
        request.state.session = session
        request.state.session_token = new_token or token
        request.state.ledger = self.ledger.with_source(
            f"user:{session.user_id}" if session.user_id else "system:web"
        )
        response = await self._checked(request, call_next)
        if session.flash != flash_at_start and request.state.session_token:
            with contextlib.suppress(Busy):  # the change is saved; only its message is lost
                await run_in_threadpool(
                    self.sessions.save_flash, request.state.session_token, session.flash
                )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        cookie = getattr(request.state, "set_session_token", None) or new_token
        if cookie:
            response.set_cookie(
                COOKIE, cookie, httponly=True, samesite="lax", secure=self.config.secure_cookies,
                path="/",
            )  # fmt: skip
        return response

    async def _portal(self, request: Request, call_next: Handler) -> Response:
        """The client portal: no session, no cookie, GET only, read-only ledger."""
        if request.method not in ("GET", "HEAD"):
            return PlainTextResponse("Method not allowed", status_code=405)
        request.state.session = None
        request.state.session_token = None
        request.state.translator = Translator("en")
        request.state.theme = "light"
        portal = self.ledger.with_source("system:portal")
        portal.writes_blocked = "the client portal never writes"
        request.state.ledger = portal
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _checked(self, request: Request, call_next: Handler) -> Response:
        path = request.url.path
        public = path.startswith(PUBLIC_PREFIXES)
        if request.method in UNSAFE and not await self._csrf_ok(request):
            return PlainTextResponse(request.state.translator.gettext(
                "The form expired. Reload the page and try again."
            ), status_code=403)  # fmt: skip
        if not public and request.state.session.user_id is None:
            users = await run_in_threadpool(self.ledger.users.count)
            target = "/login" if users else "/setup"
            if request.headers.get("HX-Request") == "true":
                return Response(status_code=401, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)
        response = await call_next(request)
        if not public:  # what a signed-in user sees stays out of every cache
            response.headers["Cache-Control"] = "no-store"
        return response

    async def _csrf_ok(self, request: Request) -> bool:
        expected = request.state.session.csrf_token
        sent = request.headers.get("X-CSRF-Token")
        if sent is None and request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            body = await request.body()
            sent = parse_qs(body.decode(errors="replace")).get("csrf_token", [None])[0]
        elif sent is None and request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        return sent is not None and hmac.compare_digest(sent, expected)
