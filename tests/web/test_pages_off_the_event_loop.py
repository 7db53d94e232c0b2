"""Pages call the blocking ledger API in worker threads, never on the event loop."""

from __future__ import annotations

import inspect

from starlette.routing import Route

from ledger.web.app import all_routes

# Async GET endpoints that hand their blocking work to `run_in_threadpool` themselves
# (PDF rendering, the portal's throttled token check) or do no ledger work at all.
OFFLOADING = {
    "invoice_pdf", "invoice_facturx", "month_pdf", "month_export", "portal_page", "portal_pdf",
    "portal_isdoc", "docs_not_built",
}  # fmt: skip


def test_every_page_runs_in_a_worker_thread_or_offloads_its_work() -> None:
    on_the_loop = sorted(
        route.path
        for route in all_routes()
        if isinstance(route, Route)
        and "GET" in (route.methods or ())
        and inspect.iscoroutinefunction(route.endpoint)
        and route.endpoint.__name__ not in OFFLOADING
    )

    assert on_the_loop == []
