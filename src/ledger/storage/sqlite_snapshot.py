"""A consistent, read-only look at a SQLite ledger file with the standard library alone.

For a command that answers before the ORM loads (``ledger status``, ``ledger invoice
pdf``): it reads only where opening the ledger would do nothing but read, so its answer
is the one the full start would give.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from ledger.locations import KEY_FILE_NAME
from ledger.storage.revisions import HEAD_REVISION


@contextmanager
def sqlite_snapshot(path: Path) -> Iterator[Callable[..., sqlite3.Cursor] | None]:
    """Run statements (with parameters, if any) on the SQLite file at `path` in one
    read transaction.

    Yields None when opening the ledger would do more than read: migrate an older
    schema, or refuse stored plugin credentials whose secret key is missing. Raises
    `sqlite3.Error` for a file that is not a ledger, or one locked for over a second.
    """
    # mode=rw opens only an existing file, never creating one where a path was mistyped.
    db = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=1.0)
    try:
        db.isolation_level = None
        db.execute("BEGIN")
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        current = revision == HEAD_REVISION and _key_available(db, path)
        yield db.execute if current else None
    finally:
        db.close()


def _key_available(db: sqlite3.Connection, path: Path) -> bool:
    """Whether the full start would accept the secret key: it refuses a missing one only
    while some plugin has stored credentials."""
    if os.environ.get("LEDGER_SECRET_KEY") or (path.parent / KEY_FILE_NAME).exists():
        return True
    (stored,) = db.execute("SELECT count(*) FROM plugin_settings WHERE secrets <> ''").fetchone()
    return bool(stored == 0)
