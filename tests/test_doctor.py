"""`ledger doctor`: one line per check, ok/warn/fail, a non-zero exit on a failure."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session
from typer.testing import CliRunner

from helpers import open_copy
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.storage import health, migrate, tables
from ledger.storage.audit_key import AuditKey
from ledger.storage.backup import backup
from ledger.storage.database import Database
from ledger.storage.tables import utcnow
from support import FakeClock


@pytest.fixture
def sqlite_lg(tmp_path: Path, sqlite_template: Path) -> Iterator[Ledger]:
    opened = open_copy(sqlite_template, tmp_path, FakeClock())
    yield opened
    opened.close()


def _statuses(findings: Any) -> dict[str, str]:
    return {finding.check: finding.status for finding in findings}


@pytest.mark.parametrize(
    ("version", "status"),
    [("3.46.1", "warn"), ("3.51.2", "warn"), ("3.51.3", "ok"), ("3.52.0", "ok")],
)
def test_sqlite_below_3_51_3_is_a_warning_naming_the_wal_reset_fix(
    version: str, status: str
) -> None:
    finding = health.sqlite_version(version)
    assert finding.status == status
    if status == "warn":
        assert "3.51.3, which fixes the WAL-reset bug" in finding.message


def test_a_file_not_in_wal_mode_is_a_warning(sqlite_lg: Ledger) -> None:
    path = Path(sa.make_url(sqlite_lg.database.url).database or "")
    assert health.journal_mode(path) == health.Finding("ok", "journal mode", "wal")
    sqlite_lg.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    finding = health.journal_mode(path)
    assert (finding.status, finding.message.split(",")[0]) == ("warn", "delete")


@pytest.mark.parametrize(
    ("level", "status"), [("FULL", "ok"), ("NORMAL", "warn"), ("OFF", "fail")]
)
def test_synchronous_below_full_is_reported(sqlite_lg: Ledger, level: str, status: str) -> None:
    database = Database(sqlite_lg.database.url)
    sa.event.listen(  # runs after ledger's own settings on each new connection
        database.engine,
        "connect",
        lambda dbapi, record: dbapi.execute(f"PRAGMA synchronous={level}"),
    )
    try:
        assert health.synchronous(database).status == status
    finally:
        database.dispose()


def test_key_file_permissions(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    assert health.key_file(AuditKey(path), audit_events=0).status == "ok"
    assert health.key_file(AuditKey(path), audit_events=3).status == "fail"
    AuditKey(path).derived(create=True)
    assert health.key_file(AuditKey(path), audit_events=3).status == "ok"
    path.chmod(0o644)
    finding = health.key_file(AuditKey(path), audit_events=3)
    assert finding.status == "warn"
    assert "mode 0644, readable by others" in finding.message
    assert health.key_file(AuditKey(path, "k" * 44), audit_events=3).status == "ok"


def test_backup_age(lg: Ledger, tmp_path: Path) -> None:
    now = utcnow()
    assert health.last_backup(lg.database, now).status == "warn"
    backup(lg.database, tmp_path / "copy.db")
    finding = health.last_backup(lg.database, utcnow() + dt.timedelta(hours=3))
    assert (finding.status, finding.message) == ("ok", f"3 h ago, to {tmp_path / 'copy.db'}")
    later = now + dt.timedelta(days=8)
    assert health.last_backup(lg.database, later).status == "warn"


def test_audit_checkpoint_age(lg: Ledger) -> None:
    now = utcnow()
    assert health.last_checkpoint(lg.database, now).message.startswith("none")
    lg.audit.checkpoint()
    assert health.last_checkpoint(lg.database, now + dt.timedelta(days=1)).status == "ok"
    assert health.last_checkpoint(lg.database, now + dt.timedelta(days=9)).status == "warn"


def test_pending_and_unknown_migrations(lg: Ledger) -> None:
    assert health.migrations(lg.database).status == "ok"
    config = migrate.alembic_config()
    with lg.database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    finding = health.migrations(lg.database)
    assert (finding.status, finding.message.split(";")[0]) == (
        "warn",
        f"pending: schema 0005, this ledger {migrate.HEAD_REVISION}",
    )
    with lg.database.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    assert health.migrations(lg.database).status == "fail"


@pytest.mark.parametrize(("lease_left", "status"), [(None, "warn"), (-5, "warn"), (60, "ok")])
def test_a_run_whose_lease_expired_is_reported(
    lg: Ledger, lease_left: int | None, status: str
) -> None:
    now = utcnow()
    lease = None if lease_left is None else now + dt.timedelta(seconds=lease_left)
    with Session(lg.database.engine) as session:
        session.add(
            tables.SyncRun(
                plugin="fio", plugin_version="1.0", trigger="cli", lease_expires_at=lease
            )
        )
        session.commit()
    finding = health.stuck_runs(lg.database, now)
    assert finding.status == status
    if status == "warn":
        assert finding.message.startswith("run 1 of fio marked running, but its lease expired")


def test_every_check_runs_and_postgresql_skips_the_sqlite_ones(lg: Ledger) -> None:
    findings = health.run_checks(lg.database, utcnow())
    checks = [finding.check for finding in findings]
    tail = ["migrations", "secret key", "last backup", "last audit checkpoint", "sync runs"]
    if lg.database.is_sqlite:
        assert checks == ["sqlite version", "journal mode", "synchronous", *tail]
    else:
        assert (
            findings[0].line()
            == "skip  sqlite: version, journal mode and synchronous: on PostgreSQL"
        )
        assert checks[1:] == tail


def test_the_command_prints_a_line_per_check_and_fails_on_a_failure(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--demo", "--database", db]).exit_code == 0
    result = runner.invoke(app, ["doctor", "--database", db])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    assert all(line.split()[0] in {"ok", "warn"} for line in lines)
    (tmp_path / "secret.key").unlink()
    failed = runner.invoke(app, ["doctor", "--database", db])
    assert failed.exit_code == 1
    assert any(line.startswith("fail  secret key:") for line in failed.stdout.splitlines())


def test_the_command_on_a_missing_database_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["doctor", "--database", str(tmp_path / "typo.db")])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: no ledger database at ")
    assert not (tmp_path / "typo.db").exists()
