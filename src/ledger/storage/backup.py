"""Consistent copies of a live database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

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
    url = make_url(database.url)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if database.is_sqlite:
            _backup_sqlite(Path(url.database or ""), target)
        else:
            _backup_postgres(url, target)
    except (OSError, sqlite3.Error) as exc:
        raise InvalidInput("path", f"cannot write {target}: {_reason(exc)}") from None
    return target


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
