"""Faults during a sync: the process killed at each step, a statement failing at each step.

A run is all-or-nothing: whatever happens, its rows, audit events and cursor are all
in the database or none of them are, the audit chain verifies and the next run works.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import ledger
from ledger.api import Ledger
from ledger.contracts import SyncContext, SyncResult
from ledger.demo import load_demo
from ledger.platform.engine import FAULT_ENV
from plugin_helpers import count, cursor_of, domain_snapshot, make_plugin, open_with, row

KILL_SCRIPT = """
import datetime as dt, sys
import ledger
clock = lambda: dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
run = ledger.open(sys.argv[1], clock=clock, source="cli").sync("demo_bank")
print(run.status, run.created)
"""


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)
    monkeypatch.delenv(FAULT_ENV, raising=False)


LEASE_ENV = "LEDGER_SYNC_LEASE_SECONDS"


def sync_in_a_process(url: str, fault: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, LEASE_ENV: "1", **({FAULT_ENV: fault} if fault else {})}
    return subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def integrity_ok(lg: Ledger) -> None:
    if lg.database.is_sqlite:
        with lg.database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


@pytest.mark.parametrize("fault", ["before_apply", "mid_apply", "before_commit", "after_commit"])
def test_a_sync_killed_at_any_point_keeps_all_or_nothing(
    lg: Ledger, database_url: str, clock: Any, fault: str
) -> None:
    # Runs on both backends: the child is SIGKILLed mid-transaction, and SQLite
    # (WAL journal) and PostgreSQL (server-side rollback of the dead session) must
    # both come back consistent. PRAGMA integrity_check only exists on SQLite.
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    before = domain_snapshot(lg)
    audit_before = count(lg, "audit_events")
    lg.close()

    killed = sync_in_a_process(database_url, fault)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)

    time.sleep(1.2)  # the dead run's one-second lease runs out
    after = ledger.open(database_url)  # the next start marks the run interrupted
    try:
        integrity_ok(after)
        (run,) = after.plugins.history("demo_bank")
        rows = count(after, "money_transactions")
        events = after.audit.list(run_id=run.id)
        assert after.audit.verify() == count(after, "audit_events")
        if fault == "after_commit":
            assert run.status == "succeeded"
            assert rows == run.created > 0
            assert len(events) >= run.created
            assert cursor_of(after, "demo_bank") == "2026-11-25"
        else:
            assert (run.status, run.error_kind) == ("interrupted", "interrupted")
            assert run.recovered_by == "the start of a ledger (notebook)"
            assert run.finished_at is not None
            assert rows == 0
            assert events == []
            assert domain_snapshot(after) == before
            assert count(after, "audit_events") == audit_before
            assert cursor_of(after, "demo_bank") is None
    finally:
        after.close()

    final = ledger.open(database_url, clock=clock, source="cli")
    try:
        again = final.sync("demo_bank")
        assert again.status == "succeeded", again.error_message
        total = count(final, "money_transactions")
        assert total > 0
        assert again.created == (0 if fault == "after_commit" else total)
        assert final.audit.verify() == count(final, "audit_events")
        integrity_ok(final)
    finally:
        final.close()


# --- an exception at each statement of the apply phase ------------------------------


class StatementBomb:
    """Raises on the n-th statement sent inside an audited unit of work."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.target = 0
        self.seen = 0
        self.statements: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", self)

    def arm(self, target: int) -> None:
        self.target, self.seen, self.statements = target, 0, []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "audit" not in conn.info:  # only the apply transaction of the sync
            return
        self.seen += 1
        self.statements.append(statement.split("(", maxsplit=1)[0].strip()[:60])
        if self.seen == self.target:
            raise RuntimeError(f"injected failure at statement {self.target}: {statement[:60]}")

    def remove(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self)


@pytest.fixture
def upstream_rows() -> dict[str, Any]:
    return {
        "rows": [row("t-1", "1200.00", variable_symbol="2026001"), row("t-2", "-99.90")],
        "cursor": "2026-11-20",
    }


@pytest.fixture
def bank(database_url: str, clock: Any, upstream_rows: dict[str, Any]) -> Iterator[Ledger]:
    def sync(ctx: SyncContext[Any]) -> SyncResult:
        ctx.cursor = upstream_rows["cursor"]
        return ctx.ledger.transactions.upsert(upstream_rows["rows"])

    lg = open_with(database_url, clock, make_plugin(sync, name="bank"))
    yield lg
    lg.close()


def test_an_exception_at_each_statement_of_the_apply_leaves_the_database_unchanged(
    bank: Ledger, upstream_rows: dict[str, Any]
) -> None:
    # Seed rows and a cursor, so the failing sync inserts, updates and moves the cursor.
    assert bank.sync("bank").status == "succeeded"
    upstream_rows["rows"] = [
        row("t-1", "1250.00", variable_symbol="2026001"),  # changed
        row("t-2", "-99.90"),  # unchanged
        row("t-3", "3000.00", variable_symbol="2026002"),  # new
        row("t-4", "-15.00"),  # new
    ]
    upstream_rows["cursor"] = "2026-11-24"
    before = domain_snapshot(bank)
    audit_before = count(bank, "audit_events")
    bomb = StatementBomb(bank.database.engine)
    failures: list[str] = []
    try:
        for target in range(1, 200):
            bomb.arm(target)
            run = bank.sync("bank")
            if run.status == "succeeded":
                break
            failures.append(bomb.statements[-1])
            assert (run.status, run.error_kind) == ("failed", "bug"), run.error_message
            assert run.error_message is not None
            assert f"injected failure at statement {target}" in run.error_message
            assert run.traceback is not None
            assert "RuntimeError" in run.traceback
            assert domain_snapshot(bank) == before, f"statement {target} left a change behind"
            assert count(bank, "audit_events") == audit_before
            assert cursor_of(bank, "bank") == "2026-11-20"
        else:
            pytest.fail("the sync never succeeded")
    finally:
        bomb.remove()

    # Every statement of the apply phase was made to fail once: the stored-rows read,
    # the inserts, the updates, their audit events, the cursor and the run record.
    assert len(failures) == bomb.seen >= 5
    written = " ".join(failures).upper()
    for table in ("MONEY_TRANSACTIONS", "AUDIT_EVENTS", "PLUGIN_STATE", "SYNC_RUNS"):
        assert table in written, f"no statement touching {table} was tried"
    assert (run.created, run.updated, run.unchanged) == (2, 1, 1)
    assert cursor_of(bank, "bank") == "2026-11-24"
    history = bank.plugins.history("bank")
    assert [r.status for r in history].count("failed") == len(failures)
    assert bank.audit.verify() == count(bank, "audit_events")


def test_a_failing_commit_leaves_the_database_unchanged(
    bank: Ledger, upstream_rows: dict[str, Any]
) -> None:
    before = domain_snapshot(bank)
    state = {"armed": True}

    def refuse_commit(conn: Any) -> None:
        if state["armed"] and conn.get_execution_options().get("ledger_write"):
            state["armed"] = False
            raise RuntimeError("injected failure at commit")

    sa.event.listen(bank.database.engine, "commit", refuse_commit)
    try:
        run = bank.sync("bank")
    finally:
        sa.event.remove(bank.database.engine, "commit", refuse_commit)

    assert (run.status, run.error_kind) == ("failed", "bug")
    assert domain_snapshot(bank) == before
    assert bank.sync("bank").created == 2
