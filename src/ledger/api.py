"""`Ledger`: the one public API that the web UI, CLI, notebooks and plugins use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlmodel import Session

from ledger.config import Config
from ledger.core import datetimes
from ledger.core.analytics import Analytics
from ledger.core.app_settings import AppSettingsService
from ledger.core.audit_log import AuditLog
from ledger.core.bank_accounts import BankAccounts
from ledger.core.clients import Clients
from ledger.core.entries import Entries
from ledger.core.exchange_rates import ExchangeRates
from ledger.core.invoices import Invoices
from ledger.core.matching.service import Matching, MatchReport
from ledger.core.portal import Portal
from ledger.core.projects import Projects
from ledger.core.recurring import Recurring
from ledger.core.reports import Reports
from ledger.core.service import Clock, system_clock
from ledger.core.transactions import Transactions
from ledger.core.users import Users
from ledger.documents.mail.service import Mail
from ledger.documents.service import Documents
from ledger.errors import ConfigurationError, Conflict
from ledger.locations import sqlite_url
from ledger.platform.collector import older_objects_frozen
from ledger.platform.leases import recover_expired_runs
from ledger.platform.progress import THIS_PROCESS, RunProgress
from ledger.platform.registry import Registry, default_registry
from ledger.platform.secret_box import SecretBox
from ledger.platform.service import Plugins
from ledger.storage import revisions, schema
from ledger.storage.audit_key import AuditKey, key_file_for
from ledger.storage.database import Database, UnitOfWork
from ledger.storage.sources import Source, as_source

if TYPE_CHECKING:
    import httpx

    from ledger.contracts.http import HttpPolicy
    from ledger.core.sync_models import SyncRun

__all__ = ["Clock", "Ledger", "open_ledger", "system_clock"]

SERVICES = [
    "clients", "projects", "entries", "invoices", "transactions", "matching", "audit",
    "settings", "users", "reports", "analytics", "plugins", "documents", "portal",
    "exchange_rates", "recurring", "mail",
]  # fmt: skip
"""The collections of a `Ledger`, as ``dir(lg)`` lists them."""
METHODS = ["atomic", "close", "match", "source", "sync", "today", "with_source"]


class Ledger:
    """Clients, projects, time, invoices, money and audit, bound to one source.

    Every write made through this object is audited under `source`. Use
    `with_source` for another source over the same database, and `atomic` to
    group several calls into one transaction.
    """

    def __init__(
        self,
        database: Database,
        source: Source | str,
        clock: Clock = system_clock,
        *,
        registry: Registry | None = None,
        secret_box: SecretBox | None = None,
        run_progress: RunProgress = THIS_PROCESS,
        config: Config | None = None,
    ) -> None:
        self.database = database
        self.source = as_source(source)
        self.clock = clock
        self.run_id: int | None = None
        self.registry = registry if registry is not None else default_registry
        self.secret_box = secret_box or SecretBox(default_key_file(database.url))
        self.run_progress = run_progress
        self.config = config  # as `open` read it; None: read when needed
        self.writes_blocked: str | None = None
        self._current: ContextVar[UnitOfWork | None] = ContextVar("uow", default=None)
        self.clients = Clients(self)
        self.projects = Projects(self)
        self.entries = Entries(self)
        self.invoices = Invoices(self)
        self.recurring = Recurring(self)
        self.transactions = Transactions(self)
        self.exchange_rates = ExchangeRates(self)
        self.audit = AuditLog(self)
        self.settings = AppSettingsService(self)
        self.bank_accounts = BankAccounts(self)
        self.users = Users(self)
        self.reports = Reports(self)
        self.plugins = Plugins(self)
        self.matching = Matching(self)
        self.documents = Documents(self)
        self.portal = Portal(self)
        self.mail = Mail(self)
        self.analytics = Analytics(self)

    def __repr__(self) -> str:
        return f"<Ledger {self.database.engine.url!r} as {self.source}>"

    def __dir__(self) -> list[str]:
        # Tab completion in a notebook offers what a user calls, not the plumbing
        # (database, registry, secret box) the services share.
        return sorted(SERVICES + METHODS)

    def with_source(self, source: Source | str, run_id: int | None = None) -> Ledger:
        """The same database, writing under another source (and sync run)."""
        other = Ledger(
            self.database,
            source,
            self.clock,
            registry=self.registry,
            secret_box=self.secret_box,
            run_progress=self.run_progress,
            config=self.config,
        )
        other.run_id = run_id
        return other

    def match(self) -> MatchReport:
        """Match incoming payments to issued invoices; see ``lg.matching`` for the queue."""
        return self.matching.run()

    def sync(
        self,
        name: str,
        *,
        dry_run: bool = False,
        transport: httpx.BaseTransport | None = None,
        policy: HttpPolicy | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> SyncRun:
        """Run plugin `name` once and return its run from the history.

        Args:
            name: a registered plugin's name (``ledger plugins`` lists them).
            dry_run: run the plugin and record what would change, writing nothing.
            transport: an httpx transport to use instead of the network (tests).
            policy: HTTP limits for the run (tests shrink them).
            on_start: called with the run's id once the run is recorded.
        """
        with older_objects_frozen():  # from the import on: it makes many objects too
            from ledger.platform.engine import SyncEngine  # loads only when syncing

            engine = SyncEngine(self, transport=transport, policy=policy)
            return engine.run(name, dry_run=dry_run, on_start=on_start)

    def today(self, zone: str | None = None) -> dt.date:
        """Today's date in the user's time zone by this ledger's clock: an invoice
        issued at 00:30 in Prague is dated that day, not the UTC day before.

        `zone`: that time zone, when the caller has read the settings already."""
        return datetimes.local_date(self.clock(), zone or self.settings.zone())

    @contextmanager
    def atomic(self) -> Iterator[UnitOfWork]:
        """Group every write inside the block into one all-or-nothing transaction."""
        if self.writes_blocked:
            raise Conflict(self.writes_blocked)
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
    registry: Registry | None = None,
    create: bool = True,
    lock_wait: float | None = None,
) -> Ledger:
    """Open (and create or migrate) a ledger database.

    Args:
        path_or_url: a SQLite file path, a SQLAlchemy URL, or None for the configured
            default (``LEDGER_DATABASE_URL`` or ``ledger.db`` in ``LEDGER_DATA_DIR``).
        source: who the writes through this object are attributed to.
        clock: returns aware UTC now; tests pass a fixed one.
        registry: the plugins this ledger can sync (default: the bundled ones).
        create: make a new SQLite file (and its folder) when there is none; with
            False a missing file is a `ConfigurationError` that says how to create it.
        lock_wait: seconds a write waits for another before it is `Busy` (default:
            ``LEDGER_LOCK_TIMEOUT_SECONDS``; the web server waits less).
    """
    url = resolve_database_url(path_or_url, create)
    config = Config()
    audit_key = AuditKey(default_key_file(url), config.secret_key)
    database = Database(url, lock_wait or config.lock_timeout_seconds, audit_key)
    try:
        revision = schema.current_revision(database.engine)
        if revision != revisions.HEAD_REVISION:
            from ledger.storage import migrate  # Alembic loads only when a migration runs

            migrate.upgrade(database.engine, audit_key.derived(create=True))
        recover_expired_runs(database, f"the start of a ledger ({source})")
        box = SecretBox(default_key_file(url), config.secret_key)
        lg = Ledger(database, source, clock, registry=registry, secret_box=box, config=config)
        lg.plugins.check_key()
        if schema.before_keyed_audit(revision):
            lg.with_source("system:audit").audit.mark_unkeyed()
    except BaseException:
        database.dispose()  # a refused start must not leak its connections
        raise
    return lg


def default_key_file(url: str) -> Path:
    """Where the secret key lives: beside a SQLite file, else in the data directory."""
    return key_file_for(url)


def resolve_database_url(path_or_url: str | Path | None, create: bool) -> str:
    """The URL `open_ledger` would open; with `create` false a missing SQLite file raises."""
    if path_or_url is None:
        url = Config().resolved_database_url()
    elif "://" in str(path_or_url):
        url = str(path_or_url)
    else:
        url = sqlite_url(path_or_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():
            raise ConfigurationError(
                f"no ledger database at {path}; create it with `ledger init --database {path}`"
            )
    return url
