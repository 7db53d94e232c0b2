"""Set-up of the single account, login and logout."""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ledger.core.app_settings import LOCALES
from ledger.core.users import MAX_PASSWORD_BYTES
from ledger.errors import LedgerError
from ledger.web.forms import form_values, posted, reads_form
from ledger.web.rendering import render
from ledger.web.security import client_address
from ledger.web.state import ledger_of


def setup_page(request: Request) -> Response:
    if ledger_of(request).users.count():
        return RedirectResponse("/login", status_code=303)
    return render(request, "setup.html", {"values": {}, "errors": {}})


@reads_form
def setup_submit(request: Request) -> Response:
    lg = ledger_of(request)
    if lg.users.count():
        return RedirectResponse("/login", status_code=303)
    values = posted(request)
    t = request.state.translator
    errors = {}
    username, password = values.get("username", ""), values.get("password", "")
    if not username:
        errors["username"] = t.gettext("This field is required.")
    if len(password) < 8:
        errors["password"] = t.gettext("Use at least 8 characters.")
    elif len(password.encode()) > MAX_PASSWORD_BYTES:
        errors["password"] = t.gettext("Use at most 72 bytes.")
    if errors:
        return render(request, "setup.html", {"values": values, "errors": errors}, status=400)
    try:
        user_id = lg.users.create(username, password)
    except LedgerError as exc:
        return render(
            request, "setup.html", {"values": values, "errors": {"username": str(exc)}}, status=400
        )
    locale = next((code for code in LOCALES if code == values.get("locale")), None)
    if locale is not None:
        ledger_of(request).with_source(f"user:{user_id}").settings.update(locale=locale)
    return _log_in(request, user_id)


def login_page(request: Request) -> Response:
    if not ledger_of(request).users.count():
        return RedirectResponse("/setup", status_code=303)
    return render(request, "login.html", {"error": "", "username": ""})


async def login_submit(request: Request) -> Response:
    """Check a password. Too many failures from one address block that address for a
    while; too many for one account only slow its logins down, so nobody can lock the
    owner out by failing on purpose from elsewhere.

    Async for its waits; its database work runs in worker threads."""
    values = await form_values(request)
    username = values.get("username", "")
    throttle, config = request.app.state.throttle, request.app.state.config
    address = f"ip:{client_address(request, config.proxies)}"
    account = f"user:{username.strip().casefold()}"
    keys = (address, account)
    t = request.state.translator
    if await run_in_threadpool(throttle.blocked, address):
        message = t.gettext("Too many failed attempts. Wait a few minutes and try again.")
        return render(request, "login.html", {"error": message, "username": username}, status=429)
    if await run_in_threadpool(throttle.recent, account) >= throttle.attempts:
        await asyncio.sleep(config.login_slowdown_seconds)
    users = ledger_of(request).users
    user_id = await run_in_threadpool(users.authenticate, username, values.get("password", ""))
    if user_id is None:
        await run_in_threadpool(throttle.failed, *keys)
        message = t.gettext("Wrong user name or password.")
        return render(request, "login.html", {"error": message, "username": username}, status=400)
    await run_in_threadpool(throttle.succeeded, *keys)
    return await run_in_threadpool(_log_in, request, user_id)


def logout(request: Request) -> Response:
    request.app.state.sessions.drop(request.state.session_token)
    token, _ = request.app.state.sessions.create()
    request.state.set_session_token = token
    return RedirectResponse("/login", status_code=303)


def _log_in(request: Request, user_id: int) -> Response:
    sessions = request.app.state.sessions
    sessions.drop(request.state.session_token)  # a new id on login
    token, _ = sessions.create(user_id)
    request.state.set_session_token = token
    return RedirectResponse("/", status_code=303)


routes = [
    Route("/setup", setup_page, methods=["GET"]),
    Route("/setup", setup_submit, methods=["POST"]),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
