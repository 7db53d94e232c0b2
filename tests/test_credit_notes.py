"""Credit notes (opravné daňové doklady): issued against an invoice in full or for chosen
lines, in their own gapless series, settling the invoice they correct; cancelling an
issued invoice issues one; a draft is deleted. Read back from the PDF and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from document_helpers import SUPPLIER, pdf_text, read_pdf
from helpers import row_counts, snapshot
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.core.models import Client, Invoice
from ledger.errors import Conflict, InvalidInput, NotFound

NBSP = "\u00a0"


@pytest.fixture
def payer(lg: Ledger) -> Ledger:
    lg.settings.update(**SUPPLIER, vat_payer=True, default_vat_rate="21")
    return lg


def _client(lg: Ledger, name: str = "Ďáblice s.r.o.") -> Client:
    return lg.clients.add(name=name, currency="CZK", language="cs", hourly_rate="1000")


def _invoice(lg: Ledger, client: Client, issue_date: str = "2026-11-20") -> Invoice:
    """An issued invoice of two lines at 21 % and 12 %: 12,100 + 2,240 = 14,340 CZK."""
    project = lg.projects.add(client, name=f"Web {issue_date}")
    lg.entries.add(project, date="2026-11-02", minutes=600, description="Vývoj")
    lg.entries.add(project, date="2026-11-09", minutes=120, description="Školení")
    draft = lg.invoices.draft(client, grouping="entry")
    draft = lg.invoices.update_line(draft, draft.lines[1].id, vat_rate="12")
    return lg.invoices.issue(draft, issue_date=issue_date)


def test_a_credit_note_for_one_line_settles_part_of_the_invoice(payer: Ledger) -> None:
    invoice = _invoice(payer, _client(payer))
    training = invoice.lines[1]
    note = payer.invoices.credit(
        invoice, reason="Školení se nekonalo", lines=[training.id], issue_date="2026-11-25"
    )
    assert (note.kind, note.number, note.corrects, note.reason) == (
        "credit_note", "D2026-0001", invoice.number, "Školení se nekonalo",
    )  # fmt: skip
    assert note.variable_symbol is None  # nothing is paid to a credit note
    assert [(line.description, line.quantity, line.amount) for line in note.lines] == [
        ("Školení", Decimal("-2"), Decimal("-2000.00"))
    ]
    assert [(r.rate, r.base, r.vat, r.total) for r in note.vat_summary] == [
        (Decimal("12"), Decimal("-2000.00"), Decimal("-240.00"), Decimal("-2240.00"))
    ]
    assert (note.total, note.balance, note.payment_state) == (
        Decimal("-2240.00"),
        Decimal("0.00"),
        None,
    )

    after = payer.invoices.get(invoice)
    assert after.credit_notes == ["D2026-0001"]
    assert [line.credited for line in after.lines] == [False, True]
    assert (after.paid, after.credited, after.balance) == (
        Decimal("0"),
        Decimal("2240.00"),
        Decimal("12100.00"),
    )
    assert after.payment_state == "partially_paid"
    with pytest.raises(Conflict, match="credited already"):
        payer.invoices.credit(invoice, reason="again", lines=[training.id])

    payer.invoices.record_payment(invoice, "12100", "2026-11-30")
    assert payer.invoices.get(invoice).payment_state == "paid"
    totals = payer.invoices.totals()
    assert [(t.invoices, t.total, t.paid, t.outstanding) for t in totals] == [
        (
            2,
            Decimal("12100.00"),
            Decimal("12100.00"),
            Decimal("0.00"),
        )  # 14,340 invoiced − 2,240 credited
    ]


def test_credit_notes_have_their_own_gapless_series(payer: Ledger) -> None:
    client = _client(payer)
    first, second = _invoice(payer, client, "2026-11-20"), _invoice(payer, client, "2026-11-21")
    one = payer.invoices.credit(first, reason="Sleva", issue_date="2026-11-22")
    two = payer.invoices.credit(second, reason="Sleva", issue_date="2026-11-23")
    assert (one.number, two.number) == ("D2026-0001", "D2026-0002")
    third = _invoice(payer, client, "2026-11-24")
    assert third.number == "2026-0003"  # the invoices' series is untouched
    with pytest.raises(InvalidInput, match="D2026-0002 of the same number series"):
        payer.invoices.credit(third, reason="Sleva", issue_date="2026-11-22")

    payer.settings.update(credit_note_pattern="OD{yy}{seq:03d}")
    assert payer.invoices.credit(third, reason="Sleva", issue_date="2026-11-24").number == (
        "OD26001"
    )


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("{year}-{seq:04d}", "series of their own"), ("D{year}", "must contain {seq}")],
)
def test_the_credit_note_pattern_is_checked(lg: Ledger, pattern: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as raised:
        lg.settings.update(credit_note_pattern=pattern)
    assert raised.value.field == "credit_note_pattern"
    assert lg.settings.get().credit_note_pattern == "D{year}-{seq:04d}"


@pytest.mark.parametrize(
    ("reason", "lines", "error", "problem"),
    [
        ("  ", None, InvalidInput, "say why"),
        ("x" * 501, None, InvalidInput, "at most 500"),
        ("Sleva", [], InvalidInput, "at least one line"),
        ("Sleva", [999999], InvalidInput, "is not on invoice"),
    ],
)
def test_a_wrong_credit_note_is_refused_and_writes_nothing(
    payer: Ledger, reason: str, lines: list[int] | None, error: type[Exception], problem: str
) -> None:
    invoice = _invoice(payer, _client(payer))
    before = snapshot(payer)
    with pytest.raises(error, match=problem):
        payer.invoices.credit(invoice, reason=reason, lines=lines)
    assert snapshot(payer) == before


def test_only_issued_invoices_take_credit_notes(payer: Ledger) -> None:
    client = _client(payer)
    invoice = _invoice(payer, client)
    note = payer.invoices.credit(invoice, reason="Sleva")
    with pytest.raises(Conflict, match="is a credit note; credit the invoice it corrects"):
        payer.invoices.credit(note, reason="Sleva")
    payer.entries.add(payer.projects.add(client, name="Další"), date="2026-11-03", minutes=60)
    draft = payer.invoices.draft(client)
    with pytest.raises(Conflict, match="a draft is deleted instead"):
        payer.invoices.credit(draft, reason="Sleva")


def test_a_credit_note_takes_no_payments_and_its_settlement_stays(payer: Ledger) -> None:
    invoice = _invoice(payer, _client(payer))
    note = payer.invoices.credit(invoice, reason="Sleva", lines=[invoice.lines[1].id])
    with pytest.raises(Conflict, match="is a credit note and takes no payments"):
        payer.invoices.record_payment(note, "100", "2026-11-30")
    (settlement,) = payer.invoices.payments(invoice)
    assert (settlement.method, settlement.amount, settlement.note) == (
        "credit", Decimal("2240.00"), "D2026-0001",
    )  # fmt: skip
    with pytest.raises(Conflict, match="cannot be removed"):
        payer.invoices.remove_payment(settlement.id)


def test_cancelling_an_issued_invoice_credits_what_is_left(payer: Ledger) -> None:
    client = _client(payer)
    invoice = _invoice(payer, client)
    payer.invoices.credit(invoice, reason="Sleva", lines=[invoice.lines[0].id])
    cancelled = payer.invoices.cancel(invoice)
    assert cancelled.credit_notes == ["D2026-0001", "D2026-0002"]
    assert (cancelled.payment_state, cancelled.balance) == ("credited", Decimal("0.00"))
    last = payer.invoices.get("D2026-0002")
    assert (last.reason, last.total) == ("Storno faktury", Decimal("-2240.00"))  # Czech invoice
    assert payer.reports.unbilled()[0].entries == 2  # the work can be billed again
    with pytest.raises(Conflict, match="cancelled by credit note D2026-0001, D2026-0002"):
        payer.invoices.record_payment(invoice, "1", "2026-11-30")


def test_an_invoice_with_money_received_is_credited_not_cancelled(payer: Ledger) -> None:
    invoice = _invoice(payer, _client(payer))
    payer.invoices.record_payment(invoice, "14340", "2026-11-25")
    with pytest.raises(Conflict, match="has payments"):
        payer.invoices.cancel(invoice)
    payer.invoices.credit(invoice, reason="Vrácení peněz")  # the refund is owed
    after = payer.invoices.get(invoice)
    assert (after.paid, after.credited, after.balance) == (
        Decimal("14340.00"), Decimal("14340.00"), Decimal("-14340.00"),
    )  # fmt: skip
    assert after.payment_state == "overpaid"


def test_a_draft_is_deleted_and_its_work_unbilled(payer: Ledger) -> None:
    client = _client(payer)
    payer.entries.add(payer.projects.add(client, name="Web"), date="2026-11-03", minutes=60)
    counts = row_counts(payer)
    draft = payer.invoices.draft(client)
    payer.invoices.delete(draft)
    after = row_counts(payer)
    assert after.pop("audit_events") > counts.pop("audit_events")  # the deletion is audited
    assert after == counts
    assert payer.reports.unbilled()[0].entries == 1
    with pytest.raises(NotFound):
        payer.invoices.get(draft.id)
    invoice = payer.invoices.issue(payer.invoices.draft(client))
    with pytest.raises(Conflict, match="cannot be edited"):
        payer.invoices.delete(invoice)
    assert invoice.number == "2026-0001"


def test_the_credit_note_pdf_reads_back(payer: Ledger) -> None:
    invoice = _invoice(payer, _client(payer))
    note = payer.invoices.credit(
        invoice,
        reason="Školení se nekonalo",
        lines=[invoice.lines[1].id],
        issue_date=dt.date(2026, 11, 25),
    )
    pdf = payer.documents.invoice_pdf(note)
    text = pdf_text(pdf)
    for expected in (
        "Opravný daňový doklad D2026-0001",
        f"Opravuje fakturu {invoice.number}",
        "Důvod opravy Školení se nekonalo",
        "Datum zdanitelného plnění 25. 11. 2026",
        f"Celkem opravy -2{NBSP}240,00{NBSP}Kč",
        f"12{NBSP}% -2{NBSP}000,00{NBSP}Kč -240,00{NBSP}Kč",
    ):
        assert expected in text, expected
    assert "Variabilní symbol" not in text
    assert "Částka k úhradě" not in text
    assert len(read_pdf(pdf).pages[0].images) == 0  # no payment QR code
    assert payer.documents.file_name(note) == "dobropis-d2026-0001.pdf"

    original = pdf_text(payer.documents.invoice_pdf(invoice))
    assert "Opraveno dokladem D2026-0001." in original
    assert f"Opraveno dobropisy 2{NBSP}240,00{NBSP}Kč" in original
    assert f"Zbývá uhradit 12{NBSP}100,00{NBSP}Kč" in original


def test_the_cli_credits_cancels_and_deletes(payer: Ledger, database_url: str) -> None:
    client = _client(payer, "Acme")
    invoice = _invoice(payer, client)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "--database", database_url])
        assert result.exit_code == 0, result.output
        return result.stdout

    line = str(invoice.lines[1].id)
    out = run("invoice", "credit", str(invoice.number), "--reason", "Sleva", "--line", line)
    assert out == "credit note D2026-0001 issued for 2026-0001: total -2240.00 CZK\n"
    shown = run("invoice", "show", "D2026-0001")
    assert "credit note D2026-0001 · Acme" in shown
    assert "corrects invoice 2026-0001: Sleva" in shown
    out = run("invoice", "cancel", str(invoice.number))
    assert out == "invoice 2026-0001 cancelled by credit note D2026-0002\n"
    assert "credited 14340.00 CZK" in run("invoice", "show", str(invoice.number))

    failed = runner.invoke(app, ["invoice", "credit", "2026-0001", "--database", database_url])
    assert failed.exit_code != 0
    assert "--reason" in failed.output

    payer.entries.add(payer.projects.add(client, name="Další"), date="2026-11-03", minutes=60)
    draft = payer.invoices.draft(client)
    assert run("invoice", "delete", str(draft.id)) == f"draft {draft.id} deleted\n"
    refused = runner.invoke(app, ["invoice", "delete", "2026-0001", "--database", database_url])
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        "error: invoice 2026-0001 is issued and cannot be edited; cancel it and draft a new one"
    ]
