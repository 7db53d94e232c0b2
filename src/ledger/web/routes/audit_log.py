"""The audit log: every change with its source, filterable, with before/after."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.storage.tables import AUDITED_TABLES
from ledger.web.audit_view import audit_row, entity_label, source_label
from ledger.web.forms import N_
from ledger.web.rendering import render
from ledger.web.state import ledger_of

PAGE = 100
ACTIONS = (N_("insert"), N_("update"), N_("delete"))
"""Shown through ``_(event.action)``; listed here so the catalogs carry them."""


def audit_page(request: Request) -> Response:
    lg = ledger_of(request)
    t = request.state.translator
    query = request.query_params
    run, before, record = query.get("run", ""), query.get("before", ""), query.get("id", "")
    source = query.get("source") or None
    entity = query.get("entity") if query.get("entity") in AUDITED_TABLES else None
    run_id = int(run) if run.isdigit() else None
    entity_id = record if entity and record.isdigit() else None
    filters = {"source": source, "entity": entity, "id": entity_id, "run_id": run_id}
    events = lg.audit.list(
        source=source,
        entity=entity,
        entity_id=entity_id,
        run_id=run_id,
        limit=PAGE,
        before=int(before) if before.isdigit() else None,
    )
    all_sources = lg.audit.sources()
    subjects = lg.audit.subjects(events, sources=all_sources)
    rows = [audit_row(event, subjects, t) for event in reversed(events)]
    older = rows[-1].event.id if len(rows) == PAGE else None
    sources = [(s, source_label(s, subjects, t)) for s in all_sources]
    entities = sorted(((e, entity_label(e, t)) for e in AUDITED_TABLES), key=lambda p: p[1])
    return render(request, "audit.html", {
        "rows": rows, "older": older, "sources": sources, "entities": entities,
        "filters": filters, "section": "audit",
        "object_name": rows[0].name if entity_id and rows else "",
    })  # fmt: skip


routes = [Route("/audit", audit_page, methods=["GET"])]
