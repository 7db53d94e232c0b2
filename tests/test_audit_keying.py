"""The audit key: where it comes from, databases from before it, and what replay covers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import SQLModel
from typer.testing import CliRunner

import ledger
from audit_attacks import EVENTS, append_event, attacker, insert_client, recompute_from
from helpers import exercise
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.errors import AuditChainBroken, ConfigurationError
from ledger.locations import KEY_FILE_NAME
from ledger.platform.secret_box import SecretBox
from ledger.storage import audit_chain, migrate
from ledger.storage.audit_key import AuditKey, read_key
from support import FakeClock


def test_the_audit_key_is_derived_from_the_secret_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / KEY_FILE_NAME
    SecretBox(key_file).encrypt({"token": "t"})  # plugin secrets create the file

    assert AuditKey(key_file).derived(create=False)  # the audit reads that same file
    assert key_file.read_bytes().strip() == read_key(key_file, None, create=False, missing="")


def test_the_audit_key_comes_from_the_key_file_created_with_mode_0600(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    path = lg.database.audit_key.key_file
    assert path.stat().st_mode & 0o777 == 0o600
    key = AuditKey(path).derived(create=False)
    with lg.database.engine.connect() as conn:
        row = dict(conn.execute(sa.select(EVENTS)).mappings().one())
    assert row["hash"] == audit_chain.event_hash(audit_chain.GENESIS_HASH, row, key)
    assert row["hash"] != audit_chain.event_hash(audit_chain.GENESIS_HASH, row)


def test_a_missing_key_file_is_one_clear_error(lg: Ledger) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    lg.database.audit_key.key_file.unlink()
    reopened = ledger.open(lg.database.url)
    try:
        with pytest.raises(ConfigurationError, match=r"secret key file .* is missing"):
            reopened.audit.verify()
    finally:
        reopened.close()


def test_another_key_does_not_verify(lg: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    lg.clients.add(name="Acme", currency="CZK")
    monkeypatch.setenv("LEDGER_SECRET_KEY", "b" * 43 + "=")
    reopened = ledger.open(lg.database.url)
    try:
        with pytest.raises(AuditChainBroken, match=r"^audit event 1: .* under this ledger's key"):
            reopened.audit.verify()
    finally:
        reopened.close()


# --- a database from before keyed chains ----------------------------------------------


def _legacy_database(url: str) -> None:
    """The database as a ledger before keyed chains left it: one client, a plain hash."""
    engine = sa.create_engine(url)
    config = migrate.alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
    finally:
        engine.dispose()
    with attacker(url) as conn:  # the old ledger wrote exactly this
        client_id = insert_client(conn, "Acme")
        values = {"id": client_id, "name": "Acme", "currency": "CZK"}
        append_event(conn, "clients", client_id, values)


def test_an_upgraded_database_keeps_its_unkeyed_events_valid(
    database_url: str, clock: FakeClock
) -> None:
    _legacy_database(database_url)
    lg = ledger.open(database_url, clock=clock)
    try:
        lg.clients.add(name="Beta", currency="CZK")
        result = lg.audit.check()
        assert (result.events, result.unkeyed, result.checkpoints) == (2, 1, 1)
        [mark] = lg.audit.checkpoints()
        assert (mark.kind, mark.event_id) == ("unkeyed_until", 1)
        with attacker(database_url) as conn:  # past the mark, a plain hash is refused
            client_id = insert_client(conn, "Ghost")
            forged = append_event(conn, "clients", client_id, {"id": client_id, "name": "Ghost"})
        with pytest.raises(AuditChainBroken, match="under this ledger's key") as caught:
            lg.audit.verify()
        assert caught.value.event_id == forged
    finally:
        lg.close()


def test_an_upgraded_database_recomputed_as_all_unkeyed_is_caught(
    database_url: str, clock: FakeClock
) -> None:
    _legacy_database(database_url)
    lg = ledger.open(database_url, clock=clock)
    try:
        lg.clients.add(name="Beta", currency="CZK")
        with attacker(database_url) as conn:
            recompute_from(conn, 1)
        with pytest.raises(AuditChainBroken, match="under this ledger's key") as caught:
            lg.audit.verify()
        assert caught.value.event_id == 2
    finally:
        lg.close()


# --- replay covers every audited column -------------------------------------------------


def test_replay_of_a_busy_ledger_matches_and_covers_every_audited_column(
    lg: Ledger, clock: Any
) -> None:
    exercise(lg, clock)
    assert lg.audit.check().events > 0  # no row differs
    covered: dict[str, set[str]] = {}
    with lg.database.engine.connect() as conn:
        for row in conn.execute(sa.select(EVENTS)).mappings():
            for side in ("before", "after"):
                if row[side]:
                    covered.setdefault(row["entity"], set()).update(json.loads(row[side]))
    exercised = {"clients", "projects", "work_entries", "invoices", "invoice_lines"}
    assert exercised <= set(covered)
    for name, columns in covered.items():
        assert set(SQLModel.metadata.tables[name].columns.keys()) == columns, name


# --- the command line -------------------------------------------------------------------


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_cli_checkpoint_prints_a_head_line_verify_accepts(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    assert _cli("init", "--demo", "--database", db).exit_code == 0
    made = _cli("audit", "checkpoint", "--database", db)
    assert made.exit_code == 0, made.output
    head = made.stdout.strip()
    assert head.startswith("ledger-audit-head ")
    checked = _cli("audit", "verify", "--database", db, "--head", head)
    assert checked.exit_code == 0, checked.output
    assert "held against 2 signed checkpoints" in checked.stdout  # stored, and the line
    assert "every row of the audited tables matches" in checked.stdout


def test_cli_verify_lists_each_differing_row(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    assert _cli("init", "--demo", "--database", db).exit_code == 0
    with attacker(f"sqlite:///{db}") as conn:
        conn.execute(sa.text("UPDATE clients SET name = 'Evil' WHERE id IN (1, 2)"))
    result = _cli("audit", "verify", "--database", db)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("clients 1: name is 'Evil' in the table, ")
    assert lines[1].startswith("clients 2: name is 'Evil' in the table, ")
    assert lines[-1] == "error: 2 row differences from the audit trail"
    assert "Traceback" not in result.output


def test_cli_verify_with_a_bad_head_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    assert _cli("init", "--database", db).exit_code == 0
    result = _cli("audit", "verify", "--database", db, "--head", "nonsense")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: head: 'nonsense' is not a head line; pass the whole line `ledger audit "
        "checkpoint` printed, starting ledger-audit-head"
    ]


def test_a_key_file_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigurationError, match=r"cannot create the secret key file .*a-file"):
        AuditKey(blocker / "secret.key").derived(create=True)
