"""Consistent copies of a live database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ledger.errors import ConfigurationError, InvalidInput
from ledger.storage.database import Database


def backup(database: Database, target: Path) -> Path:
    """Copy the database to `target` while it may be in use.

    SQLite uses the online backup API (a transactionally consistent snapshot);
    PostgreSQL uses ``pg_dump`` (a consistent snapshot in SQL form).
    """
    target = target.expanduser()
    if target.exists():
        raise InvalidInput("path", f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(database.url)
    if database.is_sqlite:
        _backup_sqlite(Path(url.database or ""), target)
    else:
        _backup_postgres(
            url.set(drivername="postgresql").render_as_string(hide_password=False), target
        )
    return target


def _backup_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copy.close()
    live.close()


def _backup_postgres(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise ConfigurationError("pg_dump is not installed; install the PostgreSQL client tools")
    result = subprocess.run(  # noqa: S603  (fixed program, URL from our own settings)
        [pg_dump, "--no-owner", "--file", str(target), url],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise ConfigurationError(f"pg_dump failed: {result.stderr.strip()}")
