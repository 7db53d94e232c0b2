"""The audit log: every change with its source, filterable, with before/after."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.storage.tables import AUDITED_TABLES
from ledger.web.forms import N_
from ledger.web.rendering import render
from ledger.web.state import ledger_of

PAGE = 100
ACTIONS = (N_("insert"), N_("update"), N_("delete"))
"""Shown through ``_(event.action)``; listed here so the catalogs carry them."""


def audit_page(request: Request) -> Response:
    lg = ledger_of(request)
    query = request.query_params
    run = query.get("run", "")
    before = query.get("before", "")
    source = query.get("source") or None
    entity = query.get("entity") if query.get("entity") in AUDITED_TABLES else None
    run_id = int(run) if run.isdigit() else None
    filters = {"source": source, "entity": entity, "run_id": run_id}
    events = lg.audit.list(
        source=source,
        entity=entity,
        run_id=run_id,
        limit=PAGE,
        before=int(before) if before.isdigit() else None,
    )
    rows = list(reversed(events))
    older = rows[-1].id if len(rows) == PAGE else None
    return render(request, "audit.html", {
        "events": rows, "older": older, "sources": lg.audit.sources(),
        "entities": sorted(AUDITED_TABLES), "filters": filters, "section": "audit",
    })  # fmt: skip


routes = [Route("/audit", audit_page, methods=["GET"])]
