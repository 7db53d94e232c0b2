"""``lg.documents``: what the client receives — invoice PDFs and payment QR codes.

Reads only. The rendering lives in :mod:`ledger.documents.pdf` (WeasyPrint, loaded on
the first PDF) and the payment payloads in :mod:`ledger.documents.payment_qr`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import col, select

from ledger.core.invoices import InvoiceRef
from ledger.core.models import AppSettings, Client, Invoice
from ledger.core.service import Service
from ledger.documents import pdf as invoice_pdf
from ledger.documents.payment_qr import PaymentCode, QrFormat, for_invoice, over_limit, spayd
from ledger.documents.pdf import InvoiceDocument
from ledger.errors import InvalidInput, NotFound
from ledger.storage import tables

MONTH_STATUSES = ("issued", "cancelled")
"""What a month's PDF holds: every numbered invoice, cancelled ones marked so."""


class Documents(Service):
    """Invoice PDFs (one, or a month merged), payment QR codes and download names."""

    def invoice_pdf(self, invoice: InvoiceRef) -> bytes:
        """The invoice as a one-page PDF in its language, with the payment QR code.

        Drafts render too, marked as drafts and without a QR code.
        """
        return invoice_pdf.render_pdf(self.document(invoice))

    def warm_up(self) -> None:
        """Load and exercise the PDF machinery now (a server calls this in the background
        at start-up), so the first PDF is as fast as the next ones."""
        code = spayd("CZ6508000000192000145399", amount="1500", currency="CZK")
        invoice_pdf.warm_up(code.png(scale=4))

    def invoice_html(self, invoice: InvoiceRef) -> str:
        """The HTML the PDF is typeset from (a preview; it loads bundled fonts only)."""
        return invoice_pdf.render_html(self.document(invoice))

    def month_pdf(self, year: int, month: int) -> bytes:
        """Every invoice issued in the month, in number order, merged into one PDF.

        Raises:
            InvalidInput: for a month that does not exist.
            NotFound: when no invoice was issued that month.
        """
        ids = self._month_ids(year, month)
        supplier = self._lg.settings.get()
        clients: dict[int, Client] = {}
        parts = []
        for invoice_id in ids:
            invoice = self._lg.invoices.get(invoice_id)
            if invoice.client_id not in clients:
                clients[invoice.client_id] = self._lg.clients.get(invoice.client_id)
            document = self._document_of(invoice, clients[invoice.client_id], supplier)
            parts.append((document.title, invoice_pdf.render_pdf(document)))
        label = invoice_pdf.LABELS.get(supplier.locale, invoice_pdf.LABELS["en"])["invoices"]
        title = f"{label} {year:04d}-{month:02d}"
        return invoice_pdf.merge_pdfs(parts, title=title, author=supplier.supplier_name)

    def payment_code(self, invoice: InvoiceRef) -> PaymentCode | None:
        """The payment payload for what is still owed, or None (see `for_invoice`)."""
        return for_invoice(self._lg.invoices.get(invoice), self._lg.settings.get())

    def qr_limit(self, invoice: InvoiceRef) -> Decimal | None:
        """The QR standard's limit when what is owed is above it (no code then), else None."""
        return over_limit(self._lg.invoices.get(invoice))

    def payment_qr(self, invoice: InvoiceRef, fmt: QrFormat = "png") -> bytes | None:
        """The payment QR code as PNG or SVG bytes; None when there is nothing to pay
        by QR (draft, cancelled, settled, a currency without a QR standard, no account).
        """
        if fmt not in ("png", "svg"):
            raise InvalidInput("fmt", f"{fmt!r} is not a QR image format; use 'png' or 'svg'")
        code = self.payment_code(invoice)
        return None if code is None else code.render(fmt)

    def file_name(self, invoice: InvoiceRef) -> str:
        """A safe download name: ``faktura-2026-0001.pdf`` / ``invoice-2026-0001.pdf``."""
        return invoice_pdf.invoice_file_name(self._lg.invoices.get(invoice))

    def month_file_name(self, year: int, month: int) -> str:
        """``faktury-2026-03.pdf`` / ``invoices-2026-03.pdf`` in the app's language."""
        _month_range(year, month)
        return invoice_pdf.month_file_name(year, month, self._lg.settings.get().locale)

    def document(self, invoice: InvoiceRef) -> InvoiceDocument:
        """What the invoice's document shows: the invoice, client, supplier and QR code."""
        found = self._lg.invoices.get(invoice)
        client = self._lg.clients.get(found.client_id)
        return self._document_of(found, client, self._lg.settings.get())

    def _document_of(
        self, invoice: Invoice, client: Client, supplier: AppSettings
    ) -> InvoiceDocument:
        return InvoiceDocument(invoice, client, supplier, for_invoice(invoice, supplier))

    def _month_ids(self, year: int, month: int) -> list[int]:
        first, after = _month_range(year, month)
        query = (
            select(tables.Invoice.id)
            .where(
                col(tables.Invoice.status).in_(MONTH_STATUSES),
                col(tables.Invoice.issue_date) >= first,
                col(tables.Invoice.issue_date) < after,
            )
            .order_by(col(tables.Invoice.series), col(tables.Invoice.sequence))
        )
        with self._lg.reading() as session:
            ids = [row for row in session.exec(query).all() if row is not None]
        if not ids:
            raise NotFound(f"no invoice was issued in {year:04d}-{month:02d}")
        return ids


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not (isinstance(year, int) and isinstance(month, int) and 1 <= month <= 12):
        raise InvalidInput("month", f"{year}-{month} is not a month; use YYYY-MM")
    if not 1900 <= year <= 9998:
        raise InvalidInput("year", f"{year} is out of range")
    first = dt.date(year, month, 1)
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, after
