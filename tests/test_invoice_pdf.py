"""Invoice PDFs read back with pypdf: content, language, formats, metadata, fonts, the QR
code, hostile notes, merged months, download names and the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from typer.testing import CliRunner

import ledger
from document_helpers import (
    CZECH_SAMPLE,
    decode_image,
    issued_invoice,
    pdf_text,
    read_pdf,
    set_up_supplier,
)
from ledger.api import Ledger
from ledger.cli.app import app
from ledger.documents.pdf import (
    FetchRefused,
    Formats,
    asset_fetcher,
    safe_file_name,
)
from ledger.errors import ConfigurationError, InvalidInput, NotFound

NBSP = "\u00a0"
CZECH_LABELS = [
    "Faktura",
    "daňový doklad",
    "Dodavatel",
    "Odběratel",
    "IČO",
    "DIČ",
    "Datum vystavení",
    "Datum splatnosti",
    "Datum zdanitelného plnění",
    "Variabilní symbol",
    "Celkem k úhradě",
    "Platební údaje",
    "QR Platba",
]
ENGLISH_LABELS = [
    "Invoice",
    "Supplier",
    "Customer",
    "Company ID",
    "VAT ID",
    "Issue date",
    "Due date",
    "Variable symbol",
    "Total due",
    "Payment details",
    "SEPA QR payment",
]
HOSTILE_NOTES = [
    '<img src="file:///etc/passwd">',
    '<a rel="attachment" href="file:///etc/hostname">hostname</a>',
    '<img src="http://127.0.0.1:9/pixel.png"> see http://127.0.0.1:8000/admin',
    '<p style="background: url(/dev/urandom)">x</p> url(/dev/urandom)',
    "<style>@import url(file:///etc/passwd); html { background: url(/dev/urandom) }</style>",
    '<link rel="stylesheet" href="file:///etc/passwd"><object data="file:///etc/passwd">',
    '<svg><image href="file:///etc/passwd"/></svg><iframe src="file:///etc/hostname">',
    "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} ${7*7}",
]


@pytest.fixture
def supplier(lg: Ledger) -> Ledger:
    """A supplier registered for VAT at 21 %."""
    set_up_supplier(lg, vat_payer=True)
    return lg


def _host_secrets() -> list[str]:
    """Text of the host files the hostile notes point at, when the machine has them."""
    found = []
    for name in ("/etc/passwd", "/etc/hostname"):
        path = Path(name)
        if path.exists():
            found += [line for line in path.read_text().splitlines() if len(line) >= 4]
    return found


def _attachments(reader: PdfReader) -> list[str]:
    names = cast(DictionaryObject, reader.trailer["/Root"]).get("/Names", {})
    annotations = [
        cast(DictionaryObject, annotation.get_object()).get("/Subtype")
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]
    return [*reader.attachments, *(["/EmbeddedFiles"] if "/EmbeddedFiles" in names else [])] + [
        str(subtype) for subtype in annotations if subtype == "/FileAttachment"
    ]


# --- content -------------------------------------------------------------------------------


def test_a_czech_invoice_reads_back_right(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, vat_rate="21")
    pdf = supplier.documents.invoice_pdf(invoice)
    reader = read_pdf(pdf)
    assert len(reader.pages) == 1
    assert reader.metadata is not None
    assert reader.metadata.title == f"Faktura {invoice.number}"
    assert reader.metadata.author == "Jana Nováková"
    text = pdf_text(pdf)
    for label in CZECH_LABELS:
        assert label in text, label
    assert invoice.number is not None
    assert invoice.variable_symbol is not None
    assert invoice.number in text
    assert invoice.variable_symbol in text
    assert invoice.total == Decimal("14641.00")
    for amount in ("12 100,00 Kč", "2 541,00 Kč", "14 641,00 Kč", "1 210,00 Kč"):
        assert amount.replace(" ", NBSP) in text, amount
    summary = "Sazba DPH Základ daně DPH Celkem\n21 % 12 100,00 Kč 2 541,00 Kč 14 641,00 Kč"
    assert summary in text.replace(NBSP, " ")
    assert "20. 11. 2026" in text  # issued
    assert "4. 12. 2026" in text  # due after the client's 14 days
    assert f"10{NBSP}hod" in text
    for name in (CZECH_SAMPLE, "Ďáblice s.r.o.", "Jana Nováková", "Kubelíkova 1224/42"):
        assert name in text, name
    assert "CZ65 0800 0000 1920 0014 5399" in text
    assert "2001234567/2010" in text


def test_an_english_invoice_uses_english_labels_and_formats(supplier: Ledger) -> None:
    invoice = issued_invoice(
        supplier, currency="EUR", language="en", name="Nordwind GmbH", rate="85.5"
    )
    pdf = supplier.documents.invoice_pdf(invoice)
    reader = read_pdf(pdf)
    assert len(reader.pages) == 1
    assert reader.metadata is not None
    assert reader.metadata.title == f"Invoice {invoice.number}"
    text = pdf_text(pdf)
    for label in ENGLISH_LABELS:
        assert label in text, label
    assert "€855.00" in text
    assert "20 Nov 2026" in text
    for czech in ("Faktura", "Dodavatel", "Celkem k úhradě", "Kč"):
        assert czech not in text
    assert "not registered for VAT" not in text  # the supplier has a VAT ID


def test_the_fonts_are_the_bundled_ones_embedded(supplier: Ledger) -> None:
    reader = read_pdf(supplier.documents.invoice_pdf(issued_invoice(supplier)))
    resources = cast(Any, reader.pages[0]["/Resources"])
    fonts = [font.get_object() for font in resources["/Font"].values()]
    assert fonts
    for font in fonts:
        assert str(font["/BaseFont"]).split("+")[-1] in ("Ledger-Sans", "Ledger-Sans-Bold")
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded TrueType (a subset)


def test_the_pdf_carries_the_payment_qr_code(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier)
    code = supplier.documents.payment_code(invoice)
    assert code is not None
    images = read_pdf(supplier.documents.invoice_pdf(invoice)).pages[0].images
    assert len(images) == 1
    assert images[0].image is not None
    raw, level = decode_image(images[0].image)
    assert raw.decode(code.encoding) == code.payload
    assert level == "M"


def test_a_currency_without_a_qr_standard_has_no_code_on_the_pdf(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier, currency="USD", language="en", name="Globex", rate="90")
    pdf = supplier.documents.invoice_pdf(invoice)
    assert len(read_pdf(pdf).pages[0].images) == 0
    text = pdf_text(pdf)
    assert "US$900.00" in text
    assert "QR" not in text


def test_a_partly_paid_invoice_shows_the_balance(supplier: Ledger) -> None:
    invoice = issued_invoice(supplier)  # 12,100 + 21 % VAT (the default rate)
    supplier.invoices.record_payment(invoice, "2100", "2026-11-21")
    text = pdf_text(supplier.documents.invoice_pdf(invoice))
    assert "Uhrazeno" in text
    assert "Zbývá uhradit" in text
    assert f"12{NBSP}541,00{NBSP}Kč" in text


def test_a_non_vat_payer_says_so(lg: Ledger) -> None:
    set_up_supplier(lg, supplier_vat_id="")
    text = pdf_text(lg.documents.invoice_pdf(issued_invoice(lg)))
    assert "Neplátce DPH" in text
    assert "daňový doklad" not in text
    assert "DIČ: CZ8001011234" not in text


def test_drafts_and_cancelled_invoices_are_marked_and_have_no_qr(supplier: Ledger) -> None:
    original = issued_invoice(supplier)
    cancelled = supplier.invoices.cancel(original)
    (credit_number,) = cancelled.credit_notes
    pdf = supplier.documents.invoice_pdf(cancelled)
    assert f"Opraveno dokladem {credit_number}." in pdf_text(pdf)
    assert len(read_pdf(pdf).pages[0].images) == 0  # nothing is left to pay

    draft = supplier.invoices.draft(cancelled.client_id)  # its work is unbilled again
    pdf = supplier.documents.invoice_pdf(draft)
    text = pdf_text(pdf)
    assert "Koncept – nejde o vystavený doklad." in text
    assert f"Faktura koncept {draft.id}" in text
    assert len(read_pdf(pdf).pages[0].images) == 0

    pdf = supplier.documents.invoice_pdf(supplier.invoices.cancel(draft))
    assert "Tato faktura byla stornována." in pdf_text(pdf)


def test_a_typical_invoice_is_one_page_and_a_long_one_flows_on(supplier: Ledger) -> None:
    client = supplier.clients.add(name="Acme", currency="CZK", language="cs", hourly_rate="1000")
    project = supplier.projects.add(client, name="Web")
    supplier.entries.add_many(
        project,
        [
            {"date": dt.date(2026, 11, day), "minutes": 90, "description": f"Úkol {day}"}
            for day in range(1, 13)
        ],
    )
    draft = supplier.invoices.draft(
        client, grouping="entry", vat_rate="21", notes="Děkujeme za spolupráci."
    )
    typical = supplier.invoices.issue(draft)
    assert len(read_pdf(supplier.documents.invoice_pdf(typical)).pages) == 1

    supplier.entries.add_many(
        project,
        [{"date": dt.date(2026, 12, 1), "minutes": 30, "description": f"Ř{n}"} for n in range(70)],
    )
    long = supplier.invoices.issue(supplier.invoices.draft(client, grouping="entry"))
    pdf = supplier.documents.invoice_pdf(long)
    assert len(read_pdf(pdf).pages) > 1
    text = pdf_text(pdf)
    assert "Ř0" in text
    assert "Ř69" in text
    assert "Celkem k úhradě" in text


# --- safety --------------------------------------------------------------------------------


def test_hostile_notes_print_as_text_and_fetch_nothing(supplier: Ledger) -> None:
    notes = "\n".join(HOSTILE_NOTES)
    invoice = issued_invoice(supplier, notes=notes)
    html = supplier.documents.invoice_html(invoice)
    assert '<img src="file:' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html

    pdf = supplier.documents.invoice_pdf(invoice)
    reader = read_pdf(pdf)
    assert _attachments(reader) == []
    assert len(reader.pages[0].images) == 1  # the QR code, nothing fetched
    text = pdf_text(pdf)
    assert "{{ 7*7 }}" in text
    assert "{% for x in range(3) %}loop{% endfor %}" in text
    assert "looploop" not in text
    assert '<img src="file:///etc/passwd">' in text
    assert "url(/dev/urandom)" in text
    for secret in _host_secrets():
        assert secret not in text


def test_hostile_text_in_client_and_line_fields_is_inert(supplier: Ledger) -> None:
    invoice = issued_invoice(
        supplier,
        name='Evil <img src="file:///etc/passwd"> {{ 7*7 }}',
        description='<a rel="attachment" href="file:///etc/hostname">x</a> {{ 6*7 }}',
    )
    pdf = supplier.documents.invoice_pdf(invoice)
    assert _attachments(read_pdf(pdf)) == []
    text = pdf_text(pdf)
    assert "{{ 7*7 }}" in text
    assert "{{ 6*7 }}" in text


def test_the_fetcher_alone_stops_markup_that_slipped_through(tmp_path: Path) -> None:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    target = tmp_path / "secret.txt"
    target.write_text("TOP-SECRET-HOST-TEXT")
    raw = (
        f'<img src="{target.as_uri()}"><a rel="attachment" href="{target.as_uri()}">a</a>'
        '<img src="http://127.0.0.1:9/x.png"><div style="background: url(/dev/urandom)">b</div>'
        f'<link rel="stylesheet" href="{target.as_uri()}">'
    )
    control = read_pdf(HTML(string=raw, url_fetcher=URLFetcher()).write_pdf())
    assert _attachments(control) != []  # the check below would see a leak

    guarded = read_pdf(HTML(string=raw, url_fetcher=asset_fetcher()).write_pdf())
    assert _attachments(guarded) == []
    assert len(guarded.pages[0].images) == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/",
        "https://example.com/font.ttf",
        "data:image/png;base64,iVBORw0KGgo=",
        "ledger-asset:fonts/../../../etc/passwd",
        "ledger-asset:qr.png",  # only when the render supplies one
        "/dev/urandom",
    ],
)
def test_the_fetcher_refuses_everything_but_bundled_assets(url: str) -> None:
    with pytest.raises((FetchRefused, ValueError)):
        asset_fetcher().fetch(url)


def test_the_fetcher_serves_the_bundled_fonts_and_given_images() -> None:
    fetcher = asset_fetcher({"ledger-asset:qr.png": b"\x89PNG"})
    assert fetcher.fetch("ledger-asset:qr.png").read() == b"\x89PNG"
    font = fetcher.fetch("ledger-asset:fonts/DejaVuSans.ttf").read()
    assert font[:4] == b"\x00\x01\x00\x00"


def test_documents_do_not_load_weasyprint_until_a_pdf_is_made(tmp_path: Path) -> None:
    code = (
        "import sys, ledger\n"
        "lg = ledger.open(sys.argv[1])\n"
        "lg.settings.update(supplier_name='J')\n"
        "lg.bank_accounts.add('CZK', account_number='2001234567/2010')\n"
        "c = lg.clients.add(name='A', currency='CZK', hourly_rate='100')\n"
        "p = lg.projects.add(c, name='P')\n"
        "lg.entries.add(p, date='2026-11-02', minutes=60)\n"
        "i = lg.invoices.issue(lg.invoices.draft(c))\n"
        "assert lg.documents.payment_qr(i) and lg.documents.file_name(i)\n"
        "lg.portal.resolve('x' * 43)\n"
        "print('weasyprint' in sys.modules, end=' ')\n"
        "lg.documents.invoice_pdf(i)\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "ledger.db")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


def test_a_missing_pdf_library_is_a_clear_error(
    supplier: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = issued_invoice(supplier)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it could not be loaded
    with pytest.raises(ConfigurationError, match="Pango"):
        supplier.documents.invoice_pdf(invoice)


# --- a month merged ------------------------------------------------------------------------


def test_a_months_invoices_merge_into_one_pdf(supplier: Ledger) -> None:
    issued_invoice(supplier, name="October", issue_date="2026-10-30")
    first = issued_invoice(supplier, name="Alfa", issue_date="2026-11-03")
    second = issued_invoice(supplier, currency="EUR", language="en", name="Beta", rate="80")
    third = supplier.invoices.cancel(issued_invoice(supplier, name="Gama"))
    (credit_note,) = third.credit_notes

    reader = read_pdf(supplier.documents.month_pdf(2026, 11))
    assert len(reader.pages) == 4
    assert reader.metadata is not None
    assert reader.metadata.title == "Invoices 2026-11"
    assert reader.metadata.author == "Jana Nováková"
    assert [item.title for item in reader.outline] == [  # type: ignore[union-attr]
        f"Faktura {first.number}",
        f"Invoice {second.number}",
        f"Faktura {third.number}",
        f"Opravný daňový doklad {credit_note}",
    ]
    pages = [page.extract_text() for page in reader.pages]
    assert first.number is not None
    assert first.number in pages[0]
    assert "€800.00" in pages[1]
    assert f"Opraveno dokladem {credit_note}" in pages[2]
    assert f"Opravuje fakturu {third.number}" in pages[3]
    assert len(read_pdf(supplier.documents.month_pdf(2026, 10)).pages) == 1
    assert supplier.documents.month_file_name(2026, 11) == "invoices-2026-11.pdf"


def test_a_month_without_invoices_or_a_wrong_month_is_an_error(supplier: Ledger) -> None:
    with pytest.raises(NotFound, match="2026-09"):
        supplier.documents.month_pdf(2026, 9)
    for year, month in ((2026, 13), (2026, 0)):
        with pytest.raises(InvalidInput, match="month"):
            supplier.documents.month_pdf(year, month)


# --- names and formats ---------------------------------------------------------------------


def test_download_names(supplier: Ledger) -> None:
    czech = issued_invoice(supplier)
    english = issued_invoice(supplier, language="en", name="Globex")
    assert supplier.documents.file_name(czech) == f"faktura-{czech.number}.pdf"
    assert supplier.documents.file_name(english) == f"invoice-{english.number}.pdf"
    supplier.settings.update(locale="cs")
    assert supplier.documents.month_file_name(2026, 3) == "faktury-2026-03.pdf"


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("Faktura 2026/0001", "Faktura-2026-0001.pdf"),
        ("../../etc/passwd", "etc-passwd.pdf"),
        ('a"; filename="evil.exe', "a-filename-evil.exe.pdf"),
        ("line\r\nbreak", "line-break.pdf"),
        ("Účetní doklad č. 5", "Ucetni-doklad-c.-5.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
        ("x" * 300, "x" * 100 + ".pdf"),
    ],
)
def test_safe_file_name(stem: str, name: str) -> None:
    assert safe_file_name(stem) == name


def test_czech_and_english_formats() -> None:
    czech = Formats("cs", "CZK")
    assert czech.money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}Kč"
    assert czech.date(dt.date(2025, 3, 5)) == "5. 3. 2025"
    assert czech.number(Decimal("1.5")) == "1,5"
    assert czech.percent(Decimal("21")) == f"21{NBSP}%"
    english = Formats("en", "CZK")
    assert english.money(Decimal("1234.5")) == f"CZK{NBSP}1,234.50"
    assert english.date(dt.date(2025, 3, 5)) == "5 Mar 2025"
    assert Formats("en", "EUR").money(Decimal("1234.5")) == "€1,234.50"
    assert Formats("cs", "EUR").money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}€"


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    path = tmp_path / "ledger.db"
    opened = ledger.open(path)
    try:
        set_up_supplier(opened)
        issued_invoice(opened, issue_date="2026-11-20")
    finally:
        opened.close()
    return str(path)


def test_cli_writes_an_invoice_pdf(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    target = tmp_path / "out.pdf"
    result = runner.invoke(
        app, ["invoice", "pdf", "2026-0001", "--output", str(target), "--database", cli_db]
    )
    assert result.exit_code == 0, result.output
    assert "out.pdf written" in result.stdout
    assert "Faktura 2026-0001" in pdf_text(target.read_bytes())

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["invoice", "pdf", "2026-0001", "--database", cli_db])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "faktura-2026-0001.pdf").exists()

    result = runner.invoke(app, ["invoice", "pdf", "2026-0001", "-o", "-", "--database", cli_db])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_cli_writes_a_month(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "month.pdf"
    result = CliRunner().invoke(
        app, ["invoice", "month-pdf", "2026-11", "-o", str(target), "--database", cli_db]
    )
    assert result.exit_code == 0, result.output
    assert len(read_pdf(target.read_bytes()).pages) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["invoice", "pdf", "2099-0001"], "no invoice is numbered"),
        (["invoice", "month-pdf", "2026-13"], "not a month"),
        (["invoice", "month-pdf", "November"], "use YYYY-MM"),
        (["invoice", "month-pdf", "2026-01"], "no invoice or credit note was issued"),
        (["invoice", "pdf", "2026-0001", "-o", "/nonexistent/dir/x.pdf"], "cannot write"),
    ],
)
def test_cli_errors_are_one_line(cli_db: str, args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(app, [*args, "--database", cli_db])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
