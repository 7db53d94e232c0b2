"""``ledger plugins``, ``ledger sync``, ``sync-history`` and ``sync-show``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import ledger
from ledger.cli.app import app
from ledger.errors import InvalidInput
from plugin_helpers import count

TOKEN = "cli-canary-token-Pq7Rs2"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A database made by `ledger init`, the one command that creates one."""
    path = str(tmp_path / "cli.db")
    ok(path, "init")
    return path


def cli(database: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, [*args, "--database", database], input=input)


def ok(database: str, *args: str, input: str | None = None) -> Result:
    result = cli(database, *args, input=input)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def transactions(database: str) -> int:
    lg = ledger.open(database)
    try:
        return count(lg, "money_transactions")
    finally:
        lg.close()


def test_plugins_lists_name_version_enabled_and_configured(database: str) -> None:
    lines = ok(database, "plugins").stdout.splitlines()

    assert lines[0].split() == ["NAME", "VERSION", "ENABLED", "CONFIGURED", "DESCRIPTION"]
    rows = {line.split()[0]: line.split()[1:4] for line in lines[1:]}
    assert rows == {
        "cnb": ["1.0.0", "no", "no"],
        "demo_bank": ["1.0.0", "no", "yes"],
        "fio": ["1.0.0", "no", "no"],
        "toggl": ["1.0.0", "no", "no"],
    }


def test_enable_and_disable_change_the_listing(database: str) -> None:
    assert ok(database, "plugins", "enable", "demo_bank").stdout.strip() == "demo_bank enabled"
    rows = {
        line.split()[0]: line.split()[2]
        for line in ok(database, "plugins").stdout.splitlines()[1:]
    }
    assert rows == {"cnb": "no", "demo_bank": "yes", "fio": "no", "toggl": "no"}

    assert ok(database, "plugins", "disable", "demo_bank").stdout.strip() == "demo_bank disabled"
    rows = {
        line.split()[0]: line.split()[2]
        for line in ok(database, "plugins").stdout.splitlines()[1:]
    }
    assert rows["demo_bank"] == "no"


def test_enable_of_an_unknown_plugin_is_a_one_line_error(database: str) -> None:
    result = cli(database, "plugins", "enable", "nope")

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: no plugin is called 'nope'; available: cnb, demo_bank, fio, toggl"
    ]


def test_configure_with_set_stores_the_token_without_printing_it(database: str) -> None:
    result = ok(
        database,
        "plugins",
        "configure",
        "fio",
        "--set",
        f"token={TOKEN}",
        "--set",
        "overlap_days=5",
    )

    assert TOKEN not in result.output
    assert '"token": "***"' in result.stdout
    assert '"overlap_days": 5' in result.stdout
    rows = {
        line.split()[0]: line.split()[3]
        for line in ok(database, "plugins").stdout.splitlines()[1:]
    }
    assert rows["fio"] == "yes"


def test_configure_prompts_for_the_secret_without_echoing_it(database: str) -> None:
    result = ok(database, "plugins", "configure", "fio", input=f"{TOKEN}\n2025-01-01\n4\n")

    assert TOKEN not in result.output
    assert '"start_date": "2025-01-01"' in result.stdout
    assert '"overlap_days": 4' in result.stdout
    again = ok(database, "plugins", "configure", "fio", input="\n\n\n")  # Enter keeps it all
    assert "[stored; Enter keeps it]" in again.output
    assert '"token": "***"' in again.stdout
    assert TOKEN not in again.output


def test_configure_with_bad_values_names_the_field(database: str) -> None:
    result = cli(database, "plugins", "configure", "fio", "--set", "token=short")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: token:")
    bad_pair = cli(database, "plugins", "configure", "fio", "--set", "token")
    assert bad_pair.exit_code != 0
    assert "use FIELD=VALUE" in bad_pair.output


def test_sync_demo_bank_after_init_demo_prints_what_it_created(database: str) -> None:
    assert "demo data added" in ok(database, "init", "--demo").stdout
    ok(database, "plugins", "enable", "demo_bank")

    first = ok(database, "sync", "demo_bank").stdout.splitlines()
    created = transactions(database)
    assert created > 0
    assert first[0] == "run 1: demo_bank 1.0.0 — succeeded"
    assert first[1].startswith(f"created {created}, updated 0, unchanged 0")

    second = ok(database, "sync", "demo_bank").stdout.splitlines()
    assert second[1].startswith("created 0, updated 0, unchanged ")
    assert transactions(database) == created


def test_sync_of_a_disabled_plugin_is_a_one_line_error(database: str) -> None:
    result = cli(database, "sync", "fio")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: plugin fio is disabled; enable it with `ledger plugins enable fio`"
    ]


def test_sync_of_an_unknown_plugin_lists_the_available_ones(database: str) -> None:
    result = cli(database, "sync", "nope")

    assert result.exit_code == 1
    assert "available: cnb, demo_bank, fio, toggl" in result.stderr


def test_a_failed_sync_exits_1_with_its_error(database: str) -> None:
    ok(database, "plugins", "enable", "fio")
    result = cli(database, "sync", "fio")  # enabled but never configured

    assert result.exit_code == 1
    assert "— failed" in result.stdout
    assert "error (configuration): token:" in result.stdout


def test_a_dry_run_shows_the_changes_and_writes_nothing(database: str) -> None:
    ok(database, "init", "--demo")
    ok(database, "plugins", "enable", "demo_bank")
    result = ok(database, "sync", "demo_bank", "--dry-run")

    lines = result.stdout.splitlines()
    assert lines[0].endswith("succeeded (dry run, nothing written)")
    assert any(line.startswith("would insert money_transactions") for line in lines)
    assert transactions(database) == 0
    assert ok(database, "sync", "demo_bank").stdout.splitlines()[1].startswith("created ")
    assert transactions(database) > 0


def test_sync_history_and_sync_show(database: str) -> None:
    ok(database, "init", "--demo")
    ok(database, "plugins", "enable", "demo_bank")
    ok(database, "sync", "demo_bank", "--dry-run")
    ok(database, "sync", "demo_bank")
    ok(database, "plugins", "enable", "fio")
    cli(database, "sync", "fio")

    history = ok(database, "sync-history").stdout.splitlines()
    assert history[0].split()[:4] == ["RUN", "PLUGIN", "STATUS", "STARTED"]
    assert [line.split()[:3] for line in history[1:]] == [
        ["3", "fio", "failed"],
        ["2", "demo_bank", "succeeded"],
        ["1", "demo_bank", "succeeded"],
    ]
    assert "(dry)" in history[3]
    assert "token: Field required" in history[1]
    only_demo = ok(database, "sync-history", "demo_bank").stdout.splitlines()
    assert [line.split()[0] for line in only_demo[1:]] == ["2", "1"]

    shown = ok(database, "sync-show", "2").stdout.splitlines()
    created = transactions(database)
    assert shown[0] == "run 2: demo_bank 1.0.0 — succeeded"
    assert any(line.startswith("log info: demo bank statement") for line in shown)
    changes = [line for line in shown if line.startswith("change: insert money_transactions")]
    assert len(changes) == created
    assert "amount_minor: None →" in changes[0]


def test_sync_show_of_a_missing_run_is_a_one_line_error(database: str) -> None:
    result = cli(database, "sync-show", "42")

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: sync run 42 does not exist"


def test_sync_history_refuses_a_limit_below_one(database: str) -> None:
    result = cli(database, "sync-history", "--limit", "-1")
    assert result.exit_code == 1
    assert result.output.strip() == "error: limit: -1 runs: give 1 or more"
    with pytest.raises(InvalidInput, match="limit: -1 runs: give 1 or more"):
        ledger.open(database).plugins.history(limit=-1)
