"""Large syncs are staged and applied in batches, and stay all-or-nothing.

A run spools its new and changed transactions a batch at a time and applies the
batches one executemany each inside its one transaction; a failure after several
batches were spooled, or after several were written, leaves no rows, no audit
events, no links and the old cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from ledger.api import Ledger
from ledger.contracts import BadUpstreamData, SyncContext, SyncResult
from ledger.platform.spool import BATCH_ROWS, RowSpool
from plugin_helpers import count, cursor_of, domain_snapshot, make_plugin, open_with

ROWS = 3 * BATCH_ROWS + 500  # four batches


def bank_row(n: int) -> dict[str, Any]:
    return {
        "external_id": f"b-{n:06d}",
        "booked_on": dt.date(2026, 1, 1) + dt.timedelta(days=n % 300),
        "amount": Decimal(n % 5000 + 1).scaleb(-2),
        "currency": "CZK",
        "counterparty_name": "Žluťoučký kůň s.r.o.",
        "variable_symbol": "" if n % 5 == 0 else str(2026000 + n),
        "message": f"Úhrada {n}",
        "details": {"bic": "FIOBCZPP"},
    }


def pages(total: int, fail_after: int | None = None) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, total, 1000):
        if fail_after is not None and start >= fail_after:
            raise BadUpstreamData("the bank cut the connection", field="page")
        yield [bank_row(n) for n in range(start, min(start + 1000, total))]


class Scenario:
    """A plugin that upserts a client (so the run makes a link) and `ROWS` transactions."""

    def __init__(self) -> None:
        self.fail_after: int | None = None

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        ctx.cursor = "after"
        result = ctx.ledger.clients.upsert([{"external_id": "c-1", "name": "Nováková"}])
        for page in pages(ROWS, self.fail_after):
            result += ctx.ledger.transactions.upsert(page)
        return result


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture
def bank(database_url: str, clock: Any, scenario: Scenario) -> Iterator[Ledger]:
    lg = open_with(database_url, clock, make_plugin(scenario.sync, name="big_bank"))
    yield lg
    lg.close()


class FailOnInsert:
    """Raises on the n-th ``INSERT INTO money_transactions`` of an audited transaction."""

    def __init__(self, engine: sa.Engine, target: int) -> None:
        self.engine, self.target, self.seen = engine, target, 0
        sa.event.listen(engine, "before_cursor_execute", self)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "audit" in conn.info and statement.startswith("INSERT INTO money_transactions"):
            self.seen += 1
            if self.seen == self.target:
                raise RuntimeError(f"injected failure at batch {self.target}")

    def remove(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self)


def assert_nothing_written(lg: Ledger, before: Any, audit_before: int) -> None:
    assert count(lg, "money_transactions") == 0
    assert count(lg, "external_links") == 0
    assert count(lg, "audit_events") == audit_before
    assert domain_snapshot(lg) == before
    assert cursor_of(lg, "big_bank") is None
    assert lg.audit.verify() == audit_before


def test_a_failure_after_several_batches_were_written_writes_nothing(bank: Ledger) -> None:
    before, audit_before = domain_snapshot(bank), count(bank, "audit_events")
    bomb = FailOnInsert(bank.database.engine, target=3)
    try:
        run = bank.sync("big_bank")
    finally:
        bomb.remove()

    assert bomb.seen == 3  # two batches were inserted, with their audit events
    assert (run.status, run.error_kind) == ("failed", "bug")
    assert "injected failure at batch 3" in (run.error_message or "")
    assert bank.audit.list(run_id=run.id) == []
    assert_nothing_written(bank, before, audit_before)


def test_a_plugin_failing_after_several_batches_were_spooled_writes_nothing(
    bank: Ledger, scenario: Scenario
) -> None:
    before, audit_before = domain_snapshot(bank), count(bank, "audit_events")
    scenario.fail_after = 3 * BATCH_ROWS  # three full batches spooled

    run = bank.sync("big_bank")

    assert (run.status, run.error_kind) == ("failed", "bad_data")
    assert run.error_message is not None
    assert "cut the connection" in run.error_message
    assert_nothing_written(bank, before, audit_before)


def test_a_large_sync_writes_every_batch_then_changes_nothing(bank: Ledger) -> None:
    first = bank.sync("big_bank")
    assert (first.status, first.created) == ("succeeded", ROWS + 1)
    assert count(bank, "money_transactions") == ROWS
    entities = [event.entity for event in bank.audit.list(run_id=first.id)]
    assert entities.count("money_transactions") == ROWS
    assert {"clients", "external_links", "plugin_state"} <= set(entities)
    assert bank.audit.verify() == count(bank, "audit_events")

    before = domain_snapshot(bank)
    again = bank.sync("big_bank")
    assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS + 1)
    assert domain_snapshot(bank) == before


def test_the_spool_gives_back_every_row_in_order_a_batch_at_a_time() -> None:
    spool = RowSpool(batch_rows=3)
    for n in range(8):
        spool.add({"n": n, "on": dt.date(2026, 1, n + 1)})

    batches = list(spool.batches())

    assert [len(batch) for batch in batches] == [3, 3, 2]
    assert [row["n"] for batch in batches for row in batch] == list(range(8))
    assert batches[0][1]["on"] == dt.date(2026, 1, 2)
    assert spool.count == 8
    spool.close()
    assert list(spool.batches()) == []


def test_a_known_row_is_skipped_only_when_identical_and_never_when_invalid(
    database_url: str, clock: Any
) -> None:
    data = {"rows": [bank_row(1), bank_row(2)]}

    def sync(ctx: SyncContext[Any]) -> SyncResult:
        return ctx.ledger.transactions.upsert(data["rows"])

    lg = open_with(database_url, clock, make_plugin(sync, name="digest_bank"))
    try:
        assert lg.sync("digest_bank").created == 2
        broken = bank_row(1) | {"amount": Decimal("12.345")}  # too many places for CZK
        data["rows"] = [broken, bank_row(2)]
        before = domain_snapshot(lg)

        run = lg.sync("digest_bank")

        assert (run.status, run.error_kind) == ("failed", "bad_data")
        assert "transactions[0].amount" in (run.error_message or "")
        assert domain_snapshot(lg) == before
        data["rows"] = [bank_row(1) | {"message": "Úhrada opravena"}, bank_row(2)]
        again = lg.sync("digest_bank")
        assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    finally:
        lg.close()
