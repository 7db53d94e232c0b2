"""The sync engine: all-or-nothing runs, history, refusals, bugs, hangs, dry runs."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import ledger
from ledger.api import Ledger
from ledger.contracts import BadUpstreamData, SyncContext, SyncResult
from ledger.contracts.http import HttpPolicy
from ledger.core.sync_models import SyncRun
from ledger.errors import AlreadyRunning, Conflict, NotFound
from ledger.storage import tables
from plugin_helpers import (
    count,
    cursor_of,
    domain_snapshot,
    make_plugin,
    open_with,
    row,
    upserting,
)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)


@pytest.fixture
def open_plugins(database_url: str, clock: Any) -> Any:
    """Open the test database with a registry of the given plugins, all enabled."""
    opened: list[Ledger] = []

    def open_(*plugins: Any, enable: bool = True) -> Ledger:
        lg = open_with(database_url, clock, *plugins, enable=enable)
        opened.append(lg)
        return lg

    yield open_
    for lg in opened:
        lg.close()


ROWS = [row("a-1", "1500.00", variable_symbol="2026001"), row("a-2", "-249.90")]


def steady(name: str = "steady") -> Any:
    return make_plugin(upserting(ROWS, cursor="c1"), name=name)


def flaky(fail: Callable[[SyncContext[Any]], Any]) -> tuple[Any, dict[str, bool]]:
    """A plugin that upserts ROWS, then calls `fail(ctx)` while switch["broken"] holds."""
    switch = {"broken": True}

    def sync(ctx: SyncContext[Any]) -> Any:
        result = ctx.ledger.transactions.upsert(ROWS)
        ctx.cursor = "c1"
        if switch["broken"]:
            return fail(ctx)
        return result

    return make_plugin(sync, name="flaky"), switch


def assert_next_run_works(lg: Ledger, name: str, switch: dict[str, bool]) -> None:
    switch["broken"] = False
    run = lg.sync(name)
    assert (run.status, run.created) == ("succeeded", 2), run.error_message
    assert cursor_of(lg, name) == "c1"


# --- refusals ---------------------------------------------------------------------


def test_a_disabled_plugin_refuses_to_run_and_records_nothing(open_plugins: Any) -> None:
    plugin = steady()
    lg = open_plugins(plugin, enable=False)

    with pytest.raises(Conflict, match="plugin steady is disabled; enable it with"):
        lg.sync("steady")
    lg.plugins.enable("steady")
    lg.plugins.disable("steady")
    with pytest.raises(Conflict, match="disabled"):
        lg.sync("steady")

    assert lg.plugins.history() == []
    assert count(lg, "money_transactions") == 0


def test_an_unknown_plugin_lists_the_available_ones(open_plugins: Any) -> None:
    lg = open_plugins(steady("alpha"), steady("beta"))

    with pytest.raises(NotFound, match="no plugin is called 'nope'; available: alpha, beta"):
        lg.sync("nope")
    assert lg.plugins.history() == []


# --- a good run -------------------------------------------------------------------


def test_a_run_writes_its_rows_and_cursor_and_records_its_history(
    open_plugins: Any, clock: Any
) -> None:
    def sync(ctx: SyncContext[Any]) -> SyncResult:
        ctx.log.info("fetching")
        ctx.log.warning("the bank was slow")
        ctx.progress(1, 2, "half way")
        ctx.cursor = "2026-11-20"
        return ctx.ledger.transactions.upsert(ROWS)

    lg = open_plugins(make_plugin(sync, name="history", version="2.1.0"))
    run = lg.sync("history")

    assert (run.status, run.created, run.updated, run.unchanged) == ("succeeded", 2, 0, 0), (
        run.traceback
    )
    assert (run.plugin, run.plugin_version, run.trigger, run.dry_run) == (
        "history",
        "2.1.0",
        "notebook",
        False,
    )
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.warnings == ["the bank was slow"]
    assert [(line["level"], line["message"]) for line in run.log][:2] == [
        ("info", "fetching"),
        ("warning", "the bank was slow"),
    ]
    assert (run.cursor_before, run.cursor_after) == (None, "2026-11-20")
    assert cursor_of(lg, "history") == "2026-11-20"
    assert (run.error_kind, run.error_message, run.traceback) == (None, None, None)
    assert lg.plugins.history("history") == [run]
    stored = {t.external_id: t for t in lg.transactions.list(source="history")}
    assert str(stored["a-1"].amount) == "1500.00"
    assert stored["a-1"].variable_symbol == "2026001"


def test_audit_events_of_a_run_name_the_plugin_and_the_run(open_plugins: Any) -> None:
    lg = open_plugins(steady())
    run = lg.sync("steady")
    events = lg.plugins.changes(run.id)

    assert {(e.source, e.run_id) for e in events} == {("plugin:steady", run.id)}
    inserted = {e.entity_id for e in events if e.entity == "money_transactions"}
    assert inserted == {str(t.id) for t in lg.transactions.list(source="steady")}
    assert {(e.entity, e.action) for e in events} == {
        ("money_transactions", "insert"),
        ("plugin_state", "insert"),
    }
    assert len(events) == 3
    assert lg.audit.verify() >= 3


def test_a_second_sync_over_the_same_data_changes_nothing(open_plugins: Any) -> None:
    lg = open_plugins(steady())
    lg.sync("steady")
    before = domain_snapshot(lg)
    again = lg.sync("steady")

    assert (again.status, again.created, again.updated, again.unchanged) == (
        "succeeded",
        0,
        0,
        2,
    )
    assert domain_snapshot(lg) == before
    assert lg.plugins.changes(again.id) == []


def test_a_changed_upstream_row_is_updated_with_before_and_after(open_plugins: Any) -> None:
    data = {"rows": ROWS}
    lg = open_plugins(make_plugin(upserting(lambda: data["rows"]), name="changing"))
    lg.sync("changing")
    data["rows"] = [row("a-1", "1500.00", variable_symbol="2026002"), ROWS[1], row("a-3")]
    run = lg.sync("changing")

    assert (run.created, run.updated, run.unchanged) == (1, 1, 1)
    (update,) = [e for e in lg.plugins.changes(run.id) if e.action == "update"]
    changes = update.changes()
    old_digest, new_digest = changes.pop("fingerprint")  # the derived digest moves with it
    assert old_digest != new_digest
    assert changes == {"variable_symbol": ("2026001", "2026002")}


def test_a_miscounting_plugin_gets_a_warning_with_the_real_counts(open_plugins: Any) -> None:
    def sync(ctx: SyncContext[Any]) -> SyncResult:
        ctx.ledger.transactions.upsert(ROWS)
        return SyncResult(created=5)

    lg = open_plugins(make_plugin(sync, name="liar"))
    run = lg.sync("liar")

    assert (run.status, run.created) == ("succeeded", 2)
    assert any("(5, 0, 0)" in w and "(2, 0, 0)" in w for w in run.warnings)


# --- failures ---------------------------------------------------------------------


def test_a_plugin_that_raises_is_a_bug_with_its_traceback_and_writes_nothing(
    open_plugins: Any,
) -> None:
    def explode(ctx: SyncContext[Any]) -> Any:
        raise KeyError("transactions")

    plugin, switch = flaky(explode)
    lg = open_plugins(plugin)
    before = domain_snapshot(lg)
    run = lg.sync("flaky")

    assert (run.status, run.error_kind) == ("failed", "bug")
    assert run.error_message == "KeyError: 'transactions'"
    assert run.traceback is not None
    assert "in explode" in run.traceback
    assert "KeyError" in run.traceback
    assert (run.created, run.updated, run.unchanged) == (0, 0, 0)
    assert run.cursor_after is None
    assert domain_snapshot(lg) == before
    assert_next_run_works(lg, "flaky", switch)


def test_a_plugin_error_is_recorded_with_its_kind_and_no_traceback(open_plugins: Any) -> None:
    def refuse(ctx: SyncContext[Any]) -> Any:
        raise BadUpstreamData("is not a date", field="items[3].booked")

    plugin, switch = flaky(refuse)
    lg = open_plugins(plugin)
    before = domain_snapshot(lg)
    run = lg.sync("flaky")

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert run.error_message == "items[3].booked: is not a date"
    assert run.traceback is None
    assert domain_snapshot(lg) == before
    assert_next_run_works(lg, "flaky", switch)


@pytest.mark.parametrize(
    "garbage", [None, {"created": 2}, 2, (2, 0, 0)], ids=["none", "dict", "int", "tuple"]
)
def test_a_plugin_that_returns_garbage_is_a_bug(open_plugins: Any, garbage: Any) -> None:
    plugin, switch = flaky(lambda ctx: garbage)
    lg = open_plugins(plugin)
    before = domain_snapshot(lg)
    run = lg.sync("flaky")

    assert (run.status, run.error_kind) == ("failed", "bug")
    assert run.error_message is not None
    assert f"returned {type(garbage).__name__}, expected SyncResult" in run.error_message
    assert domain_snapshot(lg) == before
    assert_next_run_works(lg, "flaky", switch)


def test_invalid_rows_are_bad_data_naming_the_row_and_field(open_plugins: Any) -> None:
    bad = [ROWS[0], row("a-9", "12.345")]
    lg = open_plugins(make_plugin(upserting(bad), name="sloppy"))
    run = lg.sync("sloppy")

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert run.error_message == (
        "transactions[1].amount: 12.345 has more decimal places than CZK allows"
    )
    assert count(lg, "money_transactions") == 0


def test_a_plugin_cannot_write_past_the_upsert(open_plugins: Any) -> None:
    def sneaky(ctx: SyncContext[Any]) -> Any:
        ctx.ledger.clients.add(name="Sneaky s.r.o.", currency="CZK")  # type: ignore[attr-defined]
        return SyncResult()

    plugin, switch = flaky(sneaky)
    lg = open_plugins(plugin)
    before = domain_snapshot(lg)
    run = lg.sync("flaky")

    assert (run.status, run.error_kind) == ("failed", "bug")
    assert run.error_message is not None
    assert "ctx.ledger.clients has no 'add'" in run.error_message
    assert "with upsert(), keyed on their upstream id" in run.error_message
    assert domain_snapshot(lg) == before
    assert_next_run_works(lg, "flaky", switch)


def test_a_plugin_that_hangs_is_stopped_at_the_time_limit(open_plugins: Any) -> None:
    release, finished = threading.Event(), threading.Event()

    def hang(ctx: SyncContext[Any]) -> Any:
        try:
            release.wait(10)
            return ctx.ledger.transactions.upsert(ROWS)  # too late: refused
        finally:
            finished.set()

    plugin, switch = flaky(hang)
    lg = open_plugins(plugin)
    before = domain_snapshot(lg)
    started = time.monotonic()
    run = lg.sync("flaky", policy=HttpPolicy(time_limit=0.5))
    elapsed = time.monotonic() - started
    release.set()
    assert finished.wait(5)

    assert (run.status, run.error_kind) == ("failed", "limit")
    assert run.error_message == "flaky did not finish within 0.5 s"
    assert 0.5 <= elapsed < 3
    assert domain_snapshot(lg) == before
    assert_next_run_works(lg, "flaky", switch)


# --- dry run ----------------------------------------------------------------------


def test_a_dry_run_shows_what_would_change_and_writes_nothing(open_plugins: Any) -> None:
    data: dict[str, Any] = {"rows": ROWS, "cursor": "c1"}

    def sync(ctx: SyncContext[Any]) -> SyncResult:
        ctx.cursor = data["cursor"]
        return ctx.ledger.transactions.upsert(data["rows"])

    lg = open_plugins(make_plugin(sync, name="dry"))
    lg.sync("dry")
    data["rows"] = [row("a-1", "1600.00", variable_symbol="2026001"), ROWS[1], row("a-3")]
    data["cursor"] = "c2"
    before = domain_snapshot(lg)
    audit_before = count(lg, "audit_events")

    run = lg.sync("dry", dry_run=True)

    assert (run.status, run.dry_run) == ("succeeded", True)
    assert (run.created, run.updated, run.unchanged) == (1, 1, 1)
    summary = sorted((c["entity"], c["action"]) for c in run.changes)
    assert summary == [
        ("money_transactions", "insert"),
        ("money_transactions", "update"),
        ("plugin_state", "update"),
    ]
    (update,) = [
        c for c in run.changes if c["action"] == "update" and c["entity"] != "plugin_state"
    ]
    assert update["before"]["amount_minor"] == 150000
    assert update["after"]["amount_minor"] == 160000
    assert domain_snapshot(lg) == before
    assert count(lg, "audit_events") == audit_before
    assert lg.plugins.changes(run.id) == []
    assert lg.audit.verify() == audit_before

    assert cursor_of(lg, "dry") == "c1"
    assert run.cursor_after == "c2"
    real = lg.sync("dry")
    assert (real.created, real.updated, real.unchanged, real.dry_run) == (1, 1, 1, False)
    assert cursor_of(lg, "dry") == "c2"


# --- one run at a time ------------------------------------------------------------


def test_a_second_trigger_while_running_is_refused_and_the_first_completes(
    open_plugins: Any,
) -> None:
    entered, release = threading.Event(), threading.Event()

    def blocking(ctx: SyncContext[Any]) -> SyncResult:
        entered.set()
        assert release.wait(10), "the test never released the sync"
        return ctx.ledger.transactions.upsert(ROWS)

    lg = open_plugins(make_plugin(blocking, name="blocking"), steady("other"))
    results: list[SyncRun | BaseException] = []

    def first() -> None:
        try:
            results.append(lg.sync("blocking"))
        except BaseException as exc:  # reported by the assertion below
            results.append(exc)

    worker = threading.Thread(target=first)
    worker.start()
    try:
        assert entered.wait(10)
        with pytest.raises(AlreadyRunning, match="a sync of blocking is already running"):
            lg.sync("blocking")
        elsewhere = ledger.open(lg.database.url, registry=lg.registry)
        try:
            with pytest.raises(AlreadyRunning):
                elsewhere.sync("blocking")
        finally:
            elsewhere.close()
        assert lg.sync("other").status == "succeeded"  # other plugins are not blocked
        (running,) = lg.plugins.history("blocking")
        assert running.status == "running"
        assert running.finished_at is None
    finally:
        release.set()
        worker.join(10)

    (outcome,) = results
    assert isinstance(outcome, SyncRun), outcome
    assert (outcome.status, outcome.created) == ("succeeded", 2)
    assert [r.status for r in lg.plugins.history("blocking")] == ["succeeded"]
    assert lg.sync("blocking").status == "succeeded"


# --- runs left behind -------------------------------------------------------------


def insert_running(lg: Ledger, plugin: str, lease_seconds: float) -> int:
    """A run of `plugin` left running by some process, its lease ending in `lease_seconds`."""
    runs = tables.SyncRun.__table__  # type: ignore[attr-defined]
    now = dt.datetime.now(dt.UTC)
    values = {
        "plugin": plugin,
        "plugin_version": "1.0.0",
        "trigger": "cli",
        "dry_run": False,
        "status": "running",
        "started_at": now,
        "pid": os.getpid(),  # a live pid (ours): only the lease counts
        "lease_expires_at": now + dt.timedelta(seconds=lease_seconds),
        "warnings": "[]",
        "log": "[]",
        "upstream": "[]",
        "changes": "[]",
        "created": 0,
        "updated": 0,
        "unchanged": 0,
    }
    with lg.database.engine.begin() as conn:
        return int(conn.execute(sa.insert(runs).returning(runs.c.id), values).scalar_one())


def test_a_run_whose_lease_expired_is_recovered_by_whoever_looks_next(
    open_plugins: Any,
) -> None:
    lg = open_plugins(steady())
    run_id = insert_running(lg, "steady", lease_seconds=-1)

    history = lg.with_source("user:1").plugins.history("steady")  # no restart needed

    run = lg.plugins.run(run_id)
    assert [r.status for r in history] == ["interrupted"]
    assert (run.status, run.error_kind) == ("interrupted", "interrupted")
    assert run.recovered_by == "user:1 looking at the runs"
    assert run.recovered_at is not None
    assert run.finished_at is not None
    assert "stopped renewing its lease" in (run.error_message or "")
    assert "nothing of the run was kept" in (run.error_message or "")
    assert lg.sync("steady").status == "succeeded"


def test_a_new_sync_recovers_an_expired_run_of_its_plugin_and_starts(
    open_plugins: Any,
) -> None:
    lg = open_plugins(steady())
    run_id = insert_running(lg, "steady", lease_seconds=-1)

    assert lg.sync("steady").status == "succeeded"
    assert lg.plugins.run(run_id).recovered_by == "a new sync of steady (notebook)"


def test_a_run_holding_a_live_lease_is_left_alone_whatever_its_pid(open_plugins: Any) -> None:
    lg = open_plugins(steady())
    run_id = insert_running(lg, "steady", lease_seconds=60)
    reopened = open_plugins(steady())

    assert reopened.plugins.run(run_id).status == "running"
    with pytest.raises(AlreadyRunning):
        reopened.sync("steady")


def test_a_long_run_renews_its_lease_so_no_one_recovers_it(
    open_plugins: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_SYNC_LEASE_SECONDS", "1")
    looked: list[str] = []

    def slow(ctx: SyncContext[Any]) -> SyncResult:
        for _ in range(6):  # 3 s: three leases long
            time.sleep(0.5)
            other = open_plugins(steady())
            looked.append(other.plugins.history("slow")[0].status)
        return SyncResult()

    lg = open_plugins(make_plugin(slow, name="slow"))

    assert lg.sync("slow").status == "succeeded"
    assert looked == ["running"] * 6


def test_the_same_data_in_another_form_is_unchanged_on_the_next_sync(
    open_plugins: Any,
) -> None:
    # Plain, exactly typed rows take a fast path past the pydantic model; rows that
    # need coercion go through it. Both must store the same thing.
    loose = {
        "external_id": " fx-1 ",
        "booked_on": "2026-11-20",
        "amount": "1500.5",
        "currency": "czk",
        "counterparty_name": "  Acme s.r.o. ",
        "variable_symbol": "0002026001",
        "message": "Invoice 2026001 ",
        "details": {"type": "incoming"},
    }
    exact = {
        "external_id": "fx-1",
        "booked_on": dt.date(2026, 11, 20),
        "amount": Decimal("1500.50"),
        "currency": "CZK",
        "counterparty_name": "Acme s.r.o.",
        "variable_symbol": "2026001",
        "message": "Invoice 2026001",
        "details": {"type": "incoming"},
    }
    data: dict[str, list[dict[str, Any]]] = {"rows": [loose]}
    lg = open_plugins(make_plugin(upserting(lambda: data["rows"]), name="forms"))
    assert lg.sync("forms").created == 1
    data["rows"] = [exact]
    again = lg.sync("forms")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    data["rows"] = [loose]
    assert lg.sync("forms").unchanged == 1
    (tx,) = lg.transactions.list(source="forms")
    assert (tx.external_id, tx.amount, tx.variable_symbol) == (
        "fx-1",
        Decimal("1500.50"),
        "2026001",
    )
