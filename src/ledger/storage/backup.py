"""Consistent copies of a live database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Connection, insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from ledger.errors import ConfigurationError, InvalidInput
from ledger.storage.database import Database
from ledger.storage.tables import BackupRecord, utcnow

BACKUPS = BackupRecord.__table__  # type: ignore[attr-defined]


def backup(database: Database, target: Path) -> Path:
    """Copy the database to `target` while it may be in use.

    SQLite uses the online backup API (a transactionally consistent snapshot);
    PostgreSQL uses ``pg_dump`` (a consistent snapshot in SQL form).
    """
    target = target.expanduser()
    if target.exists():
        raise InvalidInput("path", f"{target} exists; choose a new file name")
    url = make_url(database.url)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if database.is_sqlite:
            _backup_sqlite(Path(url.database or ""), target)
        else:
            _backup_postgres(url, target)
    except (OSError, sqlite3.Error) as exc:
        raise InvalidInput("path", f"cannot write {target}: {_reason(exc)}") from None
    record_backup(database, target)
    return target


RECORD_WAIT_MS = 2000


def record_backup(database: Database, target: Path) -> bool:
    """Note that a backup was written, for `ledger doctor`; False when the database was busy.

    Not audited: like the sync history, it records an operation, not domain data.
    The copy itself does not hold its own record (it was taken just before). A backup
    taken while a long write holds SQLite does not wait for it: it goes unrecorded.
    """
    with database.engine.connect() as conn:
        _sqlite_busy_timeout(conn, database, RECORD_WAIT_MS)
        try:
            with conn.begin():
                conn.execute(insert(BACKUPS).values(at=utcnow(), target=str(target.resolve())))
        except OperationalError:
            return False
        finally:
            _sqlite_busy_timeout(conn, database, int(database.lock_wait * 1000))
    return True


def _sqlite_busy_timeout(conn: Connection, database: Database, milliseconds: int) -> None:
    # On the driver's connection: a statement through SQLAlchemy would begin a transaction.
    if database.is_sqlite:
        conn.connection.driver_connection.execute(f"PRAGMA busy_timeout={milliseconds}")  # type: ignore[union-attr]


def pg_dump_call(url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump`` arguments and the environment to run it with.

    The password travels in ``PGPASSWORD``, never on the command line, where any
    user of the machine could read it from the process list.
    """
    address = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    arguments = ["--no-owner", "--file", str(target), address.render_as_string()]
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return arguments, environment


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _backup_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copy.close()
    live.close()


def _backup_postgres(url: URL, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise ConfigurationError("pg_dump is not installed; install the PostgreSQL client tools")
    arguments, environment = pg_dump_call(url, target)
    result = subprocess.run(  # noqa: S603  (fixed program, URL from our own settings)
        [pg_dump, *arguments], capture_output=True, text=True, check=False, env=environment
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise ConfigurationError(f"pg_dump failed: {result.stderr.strip()}")
