"""``ledger doctor``: one line per check of the installation, non-zero exit on a failure."""

from __future__ import annotations

import typer

from ledger.api import resolve_database_url
from ledger.cli.common import DatabaseOption, friendly_errors
from ledger.config import Config
from ledger.storage import health
from ledger.storage.audit_key import AuditKey
from ledger.storage.database import Database
from ledger.storage.tables import utcnow


@friendly_errors
def doctor(database: DatabaseOption = None) -> None:
    """Check SQLite, the key file, backups, audit checkpoints, migrations and sync runs."""
    url = resolve_database_url(database, create=False)
    config = Config()
    opened = Database(url, config.lock_timeout_seconds, AuditKey.for_url(url))
    try:
        findings = health.run_checks(opened, utcnow())
    finally:
        opened.dispose()
    for finding in findings:
        typer.echo(finding.line())
    if any(finding.status == health.FAIL for finding in findings):
        raise typer.Exit(1)
