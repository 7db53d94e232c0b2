"""Integrations: plugins, their settings, "Sync now" with live progress, run history."""

from __future__ import annotations

import threading
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ledger.core.sync_models import SyncRun
from ledger.errors import InvalidInput, LedgerError
from ledger.web.audit_view import audit_row
from ledger.web.forms import N_, field_errors, posted, reads_form
from ledger.web.plugin_settings_form import settings_fields, submitted_values
from ledger.web.rendering import back, is_htmx, render
from ledger.web.state import ledger_of

START_WAIT_SECONDS = 10
SHOWN_CHANGES = 500
RUN_STATUSES = (N_("running"), N_("succeeded"), N_("failed"), N_("interrupted"))
"""Shown through ``_(run.status)``; listed here so the catalogs carry them."""


def index(request: Request) -> Response:
    lg = ledger_of(request)
    last = {run.plugin: run for run in reversed(lg.plugins.history(limit=200))}
    return render(request, "integrations.html", {
        "plugins": lg.plugins.list(), "last": last, "section": "integrations",
    })  # fmt: skip


def plugin_page(request: Request) -> Response:
    return _plugin_page(request, request.path_params["name"], {}, {})


def _plugin_page(
    request: Request, name: str, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    lg = ledger_of(request)
    plugin = lg.registry.get(name)
    stored = lg.plugins.settings(name)
    info = next(p for p in lg.plugins.list() if p.name == name)
    return render(request, "integration.html", {
        "plugin": plugin, "info": info, "stored": stored,
        "fields": settings_fields(plugin.Settings, {**stored, **form}), "errors": errors,
        "runs": lg.plugins.history(name, limit=25), "section": "integrations",
    }, status=status)  # fmt: skip


@reads_form
def save_settings(request: Request) -> Response:
    lg = ledger_of(request)
    name = request.path_params["name"]
    form = posted(request)
    fields = settings_fields(lg.registry.get(name).Settings, {})
    try:
        lg.plugins.configure(name, **submitted_values(fields, form))
    except InvalidInput as exc:
        errors = field_errors(exc, request.state.translator)
        shown = {
            k: v
            for k, v in form.items()
            if k not in {f.name for f in fields if f.kind == "secret"}
        }
        return _plugin_page(request, name, shown, errors, status=400)
    request.state.session.flash.append(("ok", request.state.translator.gettext("Settings saved.")))
    return RedirectResponse(f"/integrations/{name}", status_code=303)


def enable(request: Request) -> Response:
    ledger_of(request).plugins.enable(request.path_params["name"])
    if is_htmx(request):  # confirmed in the browser (hx-confirm): show the page anew
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return RedirectResponse(back(request, "/integrations"), status_code=303)


def disable(request: Request) -> Response:
    ledger_of(request).plugins.disable(request.path_params["name"])
    return RedirectResponse(back(request, "/integrations"), status_code=303)


async def sync_now(request: Request) -> Response:
    """Start a sync in a worker and answer with its progress, polled by htmx."""
    lg = ledger_of(request)
    name = request.path_params["name"]
    started = threading.Event()
    outcome: dict[str, Any] = {}

    def on_start(run_id: int) -> None:
        outcome["run_id"] = run_id
        started.set()

    def work() -> None:
        try:
            lg.sync(name, on_start=on_start)
        except LedgerError as exc:
            outcome["error"] = exc
        finally:
            started.set()

    threading.Thread(target=work, name=f"web-sync-{name}", daemon=True).start()
    await run_in_threadpool(started.wait, START_WAIT_SECONDS)  # other requests go on
    return await run_in_threadpool(_sync_started, request, name, outcome)


def _sync_started(request: Request, name: str, outcome: dict[str, Any]) -> Response:
    """The answer to "Sync now" once its run started, failed or is still waiting."""
    lg = ledger_of(request)
    if "error" in outcome:
        if is_htmx(request):  # the progress box shows why, the page stays as it was
            return render(request, "integration_progress.html", {"error": str(outcome["error"])})
        raise outcome["error"]
    if "run_id" not in outcome:  # still waiting for the database: the run shows up later
        if not is_htmx(request):
            return RedirectResponse(f"/integrations/{name}", status_code=303)
        message = request.state.translator.gettext(
            "The sync is still starting; its run will appear in the history below."
        )
        return render(request, "integration_progress.html", {"error": message})
    run = lg.plugins.run(outcome["run_id"])
    if not is_htmx(request):
        return RedirectResponse(f"/integrations/runs/{run.id}", status_code=303)
    return _progress(request, run)


def progress(request: Request) -> Response:
    return _progress(request, ledger_of(request).plugins.run(request.path_params["run_id"]))


def _progress(request: Request, run: SyncRun) -> Response:
    """The run's progress box; once it has ended, the page is told (``sync-finished``) so
    the sync history and the list's last sync refresh."""
    response = render(
        request,
        "integration_progress.html",
        {"run": run, "progress": ledger_of(request).plugins.progress(run.id)},
    )
    if run.status != "running":
        response.headers["HX-Trigger"] = "sync-finished"
    return response


def history(request: Request) -> Response:
    """The plugin's sync history (the plugin page reloads it when a run ends)."""
    lg = ledger_of(request)
    plugin = lg.registry.get(request.path_params["name"])  # an unknown name is a 404
    return render(request, "_runs.html", {"runs": lg.plugins.history(plugin.name, limit=25)})


def run_page(request: Request) -> Response:
    lg = ledger_of(request)
    run = lg.plugins.run(request.path_params["run_id"])
    changes = run.would_change() if run.dry_run else lg.plugins.changes(run.id)
    shown = changes[:SHOWN_CHANGES]
    subjects = lg.audit.subjects(shown)
    rows = [audit_row(change, subjects, request.state.translator) for change in shown]
    return render(request, "integration_run.html", {
        "run": run, "rows": rows, "count": len(changes), "section": "integrations",
    })  # fmt: skip


routes = [
    Route("/integrations", index, methods=["GET"]),
    Route("/integrations/runs/{run_id:int}", run_page, methods=["GET"]),
    Route("/integrations/runs/{run_id:int}/progress", progress, methods=["GET"]),
    Route("/integrations/{name}", plugin_page, methods=["GET"]),
    Route("/integrations/{name}/history", history, methods=["GET"]),
    Route("/integrations/{name}/settings", save_settings, methods=["POST"]),
    Route("/integrations/{name}/enable", enable, methods=["POST"]),
    Route("/integrations/{name}/disable", disable, methods=["POST"]),
    Route("/integrations/{name}/sync", sync_now, methods=["POST"]),
]
