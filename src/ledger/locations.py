"""Where ledger keeps its data when nothing else is configured."""

from __future__ import annotations

import os
from pathlib import Path

SQLITE_PREFIX = "sqlite:///"
KEY_FILE_NAME = "secret.key"
"""The secret key's file: beside a SQLite database, else in the data directory."""


def default_data_dir() -> Path:
    """The platform's per-user data directory for ledger."""
    from platformdirs import user_data_dir  # only when no directory is configured

    return Path(user_data_dir("ledger", appauthor=False))


def default_database_url(data_dir: Path) -> str:
    """The SQLite file ``ledger.db`` in `data_dir`, as a URL."""
    return f"sqlite:///{data_dir / 'ledger.db'}"


def sqlite_url(path: str | Path) -> str:
    """The URL of the SQLite file at `path` (``~`` expanded, made absolute)."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def existing_sqlite_file(database: str | None) -> Path | None:
    """The existing SQLite file a command given `database` (``--database``: a URL or a
    path) would open, resolved as `ledger.config.Config` does (``LEDGER_*`` variables
    in any case); None for another database, URL options or a missing file."""
    if database is None:
        env = {key.upper(): value for key, value in os.environ.items()}
        if env.get("LEDGER_DATABASE_URL"):
            database = env["LEDGER_DATABASE_URL"]
        elif "LEDGER_DATA_DIR" in env:
            database = default_database_url(Path(env["LEDGER_DATA_DIR"]))
        else:
            database = default_database_url(default_data_dir())
    url = database if "://" in database else sqlite_url(database)
    if not url.startswith(SQLITE_PREFIX) or "?" in url:
        return None
    path = Path(url.removeprefix(SQLITE_PREFIX))
    return path if path.name not in ("", ":memory:") and path.is_file() else None
