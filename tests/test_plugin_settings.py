"""Plugin settings: validated, secrets encrypted at rest and never shown back."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import col, select

import ledger
from ledger.api import Clock, Ledger
from ledger.core.sync_models import SyncRun
from ledger.errors import ConfigurationError, InvalidInput
from ledger.storage import tables
from ledger.storage.sources import Source
from plugin_helpers import Upstream, count, domain_snapshot, fio_body, ok, raw_rows, stored_text

TOKEN = "settings-canary-4hG7tQ2wXy"
NEW_TOKEN = "replacement-token-9Kd3Lm"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)


@pytest.fixture
def fio(lg: Ledger) -> Ledger:
    lg.plugins.enable("fio")
    lg.plugins.configure("fio", token=TOKEN, start_date="2025-01-01")
    return lg


def fio_row(lg: Ledger) -> dict[str, object]:
    (stored,) = [r for r in raw_rows(lg, "plugin_settings") if r["plugin"] == "fio"]
    return dict(stored)


def sync_fio(lg: Ledger) -> tuple[Upstream, SyncRun]:
    upstream = Upstream.of(ok(fio_body("empty.json")))
    return upstream, lg.sync("fio", transport=upstream.transport)


def test_invalid_settings_name_every_field_and_store_nothing(lg: Ledger) -> None:
    before = domain_snapshot(lg)
    audit_before = count(lg, "audit_events")

    with pytest.raises(InvalidInput) as caught:
        lg.plugins.configure("fio", token="short", overlap_days=99, start_date="yesterday")

    assert set(caught.value.errors) == {"token", "overlap_days", "start_date"}
    assert "at least 8" in caught.value.errors["token"]
    assert domain_snapshot(lg) == before
    assert count(lg, "audit_events") == audit_before


def test_a_missing_required_secret_is_a_field_error(lg: Ledger) -> None:
    with pytest.raises(InvalidInput) as caught:
        lg.plugins.configure("fio", overlap_days=2)

    assert caught.value.field == "token"
    assert count(lg, "plugin_settings") == 0


def test_an_unknown_field_is_refused(lg: Ledger) -> None:
    with pytest.raises(InvalidInput) as caught:
        lg.plugins.configure("fio", token=TOKEN, colour="blue")

    assert "colour" in caught.value.errors


def test_secrets_are_encrypted_at_rest_and_never_shown(fio: Ledger) -> None:
    stored = fio_row(fio)

    assert TOKEN not in json.dumps(stored, default=str)
    assert stored["secrets"]
    assert json.loads(str(stored["values"])) == {
        "overlap_days": 3,
        "start_date": "2025-01-01",
    }
    assert fio.plugins.settings("fio") == {
        "token": "***",
        "overlap_days": 3,
        "start_date": "2025-01-01",
    }
    info = {p.name: p for p in fio.plugins.list()}["fio"]
    assert (info.enabled, info.configured, info.needs_settings) == (True, True, True)


def test_settings_changes_are_audited_with_secrets_redacted(fio: Ledger) -> None:
    fio.plugins.configure("fio", token=NEW_TOKEN, overlap_days=5)
    events = fio.audit.list(entity="plugin_settings")

    assert [e.action for e in events] == ["insert", "update", "update"]  # enable, set, change
    assert {e.source for e in events} == {"notebook"}
    last = events[-1]
    assert last.changes()["values"][1] == json.dumps(
        {"overlap_days": 5, "start_date": "2025-01-01"}, sort_keys=True
    )
    assert last.after is not None
    assert last.after["secrets"] == "***"
    raw = stored_text(fio, "audit_events")
    assert TOKEN not in raw
    assert NEW_TOKEN not in raw


def test_a_blank_secret_on_reconfigure_keeps_the_stored_one(fio: Ledger) -> None:
    fio.plugins.configure("fio", token="", overlap_days=1)
    fio.plugins.configure("fio", token=None, start_date="2025-02-01")
    upstream, _run = sync_fio(fio)

    assert fio.plugins.settings("fio")["token"] == "***"
    assert fio.plugins.settings("fio")["overlap_days"] == 1
    assert upstream.urls[0].startswith(
        f"https://fioapi.fio.cz/v1/rest/periods/{TOKEN}/2025-02-01/"
    )


def test_a_new_secret_replaces_the_old_one(fio: Ledger) -> None:
    fio.plugins.configure("fio", token=NEW_TOKEN)
    upstream, _ = sync_fio(fio)

    assert f"/periods/{NEW_TOKEN}/" in upstream.urls[0]


def test_the_key_file_is_created_on_first_secret_with_mode_0600(lg: Ledger) -> None:
    key_file = lg.secret_box.key_file
    if lg.database.is_sqlite:
        database = sa.engine.make_url(lg.database.url).database
        assert database is not None
        assert key_file == Path(database).parent / "secret.key"
    else:
        assert key_file == Path(os.environ["LEDGER_DATA_DIR"]) / "secret.key"
    assert not key_file.exists()

    lg.plugins.enable("fio")  # the first audited write: the key signs the audit trail
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()
    Fernet(key.strip())  # a valid key
    lg.plugins.configure("fio", token=TOKEN)

    assert key_file.read_bytes() == key  # the secrets are encrypted with the same one
    assert lg.plugins.settings("fio")["token"] != TOKEN


def test_the_key_from_the_environment_is_used_when_set(
    database_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("LEDGER_SECRET_KEY", key)
    lg = ledger.open(database_url, clock=clock)
    try:
        lg.plugins.enable("fio")
        lg.plugins.configure("fio", token=TOKEN)
        ciphertext = str(fio_row(lg)["secrets"])

        assert not lg.secret_box.key_file.exists()
        assert json.loads(Fernet(key.encode()).decrypt(ciphertext.encode())) == {"token": TOKEN}
        upstream, _run = sync_fio(lg)
        assert f"/periods/{TOKEN}/" in upstream.urls[0]
    finally:
        lg.close()


def test_an_invalid_key_in_the_environment_is_a_clear_error(
    lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_SECRET_KEY", "not-a-fernet-key")
    other = ledger.open(lg.database.url)
    try:
        with pytest.raises(ConfigurationError, match="LEDGER_SECRET_KEY is not a valid key"):
            other.plugins.configure("fio", token=TOKEN)
        assert count(other, "plugin_settings") == 0
    finally:
        other.close()


def tamper(lg: Ledger, ciphertext: str) -> None:
    """Replace fio's stored ciphertext (as disk corruption or a bad restore would)."""
    with lg.database.unit_of_work(Source("system:test")) as uow:
        row = uow.session.exec(
            select(tables.PluginSettings).where(col(tables.PluginSettings.plugin) == "fio")
        ).one()
        row.secrets = ciphertext


def altered(ciphertext: str) -> str:
    middle = len(ciphertext) // 2
    flipped = "A" if ciphertext[middle] != "A" else "B"
    return ciphertext[:middle] + flipped + ciphertext[middle + 1 :]


def test_an_altered_ciphertext_fails_the_sync_asking_to_reenter_it(fio: Ledger) -> None:
    tamper(fio, altered(str(fio_row(fio)["secrets"])))
    before = domain_snapshot(fio)
    upstream, run = sync_fio(fio)

    assert run.status == "failed"
    assert run.error_kind == "configuration"
    message = run.error_message or ""
    assert "unreadable" in message
    assert "re-enter" in message
    assert "ledger plugins configure fio" in message
    assert upstream.requests == []
    assert domain_snapshot(fio) == before
    shown = fio.plugins.settings("fio")
    assert shown["token"] is None
    assert "re-enter" in shown["__problem__"]


def test_a_credential_encrypted_with_another_key_can_be_reentered(fio: Ledger) -> None:
    foreign = Fernet(Fernet.generate_key()).encrypt(json.dumps({"token": "x" * 12}).encode())
    tamper(fio, foreign.decode())

    fio.plugins.configure("fio", token=NEW_TOKEN)
    upstream, run = sync_fio(fio)

    assert run.status == "succeeded", run.error_message
    assert f"/periods/{NEW_TOKEN}/" in upstream.urls[0]
    assert fio.plugins.settings("fio")["start_date"] == "2025-01-01"  # plain values kept


def test_a_missing_key_file_with_stored_secrets_is_a_clear_startup_error(fio: Ledger) -> None:
    key_file = fio.secret_box.key_file
    key_file.unlink()

    with pytest.raises(ConfigurationError) as caught:
        ledger.open(fio.database.url)

    message = str(caught.value)
    assert str(key_file) in message
    assert "missing" in message
    assert "fio" in message
    assert "LEDGER_SECRET_KEY" in message


def test_a_missing_key_file_without_stored_secrets_is_fine(lg: Ledger) -> None:
    lg.plugins.enable("demo_bank")
    lg.secret_box.key_file.unlink()  # made by the write, for the audit trail
    ledger.open(lg.database.url).close()


def test_a_plugin_without_settings_is_configured_from_the_start(lg: Ledger) -> None:
    infos = {p.name: p for p in lg.plugins.list()}

    assert (infos["demo_bank"].configured, infos["demo_bank"].needs_settings) == (True, False)
    assert (infos["fio"].configured, infos["fio"].enabled) == (False, False)
    assert lg.plugins.schema("fio")["properties"]["token"]["format"] == "password"
