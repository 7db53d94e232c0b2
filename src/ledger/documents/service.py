"""``lg.documents``: what the client receives — invoice PDFs and payment QR codes.

Reads only. The rendering lives in :mod:`ledger.documents.pdf` (WeasyPrint, loaded on
the first PDF) and the payment payloads in :mod:`ledger.documents.payment_qr`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from ledger.core.invoice_sheet import Sheet
from ledger.core.invoices import InvoiceRef
from ledger.core.invoices.rows import load_invoice
from ledger.core.invoices.views import invoice_sheets, numbered_between
from ledger.core.models import BankAccount, Client, Invoice
from ledger.core.service import Service, pk
from ledger.documents import month_export, pdf as invoice_pdf
from ledger.documents.payment_qr import PaymentCode, QrFormat, for_invoice, over_limit, spayd
from ledger.documents.pdf import InvoiceDocument
from ledger.errors import InvalidInput, NotFound


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
        sheets = self._sheets(invoice.id for invoice in self._month_invoices(year, month))
        parts = []
        for sheet in sheets:
            document = invoice_pdf.invoice_document(sheet)
            parts.append((document.title, invoice_pdf.render_pdf(document)))
        supplier = sheets[0].supplier  # the month has one at least (else NotFound)
        label = invoice_pdf.LABELS.get(supplier.locale, invoice_pdf.LABELS["en"])["invoices"]
        title = f"{label} {year:04d}-{month:02d}"
        return invoice_pdf.merge_pdfs(parts, title=title, author=supplier.supplier_name)

    def invoice_isdoc(self, invoice: InvoiceRef, czk_rate: Decimal | None = None) -> bytes:
        """The issued invoice or credit note as ISDOC 6.0.2 XML (the Czech e-invoice).

        `czk_rate` (CZK per unit of a foreign invoice's currency) adds the CZK amounts
        ISDOC keeps beside the foreign ones; without it, the rate kept on the invoice at
        issue (`czk_rate_of`) is used, and without either a foreign invoice is written in
        its own currency throughout (see `ledger.documents.isdoc`).

        Raises:
            Conflict: for a draft.
        """
        from ledger.documents import isdoc  # lxml loads only when an e-invoice is written

        found = self._lg.invoices.get(invoice)
        original = self._lg.invoices.get(found.corrects) if found.corrects else None
        client = self._lg.clients.get(found.client_id)
        rate = self.czk_rate_of(found) if czk_rate is None else czk_rate
        return isdoc.isdoc_xml(
            found, client, self._lg.settings.get(), original=original, czk_rate=rate,
            account=self.account_for(found),
        )  # fmt: skip

    def czk_rate_of(self, invoice: Invoice) -> Decimal | None:
        """The CZK per unit ISDOC uses for a foreign invoice: the ČNB rate issuing kept
        on it (`Invoice.czk`), or None (a CZK invoice, or a non-payer's)."""
        return None if invoice.czk is None else invoice.czk.per_unit

    def invoice_facturx(self, invoice: InvoiceRef) -> bytes:
        """The invoice's PDF as a Factur-X (ZUGFeRD) e-invoice: PDF/A-3b with the EN 16931
        CII XML embedded as ``factur-x.xml`` and checked against the profile's XSD.

        Raises:
            Conflict: for a draft.
        """
        from ledger.documents import factur_x  # lxml loads only when an e-invoice is written

        found = self._lg.invoices.get(invoice)
        original = self._lg.invoices.get(found.corrects) if found.corrects else None
        client = self._lg.clients.get(found.client_id)
        supplier = self._lg.settings.get()
        xml = factur_x.cii_xml(found, client, supplier, original, self.account_for(found))
        document = self.document(found.id)
        pdf = invoice_pdf.render_pdf(document, variant=factur_x.PDF_VARIANT)
        return factur_x.embed(
            pdf, xml, title=document.title, author=document.supplier.supplier_name,
            language=document.language,
        )  # fmt: skip

    def isdoc_file_name(self, invoice: InvoiceRef) -> str:
        """The PDF's download name with ``.isdoc``: ``faktura-2026-0001.isdoc``."""
        return self.file_name(invoice).removesuffix(".pdf") + ".isdoc"

    def month_export(self, year: int, month: int) -> bytes:
        """A zip for the accountant: every invoice and credit note issued in the month as
        PDF and ISDOC, with ``documents.csv`` and ``vat-summary.csv`` (see
        `ledger.documents.month_export`). Foreign invoices' ISDOC carries CZK at their rate.

        Raises:
            InvalidInput: for a month that does not exist.
            NotFound: when nothing was issued that month.
        """
        from ledger.documents import isdoc  # lxml loads only when an e-invoice is written

        supplier = self._lg.settings.get()
        clients: dict[int, Client] = {}
        accounts: dict[str, BankAccount | None] = {}
        invoices = {found.id: found for found in self._month_invoices(year, month)}
        documents = []
        for invoice, sheet in zip(invoices.values(), self._sheets(invoices.keys()), strict=True):
            if invoice.client_id not in clients:
                clients[invoice.client_id] = self._lg.clients.get(invoice.client_id)
            if invoice.currency not in accounts:
                accounts[invoice.currency] = self.account_for(invoice)
            client = clients[invoice.client_id]
            document = invoice_pdf.invoice_document(sheet)
            pdf_name = invoice_pdf.invoice_file_name(invoice)
            xml = None
            if invoice.status != "cancelled":
                original = self._original(invoice, invoices)
                rate = self.czk_rate_of(invoice)
                xml = isdoc.isdoc_xml(
                    invoice, client, supplier, original=original, czk_rate=rate,
                    account=accounts[invoice.currency],
                )  # fmt: skip
            documents.append(month_export.MonthDocument(
                invoice, pdf_name, invoice_pdf.render_pdf(document),
                pdf_name.removesuffix(".pdf") + ".isdoc" if xml else None, xml,
            ))  # fmt: skip
        return month_export.month_zip(documents)

    def month_export_file_name(self, year: int, month: int) -> str:
        """``doklady-2026-03.zip`` / ``documents-2026-03.zip`` in the app's language."""
        _month_range(year, month)
        stem = "doklady" if self._lg.settings.get().locale == "cs" else "documents"
        return f"{stem}-{year:04d}-{month:02d}.zip"

    def _month_invoices(self, year: int, month: int) -> list[Invoice]:
        """The month's numbered documents in number order, loaded in a few queries."""
        first, after = _month_range(year, month)
        with self._lg.reading() as session:
            found = numbered_between(session, first, after, self._lg.today())
        if not found:
            raise NotFound(f"no invoice or credit note was issued in {year:04d}-{month:02d}")
        return found

    def _original(self, invoice: Invoice, known: dict[int, Invoice]) -> Invoice | None:
        if invoice.corrects is None:
            return None
        for candidate in known.values():
            if candidate.number == invoice.corrects:
                return candidate
        return self._lg.invoices.get(invoice.corrects)

    def payment_code(self, invoice: InvoiceRef) -> PaymentCode | None:
        """The payment payload for what is still owed, or None (see `for_invoice`)."""
        found = self._lg.invoices.get(invoice)
        return for_invoice(found, self._lg.settings.get(), self.account_for(found))

    def account_for(self, invoice: Invoice) -> BankAccount | None:
        """The bank account an invoice prints: the one of its currency, or None."""
        return self._lg.bank_accounts.for_currency(invoice.currency)

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
        """What the invoice's document shows: the invoice, client, supplier and QR code,
        read as `ledger invoice pdf` reads them (`ledger.core.invoice_sheet`)."""
        with self._lg.reading() as session:
            (sheet,) = invoice_sheets(session, [pk(load_invoice(session, invoice))])
        return invoice_pdf.invoice_document(sheet)

    def _sheets(self, invoice_ids: Iterable[int]) -> list[Sheet]:
        with self._lg.reading() as session:
            return invoice_sheets(session, invoice_ids)


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not (isinstance(year, int) and isinstance(month, int) and 1 <= month <= 12):
        raise InvalidInput("month", f"{year}-{month} is not a month; use YYYY-MM")
    if not 1900 <= year <= 9998:
        raise InvalidInput("year", f"{year} is out of range")
    first = dt.date(year, month, 1)
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, after
