"""The sync engine: runs a plugin, then applies what it staged all-or-nothing.

A run goes: refuse if disabled → record the run as running (one per plugin) →
load settings → call `sync(ctx)` in a worker thread with a time limit, its writes
staged (transactions compared as they arrive and spooled a batch at a time, see
`staging`) → in one audited transaction apply the writes batch by batch, store
the cursor and mark the run succeeded. Any failure marks the run failed with its
kind, message and traceback, and writes nothing else.

The database's write lock is taken only for that last transaction, so it is held
about as long as writing the created and updated rows takes, never while the
plugin waits on upstream.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from ledger.config import Config
from ledger.contracts.context import RunLog, SyncContext
from ledger.contracts.errors import PluginError
from ledger.contracts.http_policy import ExchangeLog, HttpPolicy, SyncLimitExceeded
from ledger.contracts.plugin import Plugin, SyncResult
from ledger.contracts.redaction import Redactor, secret_values
from ledger.core.matching.service import apply_matching
from ledger.core.sync_models import SyncRun
from ledger.errors import AlreadyRunning, ConfigurationError, Conflict
from ledger.platform.leases import Heartbeat, now as lease_now, recover_expired_runs
from ledger.platform.links import RunLinks
from ledger.platform.plugin_ledger import run_ledger
from ledger.platform.plugin_settings import load_row, load_settings
from ledger.platform.progress import Progress, ProgressPublisher
from ledger.platform.pushing import RunPusher
from ledger.platform.rate_staging import RateStage, apply_rates
from ledger.platform.records import RecordApplier, RecordStage
from ledger.platform.run_http import RunHttp
from ledger.platform.staging import TransactionStage, apply_stage
from ledger.storage import tables
from ledger.storage.database import Database, UnitOfWork
from ledger.storage.sources import Source
from ledger.storage.tables import utcnow

if TYPE_CHECKING:
    import httpx

    from ledger.platform.host import PlatformLedger

RUNS = tables.SyncRun.__table__  # type: ignore[attr-defined]
STATES = tables.PluginState.__table__  # type: ignore[attr-defined]
FAULT_ENV = "LEDGER_TEST_FAULT"
"""Test-only: names a point where the process kills itself (crash tests)."""


def fault_point(name: str) -> None:
    """Die like a power cut at `name` when the crash tests ask for it."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class _DryRunRollback(Exception):
    """Raised inside the apply transaction of a dry run to undo it."""


# The engine's own records are plain classes: each @dataclass costs about half a
# millisecond to define, and every sync of a fresh process (a CLI command, a
# notebook's first sync) imports this module.


class _Outcome:
    """What the plugin's thread left: its result or its error, and when it finished."""

    def __init__(self) -> None:
        self.result: object = None
        self.error: BaseException | None = None
        self.trace = ""
        self.finished = threading.Event()


class SyncEngine:
    """Runs plugins of `ledger`'s registry against its database."""

    def __init__(
        self,
        ledger: PlatformLedger,
        *,
        transport: httpx.BaseTransport | None = None,
        policy: HttpPolicy | None = None,
    ) -> None:
        self.ledger = ledger
        self.database: Database = ledger.database
        self.transport = transport
        self.policy = policy or HttpPolicy()
        # The configuration `open` read: reading it again costs a millisecond a sync.
        self.lease_seconds = (ledger.config or Config()).sync_lease_seconds

    def run(
        self, name: str, *, dry_run: bool = False, on_start: Callable[[int], None] | None = None
    ) -> SyncRun:
        """Sync plugin `name` once; return its run (succeeded or failed).

        `on_start` learns the run's id as soon as the run is recorded (the web UI
        polls its progress while the sync goes on in a worker).

        Raises:
            NotFound: no plugin has that name (the message lists the available ones).
            Conflict: the plugin is disabled.
            AlreadyRunning: a run of the plugin is under way.
        """
        plugin_class = self.ledger.registry.get(name)
        with self.database.reading() as session:
            row = load_row(session, name)
        if row is None or not row.enabled:
            raise Conflict(
                f"plugin {name} is disabled; enable it with `ledger plugins enable {name}`"
            )
        started, cursor = self._start(plugin_class, dry_run)
        run_id = started["id"]
        runs = self.ledger.run_progress
        runs.start(run_id)
        if on_start is not None:
            on_start(run_id)
        try:
            with (
                Heartbeat(self.database, run_id, self.lease_seconds),
                ProgressPublisher(self.database, run_id, runs),
            ):
                return self._execute(plugin_class, row, started, cursor, dry_run)
        finally:
            runs.finish(run_id)

    def _start(
        self, plugin_class: type[Plugin[Any]], dry_run: bool
    ) -> tuple[dict[str, Any], str | None]:
        """Record the run as running; return the values stored (with its id) and the
        plugin's cursor, read in the same transaction (after the insert, so no other
        run's cursor slips in)."""
        values = {
            "plugin": plugin_class.name,
            "plugin_version": plugin_class.version,
            "trigger": self.ledger.source.value,
            "dry_run": dry_run,
            "status": "running",
            "started_at": _precise_now(),
            "pid": os.getpid(),
        }
        for attempt in range(2):
            values["lease_expires_at"] = lease_now() + dt.timedelta(seconds=self.lease_seconds)
            try:
                with self.database.engine.begin() as conn:
                    statement = insert(RUNS).returning(RUNS.c.id)
                    values["id"] = int(conn.execute(statement, values).scalar_one())
                    query = select(STATES.c.cursor).where(STATES.c.plugin == plugin_class.name)
                    return values, conn.execute(query).scalar()
            except IntegrityError:
                who = f"a new sync of {plugin_class.name} ({self.ledger.source.value})"
                if attempt or not recover_expired_runs(self.database, who):
                    break
        raise AlreadyRunning(
            f"a sync of {plugin_class.name} is already running; wait for it to finish"
        )

    def _execute(
        self,
        plugin_class: type[Plugin[Any]],
        row: tables.PluginSettings,
        started: dict[str, Any],
        cursor_before: str | None,
        dry_run: bool,
    ) -> SyncRun:
        """Run the plugin and apply what it staged; return the run as recorded."""
        redact = Redactor()
        log = RunLog(redact, self.ledger.clock)
        exchanges = ExchangeLog(redact)
        record = _RunRecord(started, log, exchanges, cursor_before)
        name = plugin_class.name
        stages = _Stages(name)
        # The run's own ledger: the plugin reads through it, and the apply writes.
        run_ledger = self.ledger.with_source(Source(f"plugin:{name}"), record.run_id)
        try:
            settings = load_settings(plugin_class.Settings, row, self.ledger.secret_box)
            redact = Redactor(secret_values(settings))
            log.redact = exchanges.redact = redact
            policy = dataclasses.replace(self.policy, dry_run=dry_run)
            http = RunHttp(policy, exchanges, self.transport, log)
            ctx = self._context(plugin_class, run_ledger, settings, stages, record, http)
            result = self._call_plugin(plugin_class, ctx, stages, http)
            fault_point("before_apply")
            self._apply(run_ledger, stages, ctx.cursor, result, record, dry_run)
            fault_point("after_commit")
        except (PluginError, ConfigurationError) as exc:
            self._fail(record, getattr(exc, "kind", "configuration"), redact(str(exc)), "")
        except _PluginBug as exc:
            self._fail(record, "bug", redact(str(exc)), redact(exc.trace))
        except Exception as exc:
            message = redact(f"{type(exc).__name__}: {exc}")
            self._fail(record, "bug", message, redact(traceback.format_exc()))
        finally:
            stages.close("this run is over")
        assert record.ended is not None  # every way out of the try recorded the end
        return SyncRun.from_row(tables.SyncRun(**record.ended))

    def _context(
        self,
        plugin_class: type[Plugin[Any]],
        reader: PlatformLedger,
        settings: BaseModel,
        stages: _Stages,
        record: _RunRecord,
        http: RunHttp,
    ) -> SyncContext[Any]:
        name, run_id = plugin_class.name, record.run_id

        def report(done: int, total: int | None, message: str) -> None:
            self.ledger.run_progress.report(run_id, Progress(done, total, message))

        links = RunLinks(name, reader.reading)
        return SyncContext(
            plugin=name,
            settings=settings,
            http=http.client,
            ledger=run_ledger(reader, stages.transactions, stages.records, links, stages.rates),
            cursor=record.cursor_before,
            log=record.log,
            clock=self.ledger.clock,
            on_progress=report,
            pusher=RunPusher(reader, links, http.client, record.log, http.policy.dry_run),
            dry_run=http.policy.dry_run,
        )

    def _call_plugin(
        self,
        plugin_class: type[Plugin[Any]],
        ctx: SyncContext[Any],
        stages: _Stages,
        http: RunHttp,
    ) -> SyncResult:
        outcome = _Outcome()

        def work() -> None:
            try:
                outcome.result = plugin_class().sync(ctx)
            except BaseException as exc:
                outcome.error = exc
                outcome.trace = traceback.format_exc()
            finally:
                http.close()
                outcome.finished.set()

        worker = threading.Thread(target=work, name=f"sync-{plugin_class.name}", daemon=True)
        worker.start()
        if not outcome.finished.wait(self.policy.time_limit):
            stages.close("this run was abandoned after its time limit")
            raise SyncLimitExceeded(
                f"{plugin_class.name} did not finish within {self.policy.time_limit:g} s"
            )
        if outcome.error is not None:
            if isinstance(outcome.error, PluginError):
                raise outcome.error
            raise _PluginBug(outcome.error, outcome.trace)
        if not isinstance(outcome.result, SyncResult):
            raise _PluginBug(
                TypeError(
                    f"{plugin_class.__name__}.sync returned {type(outcome.result).__name__}, "
                    "expected SyncResult"
                ),
                "",
            )
        return outcome.result

    def _apply(
        self,
        run_ledger: PlatformLedger,
        stages: _Stages,
        cursor: str | None,
        reported: SyncResult,
        record: _RunRecord,
        dry_run: bool,
    ) -> None:
        name, run_id = record.started["plugin"], record.run_id
        try:
            with run_ledger.atomic() as uow:
                records = RecordApplier(run_ledger, uow, stages.records)
                moved = apply_stage(uow, stages.transactions)
                applied = records.apply() + moved + apply_rates(uow, stages.rates)
                if records.removed:
                    record.log.info(f"removed {records.removed} entries deleted upstream")
                fault_point("mid_apply")
                if cursor != record.cursor_before:  # only the run of its plugin writes it
                    _store_cursor(uow.session, name, cursor)
                uow.session.flush()
                if moved.changed:
                    report = apply_matching(uow)
                    record.log.info(
                        f"payment matching: {report.matched} matched, {report.suggested} suggested"
                    )
                record.result = applied
                record.warnings = [
                    *reported.warnings,
                    *stages.records.warnings,
                    *_count_mismatch(reported, applied),
                ]
                record.cursor_after = cursor
                if dry_run:
                    record.changes = _changes_of_run(uow, run_id)
                    raise _DryRunRollback
                self._finish(uow.session.connection(), record, "succeeded")
                fault_point("before_commit")
        except _DryRunRollback:
            with self.database.engine.begin() as conn:
                self._finish(conn, record, "succeeded")

    def _finish(self, conn: Any, record: _RunRecord, status: str) -> None:
        """Record how the run ended, and keep the row as it now stands.

        The row is the values the run stored (text, integers and aware UTC times
        come back from either database as they went in) plus the note of a recovery
        that may have marked a slow run meanwhile, which the update returns: reading
        the whole row back would cost a fresh process more than the run's other
        bookkeeping.
        """
        values = record.values(status)
        statement = (
            update(RUNS)
            .where(RUNS.c.id == record.run_id)
            .values(values)
            .returning(RUNS.c.recovered_at, RUNS.c.recovered_by)
        )
        recovered = conn.execute(statement).one()._mapping
        record.ended = {**record.started, **values, **recovered}

    def _fail(self, record: _RunRecord, kind: str, message: str, trace: str) -> None:
        record.error = (kind, message, trace)
        record.result = SyncResult()
        with self.database.engine.begin() as conn:
            self._finish(conn, record, "failed")


class _Stages:
    """What a run's plugin wrote, held until the run applies it."""

    def __init__(self, name: str) -> None:
        self.transactions = TransactionStage(name)
        self.records = RecordStage(name)
        self.rates = RateStage(name)

    def close(self, reason: str) -> None:
        """Refuse further writes (an abandoned run's thread may still be going) and drop
        what was staged."""
        self.transactions.close(reason)
        self.records.close(reason)
        self.rates.closed_reason = reason


class _PluginBug(Exception):
    def __init__(self, error: BaseException, trace: str) -> None:
        self.trace = trace
        super().__init__(f"{type(error).__name__}: {error}")


class _RunRecord:
    """What a run keeps for its row in the history until it ends."""

    def __init__(
        self,
        started: dict[str, Any],
        log: RunLog,
        exchanges: ExchangeLog,
        cursor_before: str | None,
    ) -> None:
        self.started = started  # the values `_start` stored, with the run's id
        self.run_id: int = started["id"]
        self.log = log
        self.exchanges = exchanges
        self.cursor_before = cursor_before
        self.cursor_after: str | None = None
        self.result = SyncResult()
        self.warnings: list[str] = []
        self.changes: list[dict[str, Any]] = []
        self.error: tuple[str, str, str] | None = None
        self.ended: dict[str, Any] | None = None  # the row as its last `_finish` stored it

    def values(self, status: str) -> dict[str, Any]:
        kind, message, trace = self.error or (None, None, None)
        return {
            "status": status,
            "finished_at": _precise_now(),
            "created": self.result.created,
            "updated": self.result.updated,
            "unchanged": self.result.unchanged,
            "warnings": json.dumps([*self.log.warnings, *self.warnings]),
            "error_kind": kind,
            "error_message": message,
            "traceback": trace or None,
            "log": json.dumps(self.log.lines),
            "upstream": json.dumps(self.exchanges.as_json()),
            "cursor_before": self.cursor_before,
            "cursor_after": self.cursor_after if status == "succeeded" else self.cursor_before,
            "changes": json.dumps(self.changes, default=str),
        }


def _precise_now() -> dt.datetime:
    """Run times keep their microseconds: a sync's duration is often under a second."""
    return dt.datetime.now(dt.UTC)


def _state_row(session: Session, name: str) -> tables.PluginState | None:
    query = select(tables.PluginState).where(col(tables.PluginState.plugin) == name)
    return session.execute(query).scalars().first()


def _store_cursor(session: Session, name: str, cursor: str | None) -> None:
    state = _state_row(session, name)
    if state is None:
        if cursor is not None:
            session.add(tables.PluginState(plugin=name, cursor=cursor))
    elif state.cursor != cursor:
        state.cursor = cursor
        state.updated_at = utcnow()


def _count_mismatch(reported: SyncResult, applied: SyncResult) -> list[str]:
    mine = (reported.created, reported.updated, reported.unchanged)
    actual = (applied.created, applied.updated, applied.unchanged)
    if mine == actual:
        return []
    return [f"the plugin reported created/updated/unchanged {mine}, the ledger counted {actual}"]


def _changes_of_run(uow: UnitOfWork, run_id: int) -> list[dict[str, Any]]:
    events = tables.AuditEvent.__table__  # type: ignore[attr-defined]
    query = (
        select(
            events.c.entity, events.c.entity_id, events.c.action, events.c.before, events.c.after
        )
        .where(events.c.run_id == run_id)
        .order_by(events.c.id)
    )
    return [
        {
            "entity": e,
            "entity_id": i,
            "action": a,
            "before": json.loads(b) if b else None,
            "after": json.loads(af) if af else None,
        }
        for e, i, a, b, af in uow.session.connection().execute(query)
    ]
