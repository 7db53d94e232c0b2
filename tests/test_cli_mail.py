"""``ledger mail``, ``ledger invoice send`` and ``ledger reminders`` against a real SMTP
server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

import ledger
from document_helpers import issued_invoice, set_up_supplier
from ledger.cli.app import app
from smtp_server import Sink, free_port, smtp_server
from support import FakeClock

__all__ = ["smtp_server"]  # the fixture, used by name

runner = CliRunner()
CLIENT_EMAIL = "ucetni@dablice.example"


def run(database: str, *args: str, prompt: str | None = None) -> Result:
    return runner.invoke(app, [*args, "--database", database], input=prompt)


def ok(database: str, *args: str, prompt: str | None = None) -> str:
    result = run(database, *args, prompt=prompt)
    assert result.exit_code == 0, result.output
    return result.stdout


def error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0].removeprefix("error: ")


@pytest.fixture
def number(database_url: str, clock: FakeClock) -> str:
    """An issued invoice of a client with an e-mail address, overdue since 19 Nov 2026
    (the CLI reads today from the machine's clock)."""
    lg = set_up_supplier(ledger.open(database_url, clock=clock))
    invoice = issued_invoice(lg, language="en", issue_date="2026-11-05")
    lg.clients.update(invoice.client_id, email=CLIENT_EMAIL)
    lg.close()
    assert invoice.number is not None
    return invoice.number


def setup(db: str, port: int) -> str:
    return ok(db, "mail", "setup", "--host", "127.0.0.1", "--port", str(port),
              "--security", "none", "--user", "jana", "--password",
              "--sender", "jana@novakova.example", prompt="pw-123\n")  # fmt: skip


def test_setup_show_and_send(database_url: str, number: str, smtp_server: Sink) -> None:
    assert "from jana@novakova.example" in setup(database_url, smtp_server.port)
    shown = json.loads(ok(database_url, "mail", "show", "--json"))
    assert shown["password_set"] is True
    assert "pw-123" not in json.dumps(shown)
    result = run(database_url, "invoice", "send", number, "--no-link")
    # The loopback server offers no AUTH: the login cannot happen, and it says so.
    message = error_line(result)
    assert message.startswith("cannot send through 127.0.0.1:")
    assert "AUTH" in message
    ok(database_url, "mail", "setup", "--user", "")
    assert (
        ok(database_url, "invoice", "send", number).strip() == f"{number} sent to {CLIENT_EMAIL}"
    )
    body = smtp_server.last().message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "/p/" in body.get_content()  # a portal link built from LEDGER_BASE_URL


def test_a_server_that_is_down_is_one_error_line(database_url: str, number: str) -> None:
    ok(database_url, "mail", "setup", "--host", "127.0.0.1", "--port", str(free_port()),
       "--security", "none", "--sender", "jana@novakova.example")  # fmt: skip
    message = error_line(run(database_url, "invoice", "send", number))
    assert message.startswith("cannot send through 127.0.0.1:")


def test_bad_settings_are_one_error_line(database_url: str) -> None:
    ok(database_url, "init")
    message = error_line(run(database_url, "mail", "setup", "--sender", "nobody"))
    assert "nobody" in message


def test_reminders_are_listed_and_sent_when_asked(
    database_url: str, number: str, smtp_server: Sink
) -> None:
    ok(database_url, "mail", "setup", "--host", "127.0.0.1", "--port", str(smtp_server.port),
       "--security", "none", "--sender", "jana@novakova.example")  # fmt: skip
    listed = ok(database_url, "reminders").splitlines()
    assert listed[0].split()[:3] == ["number", "client", "due"]
    assert listed[1].startswith(number)
    assert ok(database_url, "reminders", "send", number).strip() == (
        f"reminder 1 for {number} sent to {CLIENT_EMAIL}"
    )
    assert smtp_server.last().message["Subject"].startswith("Payment reminder: Invoice")
    overdue = json.loads(ok(database_url, "reminders", "--json"))
    assert [row["number"] for row in overdue] == [number]
