"""Throwaway ledgers, captured syncs and whole-database snapshots for the suite."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
from sqlalchemy import Connection, MetaData, select, text
from sqlalchemy.exc import SQLAlchemyError

from ledger.api import Ledger, open_ledger
from ledger.contracts.http import HttpPolicy
from ledger.core.sync_models import SyncRun
from ledger.platform.plugin_settings import secret_fields
from ledger.platform.registry import Registry
from ledger.storage import audit_chain as audit, migrate
from ledger.storage.database import Database
from ledger.storage.tables import AUDITED_TABLES
from ledger.testing.leaks import make_canary
from ledger.testing.recording import RecordingTransport
from ledger.testing.spec import ContractSpec

SUITE_SOURCE = "system:contract_suite"
SUITE_NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)

Key = tuple[str, str]
Snapshot = dict[Key, dict[str, Any]]

_template: Path | None = None


def _template_database() -> Path:
    global _template  # noqa: PLW0603  (one migrated template per process)
    if _template is None or not _template.exists():
        path = Path(tempfile.mkdtemp(prefix="ledger-contract-")) / "template.db"
        database = Database(f"sqlite:///{path}")
        migrate.upgrade(database.engine)
        database.dispose()
        _template = path
    return _template


@dataclass
class Capture:
    """One sync as the suite saw it."""

    run: SyncRun
    before: Snapshot
    after: Snapshot
    transport: RecordingTransport
    sockets: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    output: str = ""

    @property
    def requests(self) -> list[httpx.Request]:
        return self.transport.requests

    def diff(self) -> Diff:
        return Diff.between(self.before, self.after)


@dataclass
class Diff:
    """Rows inserted, updated (with old and new values) and deleted."""

    inserted: dict[Key, dict[str, Any]]
    updated: dict[Key, tuple[dict[str, Any], dict[str, Any]]]
    deleted: dict[Key, dict[str, Any]]

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot) -> Diff:
        updated = {}
        for key in before.keys() & after.keys():
            old, new = before[key], after[key]
            changed = {c for c in new if old.get(c) != new.get(c)}
            if changed:
                updated[key] = ({c: old.get(c) for c in changed}, {c: new[c] for c in changed})
        return cls(
            inserted={k: after[k] for k in after.keys() - before.keys()},
            updated=updated,
            deleted={k: before[k] for k in before.keys() - after.keys()},
        )

    @property
    def empty(self) -> bool:
        return not (self.inserted or self.updated or self.deleted)

    def summary(self) -> str:
        counts = (len(self.inserted), len(self.updated), len(self.deleted))
        return "{} inserted, {} updated, {} deleted".format(*counts)


class Harness:
    """Makes fresh ledgers for one plugin and runs captured syncs on them."""

    def __init__(self, spec: ContractSpec) -> None:
        self.spec = spec
        self.workdir = Path(tempfile.mkdtemp(prefix=f"ledger-contract-{spec.plugin.name}-"))
        self.canaries = {
            name: make_canary() for name in sorted(secret_fields(spec.plugin.Settings))
        }
        self.settings = {**spec.settings, **self.canaries}
        self._count = 0

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def fresh(self, *, configure: bool = True, enable: bool = True) -> Ledger:
        """A new database with the plugin registered, configured, enabled and prepared."""
        self._count += 1
        path = self.workdir / f"ledger-{self._count}.db"
        shutil.copy(_template_database(), path)
        lg = open_ledger(
            path,
            source=SUITE_SOURCE,
            clock=lambda: SUITE_NOW,
            registry=Registry([self.spec.plugin]),
        )
        name = self.spec.plugin.name
        if configure and self.spec.plugin.Settings.model_fields:
            lg.plugins.configure(name, **self.settings)
        if enable:
            lg.plugins.enable(name)
        if self.spec.prepare is not None:
            self.spec.prepare(lg)
        return lg

    def policy(self, sleeps: list[float], **overrides: Any) -> HttpPolicy:
        limits = {"time_limit": self.spec.time_limit, "max_requests": self.spec.max_requests}
        return HttpPolicy(sleep=sleeps.append, retries=2, backoff=0.01, **(limits | overrides))

    def sync(
        self,
        lg: Ledger,
        transport: RecordingTransport | None = None,
        *,
        dry_run: bool = False,
        **policy: Any,
    ) -> Capture:
        """Run one sync with sockets guarded, snapshotting the database around it."""
        transport = transport or self.spec.recording.transport()
        sleeps: list[float] = []
        before = snapshot(lg)
        with guard_sockets() as attempts, capture_output() as output:
            run = lg.sync(
                self.spec.plugin.name,
                dry_run=dry_run,
                transport=transport,
                policy=self.policy(sleeps, **policy),
            )
        return Capture(run, before, snapshot(lg), transport, attempts, sleeps, output.getvalue())


_schemas: dict[tuple[str, str], MetaData] = {}


def _schema(conn: Connection) -> MetaData:
    """The database's tables, reflected once per dialect and migration revision.

    Reflection costs about a second on SQLite and every throwaway ledger of the suite
    has the same schema, so a suite run reflects once instead of at every snapshot.
    """
    try:
        revision = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
    except SQLAlchemyError:
        conn.rollback()
        metadata = MetaData()
        metadata.reflect(conn)
        return metadata
    key = (conn.dialect.name, revision)
    if key not in _schemas:
        metadata = MetaData()
        metadata.reflect(conn)
        _schemas[key] = metadata
    return _schemas[key]


def snapshot(lg: Ledger) -> Snapshot:
    """Every row of every audited table, keyed by (table, id), values as JSON would hold them."""
    rows: Snapshot = {}
    with lg.database.engine.connect() as conn:
        metadata = _schema(conn)
        for name in sorted(AUDITED_TABLES):
            for row in conn.execute(select(metadata.tables[name])).mappings():
                rows[(name, str(row["id"]))] = {k: audit.jsonable(v) for k, v in row.items()}
    return rows


def all_text(lg: Ledger) -> str:
    """Every value of every table (history and audit included) as one string."""
    parts: list[str] = []
    with lg.database.engine.connect() as conn:
        for table in _schema(conn).sorted_tables:
            for row in conn.execute(select(table)):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


class _Tee(io.StringIO):
    """Keeps what is written and passes it on, so a plugin's prints still show."""

    def __init__(self, passes_to: TextIO) -> None:
        super().__init__()
        self.passes_to = passes_to

    def write(self, text: str) -> int:
        self.passes_to.write(text)
        return super().write(text)


@contextmanager
def capture_output() -> Iterator[io.StringIO]:
    """Everything written to stdout and stderr (a plugin's ``print``) while inside."""
    kept = io.StringIO()
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    with redirect_stdout(out), redirect_stderr(err):
        try:
            yield kept
        finally:
            kept.write(out.getvalue() + err.getvalue())


@contextmanager
def guard_sockets() -> Iterator[list[str]]:
    """Refuse and record every network connection a plugin opens past ``ctx.http``."""
    attempts: list[str] = []
    originals = (socket.socket.connect, socket.create_connection, socket.getaddrinfo)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(
            repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:200]
        )
        raise OSError("network access outside ctx.http is blocked by the contract suite")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.create_connection, socket.getaddrinfo = originals  # type: ignore[method-assign]
