"""The ``ledger`` command line, driven through Typer's test runner."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner, Result

import ledger
from ledger.cli.app import app
from ledger.storage.backup import backup

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.stdout


def assert_one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "data" / "ledger.db")


def _status(text: str) -> dict[str, str]:
    return {line[:14].strip(): line[14:].strip() for line in text.splitlines()}


def test_init_creates_and_status_reads_an_empty_database(db: str) -> None:
    assert ok("init", "--database", db).startswith("database ready: sqlite:///")
    assert Path(db).exists()
    ok("init", "--database", db)  # a second init is a no-op migration
    status = _status(ok("status", "--database", db))
    assert status == {
        "clients": "0",
        "projects": "0",
        "work entries": "0",
        "invoices": "none",
        "transactions": "0",
        "audit events": "0",
        "unbilled": "nothing",
        "outstanding": "nothing",
    }


def test_init_uses_the_data_dir_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "home"))
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    ok("init")
    assert (tmp_path / "home" / "ledger.db").exists()
    assert _status(ok("status"))["clients"] == "0"


def test_init_demo_and_status(db: str) -> None:
    out = ok("init", "--demo", "--database", db)
    match = re.search(
        r"demo data added: 4 clients, 6 projects, (\d+) entries, (\d+) invoices", out
    )
    assert match, out
    status = _status(ok("status", "--database", db))
    assert (status["clients"], status["projects"]) == ("4", "6")
    assert status["work entries"] == match.group(1)
    assert re.fullmatch(rf"{match.group(2)} issued", status["invoices"])
    assert "CZK" in status["unbilled"]
    assert "CZK" in status["outstanding"]
    assert "EUR" in status["outstanding"]
    assert int(status["audit events"]) > int(match.group(1))

    assert_one_line_error(run("init", "--demo", "--database", db), "already has clients")
    assert _status(ok("status", "--database", db)) == status


def test_cli_writes_are_attributed_to_cli(db: str) -> None:
    ok("init", "--demo", "--database", db)
    opened = ledger.open(db)
    try:
        assert {event.source for event in opened.audit.list()} == {"cli"}
    finally:
        opened.close()


def test_audit_verify(db: str) -> None:
    ok("init", "--demo", "--database", db)
    events = _status(ok("status", "--database", db))["audit events"]
    assert ok("audit", "verify", "--database", db).splitlines()[0] == (
        f"audit chain ok: {events} events verified"
    )
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("UPDATE audit_events SET source = 'notebook' WHERE id = 7")
    engine.dispose()
    assert_one_line_error(
        run("audit", "verify", "--database", db), "audit event 7: content does not match its hash"
    )


def test_backup_is_a_readable_copy(db: str, tmp_path: Path) -> None:
    ok("init", "--demo", "--database", db)
    copy = tmp_path / "backups" / "copy.db"
    assert ok("backup", str(copy), "--database", db).strip() == f"backup written to {copy}"
    assert copy.stat().st_size > 0
    key = Path(db).parent / "secret.key"  # restored beside the copy, as the guide says
    (copy.parent / key.name).write_bytes(key.read_bytes())
    original = ok("status", "--database", db)
    assert ok("status", "--database", str(copy)) == original
    assert ok("audit", "verify", "--database", str(copy)).startswith("audit chain ok")

    assert_one_line_error(
        run("backup", str(copy), "--database", db), "exists; choose a new file name"
    )


def test_backup_while_a_write_is_in_progress_holds_committed_data(db: str, tmp_path: Path) -> None:
    opened = ledger.open(db)
    try:
        opened.clients.add(name="Committed", currency="CZK")
        with opened.atomic():
            opened.clients.add(name="In flight", currency="CZK")
            backup(opened.database, tmp_path / "copy.db")
        assert len(opened.clients.list()) == 2
    finally:
        opened.close()
    key = opened.database.audit_key.key_file  # restored beside the copy, as the guide says
    (tmp_path / key.name).write_bytes(key.read_bytes())
    copy = ledger.open(tmp_path / "copy.db")
    try:
        assert [c.name for c in copy.clients.list()] == ["Committed"]
        assert copy.audit.verify() == 1
    finally:
        copy.close()


def test_user_create(db: str) -> None:
    ok("init", "--database", db)
    out = ok("user", "create", "jana", "--password", "correct horse", "--database", db)
    assert out.strip() == "user 'jana' created (id 1)"
    opened = ledger.open(db)
    try:
        assert opened.users.authenticate("jana", "correct horse") == 1
        (event,) = opened.audit.list(entity="users")
        assert event.source == "cli"
        assert event.after is not None
        assert event.after["password_hash"] == "***"
    finally:
        opened.close()
    assert_one_line_error(
        run("user", "create", "eva", "--password", "short", "--database", db),
        "password: use at least 8 characters",
    )


@pytest.fixture
def unreadable(tmp_path: Path) -> str:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database file" * 100)
    return str(garbage)


def test_a_database_that_cannot_be_opened_is_one_line(unreadable: str, tmp_path: Path) -> None:
    assert_one_line_error(run("status", "--database", unreadable), "cannot open the database")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_line_error(
        run("status", "--database", str(blocker / "ledger.db")), "no ledger database at"
    )
    result = run("status", "--database", "postgresql+psycopg://ledger:s3cret@127.0.0.1:1/none")
    assert_one_line_error(result, "cannot open the database")
    assert "s3cret" not in result.output


def test_only_init_creates_a_database(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "dir" / "ledger.db"
    for command in (["status"], ["audit", "verify"], ["plugins"], ["review"]):
        assert_one_line_error(
            run(*command, "--database", str(typo)),
            f"no ledger database at {typo}; create it with `ledger init --database {typo}`",
        )
    assert not (tmp_path / "typo").exists()
    ok("init", "--database", str(typo))
    assert ok("status", "--database", str(typo))


def _subcommands(command: Any) -> dict[str, Any]:
    """A group's commands (Typer ships its own click, so no isinstance checks)."""
    return dict(getattr(command, "commands", {}))


def _command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(_subcommands(group).items()):
        paths.append((*prefix, name))
        paths += _command_paths(command, (*prefix, name))
    return paths


ROOT = typer.main.get_command(app)
COMMANDS = [(), *_command_paths(ROOT)]


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "ledger" for p in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    out = ok(*path, "--help")
    assert "Usage: " in out
    command: Any = ROOT
    for name in path:
        command = _subcommands(command)[name]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    if path and "database" in [p.name for p in command.params]:
        assert "--database" in out


def test_the_core_commands_exist() -> None:
    assert {("init",), ("status",), ("backup",), ("user", "create"), ("audit", "verify")} <= set(
        COMMANDS
    )
