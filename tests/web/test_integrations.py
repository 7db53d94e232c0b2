"""Integrations pages: plugins, generated settings forms, Sync now, run history."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.demo import load_demo
from ledger.web.routes import integrations

from .web_helpers import csrf


def wait_for_run(client: TestClient, html: str) -> str:
    """Follow the htmx progress polling until the run has finished."""
    for _ in range(100):
        match = re.search(r'hx-get="(/integrations/runs/\d+/progress)"', html)
        if match is None:
            return html
        time.sleep(0.05)
        html = client.get(match.group(1), headers={"HX-Request": "true"}).text
    raise AssertionError("the sync never finished")


def test_the_list_shows_every_plugin_with_version_and_state(client: TestClient) -> None:
    page = client.get("/integrations").text
    assert "demo_bank" in page
    assert "fio" in page
    assert "1.0.0" in page


def test_enable_and_disable(client: TestClient, lg: Ledger) -> None:
    token = csrf(client, "/integrations")
    assert (
        client.post("/integrations/demo_bank/enable", data={"csrf_token": token}).status_code
        == 303
    )
    assert next(p for p in lg.plugins.list() if p.name == "demo_bank").enabled
    client.post("/integrations/demo_bank/disable", data={"csrf_token": token})
    assert not next(p for p in lg.plugins.list() if p.name == "demo_bank").enabled


def test_the_settings_form_is_generated_and_secrets_are_write_only(
    client: TestClient, lg: Ledger
) -> None:
    page = client.get("/integrations/fio").text
    assert 'name="token"' in page
    assert 'type="password"' in page
    assert 'name="overlap_days"' in page
    token = csrf(client, "/integrations/fio")
    saved = client.post(
        "/integrations/fio/settings",
        data={
            "token": "tok-12345678-secret",
            "overlap_days": "5",
            "start_date": "",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303
    assert "tok-12345678-secret" not in client.get("/integrations/fio").text
    assert lg.plugins.settings("fio")["overlap_days"] == 5


def test_invalid_settings_name_the_field_and_store_nothing(client: TestClient, lg: Ledger) -> None:
    token = csrf(client, "/integrations/fio")
    response = client.post(
        "/integrations/fio/settings",
        data={"token": "short", "overlap_days": "99", "csrf_token": token},
    )
    assert response.status_code == 400
    assert 'data-testid="error-overlap_days"' in response.text
    assert lg.plugins.settings("fio") == {}


def test_sync_now_shows_live_progress_then_the_result(client: TestClient, lg: Ledger) -> None:
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    token = csrf(client, "/integrations/demo_bank")
    started = client.post(
        "/integrations/demo_bank/sync", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert started.status_code == 200
    finished = wait_for_run(client, started.text)
    assert 'data-testid="sync-finished"' in finished
    run = lg.plugins.history("demo_bank")[0]
    assert run.status == "succeeded", (run.error_message, run.traceback)
    detail = client.get(f"/integrations/runs/{run.id}").text
    assert "money_transactions" in detail
    assert "demo bank statement" in detail


def test_syncing_a_disabled_plugin_is_a_clear_page_not_a_500(client: TestClient) -> None:
    token = csrf(client, "/integrations/fio")
    response = client.post("/integrations/fio/sync", data={"csrf_token": token})
    assert response.status_code == 409
    assert "disabled" in response.text


def test_unknown_plugin_and_run_are_404(client: TestClient) -> None:
    assert client.get("/integrations/nope").status_code == 404
    assert client.get("/integrations/runs/999").status_code == 404


def test_plugin_data_is_escaped(client: TestClient, lg: Ledger) -> None:
    lg.transactions.add(external_id="x1", booked_on="2026-11-01", amount="10", currency="CZK",
                        counterparty_name="<script>alert(1)</script>")  # fmt: skip
    page = client.get("/audit").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_audit_log_filters_by_source_and_shows_before_after(
    client: TestClient, lg: Ledger
) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    lg.with_source("cli").clients.update(acme, name="Acme s.r.o.")
    page = client.get("/audit", params={"source": "cli"}).text
    assert page.count('data-testid="audit-row"') == 1
    assert "Acme s.r.o." in page
    everything = client.get("/audit").text
    assert everything.count('data-testid="audit-row"') >= 3  # client, user, and the update


def test_czech_integrations_page(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    page = client.get("/integrations").text
    assert "Integrace" in page
    assert "Zapnout" in page


def test_a_refused_sync_now_explains_itself_in_the_progress_box(client: TestClient) -> None:
    token = csrf(client, "/integrations/fio")
    response = client.post(
        "/integrations/fio/sync", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert 'data-testid="sync-refused"' in response.text
    assert "<html" not in response.text


def test_a_dry_run_page_lists_what_would_change(client: TestClient, lg: Ledger) -> None:
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    run = lg.sync("demo_bank", dry_run=True)
    page = client.get(f"/integrations/runs/{run.id}").text
    assert "Dry run" in page
    assert run.created > 0
    for change in run.changes:
        assert f"{change['entity']} {change['entity_id']}" in page
    assert lg.transactions.list() == []


@contextmanager
def sync_runs_locked(lg: Ledger) -> Iterator[None]:
    """Another writer holds the table a new run is recorded in."""
    engine = create_engine(lg.database.url)
    with engine.connect() as other:
        if lg.database.is_sqlite:
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.exec_driver_sql("LOCK TABLE sync_runs IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()
    engine.dispose()


def test_a_sync_that_cannot_start_in_time_says_so_and_runs_later(
    client: TestClient, lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(integrations, "START_WAIT_SECONDS", 0.3)
    lg.plugins.enable("demo_bank")
    token = csrf(client, "/integrations/demo_bank")
    with sync_runs_locked(lg):
        response = client.post(
            "/integrations/demo_bank/sync", headers={"HX-Request": "true", "X-CSRF-Token": token}
        )
        assert response.status_code == 200
        assert "still starting" in response.text
    for worker in threading.enumerate():
        if worker.name == "web-sync-demo_bank":
            worker.join(20)  # the sync goes on once the table is free, and ends
    assert lg.plugins.history("demo_bank")[0].status == "succeeded"
