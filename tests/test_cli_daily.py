"""The day's work from the command line: clients, projects, time, the timer, invoices."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ledger
from ledger.cli.app import app
from ledger.cli.durations import parse_duration
from ledger.errors import InvalidInput

runner = CliRunner()


def run(database: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database", database])


def ok(database: str, *args: str) -> str:
    result = run(database, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(database: str, *args: str) -> Any:
    return json.loads(ok(database, *args, "--json"))


def error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


@pytest.fixture
def db(database_url: str) -> str:
    ok(database_url, "init")
    return database_url


def test_clients_add_list_edit_archive(db: str) -> None:
    added = as_json(db, "clients", "add", "Acme s.r.o.", "--currency", "czk", "--rate", "1500")
    assert added["name"] == "Acme s.r.o."
    assert (added["currency"], added["hourly_rate"]) == ("CZK", "1500.00")
    assert ok(db, "clients", "add", "Beta GmbH", "--currency", "EUR").startswith(
        "client 2 'Beta GmbH' added (EUR, no rate)"
    )

    listed = ok(db, "clients", "list").splitlines()
    assert listed[0].split() == ["ID", "NAME", "CURRENCY", "RATE", "LANG", "TERMS"]
    assert listed[1].split() == ["1", "Acme", "s.r.o.", "CZK", "1500.00", "CZK", "en", "14"]

    edited = as_json(db, "clients", "edit", "acme s.r.o.", "--rate", "1600", "--terms", "30")
    assert (edited["hourly_rate"], edited["payment_terms_days"]) == ("1600.00", 30)
    assert edited["currency"] == "CZK"  # an option left out stays as it was

    ok(db, "clients", "archive", "2")
    assert [c["name"] for c in as_json(db, "clients", "list")] == ["Acme s.r.o."]
    assert len(as_json(db, "clients", "list", "--all")) == 2
    ok(db, "clients", "archive", "Beta GmbH", "--undo")
    assert len(as_json(db, "clients", "list")) == 2


def test_the_same_errors_as_the_web(db: str) -> None:
    assert error_line(run(db, "clients", "add", "X", "--currency", "XXX")).startswith("currency: ")
    assert error_line(run(db, "clients", "edit", "Nobody", "--rate", "1")) == (
        "no client is named 'Nobody'"
    )
    assert error_line(run(db, "clients", "archive", "42")) == "client 42 does not exist"
    ok(db, "clients", "add", "Acme")
    assert error_line(run(db, "clients", "edit", "Acme", "--rate", "-5")) == (
        "hourly_rate: must not be negative"
    )
    assert error_line(run(db, "projects", "add", "Acme", "Web", "--rounding", "up")) == (
        "input: rounding_minutes: give the step in minutes (e.g. 15)"
    )


def test_a_shared_project_name_is_refused_listing_every_one(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1000")
    ok(db, "clients", "add", "Beta", "--rate", "2000")
    acme_web = as_json(db, "projects", "add", "Acme", "Web")
    beta_web = as_json(db, "projects", "add", "Beta", "Web", "--rate", "2500")
    assert (acme_web["client_name"], beta_web["hourly_rate"]) == ("Acme", "2500.00")

    message = error_line(run(db, "log", "1:30", "Web", "Review"))
    assert message == (
        f"project: 'Web' names 2 projects: Web of Acme (id {acme_web['id']}), "
        f"Web of Beta (id {beta_web['id']}); give the id or the client"
    )
    entry = as_json(db, "log", "1:30", "web", "Review", "--client", "Beta")
    assert (entry["project_id"], entry["client_name"], entry["minutes"]) == (
        beta_web["id"],
        "Beta",
        90,
    )
    by_id = as_json(db, "log", "45m", str(acme_web["id"]), "--date", "2026-11-02")
    assert (by_id["project_name"], by_id["client_name"], by_id["date"]) == (
        "Web",
        "Acme",
        "2026-11-02",
    )
    assert [p["client_name"] for p in as_json(db, "projects", "list", "--client", "Beta")] == [
        "Beta"
    ]
    ok(db, "projects", "edit", "Web", "--client", "Acme", "--name", "Website")
    ok(db, "projects", "archive", "Website")
    assert [p["name"] for p in as_json(db, "projects", "list")] == ["Web"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1:30", 90), ("0:05", 5), ("90m", 90), ("90 min", 90), ("1.5h", 90), ("1,5h", 90),
     ("2h30m", 150), ("0.1h", 6), ("8h", 480)],
)  # fmt: skip
def test_durations_as_people_type_them(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["90", "", "1:75", "abc", "0m", "1.5", "h", "-1h"])
def test_a_duration_without_a_unit_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"duration: .*use hours:minutes"):
        parse_duration(text)


def test_log_refuses_a_bad_duration_and_a_bad_date(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1000")
    ok(db, "projects", "add", "Acme", "Web")
    assert error_line(run(db, "log", "90", "Web")).startswith("duration: '90' is not a duration")
    assert error_line(run(db, "log", "1h", "Web", "--date", "2026-13-01")).startswith("date: ")
    assert error_line(run(db, "log", "1h", "Mobile")) == "no project is named 'Mobile'"


def test_timer_start_status_stop(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1000")
    ok(db, "projects", "add", "Acme", "Web")
    assert ok(db, "timer", "status").strip() == "no timer is running"
    assert as_json(db, "timer", "status") == {"running": None}
    assert error_line(run(db, "timer", "stop")) == "no timer is running"

    started = as_json(db, "timer", "start", "Web", "Deploy")
    assert (started["ended_at"], started["description"]) == (None, "Deploy")
    status = ok(db, "timer", "status")
    assert status.startswith("timer running for 0:00 (since ")
    assert "on Acme · Web 'Deploy'" in status
    assert as_json(db, "timer", "status")["running"]["id"] == started["id"]
    assert error_line(run(db, "timer", "start", "Web")) == (
        "a timer is already running; stop it first"
    )
    stopped = as_json(db, "timer", "stop")
    assert (stopped["id"], stopped["minutes"]) == (started["id"], 1)
    assert stopped["ended_at"] is not None


def test_invoice_draft_issue_pay_show(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1500")
    ok(db, "projects", "add", "Acme", "Web")
    ok(db, "log", "1:30", "Web", "Review", "--date", "2026-11-02")
    ok(db, "log", "1h", "Web", "Deploy", "--date", "2026-11-03")

    assert error_line(run(db, "invoice", "draft", "Acme", "--vat", "21")) == (
        "vat_rate: you are not registered for VAT (settings), so invoices carry no VAT"
    )
    assert error_line(run(db, "settings", "set", "vat_payer=yes")) == (
        "vat_payer: a VAT payer prints a VAT id (DIČ) on every invoice; enter yours"
    )
    ok(db, "settings", "set", "vat_payer=yes", "supplier_vat_id=CZ8001011234")
    assert as_json(db, "settings", "show")["default_vat_rate"] is None
    draft = as_json(db, "invoice", "draft", "Acme", "--vat", "21")
    assert (draft["status"], draft["subtotal"], draft["total"]) == ("draft", "3750.00", "4537.50")
    assert error_line(run(db, "invoice", "draft", "Acme")) == (
        "client: Acme has no unbilled billable work to invoice"
    )

    issued = as_json(db, "invoice", "issue", str(draft["id"]), "--date", "2026-11-30")
    number = issued["number"]
    assert (issued["status"], issued["issue_date"]) == ("issued", "2026-11-30")
    assert issued["variable_symbol"] == number.replace("-", "")

    assert error_line(run(db, "invoice", "issue", number)) == (
        f"invoice {number} is already issued; it can be issued once"
    )
    part = as_json(db, "invoice", "pay", number, "--amount", "1000", "--date", "2026-12-01")
    assert part["payment"]["amount"] == "1000.00"
    assert part["invoice"]["payment_state"] == "partially_paid"
    rest = ok(db, "invoice", "pay", number, "--date", "2026-12-02")
    assert rest.strip() == f"payment of 3537.50 CZK recorded for {number}; it is paid"
    assert error_line(run(db, "invoice", "pay", number, "--amount", "abc")) == (
        "amount: 'abc' is not a number; write it as '1500.50' (a dot for decimals, "
        "no thousands separator)"
    )

    shown = as_json(db, "invoice", "show", number)
    assert [p["amount"] for p in shown["payments"]] == ["1000.00", "3537.50"]
    assert [line["amount"] for line in shown["lines"]] == ["3750.00"]
    text = ok(db, "invoice", "show", number)
    assert f"invoice {number} · Acme · paid" in text
    assert "total 4537.50 CZK" in " ".join(text.split())

    assert error_line(run(db, "invoice", "show", "2099-9999")) == (
        "no invoice is numbered '2099-9999'"
    )
    assert error_line(run(db, "invoice", "show", "77")) == (
        "no invoice is numbered '77' and none has that id"
    )


def test_invoice_cancel_releases_the_work(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1500")
    ok(db, "projects", "add", "Acme", "Web")
    ok(db, "log", "2h", "Web")
    draft = as_json(db, "invoice", "draft", "Acme")
    cancelled = as_json(db, "invoice", "cancel", str(draft["id"]))
    assert cancelled["status"] == "cancelled"
    again = as_json(db, "invoice", "draft", "Acme")
    assert again["total"] == "3000.00"


def test_invoices_filters_and_json(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1500")
    ok(db, "clients", "add", "Beta", "--rate", "100", "--currency", "EUR")
    for client, project in (("Acme", "Web"), ("Beta", "App")):
        ok(db, "projects", "add", client, project)
        ok(db, "log", "1h", project)
        ok(db, "invoice", "draft", client)
    listed = as_json(db, "invoices", "--client", "beta")
    assert [(i["client_name"], i["total"], i["currency"]) for i in listed] == [
        ("Beta", "100.00", "EUR")
    ]
    assert len(as_json(db, "invoices", "--status", "draft")) == 2
    assert error_line(run(db, "invoices", "--status", "payed")) == (
        "status: no invoice is 'payed'; use one of draft, issued, cancelled"
    )


def test_every_change_is_audited_as_cli(db: str) -> None:
    ok(db, "clients", "add", "Acme", "--rate", "1500")
    ok(db, "projects", "add", "Acme", "Web")
    ok(db, "log", "1h", "Web")
    ok(db, "timer", "start", "Web")
    ok(db, "timer", "stop")
    number = as_json(db, "invoice", "issue", str(as_json(db, "invoice", "draft", "Acme")["id"]))
    ok(db, "invoice", "pay", number["number"])
    opened = ledger.open(db)
    try:
        events = opened.audit.list()
        assert {event.source for event in events} == {"cli"}
        assert {"clients", "projects", "work_entries", "invoices", "payments"} <= {
            event.entity for event in events
        }
        assert opened.audit.verify() == len(events)
    finally:
        opened.close()


def complete(line: str) -> list[str]:
    """What the shell would offer after `line` (through Typer's bash completion)."""
    words = shlex.split(line)
    env = {"_LEDGER_COMPLETE": "complete_bash", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - (0 if line.endswith(" ") else 1))}  # fmt: skip
    result = runner.invoke(app, [], env=env, prog_name="ledger")
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_completion_is_enabled_and_completes_names(db: str) -> None:
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout
    ok(db, "clients", "add", "Acme", "--rate", "1000")
    ok(db, "clients", "add", "Beta")
    ok(db, "projects", "add", "Acme", "Website")
    ok(db, "log", "1h", "Website")
    ok(db, "invoice", "draft", "Acme")
    assert complete("ledger tim") == ["timer"]
    assert complete(f"ledger clients edit -d {db} A") == ["Acme"]
    assert complete(f"ledger clients archive -d {db} ") == ["Acme", "Beta"]
    assert complete(f"ledger log --database {db} 1h Web") == ["Website"]
    assert complete(f"ledger invoice show -d {db} ") == ["1"]  # a draft, by its id
    assert complete("ledger clients edit -d /no/such/file.db ") == []


def test_the_daily_use_session_in_the_docs_runs(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `ledger invoice pdf` writes beside the user
    outputs = []
    for words in shell_commands(DAILY_SESSION):
        assert words[0] == "ledger", words
        outputs.append(ok(db, *words[1:]))
    text = "\n".join(outputs)

    assert "logged 1:30 on Acme s.r.o. · Web 'Code review'" in text
    assert "draft 1 for Acme s.r.o.: total 3375.00 CZK" in text  # 90 + 45 minutes, rounded up
    assert (tmp_path / "invoice-2026-0001.pdf").read_bytes().startswith(b"%PDF")
    invoice = json.loads(outputs[-1])
    assert (invoice["number"], invoice["payment_state"]) == ("2026-0001", "paid")
    assert [p["amount"] for p in invoice["payments"]] == ["1500.00", "1875.00"]


DAILY_SESSION = Path(__file__).parents[1] / "docs" / "examples" / "daily_cli.sh"


def shell_commands(path: Path) -> list[list[str]]:
    """The commands of a shell example, comments dropped."""
    text = path.read_text(encoding="utf-8")
    return [words for line in text.splitlines() if (words := shlex.split(line, comments=True))]
