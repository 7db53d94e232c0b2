"""Engine, sessions and the audited unit of work: the one way to write data.

A write happens only inside `Database.unit_of_work(source)`. Its session audits
every ORM insert, update and delete at flush time, in the same transaction, under
the unit's source; `UnitOfWork.insert_many` is the bulk path with the same
guarantee. Any other attempt to change a domain table — an ORM flush in a read
session, a Core statement on a connection outside a unit of work — raises
`UnauditedWrite` before it reaches the database.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import UOWTransaction
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault
from sqlmodel import Session, SQLModel

from ledger.errors import Busy, UnauditedWrite
from ledger.storage import audit_chain as audit
from ledger.storage.audit_key import AuditKey
from ledger.storage.sources import Source
from ledger.storage.tables import AUDITED_TABLES

# Searched anywhere in a statement, so a comment, a CTE, ``INSERT OR IGNORE``,
# ``REPLACE`` or a schema-qualified name cannot slip a write past the guard.
_WRITE_STATEMENT = re.compile(
    r"\b(?:(?:INSERT|REPLACE|MERGE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?"
    r"|DELETE\s+FROM)\s+(?:\"?\w+\"?\s*\.\s*)?\"?(\w+)",
    re.IGNORECASE,
)
_PG_WRITE_LOCK = 0x1ED6E7  # one writer at a time keeps numbering and the chain linear


class LedgerSession(Session):
    """ledger's own session class: the audit and write guards attach to it alone.

    Another SQLModel application in the same process keeps plain `Session`s and
    writes freely.
    """


class Database:
    """A ledger database: SQLite file by default, PostgreSQL by URL."""

    def __init__(
        self, url: str, lock_wait: float = 30.0, audit_key: AuditKey | None = None
    ) -> None:
        """Connect to `url`; a write waits at most `lock_wait` seconds for another.

        `audit_key` signs the audit chain (default: the one configured for `url`).
        """
        self.url = url
        self.audit_key = audit_key or AuditKey.for_url(url)
        self.is_sqlite = url.startswith("sqlite")
        self.lock_wait = lock_wait
        connect_args: dict[str, Any] = {"timeout": lock_wait} if self.is_sqlite else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if self.is_sqlite:
            event.listen(self.engine, "connect", functools.partial(_sqlite_on_connect, lock_wait))
            event.listen(self.engine, "begin", _sqlite_on_begin)
        event.listen(self.engine, "before_cursor_execute", _refuse_unaudited_statement)
        self._write_engine = self.engine.execution_options(ledger_write=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; flushing a change in it raises `UnauditedWrite`."""
        with LedgerSession(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def unit_of_work(self, source: Source, run_id: int | None = None) -> Iterator[UnitOfWork]:
        """One transaction whose every change is audited under `source`.

        Raises:
            Busy: another write held the database longer than `lock_wait`.
        """
        if not isinstance(source, Source):
            raise UnauditedWrite(f"a unit of work needs a Source, got {source!r}")
        key = self.audit_key.derived(create=True)
        with (
            self.busy_after_lock_wait(),
            LedgerSession(self._write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            connection = session.connection()
            if not self.is_sqlite:
                wait = max(1, int(self.lock_wait * 1000))
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {wait}")
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
            session.info["audit"] = (source, run_id, key)
            connection.info["audit"] = (source, run_id)
            try:
                yield UnitOfWork(session, source, run_id, key)
                session.flush()
            finally:
                connection.info.pop("audit", None)

    @contextmanager
    def busy_after_lock_wait(self) -> Iterator[None]:
        """A write in the block that waited past `lock_wait` for another raises `Busy`
        (SQLite's "database is locked", PostgreSQL's lock_timeout); others pass through."""
        try:
            yield
        except OperationalError as exc:
            if not _waited_for_a_lock(exc):
                raise
            raise Busy(
                f"the database is busy with another change (waited {self.lock_wait:g} s); "
                "nothing was written, try again in a moment"
            ) from exc


class UnitOfWork:
    """An open audited transaction: an ORM session plus the bulk write path."""

    def __init__(
        self, session: Session, source: Source, run_id: int | None, audit_key: bytes
    ) -> None:
        self.session = session
        self.source = source
        self.run_id = run_id
        self.audit_key = audit_key

    def insert_many(self, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert `rows` with one executemany and audit them likewise; return their ids."""
        if not rows:
            return []
        table = model.__table__  # type: ignore[attr-defined]
        defaults = _omitted_defaults(table)  # stored and audited, so events show whole rows
        connection = self.session.connection()
        if _numbers_ids_itself(connection, table, rows):
            # SQLite cannot batch INSERT ... RETURNING in parameter order, so SQLAlchemy
            # would send one statement per row. The unit of work holds the write lock
            # (BEGIN IMMEDIATE), and SQLite gives a new row max(id) + 1, so number the
            # rows the same way and insert them with one plain executemany.
            last = connection.execute(select(func.max(table.c.id))).scalar()
            first = (last or 0) + 1
            ids = list(range(first, first + len(rows)))
            stored = [
                {**defaults, **row, "id": row_id} for row_id, row in zip(ids, rows, strict=True)
            ]
            _sqlite_executemany(connection, table, stored)
        else:
            stored = [{**defaults, **row} for row in rows]
            ids = list(
                connection.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), stored
                ).scalars()
            )
            stored = [{"id": row_id, **row} for row_id, row in zip(ids, stored, strict=True)]
        changes = (audit.Change(table.name, str(row["id"]), "insert", None, row) for row in stored)
        audit.append(connection, self.audit_key, self.source.value, self.run_id, changes)
        return ids

    def update_many(self, model: type[SQLModel], updates: Sequence[RowUpdate]) -> int:
        """Apply `updates` (same columns each) with one executemany, audited; return the count."""
        if not updates:
            return 0
        table = model.__table__  # type: ignore[attr-defined]
        columns = sorted(updates[0].after)
        statement = (
            update(table)
            .where(table.c.id == bindparam("_row_id"))
            .values({column: bindparam(column) for column in columns})
        )
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            _sqlite_update_many(connection, table, statement, updates)
        else:
            connection.execute(statement, [{"_row_id": u.row_id, **u.after} for u in updates])
        changes = (
            audit.Change(table.name, str(u.row_id), "update", u.before, u.changed_after())
            for u in updates
        )
        audit.append(connection, self.audit_key, self.source.value, self.run_id, changes)
        return len(updates)


# Not frozen: a bulk write makes one per row, and a frozen dataclass costs a
# microsecond more to build.
@dataclass(slots=True)
class RowUpdate:
    """A row's new values; `before` holds the old values of the columns that differ."""

    row_id: int
    before: Mapping[str, Any]
    after: Mapping[str, Any]

    def changed_after(self) -> dict[str, Any]:
        """The new values of the columns that changed."""
        return {key: self.after[key] for key in self.before}


def _sqlite_update_many(
    connection: Connection, table: Table, statement: Update, updates: Sequence[RowUpdate]
) -> None:
    """`statement` for each of `updates`, with one driver executemany (payment
    matching updates tens of thousands of rows)."""
    compiled = statement.compile(dialect=connection.dialect)
    order = list(compiled.positiontup or ())
    rows = ([u.row_id if name == "_row_id" else u.after[name] for name in order] for u in updates)
    _driver_executemany(connection, table, compiled.string, order, rows)


def _numbers_ids_itself(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether `insert_many` may assign the ids on SQLite instead of asking for them."""
    return (
        connection.dialect.name == "sqlite"
        and not table.kwargs.get("sqlite_autoincrement", False)
        and table.primary_key.columns.keys() == ["id"]
        and all("id" not in row for row in rows)
    )


def _sqlite_executemany(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert `rows` (the same keys each) with one driver executemany."""
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    order = list(compiled.positiontup or ())
    values_of = operator.itemgetter(*order)  # rows carry their id too: always a tuple
    _driver_executemany(
        connection, table, compiled.string, order, (list(values_of(row)) for row in rows)
    )


def _driver_executemany(
    connection: Connection,
    table: Table,
    sql: str,
    order: Sequence[str],
    rows: Iterator[list[Any]],
) -> None:
    """Run `sql` once per row of values (in `order`) with one driver executemany.

    Core would process every row's parameters one by one, which in a large sync or
    matching run costs as much as SQLite's own work; here only the columns whose type
    converts values (dates, times) are converted, by the dialect's own converters.
    """
    dialect = connection.dialect
    converters = [
        (position, convert)
        for position, name in enumerate(order)
        if name in table.c
        and (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    params = []
    for values in rows:
        for position, convert in converters:
            if values[position] is not None:
                values[position] = convert(values[position])
        params.append(tuple(values))
    connection.exec_driver_sql(sql, params)


def _omitted_defaults(table: Table) -> dict[str, Any]:
    """The value each column gets when an insert omits it (callables run once)."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.primary_key or column.server_default is not None:
            continue
        if isinstance(default, ScalarElementColumnDefault):
            defaults[column.key] = default.arg
        elif isinstance(default, CallableColumnDefault):
            # Once per batch, so the rows share one timestamp. SQLAlchemy wraps a
            # zero-argument factory (`utcnow`) so that it ignores the context.
            defaults[column.key] = default.arg(None)  # type: ignore[arg-type]
        elif default is None and column.nullable:
            defaults[column.key] = None
    return defaults


def _refuse_unaudited_statement(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    if "audit" in conn.info:
        return
    for match in _WRITE_STATEMENT.finditer(statement):
        if match.group(1) in AUDITED_TABLES:
            raise UnauditedWrite(
                f"refusing to change {match.group(1)} outside an audited unit of work; "
                "write through the Ledger API"
            )


def _audit_source(session: Session) -> tuple[Source, int | None, bytes] | None:
    value = session.info.get("audit")
    return value if isinstance(value, tuple) else None


@event.listens_for(LedgerSession, "before_flush")
def _require_source(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    if _audit_source(session) is None and _pending_domain_changes(session):
        raise UnauditedWrite(
            "refusing to flush changes outside an audited unit of work; "
            "write through the Ledger API"
        )


@event.listens_for(LedgerSession, "after_flush")
def _audit_flush(session: Session, flush_context: UOWTransaction) -> None:
    bound = _audit_source(session)
    if bound is None:
        return
    source, run_id, key = bound
    changes = [_inserted(obj) for obj in _domain(session.new)]
    changes += [change for obj in _domain(session.dirty) if (change := _updated(obj)) is not None]
    changes += [_deleted(obj) for obj in _domain(session.deleted)]
    audit.append(session.connection(), key, source.value, run_id, changes)


def _pending_domain_changes(session: Session) -> bool:
    return (
        any(_domain(session.new))
        or any(_domain(session.deleted))
        or any(session.is_modified(obj) for obj in _domain(session.dirty))
    )


def _domain(objects: Any) -> Iterator[Any]:
    return (obj for obj in objects if getattr(obj, "__tablename__", None) in AUDITED_TABLES)


def _column_values(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {column.key: getattr(obj, column.key) for column in mapper.column_attrs}


def _inserted(obj: Any) -> audit.Change:
    return audit.Change(obj.__tablename__, str(obj.id), "insert", None, _column_values(obj))


def _deleted(obj: Any) -> audit.Change:
    return audit.Change(obj.__tablename__, str(obj.id), "delete", _column_values(obj), None)


def _updated(obj: Any) -> audit.Change | None:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in inspect(obj).attrs:
        history = attr.load_history()
        if history.has_changes():
            before[attr.key] = history.deleted[0] if history.deleted else None
            after[attr.key] = attr.value
    if not after:
        return None
    return audit.Change(obj.__tablename__, str(obj.id), "update", before, after)


def _waited_for_a_lock(exc: OperationalError) -> bool:
    """SQLite's "database is locked" or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    return "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", "") == "55P03"


def _sqlite_on_connect(
    lock_wait: float, dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry
) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",  # NORMAL may lose the last commits on power loss
        "foreign_keys=ON",
        f"busy_timeout={int(lock_wait * 1000)}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so a writer waits instead of failing
    # when it upgrades from a read.
    write = conn.get_execution_options().get("ledger_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
