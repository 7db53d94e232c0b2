"""``ledger match``, ``review``, ``unmatch``, ``match-manual`` and ``invoices``.

The data is made through the API; the commands run through Typer's test runner
against the same database (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ledger.api import Ledger
from ledger.cli import matching as cli_matching
from ledger.cli.app import app
from ledger.cli.common import open_cli_ledger
from ledger.core.models import Invoice, MoneyTransaction

runner = CliRunner()


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)


OPENED: list[Ledger] = []


@pytest.fixture(autouse=True)
def _close_cli_ledgers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A command's process would end and drop its connections; the test runner's does not."""

    def opening(database: str | None) -> Ledger:
        OPENED.append(open_cli_ledger(database))
        return OPENED[-1]

    monkeypatch.setattr(cli_matching, "open_cli_ledger", opening)
    yield
    while OPENED:
        OPENED.pop().close()


@dataclass
class Shop:
    """Three issued invoices (due far ahead, so no state turns overdue with the date)."""

    lg: Ledger
    url: str
    a: Invoice  # 12,100 CZK, Acme
    b: Invoice  # 5,000 CZK, Kavárna
    c: Invoice  # 5,000 CZK, Studio

    def pay(self, key: str, amount: str, vs: str = "", message: str = "") -> MoneyTransaction:
        return self.lg.transactions.add(
            source="bank",
            external_id=key,
            booked_on="2026-11-22",
            amount=amount,
            currency="CZK",
            variable_symbol=vs,
            message=message,
            counterparty_name="Jana Malá",
        )

    def run(self, *args: str) -> Result:
        try:
            return runner.invoke(app, [*args, "--database", self.url])
        finally:
            while OPENED:
                OPENED.pop().close()

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        assert result.exception is None
        return result.stdout

    def states(self) -> dict[str, str]:
        """Invoice number → STATE column of ``ledger invoices``."""
        lines = self.ok("invoices").splitlines()
        assert lines[0].split() == ["NUMBER", "CLIENT", "TOTAL", "PAID", "STATE"]
        return {
            line.split()[0]: line.split()[-1] for line in lines[1:] if not line.startswith(" ")
        }


def _issue(lg: Ledger, client_name: str, total: str) -> Invoice:
    client = lg.clients.add(name=client_name, currency="CZK")
    project = lg.projects.add(client, name="Work")
    lg.entries.add(project, date="2026-11-10", amount=total, description="Work")
    draft = lg.invoices.update(lg.invoices.draft(client), due_date="2099-12-31")
    return lg.invoices.issue(draft, issue_date="2026-11-20")


@pytest.fixture
def shop(lg: Ledger) -> Shop:
    return Shop(
        lg,
        lg.database.url,
        _issue(lg, "Acme s.r.o.", "12100.00"),
        _issue(lg, "Kavárna U Mostu", "5000.00"),
        _issue(lg, "Studio Lumen", "5000.00"),
    )


def test_match_shows_what_it_matched_and_why_then_the_queue(shop: Shop) -> None:
    t1 = shop.pay("t1", "12100.00", vs="20260001", message="Faktura 2026-0001")
    t2 = shop.pay("t2", "5000.00")

    out = shop.ok("match")

    lines = out.splitlines()
    assert lines[0] == "1 matched, 2 new suggestions"
    assert lines[1].startswith(f"  transaction {t1.id} → 2026-0001  (")
    assert "amount: exact" in lines[1]
    assert "variable symbol agrees" in lines[1]
    assert "message agrees" in lines[1]
    assert lines[2] == "review queue (accept with `ledger review accept ID`):"
    queued = lines[3:]
    assert len(queued) == 2
    targets = set()
    for line in queued:
        found = re.match(
            r"  #(\d+) 2026-11-22 5000\.00 CZK from Jana Malá '' → (\S+) 5000\.00", line
        )
        assert found, line
        assert "variable symbol: missing" in line
        targets.add(found.group(2))
    assert targets == {"2026-0002", "2026-0003"}
    assert shop.lg.transactions.get(t2.id).matched_invoice_id is None

    again = shop.ok("match").splitlines()
    assert again[0] == "0 matched, 0 new suggestions"
    assert again[2:] == queued, "the queue is unchanged"


def test_review_lists_the_queue_or_says_it_is_empty(shop: Shop) -> None:
    assert shop.ok("review").strip() == "review queue is empty"
    shop.pay("t2", "5000.00")
    shop.lg.match()

    lines = shop.ok("review").splitlines()

    assert lines[0].startswith("review queue")
    assert [line.split()[0] for line in lines[1:]] == [
        f"#{s.id}" for s in shop.lg.matching.queue()
    ]


def test_review_accept_then_unmatch_then_accept_the_other(shop: Shop) -> None:
    t2 = shop.pay("t2", "5000.00")
    shop.lg.match()
    first, second = shop.lg.matching.queue()

    assert shop.ok("review", "accept", str(first.id)).strip() == f"suggestion {first.id} accepted"
    assert shop.ok("review").strip() == "review queue is empty"
    chosen = first.allocations[0].invoice_number
    assert shop.states()[chosen] == "paid"

    out = shop.ok("unmatch", str(t2.id))

    assert out.strip() == f"removed 1 payment(s) of transaction {t2.id}"
    assert shop.states()[chosen] == "unpaid"
    assert len(shop.ok("review").splitlines()) == 3, "both suggestions are back"
    shop.ok("review", "accept", str(second.id))
    assert shop.states() == {
        "2026-0001": "unpaid",
        chosen: "unpaid",
        second.allocations[0].invoice_number: "paid",
    }
    events = shop.lg.audit.list(entity="payments")
    assert [(e.source, e.action) for e in events] == [
        ("cli", "insert"),
        ("cli", "delete"),
        ("cli", "insert"),
    ]


def test_review_reject(shop: Shop) -> None:
    shop.pay("t2", "5000.00")
    shop.lg.match()
    first, second = shop.lg.matching.queue()

    assert shop.ok("review", "reject", str(first.id)).strip() == f"suggestion {first.id} rejected"

    (remaining,) = shop.lg.matching.queue()
    assert remaining.id == second.id
    shop.ok("match")
    assert [s.id for s in shop.lg.matching.queue()] == [second.id]


def test_match_manual_in_parts_and_invoices_shows_why(shop: Shop) -> None:
    t1 = shop.pay("t1", "17100.00", message="Acme a Kavárna")

    shop.ok("match-manual", str(t1.id), "2026-0001", "--amount", "12100")
    out = shop.ok("match-manual", str(t1.id), "2026-0002")

    assert out.strip() == f"transaction {t1.id} matched to 2026-0002"
    assert shop.states() == {"2026-0001": "paid", "2026-0002": "paid", "2026-0003": "unpaid"}
    listing = shop.ok("invoices")
    paid_lines = [line.strip() for line in listing.splitlines() if line.startswith(" ")]
    assert sorted(line.split(" (")[0] for line in paid_lines) == [
        "paid 12100.00 on 2026-11-22",
        "paid 5000.00 on 2026-11-22",
    ]
    assert all("matched by hand" in line for line in paid_lines)


@pytest.mark.parametrize(
    ("payments", "states"),
    [
        ([("12100.00", "20260001")], {"2026-0001": "paid"}),
        ([("0.01", "20260001"), ("12099.99", "20260001")], {"2026-0001": "paid"}),
        ([("6050.00", "0020260001")], {"2026-0001": "partially_paid"}),
        ([("12099.50", "20260001")], {"2026-0001": "paid"}),
        ([("13000.00", "20260001")], {"2026-0001": "overpaid"}),
        ([("12100.00", "20260009")], {"2026-0001": "unpaid"}),
        ([("-12100.00", "20260001")], {"2026-0001": "unpaid"}),
        ([("5000.00", "20260002"), ("5000.00", "20260003")],
         {"2026-0002": "paid", "2026-0003": "paid"}),
    ],
    ids=["exact", "two parts", "padded partial", "rounding", "overpaid", "wrong symbol",
         "outgoing", "two invoices"],
)  # fmt: skip
def test_invoices_shows_the_payment_state(
    shop: Shop, payments: list[tuple[str, str]], states: dict[str, str]
) -> None:
    for n, (amount, symbol) in enumerate(payments):
        shop.pay(f"t{n}", amount, vs=symbol)

    shop.ok("match")

    expected = {"2026-0001": "unpaid", "2026-0002": "unpaid", "2026-0003": "unpaid"} | states
    assert shop.states() == expected
    listing = shop.ok("invoices")
    shown = sum(1 for line in listing.splitlines() if "variable symbol agrees" in line)
    numbers = {"20260001", "20260002", "20260003"}
    assert shown == sum(1 for a, s in payments if a[0] != "-" and s.lstrip("0") in numbers)


def test_cli_matches_are_audited_as_cli(shop: Shop) -> None:
    shop.pay("t1", "12100.00", vs="20260001")

    shop.ok("match")

    (payment,) = shop.lg.invoices.payments(shop.a.id)
    (event,) = shop.lg.audit.list(entity="payments", entity_id=payment.id)
    assert (event.source, event.run_id) == ("cli", None)
    assert event.after is not None
    assert '"variable_symbol": true' in event.after["evidence"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("review", "accept", "999999"), "suggestion 999999 does not exist"),
        (("review", "reject", "999999"), "suggestion 999999 does not exist"),
        (("review", "accept", "{accepted}"), "is already accepted"),
        (("unmatch", "{unmatched}"), "is not matched to any invoice"),
        (("unmatch", "999999"), "transaction 999999 does not exist"),
        (("match-manual", "{unmatched}", "2099-0001"), "no invoice is numbered '2099-0001'"),
        (("match-manual", "{expense}", "2026-0001"), "only incoming payments"),
        (("match-manual", "{unmatched}", "2026-0001", "--amount", "10"), "at most 1.00"),
        (("match-manual", "{unmatched}", "2026-0001", "--amount", "abc"), "amount"),
        (("match-manual", "{unmatched}", "2026-0001", "--amount", "1,000"), "is ambiguous"),
        (
            ("match-manual", "{unmatched}", "2026-0001", "--amount", "1,000"),
            "write it as '1500.50'",
        ),
        (("match-manual", "{unmatched}", "2026-0001", "--amount", "0.001"), "decimal places"),
        (("match-manual", "{unmatched}", "2026-0001", "--amount", "1e0"), "no exponents"),
    ],
)
def test_errors_are_one_line(shop: Shop, args: tuple[str, ...], fragment: str) -> None:
    unmatched = shop.pay("small", "1.00")
    expense = shop.pay("rent", "-4900.00")
    shop.pay("t2", "5000.00")
    shop.lg.match()
    accepted = shop.lg.matching.queue()[0].id
    shop.lg.matching.accept(accepted)
    events = len(shop.lg.audit.list())
    ids = {"accepted": accepted, "unmatched": unmatched.id, "expense": expense.id}

    result = shop.run(*(arg.format(**ids) for arg in args))

    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert len(shop.lg.audit.list()) == events, "a refused command writes nothing"


def test_an_unknown_invoice_status_is_refused(shop: Shop) -> None:
    result = shop.run("invoices", "--status", "payed")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: status: no invoice is 'payed'; use one of draft, issued, cancelled"
    )
