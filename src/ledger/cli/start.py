"""The ``ledger`` console script: a quick answer where one is safe, else the full CLI.

Typer, SQLAlchemy, SQLModel and pydantic take most of a second to import, fifty times
what ``ledger status`` needs to read its figures. So `main` first offers the command to
`quick_status`, which answers with the standard library alone when it safely can: the
bare command ``status`` (with at most ``--database``) on a SQLite file at the newest
schema. Anything else (help, other options, PostgreSQL, a database to migrate or
create, a missing secret key, any error) goes to the full command line, which does or
reports it as always. Both print `status_lines` of figures from
`ledger.core.status_figures`. ``ledger invoice pdf`` is offered to
`ledger.cli.quick_pdf` the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.cli.quick_pdf import quick_invoice_pdf
from ledger.core import status_figures
from ledger.locations import existing_sqlite_file
from ledger.storage.sqlite_snapshot import sqlite_snapshot

if TYPE_CHECKING:
    from ledger.core.reports import Status


def main() -> None:
    """Entry point of the ``ledger`` console script."""
    if quick_status(sys.argv[1:]) or quick_invoice_pdf(sys.argv[1:]):
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
            return existing_sqlite_file(None)
        case ["status", "--database" | "-d", str(database)]:
            return existing_sqlite_file(database)
        case ["status", str(option)] if option.startswith("--database="):
            return existing_sqlite_file(option.removeprefix("--database="))
    return None
