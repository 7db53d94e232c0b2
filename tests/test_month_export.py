"""``ledger month-export``: the accountant's zip read back — every numbered document of
the month as PDF and ISDOC, the document list and the VAT summary per currency and rate."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from document_helpers import CNB_RATES, set_up_supplier
from einvoice_helpers import credit_note, parse, text
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.core.models import Invoice
from ledger.errors import InvalidInput, NotFound


def work_invoice(
    lg: Ledger, name: str, currency: str, issue_date: str, rates: tuple[str, ...] = ("21",)
) -> Invoice:
    """An issued invoice for a new client: 10 h at 1000 at the first rate, and a
    3-piece line at 100 for each further rate."""
    client = lg.clients.add(name=name, currency=currency, hourly_rate="1000",
                            address="Dlouhá 1\n110 00 Praha 1")  # fmt: skip
    project = lg.projects.add(client, name="Work")
    lg.entries.add(project, date="2026-10-01", minutes=600, description="Práce")
    draft = lg.invoices.draft(client, vat_rate=rates[0])
    for rate in rates[1:]:
        draft = lg.invoices.add_line(draft, "Kus", "3", "100", vat_rate=rate)
    return lg.invoices.issue(draft, issue_date=issue_date)


@pytest.fixture
def month(lg: Ledger) -> dict[str, Invoice]:
    """October: one invoice. November: CZK at 21 % + 12 %, EUR at 21 %, a credit note
    for the EUR one, a CZK one cancelled (by a credit note of its own)."""
    set_up_supplier(lg, vat_payer=True)
    lg.exchange_rates.set("EUR", "2026-10-01", CNB_RATES["EUR"])
    found = {"october": work_invoice(lg, "Říjen s.r.o.", "CZK", "2026-10-20")}
    found["czk"] = work_invoice(lg, "Ďáblice s.r.o.", "CZK", "2026-11-02", ("21", "12"))
    found["eur"] = work_invoice(lg, "Globex GmbH", "EUR", "2026-11-05")
    found["credit"] = credit_note(lg, found["eur"], reason="Discount")
    cancelled = work_invoice(lg, "Storno a.s.", "CZK", "2026-11-06")
    found["cancelled"] = lg.invoices.cancel(cancelled, issue_date="2026-11-06")
    found["storno"] = lg.invoices.get(found["cancelled"].credit_notes[0])
    return found


def read_zip(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return {name: opened.read(name) for name in opened.namelist()}


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_zip_holds_every_document_of_the_month_as_pdf_and_isdoc(
    lg: Ledger, month: dict[str, Invoice]
) -> None:
    files = read_zip(lg.documents.month_export(2026, 11))
    numbers = [month[k].number for k in ("czk", "eur", "cancelled", "storno", "credit")]
    assert all(numbers)
    pdfs = sorted(name for name in files if name.endswith(".pdf"))
    assert len(pdfs) == 5
    for number in numbers:
        assert number is not None
        assert any(name.endswith(f"-{number.lower()}.pdf") for name in pdfs), number
    october = f"-{month['october'].number}.pdf"
    assert not any(name.endswith(october) for name in files)
    for name in pdfs:
        assert PdfReader(io.BytesIO(files[name])).pages
    isdocs = sorted(name for name in files if name.endswith(".isdoc"))
    assert len(isdocs) == 5
    read = {text(parse(files[name]), "i:ID"): parse(files[name]) for name in isdocs}
    assert set(read) == set(numbers)
    assert text(read[str(month["credit"].number)], "i:DocumentType") == "2"
    assert {name for name in files if name.endswith(".csv")} == {
        "documents.csv",
        "vat-summary.csv",
    }


def test_the_document_list_names_each_document_and_its_files(
    lg: Ledger, month: dict[str, Invoice]
) -> None:
    files = read_zip(lg.documents.month_export(2026, 11))
    rows = {row["number"]: row for row in read_csv(files["documents.csv"])}
    credit, storno = month["credit"], month["storno"]
    assert rows[str(credit.number)]["kind"] == "credit_note"
    assert rows[str(credit.number)]["corrects"] == month["eur"].number
    assert rows[str(credit.number)]["total"] == str(credit.total)
    assert rows[str(storno.number)]["corrects"] == month["cancelled"].number
    assert rows[str(storno.number)]["isdoc"] in files
    czk = rows[str(month["czk"].number)]
    assert (czk["client"], czk["currency"], czk["issue_date"]) == (
        "Ďáblice s.r.o.",
        "CZK",
        "2026-11-02",
    )
    assert czk["pdf"] in files
    assert czk["isdoc"] in files


def test_the_vat_summary_adds_up_per_currency_and_rate(
    lg: Ledger, month: dict[str, Invoice]
) -> None:
    files = read_zip(lg.documents.month_export(2026, 11))
    summary = [
        (r["currency"], r["vat_rate"], r["documents"], r["base"], r["vat"], r["total"])
        for r in read_csv(files["vat-summary.csv"])
    ]
    # CZK: 10 h × 1000 at 21 %, 3 × 100 at 12 %; the cancelled invoice and its credit
    # note cancel out. EUR: the invoice and its full credit note cancel out.
    assert summary == [
        ("CZK", "21", "3", "10000.00", "2100.00", "12100.00"),
        ("CZK", "12", "1", "300.00", "36.00", "336.00"),
        ("EUR", "21", "2", "0.00", "0.00", "0.00"),
    ]


def test_a_month_without_documents_or_a_wrong_month_is_refused(
    lg: Ledger, month: dict[str, Invoice]
) -> None:
    with pytest.raises(NotFound, match="2026-12"):
        lg.documents.month_export(2026, 12)
    with pytest.raises(InvalidInput):
        lg.documents.month_export(2026, 13)


def test_the_cli_writes_the_zip(
    lg: Ledger,
    month: dict[str, Invoice],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["month-export", "2026-11", "--database", database_url])
    assert result.exit_code == 0, result.output
    written = tmp_path / "documents-2026-11.zip"
    assert f"{written.name} written" in result.output
    assert "vat-summary.csv" in read_zip(written.read_bytes())
    target = tmp_path / "out.zip"
    named = runner.invoke(
        app, ["month-export", "2026-11", "-o", str(target), "--database", database_url]
    )
    assert named.exit_code == 0
    assert read_zip(target.read_bytes()).keys() == read_zip(written.read_bytes()).keys()
    for bad, message in (("2026-13", "month"), ("November", "YYYY-MM"), ("2026-12", "2026-12")):
        refused = runner.invoke(app, ["month-export", bad, "--database", database_url])
        assert refused.exit_code != 0
        assert message in refused.output
        assert "Traceback" not in refused.output
