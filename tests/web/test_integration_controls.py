"""Integrations for daily use: Enable asks first, Sync now on the list, history refreshes."""

from __future__ import annotations

import re
import time

from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.demo import load_demo

from .web_helpers import csrf

HTMX = {"HX-Request": "true"}


def finished_progress(client: TestClient, html: str) -> tuple[str, dict[str, str]]:
    """Poll a run's progress box until the run has ended: its HTML and headers."""
    headers: dict[str, str] = {}
    for _ in range(200):
        match = re.search(r'hx-get="(/integrations/runs/\d+/progress)"', html)
        if match is None:
            return html, headers
        time.sleep(0.05)
        response = client.get(match.group(1), headers=HTMX)
        html, headers = response.text, dict(response.headers)
    raise AssertionError("the sync never finished")


def test_enable_asks_first_on_the_list_and_the_plugin_page(client: TestClient) -> None:
    for page in ("/integrations", "/integrations/demo_bank"):
        html = client.get(page).text
        form = re.search(r'<form[^>]*action="/integrations/demo_bank/enable"[^>]*>', html)
        assert form is not None, page
        assert 'hx-confirm="Enable demo_bank?' in form.group(0)


def test_a_confirmed_enable_refreshes_the_page(client: TestClient, lg: Ledger) -> None:
    token = csrf(client, "/integrations")
    response = client.post(
        "/integrations/demo_bank/enable", headers={**HTMX, "X-CSRF-Token": token}
    )
    assert response.status_code == 204
    assert response.headers["HX-Refresh"] == "true"
    assert next(p for p in lg.plugins.list() if p.name == "demo_bank").enabled


def test_sync_now_is_on_the_list_for_plugins_ready_to_sync(client: TestClient, lg: Ledger) -> None:
    assert 'data-testid="sync-now-demo_bank"' not in client.get("/integrations").text
    lg.plugins.enable("demo_bank")
    page = client.get("/integrations").text
    assert 'data-testid="sync-now-demo_bank"' in page
    assert 'hx-target="#sync-progress-demo_bank"' in page
    assert 'data-testid="sync-now-fio"' not in page  # fio needs its settings first


def test_the_history_refreshes_when_a_run_ends(client: TestClient, lg: Ledger) -> None:
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    page = client.get("/integrations/demo_bank").text
    assert 'hx-get="/integrations/demo_bank/history"' in page
    assert 'hx-trigger="sync-finished from:body"' in page
    token = csrf(client, "/integrations/demo_bank")
    started = client.post("/integrations/demo_bank/sync", headers={**HTMX, "X-CSRF-Token": token})
    html, headers = finished_progress(client, started.text)
    if headers:  # the run outlived the first answer: the last poll announces its end
        assert headers["hx-trigger"] == "sync-finished"
    else:
        assert started.headers["hx-trigger"] == "sync-finished"
    assert 'data-testid="sync-finished"' in html
    history = client.get("/integrations/demo_bank/history", headers=HTMX).text
    assert "<html" not in history
    run = lg.plugins.history("demo_bank")[0]
    assert f'<a href="/integrations/runs/{run.id}">{run.id}</a>' in history


def test_an_empty_history_is_a_fragment_that_says_so(client: TestClient) -> None:
    history = client.get("/integrations/demo_bank/history", headers=HTMX).text
    assert "No syncs yet." in history
    assert "<html" not in history
