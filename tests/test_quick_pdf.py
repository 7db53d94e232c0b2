"""``ledger invoice pdf`` answered before the full command line loads
(`ledger.cli.quick_pdf`), and the invoice sheet every PDF is made from
(`ledger.core.invoice_sheet`).

On every kind of document (a CZK invoice partly paid, with two VAT rates and a QR
Platba; a VAT payer's euro invoice converted to CZK at the ČNB rate; a reverse charge;
an invoice a credit note corrected, and the credit note; a cancelled one and its
credit note) the sheet
states what the public `Invoice` does, and the quick PDF is byte for byte the one
`lg.documents` makes. Every other command line is left to the full one.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing, redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import ledger
from document_helpers import SUPPLIER, pdf_text
from ledger.api import Ledger
from ledger.cli.quick_pdf import quick_invoice_pdf
from support import FakeClock


def every_kind_of_document(lg: Ledger) -> list[str]:
    """The numbers of documents of every kind a PDF shows differently."""
    lg.settings.update(**SUPPLIER, vat_payer=True, default_vat_rate="21")
    lg.bank_accounts.add("CZK", account_number="19-2000145399/0800")
    lg.bank_accounts.add("EUR", iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX")
    lg.exchange_rates.set("EUR", "2026-11-06", "24.290")
    acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", language="cs", hourly_rate="1200")
    lumen = lg.clients.add(name="Studio Lumen", currency="EUR", hourly_rate="100")
    nord = lg.clients.add(
        name="Nordwind GmbH", currency="EUR", vat_id="DE123456789", hourly_rate="90"
    )
    web = lg.projects.add(acme, name="Web")
    for day, minutes, text in (("2026-11-02", 600, "Vývoj"), ("2026-11-03", 90, "Školení")):
        lg.entries.add(web, date=day, minutes=minutes, description=text)
    draft = lg.invoices.draft(acme, grouping="entry")
    draft = lg.invoices.update_line(draft, draft.lines[1].id, vat_rate="12")
    partly = lg.invoices.issue(draft)
    lg.invoices.record_payment(partly, "5000", "2026-11-20")
    lg.entries.add(lg.projects.add(lumen, name="Design"), date="2026-11-04", minutes=300)
    euro = lg.invoices.update(lg.invoices.draft(lumen), taxable_supply_date="2026-11-08")
    euro = lg.invoices.issue(euro)
    lg.entries.add(lg.projects.add(nord, name="Data"), date="2026-11-05", minutes=240)
    reverse = lg.invoices.update(lg.invoices.draft(nord), taxable_supply_date="2026-11-06")
    reverse = lg.invoices.issue(reverse)
    lg.entries.add(web, date="2026-11-09", minutes=120, description="Opravy")
    lg.entries.add(web, date="2026-11-09", amount="990", description="Hosting")
    corrected = lg.invoices.issue(lg.invoices.draft(acme, grouping="entry"))
    hosting = corrected.lines[-1].id
    credit = lg.invoices.credit(corrected, reason="hosting dropped", lines=[hosting])
    lg.entries.add(web, date="2026-11-10", minutes=60)
    cancelled = lg.invoices.cancel(lg.invoices.issue(lg.invoices.draft(acme)), reason="twice")
    documents = (partly, euro, reverse, corrected, credit, cancelled)
    numbers = [document.number for document in documents if document.number]
    return [*numbers, *cancelled.credit_notes]


def same_facts(sheet: Any, public: Any, where: str) -> None:
    """Every field of the sheet's record `sheet` equals `public`'s field of that name."""
    if isinstance(sheet, tuple) and hasattr(sheet, "_fields"):
        for name in sheet._fields:
            same_facts(getattr(sheet, name), getattr(public, name), f"{where}.{name}")
    elif isinstance(sheet, list):
        assert isinstance(public, Sequence), where
        for index, (mine, theirs) in enumerate(zip(sheet, public, strict=True)):
            same_facts(mine, theirs, f"{where}[{index}]")
    else:
        assert sheet == public, where


def test_the_sheet_states_what_the_public_invoice_does(lg: Ledger) -> None:
    numbers = every_kind_of_document(lg)
    kinds = set()
    for number in numbers:
        public = lg.invoices.get(number)
        document = lg.documents.document(number)
        same_facts(document.invoice, public, number)
        same_facts(document.client, lg.clients.get(public.client_id), f"{number} client")
        same_facts(document.supplier, lg.settings.get(), f"{number} supplier")
        same_facts(document.account, lg.bank_accounts.for_currency(public.currency), number)
        kinds |= {public.kind, public.status, public.vat_mode, public.payment_state or ""}
        kinds |= {"czk"} if public.czk and public.czk.vat_summary else set()
    # The ledger holds what the comparison is meant to cover.
    assert kinds >= {"credit_note", "credited", "reverse_charge", "partially_paid", "czk"}
    partly = lg.documents.document(numbers[0])
    assert (partly.invoice.paid, len(partly.invoice.vat_summary)) == (Decimal("5000.00"), 2)
    assert partly.payment_code is not None
    assert partly.payment_code.standard == "SPAYD"


@pytest.fixture
def sqlite_file(tmp_path: Path, sqlite_template: Path, clock: FakeClock) -> tuple[Path, list[str]]:
    """A SQLite ledger file with every kind of document, and their numbers."""
    path = tmp_path / "books" / "ledger.db"
    path.parent.mkdir()
    shutil.copy(sqlite_template, path)
    with closing(ledger.open(path, clock=clock)) as lg:
        return path, every_kind_of_document(lg)


def quick(*args: str) -> str | None:
    """What the quick path printed for ``ledger ARGS``, None when it left the command to
    the full command line (having printed nothing)."""
    with redirect_stdout(io.StringIO()) as printed:
        answered = quick_invoice_pdf(list(args))
    assert answered or printed.getvalue() == ""
    return printed.getvalue() if answered else None


def test_the_quick_pdf_is_the_one_lg_documents_makes(
    sqlite_file: tuple[Path, list[str]], tmp_path: Path
) -> None:
    path, numbers = sqlite_file
    with closing(ledger.open(path)) as lg:
        expected = {number: lg.documents.invoice_pdf(number) for number in numbers}
    for number in numbers:
        output = tmp_path / f"{number}.pdf"
        printed = quick("invoice", "pdf", number, "-o", str(output), "--database", str(path))
        assert printed == f"{output} written ({len(expected[number]):,} bytes)\n"
        assert output.read_bytes() == expected[number], number
    text = pdf_text((tmp_path / f"{numbers[1]}.pdf").read_bytes())
    assert "ČNB rate of 6 Nov 2026: 1 EUR = 24.290 CZK" in text


def test_every_way_of_naming_the_file_and_the_output(
    sqlite_file: tuple[Path, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    path, numbers = sqlite_file
    number = numbers[0]
    monkeypatch.chdir(tmp_path)
    assert quick("invoice", "pdf", number, "-d", f"sqlite:///{path}") == (
        f"faktura-{number}.pdf written ({(tmp_path / f'faktura-{number}.pdf').stat().st_size:,}"
        " bytes)\n"
    )
    pdf = (tmp_path / f"faktura-{number}.pdf").read_bytes()
    assert quick("invoice", "pdf", f"--output={tmp_path / 'a.pdf'}", number, f"--database={path}")
    assert (tmp_path / "a.pdf").read_bytes() == pdf
    monkeypatch.setenv("LEDGER_DATA_DIR", str(path.parent))
    capsysbinary.readouterr()
    assert quick_invoice_pdf(["invoice", "pdf", number, "-o", "-"])
    assert capsysbinary.readouterr().out == pdf


@pytest.mark.parametrize(
    "args",
    [
        ["invoice", "pdf"],
        ["invoice", "pdf", "N", "--facturx"],
        ["invoice", "pdf", "N", "--help"],
        ["invoice", "pdf", "N", "N"],
        ["invoice", "pdf", "N", "-o"],
        ["invoice", "pdf", "N", "-o", "a.pdf", "--output", "b.pdf"],
        ["invoice", "pdf", "N", "-x", "a.pdf"],
        ["invoice", "pdf", "1"],
        ["invoice", "pdf", "2099-0001"],
        ["invoice", "show", "N"],
        ["invoice", "isdoc", "N"],
    ],
)
def test_any_other_command_line_goes_to_the_full_one(
    sqlite_file: tuple[Path, list[str]], tmp_path: Path, args: list[str]
) -> None:
    path, numbers = sqlite_file
    line = [numbers[0] if arg == "N" else arg for arg in args]
    assert quick(*line, "--database", str(path)) is None
    assert sorted(tmp_path.iterdir()) == [path.parent]  # nothing written


def test_what_opening_or_writing_would_refuse_is_left_to_the_full_command(
    sqlite_file: tuple[Path, list[str]], tmp_path: Path
) -> None:
    path, numbers = sqlite_file
    line = ["invoice", "pdf", numbers[0]]
    assert quick(*line, "-o", str(tmp_path / "missing" / "a.pdf"), "-d", str(path)) is None
    assert quick(*line, "-d", "postgresql+psycopg://u@127.0.0.1/x") is None
    assert quick(*line, "-d", str(tmp_path / "missing.db")) is None
    with sqlite3.connect(path) as db:  # an older schema: the full start migrates it first
        db.execute("UPDATE alembic_version SET version_num = '0016'")
    assert quick(*line, "-o", str(tmp_path / "a.pdf"), "-d", str(path)) is None
    assert not (tmp_path / "a.pdf").exists()
