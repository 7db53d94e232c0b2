"""Pages and actions call the blocking ledger API in worker threads, never on the
event loop: a slow database (a long sync holding it) stalls one request, not the server."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from ledger.web.app import all_routes
from ledger.web.forms import posted, reads_form
from ledger.web.responses import refused

# Async endpoints that hand their blocking work to `run_in_threadpool` themselves
# (PDF rendering, the portal's throttled token check, the login's slowdown, a sync
# started in its own thread) or do no ledger work at all.
OFFLOADING = {
    "invoice_pdf", "invoice_facturx", "month_pdf", "month_export", "portal_page", "portal_pdf",
    "portal_isdoc", "docs_not_built", "login_submit", "sync_now",
}  # fmt: skip


def _plain(request: Request) -> Response:
    return Response()


# The async wrappers that run a plain handler in a worker thread (after reading its form).
THREADING_WRAPPERS = {
    reads_form(_plain).__code__,
    refused("", lambda request: "/")(_plain).__code__,
}


def _on_the_loop(endpoint: Callable[..., Any]) -> bool:
    """Whether `endpoint` may run ledger code on the event loop."""
    if not inspect.iscoroutinefunction(endpoint) or endpoint.__name__ in OFFLOADING:
        return False
    wrapped = inspect.unwrap(endpoint)
    return endpoint.__code__ not in THREADING_WRAPPERS or inspect.iscoroutinefunction(wrapped)


def test_every_page_and_action_runs_in_a_worker_thread_or_offloads_its_work() -> None:
    on_the_loop = sorted(
        f"{','.join(sorted(route.methods or ()))} {route.path}"
        for route in all_routes()
        if isinstance(route, Route) and _on_the_loop(route.endpoint)
    )

    assert on_the_loop == []


def test_a_form_handler_reads_its_form_then_runs_in_a_worker_thread() -> None:
    seen: dict[str, Any] = {}

    @reads_form
    def handler(request: Request) -> Response:
        seen["thread"] = threading.get_ident()
        return JSONResponse(posted(request))

    async def loop_thread(request: Request) -> Response:
        return JSONResponse(threading.get_ident())

    app = Starlette(
        routes=[Route("/form", handler, methods=["POST"]), Route("/loop", loop_thread)]
    )
    with TestClient(app) as client:
        answer = client.post("/form", data={"name": " Acme ", "csrf_token": "x"})
        loop = client.get("/loop").json()

    assert answer.json() == {"name": "Acme"}
    assert seen["thread"] != loop
