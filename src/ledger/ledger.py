"""`Ledger`: the one public API that the web UI, CLI, notebooks and plugins use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlmodel import Session

from ledger.config import Settings
from ledger.db import Database, UnitOfWork
from ledger.sources import Source, as_source

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Aware UTC now."""
    return dt.datetime.now(dt.UTC)


class Ledger:
    """Clients, projects, time, invoices, money and audit, bound to one source.

    Every write made through this object is audited under `source`. Use
    `with_source` for another source over the same database, and `atomic` to
    group several calls into one transaction.
    """

    def __init__(self, database: Database, source: Source | str, clock: Clock = system_clock):
        from ledger.app_settings import AppSettingsService
        from ledger.audit_log import AuditLog
        from ledger.clients import Clients
        from ledger.entries import Entries
        from ledger.invoices import Invoices
        from ledger.projects import Projects
        from ledger.reports import Reports
        from ledger.transactions import Transactions
        from ledger.users import Users

        self.database = database
        self.source = as_source(source)
        self.clock = clock
        self.run_id: int | None = None
        self._current: ContextVar[UnitOfWork | None] = ContextVar("uow", default=None)
        self.clients = Clients(self)
        self.projects = Projects(self)
        self.entries = Entries(self)
        self.invoices = Invoices(self)
        self.transactions = Transactions(self)
        self.audit = AuditLog(self)
        self.settings = AppSettingsService(self)
        self.users = Users(self)
        self.reports = Reports(self)

    def __repr__(self) -> str:
        return f"<Ledger {self.database.engine.url!r} as {self.source}>"

    def with_source(self, source: Source | str, run_id: int | None = None) -> Ledger:
        """The same database, writing under another source (and sync run)."""
        other = Ledger(self.database, source, self.clock)
        other.run_id = run_id
        return other

    def today(self) -> dt.date:
        """Today's date by this ledger's clock."""
        return self.clock().date()

    @contextmanager
    def atomic(self) -> Iterator[UnitOfWork]:
        """Group every write inside the block into one all-or-nothing transaction."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        with self.database.unit_of_work(self.source, self.run_id) as uow:
            token = self._current.set(uow)
            try:
                yield uow
            finally:
                self._current.reset(token)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that sees this ledger's uncommitted writes when inside `atomic`."""
        current = self._current.get()
        if current is not None:
            yield current.session
            return
        with self.database.reading() as session:
            yield session

    def close(self) -> None:
        """Release the database connections."""
        self.database.dispose()


def open_ledger(
    path_or_url: str | Path | None = None,
    *,
    source: Source | str = "notebook",
    clock: Clock = system_clock,
) -> Ledger:
    """Open (and create or migrate) a ledger database.

    Args:
        path_or_url: a SQLite file path, a SQLAlchemy URL, or None for the configured
            default (``LEDGER_DATABASE_URL`` or ``ledger.db`` in ``LEDGER_DATA_DIR``).
        source: who the writes through this object are attributed to.
        clock: returns aware UTC now; tests pass a fixed one.
    """
    from ledger import migrate

    url = _database_url(path_or_url)
    database = Database(url)
    migrate.upgrade(database.engine)
    return Ledger(database, source, clock)


def _database_url(path_or_url: str | Path | None) -> str:
    if path_or_url is None:
        settings = Settings()
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        return settings.resolved_database_url()
    text = str(path_or_url)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
