"""The author's loop: `ledger plugin check` and `ledger sync` on a file or a bundled name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ledger.cli.app import app
from ledger.contracts import Plugin, SyncContext, SyncResult
from ledger.testing import CHECK_NAMES, ContractSpec, run_contract

PLUGIN = """
from pydantic import BaseModel, Field, SecretStr

from ledger.contracts import Plugin, SyncContext, SyncResult, json_body, parse_upstream

API = "https://bank.example/api/transactions"


class Settings(BaseModel):
    token: SecretStr = Field(description="API token.")


class Item(BaseModel):
    id: str
    date: str
    amount: str


class Page(BaseModel):
    items: list[Item]


class FileBank(Plugin[Settings]):
    name = "file_bank"
    version = "1.0.0"
    Settings = Settings

    def sync(self, ctx: SyncContext[Settings]) -> SyncResult:
        headers = {"Authorization": f"Bearer {ctx.settings.token.get_secret_value()}"}
        params = {"since": ctx.cursor} if ctx.cursor else {}
        page = parse_upstream(Page, json_body(ctx.http.get(API, params=params, headers=headers)))
        if ctx.cursor and ctx.cursor >= "2999":
            return SyncResult()
        rows = [
            {"external_id": i.id, "booked_on": i.date, "amount": i.amount, "currency": "CZK"}
            for i in page.items
        ]
        if rows:
            ctx.cursor = max(r["booked_on"] for r in rows)
        return ctx.ledger.transactions.upsert(rows)
"""
ITEMS = [
    {"id": "t1", "date": "2026-01-10", "amount": "1500.00"},
    {"id": "t2", "date": "2026-01-11", "amount": "-250.50"},
]
CHECK_OPTIONS = [
    "--set",
    "token=any-token-1234",
    "--future-cursor",
    "2999-01-01",
    "--opt-out",
    "overlap=The file bank serves one recorded window only.",
    "--opt-out",
    "golden=The writes are asserted by the sync in this test.",
]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = str(tmp_path / "author.db")
    assert run("init", "--database", path).exit_code == 0
    return path


def plugin_file(folder: Path, source: str = PLUGIN) -> Path:
    path = folder / "file_bank.py"
    path.write_text(source, encoding="utf-8")
    return path


def recording(folder: Path, items: object) -> Path:
    (folder / "recording").mkdir()
    exchange = {
        "request": {"method": "GET", "url": r"^https://bank\.example/api/transactions"},
        "response": {"status": 200, "body": {"items": items}},
    }
    (folder / "recording" / "01.json").write_text(json.dumps(exchange), encoding="utf-8")
    return folder / "recording"


def test_plugin_check_of_a_bundled_name_uses_its_bundled_spec() -> None:
    result = run("plugin", "check", "demo_bank")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("contract report for DemoBank\n")
    assert "skip overlap  (demo_bank has no upstream windows" in result.stdout
    assert result.stdout.rstrip().endswith("0 failed")


def test_plugin_check_fio_replays_the_recordings_shipped_in_the_package() -> None:
    result = run("plugin", "check", "fio")

    assert result.exit_code == 0, result.output
    assert "  ok   overlap\n" in result.stdout
    assert "  ok   golden\n" in result.stdout
    assert "  ok   secrets_hidden\n" in result.stdout
    assert result.stdout.rstrip().endswith(f"{len(CHECK_NAMES)} passed, 0 failed")


def test_plugin_check_of_an_unknown_name_is_one_line() -> None:
    result = run("plugin", "check", "nope")

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: no bundled plugin is called 'nope'; bundled: cnb, demo_bank, fio, toggl "
        "(to check your own plugin, give the path of its file)"
    ]


def test_a_bundled_name_takes_no_spec_options() -> None:
    result = run("plugin", "check", "fio", "--future-cursor", "2999-01-01")

    assert result.exit_code == 1
    assert "checked with its bundled spec" in result.stderr


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("raise RuntimeError('no config here')", "RuntimeError: no config here"),
        (
            "from ledger.contracts import Plugin\n\nclass Bad(Plugin):\n    name = 1 / 0\n",
            "ZeroDivisionError: division by zero",
        ),
        ("import sys\nsys.exit(3)\n", "called sys.exit(3); a plugin file must not exit"),
        ("x = 1\n", "defines no subclass of ledger.contracts.Plugin"),
    ],
)
def test_a_file_that_cannot_be_loaded_is_a_report_line_and_exit_1(
    tmp_path: Path, source: str, words: str
) -> None:
    result = run("plugin", "check", str(plugin_file(tmp_path, source)))

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "  FAIL shape" in result.stdout
    assert words in result.stdout
    assert "See docs/contract/shape.md" in result.stdout


class NotAModel(Plugin):  # type: ignore[type-arg]
    name = "not_a_model"
    version = "1.0.0"
    Settings = dict  # type: ignore[assignment]

    def sync(self, ctx: SyncContext) -> SyncResult:  # type: ignore[type-arg]
        return SyncResult()


def test_run_contract_reports_a_plugin_whose_settings_cannot_be_built() -> None:
    report = run_contract(ContractSpec(plugin=NotAModel))

    failed = {r.check: r.message for r in report.results if r.status == "failed"}
    assert report.result("shape").status == "passed"
    assert failed.pop("settings") == "NotAModel.Settings must be a pydantic BaseModel subclass"
    assert set(failed.values()) == {"fix the settings check first"}


def test_run_contract_reports_what_is_not_a_plugin_class() -> None:
    report = run_contract(ContractSpec(plugin=42))  # type: ignore[arg-type]

    assert report.plugin == "42"
    assert report.result("shape").message == "42 must subclass ledger.contracts.Plugin"
    assert {r.message for r in report.results[1:]} == {"fix the shape check first"}


def test_sync_of_a_plugin_file_registers_enables_configures_and_syncs_it(
    tmp_path: Path, database: str
) -> None:
    path, folder = plugin_file(tmp_path), recording(tmp_path, ITEMS)
    args = ["sync", str(path), "--recording", str(folder), "--database", database]

    first = run(*args, "--set", "token=any-token-1234")
    again = run(*args)

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[:3] == [
        "file_bank enabled (its file was named on the command line)",
        "run 1: file_bank 1.0.0 — succeeded",
        first.stdout.splitlines()[2],
    ]
    assert first.stdout.splitlines()[2].startswith("created 2, updated 0, unchanged 0")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "run 2: file_bank 1.0.0 — succeeded"
    assert "any-token-1234" not in first.output + again.output
    assert run("plugins", "--database", database).stdout.count("file_bank") == 0


def test_sync_of_a_file_with_two_plugins_is_one_line(tmp_path: Path, database: str) -> None:
    two = PLUGIN + "\n\nclass Other(FileBank):\n    name = 'other_bank'\n"
    result = run("sync", str(plugin_file(tmp_path, two)), "--database", database)

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: path: {tmp_path / 'file_bank.py'} defines 2 plugins (FileBank, Other); "
        "sync runs one per file"
    ]


@pytest.mark.parametrize(
    ("items", "verdict"),
    [
        (ITEMS, 0),
        ([{"id": "t1", "date": "not a date", "amount": "1"}], 1),
        ("not a list", 1),
    ],
)
def test_check_and_sync_give_the_same_verdict_on_the_same_recordings(
    tmp_path: Path, database: str, items: object, verdict: int
) -> None:
    path, folder = plugin_file(tmp_path), recording(tmp_path, items)

    checked = run("plugin", "check", str(path), "--recording", str(folder), *CHECK_OPTIONS)
    synced = run(
        "sync", str(path), "--recording", str(folder), "--database", database,
        "--set", "token=any-token-1234",
    )  # fmt: skip

    assert (checked.exit_code, synced.exit_code) == (verdict, verdict), (
        checked.output,
        synced.output,
    )
    if verdict:
        assert "FAIL sync_succeeds" in checked.stdout
        assert "— failed" in synced.stdout


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("raise RuntimeError('no config here')", "RuntimeError: no config here"),
        (PLUGIN.replace('name = "file_bank"', 'name = "fio"'), "'fio' is already registered"),
        (PLUGIN.replace('version = "1.0.0"', 'version = "1.0"'), "is not a semantic version"),
    ],
)
def test_sync_of_a_file_that_cannot_be_registered_is_one_line(
    tmp_path: Path, database: str, source: str, words: str
) -> None:
    result = run("sync", str(plugin_file(tmp_path, source)), "--database", database)

    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: path: ")
    assert words in line
