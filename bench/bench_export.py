"""Month export benchmark: 200 invoices as PDF + ISDOC in one zip, against its floor.

Run with the project's virtualenv (``make bench``), or directly::

    python bench/bench_export.py                 # 200 invoices
    python bench/bench_export.py --scale 0.1     # a quick smoke run (20 invoices)

A temporary SQLite database gets a VAT-paying supplier, a Czech client (CZK at 21 %,
SPAYD QR code) and a German one (EUR, reverse charge, EPC QR code), and a month of
issued invoices of three to eight lines each, made through the API. Timed, wall-clock,
in a process that has rendered one PDF already (imports and fonts loaded):

- export: ``lg.documents.month_export`` — loading the month, every PDF, every ISDOC,
  the CSVs and the zip;
- floor: WeasyPrint alone typesetting the same HTML with the same fonts and QR images,
  prepared beforehand (untimed) — what the export cannot go below without a faster
  renderer;
- ISDOC: building every ISDOC document from invoices loaded beforehand.

The target: the export within 1.3× its floor (what ledger adds stays small).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import benchkit
import ledger
from bench_documents import TASKS, set_up_supplier
from ledger.api import Ledger
from ledger.documents import isdoc, pdf as invoice_pdf
from ledger.documents.pdf import InvoiceDocument

TARGET_RATIO = 1.3
INVOICES = 200
YEAR, MONTH = 2026, 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the month, e.g. 0.1")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when the target is missed"
    )
    args = benchkit.known_args(parser, argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    count = max(2, round(INVOICES * args.scale))
    print(f"ledger {ledger.__version__} on Python {sys.version.split()[0]}: {count} invoices")
    benchkit.print_load()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-export-") as tmp:
        lg = ledger.open(Path(tmp) / "export.db", source="system:bench")
        try:
            started = time.perf_counter()
            _fill(lg, count)
            print(f"set-up through the API (untimed): {time.perf_counter() - started:.1f} s")
            return _report(lg, args.strict)
        finally:
            lg.close()


def _report(lg: Ledger, strict: bool) -> int:
    numbers = [i.number for i in lg.invoices.list(status="issued") if i.number]
    documents = [lg.documents.document(number) for number in numbers]
    invoices = [lg.invoices.get(number) for number in numbers]
    clients = {invoice.client_id: lg.clients.get(invoice.client_id) for invoice in invoices}
    supplier = lg.settings.get()
    lg.documents.invoice_pdf(numbers[0])  # imports and fonts, as in a running server
    prepared = [_prepared(document) for document in documents]

    started = time.perf_counter()
    archive = lg.documents.month_export(YEAR, MONTH)
    export_s = time.perf_counter() - started

    started = time.perf_counter()
    for html, images in prepared:
        _typeset(html, images)
    floor_s = time.perf_counter() - started

    started = time.perf_counter()
    for invoice in invoices:
        isdoc.isdoc_xml(invoice, clients[invoice.client_id], supplier)
    isdoc_s = time.perf_counter() - started

    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = opened.namelist()
    pdfs = sum(name.endswith(".pdf") for name in names)
    xmls = sum(name.endswith(".isdoc") for name in names)
    assert pdfs == xmls == len(numbers), (pdfs, xmls, len(numbers))
    ratio = export_s / floor_s
    print()
    print(f"{'step':<48} {'seconds':>9}")
    print(f"{f'export: {pdfs} PDF + {xmls} ISDOC, CSVs, zip':<48} {export_s:>9.3f}")
    print(f"{'floor: WeasyPrint typesetting the same HTML':<48} {floor_s:>9.3f}")
    print(f"{'ISDOC alone: every document built':<48} {isdoc_s:>9.3f}")
    print(
        f"\nexport {export_s / pdfs * 1000:.0f} ms per invoice, floor "
        f"{floor_s / pdfs * 1000:.0f} ms; export / floor = {ratio:.2f} "
        f"(target < {TARGET_RATIO}); zip {len(archive) / 1024 / 1024:.1f} MiB"
    )
    met = benchkit.report_ratio(
        "month export / WeasyPrint floor", ratio, TARGET_RATIO,
        f"{export_s:.2f} s vs {floor_s:.2f} s for {pdfs} invoices",
    )  # fmt: skip
    return 1 if strict and not met else 0


def _prepared(document: InvoiceDocument) -> tuple[str, dict[str, bytes]]:
    """The HTML and QR image the renderer gets for `document` (made untimed)."""
    code = document.payment_code
    images = {invoice_pdf.QR_URL: code.png(scale=4)} if code else {}
    return invoice_pdf.render_html(document), images


def _typeset(html: str, images: dict[str, bytes]) -> bytes:
    weasyprint: Any = invoice_pdf._weasyprint()
    font_config, font_faces = invoice_pdf._shared_fonts()
    page = weasyprint.HTML(string=html, url_fetcher=invoice_pdf.asset_fetcher(images))
    pdf: bytes = page.write_pdf(stylesheets=[font_faces], font_config=font_config)
    return pdf


def _fill(lg: Ledger, count: int) -> None:
    set_up_supplier(lg)
    czech = lg.clients.add(
        name="Acme s.r.o.", currency="CZK", language="cs", hourly_rate="1500",
        company_id="27074358", vat_id="CZ27074358", address="Karlova 12\n110 00 Praha 1",
    )  # fmt: skip
    german = lg.clients.add(
        name="Nordwind GmbH", currency="EUR", language="en", hourly_rate="85",
        vat_id="DE811234567", address="Hafenstraße 8\nDE-20457 Hamburg",
    )  # fmt: skip
    projects = {c.id: lg.projects.add(c, name="Development") for c in (czech, german)}
    for n in range(count):
        client = czech if n % 2 == 0 else german
        lg.entries.add_many(
            projects[client.id],
            [
                {
                    "date": dt.date(YEAR, MONTH, 1 + (n + i) % 28),
                    "minutes": 30 + 15 * ((n + i) % 12),
                    "description": TASKS[(n + i) % len(TASKS)],
                }
                for i in range(3 + n % 6)
            ],
        )
        draft = lg.invoices.draft(client, grouping="entry")
        lg.invoices.issue(draft, issue_date=dt.date(YEAR, MONTH, 1 + n * 28 // count))


if __name__ == "__main__":
    sys.exit(main())
