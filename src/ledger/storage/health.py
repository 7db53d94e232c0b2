"""What `ledger doctor` checks: each check reads the database and returns one finding.

Nothing here changes the database: no migration runs, no stuck run is recovered.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ledger.storage import audit_checkpoints, revisions, schema
from ledger.storage.audit_chain import AUDIT_TABLE
from ledger.storage.audit_key import AuditKey
from ledger.storage.database import Database
from ledger.storage.tables import BackupRecord, SyncRun

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
SQLITE_WAL_RESET_FIX = (3, 51, 3)
BACKUP_MAX_AGE = dt.timedelta(days=7)
CHECKPOINT_MAX_AGE = dt.timedelta(days=7)
BACKUPS = BackupRecord.__table__  # type: ignore[attr-defined]
RUNS = SyncRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's verdict: ``ok``, ``warn``, ``fail`` or ``skip``, and why."""

    status: str
    check: str
    message: str

    def line(self) -> str:
        """The finding as `ledger doctor` prints it."""
        return f"{self.status:<4}  {self.check}: {self.message}"


def sqlite_version(version: str = sqlite3.sqlite_version) -> Finding:
    """Warn below SQLite 3.51.3, the release with the WAL-reset corruption fix."""
    numbers = tuple(int(part) for part in version.split(".")[:3])
    if numbers >= SQLITE_WAL_RESET_FIX:
        return Finding(OK, "sqlite version", version)
    return Finding(
        WARN,
        "sqlite version",
        f"{version} predates 3.51.3, which fixes the WAL-reset bug (a database written "
        "by several connections at once can be corrupted when the WAL is reset); "
        "use a Python whose sqlite3 links SQLite 3.51.3 or newer",
    )


def journal_mode(path: Path) -> Finding:
    """The journal mode stored in the file: WAL keeps readers and the writer apart."""
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    conn.close()
    if mode == "wal":
        return Finding(OK, "journal mode", "wal")
    return Finding(
        WARN,
        "journal mode",
        f"{mode}, not wal: readers wait for the writer; ledger switches the file to WAL "
        "when it opens it, so if this stays, the filesystem does not support WAL "
        "(a network share?)",
    )


def synchronous(database: Database) -> Finding:
    """The synchronous setting ledger's connections run with (FULL survives power loss)."""
    with database.engine.connect() as conn:
        level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    names = {0: "off", 1: "normal", 2: "full", 3: "extra"}
    name = names.get(int(level or 0), str(level))
    if name in ("full", "extra"):
        return Finding(OK, "synchronous", name)
    verdict = FAIL if name == "off" else WARN
    return Finding(verdict, "synchronous", f"{name}: the last commits may be lost on power loss")


def key_file(key: AuditKey, audit_events: int) -> Finding:
    """The secret key: present (when anything needs it) and readable by its owner only."""
    if key.env_key:
        return Finding(OK, "secret key", "from LEDGER_SECRET_KEY")
    path = key.key_file
    if not path.exists():
        if audit_events:
            return Finding(
                FAIL,
                "secret key",
                f"{path} is missing: the audit trail cannot be verified nor credentials "
                "read; restore it from your backup",
            )
        return Finding(OK, "secret key", f"none yet; {path} is created on the first write")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(
            WARN,
            "secret key",
            f"{path} has mode {mode:04o}, readable by others: run `chmod 600 {path}`",
        )
    return Finding(OK, "secret key", f"{path}, mode {mode:04o}")


def last_backup(database: Database, now: dt.datetime) -> Finding:
    """How old the newest backup `ledger backup` recorded is."""
    with database.engine.connect() as conn:
        row = conn.execute(
            select(BACKUPS.c.at, BACKUPS.c.target).order_by(BACKUPS.c.at.desc()).limit(1)
        ).first()
    if row is None:
        return Finding(WARN, "last backup", "none recorded; run `ledger backup FILE`")
    age = now - row[0]
    verdict = WARN if age > BACKUP_MAX_AGE else OK
    return Finding(verdict, "last backup", f"{_age(age)} ago, to {row[1]}")


def last_checkpoint(database: Database, now: dt.datetime) -> Finding:
    """How old the newest signed audit checkpoint is."""
    with database.engine.connect() as conn:
        at = audit_checkpoints.latest_time(conn)
    if at is None:
        return Finding(WARN, "last audit checkpoint", "none; run `ledger audit checkpoint`")
    age = now - at
    verdict = WARN if age > CHECKPOINT_MAX_AGE else OK
    return Finding(verdict, "last audit checkpoint", f"{_age(age)} ago")


def migrations(database: Database) -> Finding:
    """Whether the schema is this ledger's (pending migrations run on the next open)."""
    revision = schema.current_revision(database.engine)
    head = revisions.HEAD_REVISION
    if revision == head:
        return Finding(OK, "migrations", f"none pending (schema {head})")
    if revision is None:
        return Finding(FAIL, "migrations", "not a ledger database; create it with `ledger init`")
    if revision > head:
        return Finding(
            FAIL,
            "migrations",
            f"the schema is {revision}, newer than this ledger knows ({head}); upgrade ledger",
        )
    return Finding(
        WARN,
        "migrations",
        f"pending: schema {revision}, this ledger {head}; the next `ledger` command applies "
        "them (take a backup first)",
    )


def stuck_runs(database: Database, now: dt.datetime) -> Finding:
    """Sync runs still marked running whose lease expired (their process stopped renewing)."""
    with database.engine.connect() as conn:
        rows = conn.execute(
            select(RUNS.c.id, RUNS.c.plugin, RUNS.c.lease_expires_at).where(
                RUNS.c.status == "running"
            )
        ).all()
    stuck = [
        f"run {run_id} of {plugin}"
        for run_id, plugin, lease in rows
        if lease is None or _aware(lease) < now
    ]
    if not stuck:
        return Finding(OK, "sync runs", f"{len(rows)} running, none stuck")
    return Finding(
        WARN,
        "sync runs",
        f"{', '.join(stuck)} marked running, but its lease expired (the process running it "
        "stopped); the next sync, start or look at the run history marks it interrupted",
    )


def audit_event_count(database: Database) -> int:
    """How many audit events the database holds."""
    with database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar() or 0)


def run_checks(
    database: Database,
    now: dt.datetime,
    version: str = sqlite3.sqlite_version,
) -> Sequence[Finding]:
    """Every check, in the order `ledger doctor` prints them."""
    findings = [*_sqlite_checks(database, version), migrations(database)]
    if findings[-1].status == FAIL:
        return findings  # the tables below may not exist
    try:
        events = audit_event_count(database)
    except SQLAlchemyError:
        return findings
    findings += [
        key_file(database.audit_key, events),
        last_backup(database, now),
        last_checkpoint(database, now),
        stuck_runs(database, now),
    ]
    return findings


def _sqlite_checks(database: Database, version: str) -> list[Finding]:
    if not database.is_sqlite:
        return [Finding(SKIP, "sqlite", "version, journal mode and synchronous: on PostgreSQL")]
    path = Path(make_url(database.url).database or "")
    return [sqlite_version(version), journal_mode(path), synchronous(database)]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _age(age: dt.timedelta) -> str:
    if age.days >= 2:
        return f"{age.days} days"
    hours = int(age.total_seconds() // 3600)
    if hours >= 1:
        return f"{hours} h"
    return f"{max(0, int(age.total_seconds() // 60))} min"
