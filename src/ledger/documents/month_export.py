"""A month's documents for the accountant: one zip of PDFs, ISDOC files and two CSVs.

Nothing here reads the database: `ledger.documents.service` renders each numbered
invoice and credit note of the month and hands them over. The archive holds

- each document's PDF and, unless it was cancelled, its ISDOC e-invoice;
- ``documents.csv``: one row per document (number, kind, status, dates, client,
  currency, amounts, the files);
- ``vat-summary.csv``: per currency and VAT rate, the base, VAT and total of the month's
  valid documents (credit notes count negative; cancelled invoices not at all).
  Invoices without VAT are summed under ``reverse charge`` or ``no VAT``.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs read the diacritics),
comma-separated, amounts with a dot and the currency's decimals.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ledger.core.models import Invoice

DOCUMENTS_CSV = "documents.csv"
SUMMARY_CSV = "vat-summary.csv"
NO_RATE = {"reverse_charge": "reverse charge", "none": "no VAT"}
DOCUMENT_COLUMNS = (
    "number", "kind", "status", "issue_date", "taxable_supply_date", "due_date",
    "corrects", "client", "currency", "base", "vat", "total", "pdf", "isdoc",
)  # fmt: skip
SUMMARY_COLUMNS = ("currency", "vat_rate", "documents", "base", "vat", "total")


@dataclass(frozen=True, slots=True)
class MonthDocument:
    """One numbered document of the month with its files' names and bytes."""

    invoice: Invoice
    pdf_name: str
    pdf: bytes
    isdoc_name: str | None = None
    isdoc: bytes | None = None

    @property
    def counts(self) -> bool:
        """Whether the document counts in the VAT summary (it is not cancelled)."""
        return self.invoice.status != "cancelled"


def month_zip(documents: Sequence[MonthDocument]) -> bytes:
    """The archive of `documents` (already in number order) with both CSVs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            # PDFs are compressed already; storing them saves time, not space.
            archive.writestr(document.pdf_name, document.pdf, zipfile.ZIP_STORED)
            if document.isdoc_name is not None and document.isdoc is not None:
                archive.writestr(document.isdoc_name, document.isdoc)
        archive.writestr(DOCUMENTS_CSV, _csv(DOCUMENT_COLUMNS, document_rows(documents)))
        archive.writestr(SUMMARY_CSV, _csv(SUMMARY_COLUMNS, summary_rows(documents)))
    return buffer.getvalue()


def document_rows(documents: Iterable[MonthDocument]) -> list[tuple[str, ...]]:
    """One row per document, in `DOCUMENT_COLUMNS` order."""
    rows: list[tuple[str, ...]] = []
    for document in documents:
        invoice = document.invoice
        rows.append((
            invoice.number or "", invoice.kind, invoice.status, _date(invoice.issue_date),
            _date(invoice.taxable_supply_date), _date(invoice.due_date), invoice.corrects or "",
            invoice.client_name, invoice.currency, _amount(invoice.subtotal),
            _amount(invoice.vat), _amount(invoice.total), document.pdf_name,
            document.isdoc_name or "",
        ))  # fmt: skip
    return rows


def summary_rows(documents: Iterable[MonthDocument]) -> list[tuple[str, ...]]:
    """Per currency and rate: documents, base, VAT, total, in `SUMMARY_COLUMNS` order."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for document in documents:
        if document.counts:
            for key, amounts in _rates(document.invoice):
                found = sums.setdefault(key, [Decimal(0)] * 4)
                for index, value in enumerate((Decimal(1), *amounts)):
                    found[index] += value
    return [
        (currency, rate, str(count), *(_amount(v) for v in (base, vat, total)))
        for (currency, rate), (count, base, vat, total) in sorted(sums.items(), key=_order)
    ]


def _rates(invoice: Invoice) -> list[tuple[tuple[str, str], tuple[Decimal, Decimal, Decimal]]]:
    if invoice.vat_summary:
        return [
            ((invoice.currency, _rate(r.rate)), (r.base, r.vat, r.total))
            for r in invoice.vat_summary
        ]
    label = NO_RATE.get(invoice.vat_mode, "0")
    return [((invoice.currency, label), (invoice.subtotal, invoice.vat, invoice.total))]


def _order(item: tuple[tuple[str, str], list[Decimal]]) -> tuple[str, int, Decimal, str]:
    """By currency, then rates from the highest, then the untaxed groups."""
    currency, rate = item[0]
    try:
        return currency, 0, -Decimal(rate), ""
    except ArithmeticError:
        return currency, 1, Decimal(0), rate


def _rate(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def _amount(value: Decimal) -> str:
    return format(value, "f")


def _date(value: object) -> str:
    return "" if value is None else str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")
