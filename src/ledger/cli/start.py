"""The ``ledger`` console script: a quick answer where one is safe, else the full CLI.

Typer, SQLAlchemy, SQLModel and pydantic take most of a second to import, fifty times
what ``ledger status`` needs to read its figures. So `main` first offers the command to
`quick_status`, which answers with the standard library alone when it safely can: the
bare command ``status`` (with at most ``--database``) on a SQLite file at the newest
schema. Anything else (help, other options, PostgreSQL, a database to migrate or
create, a missing secret key, any error) goes to the full command line, which does or
reports it as always. Both print `status_lines` of figures from
`ledger.core.status_figures`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.core import status_figures
from ledger.locations import default_data_dir, default_database_url, sqlite_url
from ledger.storage.sqlite_snapshot import sqlite_snapshot

if TYPE_CHECKING:
    from ledger.core.reports import Status

SQLITE_PREFIX = "sqlite:///"


def main() -> None:
    """Entry point of the ``ledger`` console script."""
    if quick_status(sys.argv[1:]):
        return
    from ledger.cli.app import main as full_command_line

    full_command_line()


def status_lines(report: status_figures.StatusFigures | Status) -> list[str]:
    """What ``ledger status`` prints."""
    invoices = ", ".join(f"{n} {s}" for s, n in sorted(report.invoices.items())) or "none"
    lines = [
        f"clients       {report.clients}",
        f"projects      {report.projects}",
        f"work entries  {report.entries}",
        f"invoices      {invoices}",
        f"transactions  {report.transactions}",
        f"audit events  {report.audit_events}",
    ]
    for label, totals in (("unbilled", report.unbilled), ("outstanding", report.outstanding)):
        text = ", ".join(f"{amount} {currency}" for currency, amount in sorted(totals.items()))
        lines.append(f"{label:<13} {text or 'nothing'}")
    return lines


def quick_status(args: list[str]) -> bool:
    """Print ``ledger status`` for `args` if the standard library can; False otherwise,
    having printed nothing."""
    path = _status_file(args)
    if path is None:
        return False
    try:
        with sqlite_snapshot(path) as execute:
            if execute is None:
                return False
            figures = status_figures.read_status(execute)
    except Exception:  # whatever it is, the full command line reports it properly
        return False
    print("\n".join(status_lines(figures)))
    return True


def _status_file(args: list[str]) -> Path | None:
    """The SQLite file of a bare ``status`` command line; None for any other."""
    match args:
        case ["status"]:
            return _sqlite_file(None)
        case ["status", "--database" | "-d", str(database)]:
            return _sqlite_file(database)
        case ["status", str(option)] if option.startswith("--database="):
            return _sqlite_file(option.removeprefix("--database="))
    return None


def _sqlite_file(database: str | None) -> Path | None:
    """The existing SQLite file the command would open, as the full start resolves it
    (`ledger.config.Config`, which reads ``LEDGER_*`` variables in any case)."""
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
