"""Audit: no write without a source, an append-only trail, tamper evidence, full coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import ledger
from helpers import Snapshot, exercise, row_counts, snapshot
from ledger.api import Ledger
from ledger.core.models import AuditEntry
from ledger.errors import AuditChainBroken, InvalidInput, UnauditedWrite
from ledger.storage import audit_chain as audit, tables
from ledger.storage.audit_chain import REDACTED, REDACTED_COLUMNS
from ledger.storage.sources import Source

CLIENTS = SQLModel.metadata.tables["clients"]
FOUNDATION_TABLES = {
    "users",
    "clients",
    "projects",
    "work_entries",
    "invoices",
    "invoice_lines",
    "money_transactions",
    "payments",
    "app_settings",
}


def test_the_foundation_tables_are_audited() -> None:
    assert FOUNDATION_TABLES <= tables.AUDITED_TABLES
    assert "audit_events" not in tables.AUDITED_TABLES


# --- a write without a source is impossible -------------------------------------------


@pytest.mark.parametrize("source", ["cli", "notebook", None, 1])
def test_unit_of_work_needs_a_source_object(lg: Ledger, source: Any) -> None:
    counts = row_counts(lg)
    with (
        pytest.raises(UnauditedWrite, match="needs a Source"),
        lg.database.unit_of_work(source) as uow,
    ):
        uow.session.add(tables.Client(name="Ghost", currency="CZK"))
    assert row_counts(lg) == counts


@pytest.mark.parametrize(
    "text",
    [
        "bogus",
        "",
        "CLI",
        "notebook ",
        "user:",
        "user:abc",
        "plugin:",
        "plugin:Fio",
        "plugin:x",
        "system:",
        "root",
    ],
)
def test_malformed_sources_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not a source") as caught:
        Source(text)
    assert caught.value.field == "source"


@pytest.mark.parametrize(
    "text", ["user:1", "user:42", "cli", "notebook", "plugin:fio", "system:demo"]
)
def test_wellformed_sources(text: str) -> None:
    assert str(Source(text)) == text


def test_a_ledger_cannot_be_opened_with_a_bad_source(database_url: str) -> None:
    with pytest.raises(InvalidInput, match="'bogus' is not a source"):
        ledger.open(database_url, source="bogus")


def _add_new(session: Any, client_id: int) -> None:
    session.add(tables.Client(name="Ghost", currency="CZK"))


def _modify(session: Any, client_id: int) -> None:
    session.get(tables.Client, client_id).name = "Renamed"


def _delete(session: Any, client_id: int) -> None:
    session.delete(session.get(tables.Client, client_id))


def _orm_bulk_update(session: Any, client_id: int) -> None:
    session.execute(sa.update(tables.Client).values(name="Renamed"))


@pytest.mark.parametrize("change", [_add_new, _modify, _delete, _orm_bulk_update])
def test_orm_writes_in_a_read_session_are_refused(
    lg: Ledger, change: Callable[[Any, int], None]
) -> None:
    client = lg.clients.add(name="Acme", currency="CZK")
    before, counts = snapshot(lg), row_counts(lg)
    with (  # noqa: PT012
        pytest.raises(UnauditedWrite, match="outside an audited unit of work"),
        lg.database.reading() as session,
    ):
        change(session, client.id)
        session.commit()
    assert snapshot(lg) == before
    assert row_counts(lg) == counts


@pytest.mark.parametrize(
    "statement",
    [
        sa.insert(CLIENTS).values(name="Ghost", currency="CZK"),
        sa.update(CLIENTS).values(name="Renamed"),
        sa.delete(CLIENTS),
        sa.insert(CLIENTS).prefix_with("OR IGNORE").values(name="Ghost", currency="CZK"),
        sa.text("insert into clients (name, currency) values ('Ghost', 'CZK')"),
        sa.text("UPDATE \"clients\" SET name = 'Renamed'"),
        sa.text("update main.clients set name = 'Renamed'"),
        sa.text("REPLACE INTO clients (id, name, currency) VALUES (1, 'Ghost', 'CZK')"),
        sa.text("/* sneaky */ DELETE FROM clients"),
        sa.text("WITH doomed AS (SELECT 1) DELETE FROM clients"),
        sa.text("DELETE FROM audit_events; DELETE FROM work_entries"),
    ],
    ids=lambda s: str(s).split("\n")[0][:40],
)
def test_core_writes_outside_a_unit_of_work_are_refused(lg: Ledger, statement: Any) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    before, counts = snapshot(lg), row_counts(lg)
    with (
        pytest.raises(UnauditedWrite, match="write through the Ledger API"),
        lg.database.engine.begin() as conn,
    ):
        conn.execute(statement)
    assert snapshot(lg) == before
    assert row_counts(lg) == counts


def _write_then_fail(lg: Ledger) -> None:
    with lg.atomic():
        lg.clients.add(name="Ghost", currency="EUR")
        lg.settings.update(theme="dark")
        raise RuntimeError("boom")


def test_a_failed_unit_of_work_leaves_no_trace(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    before, counts = snapshot(lg), row_counts(lg)
    with pytest.raises(RuntimeError, match="boom"):
        _write_then_fail(lg)
    assert snapshot(lg) == before
    assert row_counts(lg) == counts
    assert lg.audit.verify() == counts["audit_events"]


# --- the trail is append-only ---------------------------------------------------------


def _refused_statements(lg: Ledger) -> list[str]:
    statements = [
        "UPDATE audit_events SET source = 'cli'",
        "UPDATE audit_events SET after = NULL WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 1",
        "DELETE FROM audit_events",
    ]
    if not lg.database.is_sqlite:
        statements.append("TRUNCATE audit_events")
    return statements


def test_the_database_refuses_to_change_audit_events(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    events = lg.audit.list()
    assert len(events) == 1
    assert "audit_events" not in tables.AUDITED_TABLES  # so only the trigger can stop it
    for statement in _refused_statements(lg):
        with (  # noqa: PT012
            pytest.raises(sa.exc.DBAPIError, match="append-only"),
            lg.database.engine.begin() as conn,
        ):
            assert "audit" not in conn.info
            conn.execute(sa.text(statement))
    assert lg.audit.list() == events
    assert lg.audit.verify() == 1


# --- the trail is tamper-evident ------------------------------------------------------


def _drop_append_only_triggers(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    else:
        conn.exec_driver_sql("DROP TRIGGER audit_events_append_only ON audit_events")


def _edit_after(conn: sa.Connection, event_id: int) -> int:
    conn.execute(
        sa.text("UPDATE audit_events SET after = :after WHERE id = :id"),
        {"after": '{"name":"Evil s.r.o."}', "id": event_id},
    )
    return event_id


def _edit_source(conn: sa.Connection, event_id: int) -> int:
    conn.execute(
        sa.text("UPDATE audit_events SET source = 'cli' WHERE id = :id"), {"id": event_id}
    )
    return event_id


def _edit_and_rehash(conn: sa.Connection, event_id: int) -> int:
    """A forger who knows the hash function but not the key cannot fix even one event."""
    table = audit.AUDIT_TABLE
    row = dict(conn.execute(sa.select(table).where(table.c.id == event_id)).mappings().one())
    row["after"] = '{"name":"Evil s.r.o."}'
    forged = audit.event_hash(row["prev_hash"], row)
    conn.execute(
        sa.update(table).where(table.c.id == event_id).values(after=row["after"], hash=forged)
    )
    return event_id


def _delete_event(conn: sa.Connection, event_id: int) -> int:
    conn.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": event_id})
    return event_id + 1


@pytest.mark.parametrize("tamper", [_edit_after, _edit_source, _edit_and_rehash, _delete_event])
def test_verify_names_the_first_tampered_event(
    lg: Ledger, tamper: Callable[[sa.Connection, int], int]
) -> None:
    for name in ("Acme", "Beta", "Gamma", "Delta"):
        lg.clients.add(name=name, currency="CZK")
    assert lg.audit.verify() == 4
    with lg.database.engine.begin() as conn:
        _drop_append_only_triggers(conn)
        broken = tamper(conn, 2)
    with pytest.raises(AuditChainBroken, match=rf"^audit event {broken}: ") as caught:
        lg.audit.verify()
    assert caught.value.event_id == broken


# --- every change is accounted for ----------------------------------------------------


def _decode(table: sa.Table, values: dict[str, Any] | None) -> dict[str, Any]:
    """Audit JSON values back into Python values of the table's column types."""
    assert values is not None
    decoded = {}
    for key, value in values.items():
        assert key in table.columns, f"audit names unknown column {table.name}.{key}"
        column_type = table.columns[key].type
        kind = getattr(column_type, "impl_instance", column_type).python_type
        if value is None or value == REDACTED:
            decoded[key] = value
        elif kind is dt.datetime:
            decoded[key] = dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        elif kind is dt.date:
            decoded[key] = dt.date.fromisoformat(value)
        else:
            assert isinstance(value, kind), f"{table.name}.{key}: {value!r} is not {kind}"
            decoded[key] = value
    return decoded


def _redacted(table: str, row: dict[str, Any]) -> dict[str, Any]:
    secret = REDACTED_COLUMNS.get(table, frozenset())
    return {k: REDACTED if k in secret else v for k, v in row.items()}


def _assert_events_account_for_diff(
    before: Snapshot, after: Snapshot, events: list[AuditEntry]
) -> None:
    """Each inserted, updated and deleted row has its event, with the new values."""
    by_row: dict[tuple[str, int], list[AuditEntry]] = {}
    for event in events:
        by_row.setdefault((event.entity, int(event.entity_id)), []).append(event)
    for name, rows in after.items():
        table = SQLModel.metadata.tables[name]
        for row_id, row in rows.items():
            mine = by_row.get((name, row_id), [])
            old = before[name].get(row_id)
            if old is None:
                assert [e.action for e in mine][:1] == ["insert"], f"{name} {row_id} unaudited"
                continue
            changed = {k for k in row if row[k] != old[k]}
            if not changed:
                assert not mine, f"{name} {row_id} did not change but has events"
                continue
            updates = [e for e in mine if e.action == "update"]
            assert updates, f"update of {name} {row_id} has no event"
            for key in changed:
                last = next(e for e in reversed(updates) if key in (e.after or {}))
                assert _decode(table, last.after)[key] == _redacted(name, row)[key]
        for row_id in before[name].keys() - rows.keys():
            actions = [e.action for e in by_row.get((name, row_id), [])]
            assert actions[-1:] == ["delete"], f"delete of {name} {row_id} has no event"


def _replay(before: Snapshot, events: list[AuditEntry]) -> Snapshot:
    """Apply the events to the old snapshot; they must describe every change exactly."""
    state = {
        name: {i: _redacted(name, row) for i, row in rows.items()} for name, rows in before.items()
    }
    for event in events:
        table = SQLModel.metadata.tables[event.entity]
        rows, row_id = state[event.entity], int(event.entity_id)
        if event.action == "insert":
            assert event.before is None
            assert row_id not in rows
            inserted = _decode(table, event.after)
            assert set(inserted) == set(table.columns.keys()), f"partial insert {event}"
            rows[row_id] = inserted
        elif event.action == "update":
            old, new = _decode(table, event.before), _decode(table, event.after)
            assert old.keys() == new.keys()
            assert old != new
            assert {k: rows[row_id][k] for k in old} == old, f"stale before in {event}"
            rows[row_id].update(new)
        else:
            assert event.action == "delete"
            assert event.after is None
            assert rows.pop(row_id) == _decode(table, event.before)
    return state


def test_a_full_database_diff_is_accounted_for_by_audit_events(lg: Ledger, clock: Any) -> None:
    importer = lg.with_source("system:importer")
    before = snapshot(lg)
    last_event = max((e.id for e in lg.audit.list()), default=0)

    made = exercise(lg, clock)
    lg.users.create("jana", "correct horse battery")
    first_import = lg.audit.list()[-1].id + 1
    importer.entries.add_many(made["ops"], [{"date": "2026-11-09", "minutes": 15}] * 3)
    importer.clients.update(made["acme"], email="billing@acme.example")
    importer.projects.archive(made["data"])

    after = snapshot(lg)
    events = [e for e in lg.audit.list() if e.id > last_event]
    assert {e.entity for e in events} >= FOUNDATION_TABLES  # the batch touched them all
    assert {e.action for e in events} == {"insert", "update", "delete"}
    assert all(e.source == "notebook" for e in events if e.id < first_import)
    assert all(e.source == "system:importer" for e in events if e.id >= first_import)
    assert all(e.run_id is None for e in events)

    _assert_events_account_for_diff(before, after, events)
    redacted_after = {
        n: {i: _redacted(n, r) for i, r in rows.items()} for n, rows in after.items()
    }
    assert _replay(before, events) == redacted_after
    assert lg.audit.verify() == len(events)


def test_update_events_hold_before_and_after_of_the_changed_fields(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1500")
    lg.clients.update(acme, name="Acme s.r.o.", hourly_rate="1600.50")
    event = lg.audit.list(entity="clients", entity_id=acme.id)[-1]
    assert event.action == "update"
    assert event.changes() == {
        "name": ("Acme", "Acme s.r.o."),
        "hourly_rate_minor": (150000, 160050),
    }


def test_an_update_that_changes_nothing_writes_no_event(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1500")
    count = len(lg.audit.list())
    lg.clients.update(acme, name="Acme", hourly_rate="1500.00")
    assert len(lg.audit.list()) == count


def test_password_hashes_are_redacted_in_the_trail(lg: Ledger) -> None:
    user_id = lg.users.create("jana", "correct horse battery")
    assert lg.users.authenticate("jana", "correct horse battery") == user_id
    with lg.database.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
        trail = [
            (before or "") + (after or "")
            for before, after in conn.execute(sa.text("SELECT before, after FROM audit_events"))
        ]
    assert stored.startswith("$2b$12$")
    (event,) = lg.audit.list(entity="users")
    assert event.after is not None
    assert event.after["password_hash"] == REDACTED
    assert event.after["username"] == "jana"
    assert not any(stored in text or "$2b$" in text for text in trail)


@pytest.mark.parametrize(
    ("source", "run_id"),
    [("user:1", None), ("cli", None), ("plugin:fio", 7), ("system:matching", None)],
)
def test_writes_are_attributed_to_the_ledgers_source(
    lg: Ledger, source: str, run_id: int | None
) -> None:
    other = lg.with_source(source, run_id=run_id)
    acme = other.clients.add(name="Acme", currency="CZK")
    other.clients.update(acme, name="Acme s.r.o.")
    lg.clients.archive(acme)
    events = lg.audit.list(entity="clients")
    assert [(e.source, e.run_id, e.action) for e in events] == [
        (source, run_id, "insert"),
        (source, run_id, "update"),
        ("notebook", None, "update"),
    ]
    assert [e.id for e in lg.audit.list(source=source)] == [e.id for e in events[:2]]
    if run_id is not None:
        assert len(lg.audit.list(run_id=run_id)) == 2


def test_the_source_given_to_open_is_used(database_url: str) -> None:
    opened = ledger.open(database_url, source="cli")
    try:
        opened.clients.add(name="Acme", currency="CZK")
        assert [e.source for e in opened.audit.list()] == ["cli"]
    finally:
        opened.close()


def test_audit_list_filters_and_frame(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    web = lg.projects.add(acme, name="Web")
    lg.projects.update(web, name="Website")
    assert [e.action for e in lg.audit.list(entity="projects")] == ["insert", "update"]
    assert [e.entity for e in lg.audit.list(limit=2)] == ["projects", "projects"]
    frame = lg.audit.to_frame()
    assert list(frame["entity"]) == ["clients", "projects", "projects"]
    assert list(frame["entity_id"]) == [str(acme.id), str(web.id), str(web.id)]
    assert set(frame["source"]) == {"notebook"}
