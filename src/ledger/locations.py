"""Where ledger keeps its data when nothing else is configured."""

from __future__ import annotations

from pathlib import Path

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
