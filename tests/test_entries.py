"""Work entries and the timer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from helpers import row_counts, shared_ledger, snapshot
from ledger.api import Ledger
from ledger.core.models import Client, Project
from ledger.errors import Conflict, InvalidInput, NotFound
from support import BACKENDS

D = Decimal
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_lg(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_template: str,
) -> Iterator[Ledger]:
    """One database for the many validation cases below."""
    directory = tmp_path_factory.mktemp("entries")
    with shared_ledger(request.param, directory, sqlite_template, pg_template) as opened:
        yield opened


@pytest.fixture(scope="module")
def shared_web(shared_lg: Ledger) -> Project:
    client = shared_lg.clients.add(name="Acme", currency="EUR", hourly_rate="80")
    return shared_lg.projects.add(client, name="Web")


@pytest.fixture
def acme(lg: Ledger) -> Client:
    return lg.clients.add(name="Acme", currency="EUR", hourly_rate="80")


@pytest.fixture
def web(lg: Ledger, acme: Client) -> Project:
    return lg.projects.add(acme, name="Web")


def test_time_entries_by_minutes_or_span(lg: Ledger, web: Project) -> None:
    by_minutes = lg.entries.add(web, date="2026-11-02", minutes=90, description=" Review ")
    by_span = lg.entries.add(
        web,
        date=dt.date(2026, 11, 3),
        start="2026-11-03T08:15:00+01:00",
        end="2026-11-03T10:00:00+01:00",
        hourly_rate="95.5",
    )
    assert (by_minutes.kind, by_minutes.minutes, by_minutes.description) == ("time", 90, "Review")
    assert by_minutes.currency == "EUR"
    assert (by_span.kind, by_span.minutes, by_span.hourly_rate) == ("time", 105, D("95.50"))
    assert by_span.started_at == dt.datetime(2026, 11, 3, 7, 15, tzinfo=dt.UTC)
    assert lg.entries.get(by_span) == by_span  # aware datetimes survive the round trip


def test_fixed_entries(lg: Ledger, web: Project) -> None:
    fixed = lg.entries.add(web, date="2026-11-02", amount="1490.50", description="Hosting")
    assert (fixed.kind, fixed.amount, fixed.minutes) == ("fixed", D("1490.50"), None)
    refund = lg.entries.add(web, date="2026-11-02", amount="-100", description="Discount")
    assert refund.amount == D("-100.00")


def test_an_unknown_field_is_refused_by_add_and_add_many(
    shared_lg: Ledger, shared_web: Project
) -> None:
    lg, web = shared_lg, shared_web
    counts = row_counts(lg)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        lg.entries.add(web, date="2026-11-02", minutes=30, colour="red")  # type: ignore[call-arg]
    with pytest.raises(InvalidInput, match="Extra inputs are not permitted") as caught:
        lg.entries.add_many(web, [{"date": "2026-11-02", "minutes": 30, "colour": "red"}])
    assert caught.value.field == "colour"
    assert row_counts(lg) == counts


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"minutes": -30}, "minutes", "greater than or equal to 1"),
        ({"minutes": 0}, "minutes", "greater than or equal to 1"),
        ({"minutes": 24 * 60 + 1}, "minutes", "less than or equal to 1440"),
        ({"minutes": 10**9}, "minutes", "less than or equal to 1440"),
        ({"minutes": 1.5}, "minutes", "fractional part"),
        ({"minutes": "lots"}, "minutes", "valid integer"),
        (
            {"start": "2026-11-02T10:00", "end": "2026-11-02T09:00"},
            None,
            "end must be after start",
        ),
        (
            {"start": "2026-11-02T10:00", "end": "2026-11-02T10:00"},
            None,
            "end must be after start",
        ),
        (
            {"start": "2026-11-02T10:00", "end": "2026-11-03T10:01"},
            None,
            "at most 24 hours later",
        ),
        ({"start": "2026-11-02T10:00"}, None, "a start needs an end"),
        ({"minutes": 30, "amount": "100"}, None, "exactly one of minutes"),
        (
            {"minutes": 30, "start": "2026-11-02T10:00", "end": "2026-11-02T11:00"},
            None,
            "exactly one",
        ),
        ({}, None, "exactly one of minutes"),
        ({"amount": "0"}, None, "non-zero amount"),
        ({"amount": "ten"}, "amount", "not a number"),
        ({"minutes": 30, "hourly_rate": "-1"}, None, "must not be negative"),
        ({"minutes": 30, "date": "2026-13-01"}, "date", "valid date"),
        ({"minutes": 30, "date": None}, "date", "valid date"),
        ({"minutes": 30, "description": "x" * 2001}, "description", "at most 2000"),
    ],
)
def test_bad_entries_are_refused(
    shared_lg: Ledger, shared_web: Project, fields: dict[str, Any], field: str | None, problem: str
) -> None:
    lg, web = shared_lg, shared_web
    counts = row_counts(lg)
    with pytest.raises(InvalidInput, match=problem) as caught:
        lg.entries.add(web, **{"date": "2026-11-02", **fields})
    if field is not None:
        assert caught.value.field == field
    assert row_counts(lg) == counts
    with pytest.raises(InvalidInput, match=problem):
        lg.entries.add_many(
            web, [{"date": "2026-11-02", "minutes": 5}, {"date": "2026-11-02", **fields}]
        )
    assert row_counts(lg) == counts


def test_an_entry_needs_an_existing_project(lg: Ledger) -> None:
    with pytest.raises(NotFound, match="project 999 does not exist"):
        lg.entries.add(999, date="2026-11-02", minutes=5)


# --- the bulk path takes and refuses exactly what the single path does ------------------


BULK_ITEMS: list[dict[str, Any]] = [
    {"date": "2026-11-02", "minutes": 30},
    {"date": dt.date(2026, 11, 2), "minutes": 30, "description": "  padded  "},
    {"date": "2026-11-02", "minutes": "45"},
    {"date": "2026-11-02", "minutes": True},
    {"date": "2026-11-02", "minutes": 30, "billable": False},
    {"date": "2026-11-02", "minutes": 30, "billable": "no"},
    {"date": "2026-11-02", "minutes": 30, "hourly_rate": "99.999"},
    {"date": "2026-11-02", "minutes": 30, "hourly_rate": 99},
    {"date": "2026-11-02", "minutes": 30, "hourly_rate": None},
    {"date": "2026-11-02", "amount": "12.345"},
    {"date": "2026-11-02", "amount": D("-5")},
    {"date": "2026-11-02", "amount": 7},
    {"date": "2026-11-02", "amount": 7.0},
    {"date": "2026-11-02", "amount": ""},
    {"date": "2026-11-02", "amount": "0.00"},
    {"date": "2026-11-02", "minutes": 30, "amount": None},
    {"date": "2026-11-02", "minutes": 1441},
    {"date": "2026-11-02", "minutes": 0},
    {"date": "2026-11-2", "minutes": 30},
    {"date": "2026-02-30", "minutes": 30},
    {"date": "20261102", "minutes": 30},
    {"date": "2026-11-02T10:00:00", "minutes": 30},
    {"date": "2026-11-02", "minutes": 30, "description": None},
    {"date": "2026-11-02", "start": "2026-11-02T09:00Z", "end": "2026-11-02T09:45Z"},
]


@pytest.mark.parametrize("item", BULK_ITEMS, ids=[repr(i)[:60] for i in BULK_ITEMS])
def test_add_many_validates_like_add(
    shared_lg: Ledger, shared_web: Project, item: dict[str, Any]
) -> None:
    lg, web = shared_lg, shared_web
    try:
        single: Any = lg.entries.add(web, **item)
    except InvalidInput as exc:
        single = ("refused", exc.field)
    try:
        (entry_id,) = lg.entries.add_many(web, [item])
        bulk: Any = lg.entries.get(entry_id)
    except InvalidInput as exc:
        bulk = ("refused", exc.field)
    if isinstance(single, tuple) or isinstance(bulk, tuple):
        assert bulk == single
    else:
        assert bulk.model_dump(exclude={"id"}) == single.model_dump(exclude={"id"})


def test_add_many_returns_ids_in_order(lg: Ledger, web: Project) -> None:
    items = [{"date": f"2026-11-{day:02d}", "minutes": day} for day in range(1, 21)]
    ids = lg.entries.add_many(web, items)
    assert [lg.entries.get(i).minutes for i in ids] == list(range(1, 21))
    assert lg.entries.add_many(web, []) == []


# --- editing --------------------------------------------------------------------------------


def test_update_an_entry(lg: Ledger, acme: Client, web: Project) -> None:
    ops = lg.projects.add(acme, name="Ops")
    entry = lg.entries.add(web, date="2026-11-02", minutes=30, description="Review")
    entry = lg.entries.update(entry, minutes=45)
    assert (entry.minutes, entry.description) == (45, "Review")
    entry = lg.entries.update(entry, amount="300")  # switch kind: the old minutes go
    assert (entry.kind, entry.amount, entry.minutes) == ("fixed", D("300.00"), None)
    entry = lg.entries.update(entry, project=ops, date="2026-11-05")
    assert (entry.project_id, entry.date, entry.amount) == (
        ops.id,
        dt.date(2026, 11, 5),
        D("300.00"),
    )
    with pytest.raises(InvalidInput, match="exactly one"):
        lg.entries.update(entry, minutes=20, amount="1")
    assert lg.entries.get(entry) == entry


def test_delete_an_entry(lg: Ledger, web: Project) -> None:
    entry = lg.entries.add(web, date="2026-11-02", minutes=30)
    lg.entries.delete(entry)
    with pytest.raises(NotFound, match=f"entry {entry.id} does not exist"):
        lg.entries.get(entry)


@pytest.mark.parametrize(
    "change",
    [
        lambda lg, e: lg.entries.update(e, minutes=5),
        lambda lg, e: lg.entries.update(e, description="rewritten"),
        lambda lg, e: lg.entries.delete(e),
    ],
    ids=["update minutes", "update description", "delete"],
)
def test_billed_entries_cannot_change(lg: Ledger, acme: Client, web: Project, change: Any) -> None:
    entry = lg.entries.add(web, date="2026-11-02", minutes=30)
    invoice = lg.invoices.draft(acme)
    before = snapshot(lg)
    with pytest.raises(Conflict, match=f"is on invoice {invoice.id}; cancel that invoice first"):
        change(lg, entry)
    assert snapshot(lg) == before
    lg.invoices.cancel(invoice)
    change(lg, entry)  # released: editable again


def test_list_filters(lg: Ledger, acme: Client, web: Project) -> None:
    ops = lg.projects.add(acme, name="Ops")
    a = lg.entries.add(web, date="2026-11-03", minutes=30)
    b = lg.entries.add(ops, date="2026-11-01", minutes=30)
    c = lg.entries.add(web, date="2026-11-02", minutes=30)
    lg.invoices.draft(acme, project=ops)
    assert [e.id for e in lg.entries.list()] == [b.id, c.id, a.id]
    assert [e.id for e in lg.entries.list(web)] == [c.id, a.id]
    assert [e.id for e in lg.entries.list(since=dt.date(2026, 11, 2))] == [c.id, a.id]
    assert [e.id for e in lg.entries.list(until=dt.date(2026, 11, 2))] == [b.id, c.id]
    assert [e.id for e in lg.entries.list(unbilled=True)] == [c.id, a.id]
    assert [e.id for e in lg.entries.list(unbilled=False)] == [b.id]
    assert list(lg.entries.list().to_frame()["minutes"]) == [30, 30, 30]


# --- the timer ------------------------------------------------------------------------------


def test_timer_start_and_stop(lg: Ledger, clock: Any, web: Project) -> None:
    assert lg.entries.running() is None
    started = lg.entries.start(web, " Standup ")
    assert started.running
    assert (started.started_at, started.minutes, started.description) == (NOW, None, "Standup")
    assert lg.entries.running() == started
    clock.advance(minutes=25, seconds=40)
    stopped = lg.entries.stop()
    assert stopped.id == started.id
    assert not stopped.running
    assert stopped.minutes == 26  # rounded to the nearest minute
    assert stopped.ended_at == NOW + dt.timedelta(minutes=25, seconds=40)
    assert lg.entries.running() is None


@pytest.mark.parametrize(
    ("elapsed", "minutes"), [(dt.timedelta(seconds=5), 1), (dt.timedelta(hours=30), 1440)]
)
def test_timer_minutes_stay_in_range(
    lg: Ledger, clock: Any, web: Project, elapsed: dt.timedelta, minutes: int
) -> None:
    lg.entries.start(web)
    clock.now += elapsed
    assert lg.entries.stop().minutes == minutes


def test_one_timer_at_a_time(lg: Ledger, acme: Client, web: Project) -> None:
    ops = lg.projects.add(acme, name="Ops")
    running = lg.entries.start(web)
    counts = row_counts(lg)
    with pytest.raises(Conflict, match="a timer is already running; stop it first"):
        lg.entries.start(ops)
    assert row_counts(lg) == counts
    for change in (
        lambda: lg.entries.update(running, minutes=5),
        lambda: lg.entries.delete(running),
    ):
        with pytest.raises(Conflict, match="is the running timer; stop it first"):
            change()
    assert lg.entries.running() == running


def test_stop_without_a_timer_is_a_conflict(lg: Ledger, web: Project) -> None:
    counts = row_counts(lg)
    with pytest.raises(Conflict, match="no timer is running"):
        lg.entries.stop()
    assert row_counts(lg) == counts


def test_the_running_timer_is_found_through_its_index_not_a_scan(lg: Ledger) -> None:
    project = lg.projects.add(lg.clients.add(name="Acme", currency="CZK"), name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=30)
    lg.entries.start(project, "now")
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if "FROM work_entries" in statement:
            statements.append((statement, parameters))

    event.listen(lg.database.engine, "before_cursor_execute", keep)
    try:
        assert lg.entries.running() is not None
    finally:
        event.remove(lg.database.engine, "before_cursor_execute", keep)
    statement, parameters = statements[0]
    with lg.database.engine.connect() as conn:
        if lg.database.is_sqlite:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters))  # fmt: skip
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # the index, not table size
            plan = " ".join(str(row[0]) for row in conn.exec_driver_sql(
                f"EXPLAIN {statement}", parameters))  # fmt: skip
    assert "ix_work_entries_running" in plan, plan
