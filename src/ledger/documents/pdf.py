"""Invoice documents: HTML from a Jinja2 template, PDF from WeasyPrint, months merged.

Nothing here reads the database: it renders an invoice's `Sheet`
(`ledger.core.invoice_sheet`), read by `lg.documents` or, for ``ledger invoice pdf``
before the ORM loads, by `ledger.cli.quick_pdf`. Neither SQLAlchemy nor pydantic is
imported.

Safety: every value reaches the template as data, escaped by autoescaping, so a note
reading ``<img src="file:///etc/passwd">`` or ``{{ 7*7 }}`` prints as written. WeasyPrint
fetches through `AssetFetcher`, which serves the bundled fonts and this render's QR
image and refuses every other URL (files, HTTP, data), so no user text can make the
renderer read the host or the network. WeasyPrint is imported on first render only.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import io
import re
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from ledger.core import datetimes
from ledger.core.amounts import format_money
from ledger.core.invoice_sheet import (
    Account,
    Customer,
    InvoiceFacts,
    Sheet,
    SheetInvoice,
    Supplier,
)
from ledger.documents.czk import czk_context
from ledger.documents.payment_qr import ascii_text, for_invoice, over_limit
from ledger.errors import ConfigurationError

if TYPE_CHECKING:
    import jinja2

    from ledger.documents.payment_qr import PaymentCode

ASSET_SCHEME = "ledger-asset"
QR_URL = f"{ASSET_SCHEME}:qr.png"
FONT_FAMILY = "Ledger Sans"
FONTS = {"DejaVuSans.ttf": "normal", "DejaVuSans-Bold.ttf": "bold"}
"""The bundled fonts (``assets/fonts``, DejaVu Sans: full Czech diacritics) by weight."""
LOCALES = {"cs": "cs_CZ", "en": "en_GB"}

LABELS: dict[str, dict[str, str]] = {
    "cs": {
        "invoice": "Faktura",
        "tax_document": "daňový doklad",
        "supplier": "Dodavatel",
        "customer": "Odběratel",
        "company_id": "IČO",
        "vat_id": "DIČ",
        "email": "E-mail",
        "issue_date": "Datum vystavení",
        "due_date": "Datum splatnosti",
        "taxable_supply_date": "Datum zdanitelného plnění",
        "variable_symbol": "Variabilní symbol",
        "payment_method": "Způsob úhrady",
        "payment_details": "Platební údaje",
        "amount_due": "Částka k úhradě",
        "bank_transfer": "Bankovním převodem",
        "bank_account": "Číslo účtu",
        "iban": "IBAN",
        "bic": "BIC/SWIFT",
        "description": "Popis",
        "quantity": "Množství",
        "unit_price": "Cena za jednotku",
        "amount": "Celkem",
        "subtotal": "Základ daně",
        "net_total": "Součet položek",
        "vat": "DPH",
        "total": "Celkem k úhradě",
        "paid": "Uhrazeno",
        "balance": "Zbývá uhradit",
        "notes": "Poznámka",
        "qr_spayd": "QR Platba",
        "qr_epc": "QR platba SEPA",
        "qr_over_limit": "Bez QR kódu: částka k úhradě přesahuje limit QR plateb ({limit}).",
        "not_vat_payer": "Neplátce DPH: dodavatel není plátcem DPH.",
        "reverse_charge": (
            "Daň odvede zákazník: přenesení daňové povinnosti na odběratele "
            "(čl. 196 směrnice 2006/112/ES)."
        ),
        "vat_rate": "Sazba DPH",
        "base": "Základ",
        "draft": "Koncept",
        "draft_note": "Koncept – nejde o vystavený doklad.",
        "cancelled": "Stornováno",
        "cancelled_note": "Tato faktura byla stornována.",
        "settled": "Uhrazeno v plné výši. Děkujeme.",
        "invoices": "Faktury",
        "credit_note": "Opravný daňový doklad",
        "credit_note_plain": "Opravný doklad",
        "credit_note_file": "dobropis",
        "corrects": "Opravuje fakturu {number}",
        "reason": "Důvod opravy",
        "credit_total": "Celkem opravy",
        "credited": "Opraveno dobropisy",
        "corrected_by": "Opraveno dokladem {numbers}.",
    },
    "en": {
        "invoice": "Invoice",
        "tax_document": "tax document",
        "supplier": "Supplier",
        "customer": "Customer",
        "company_id": "Company ID",
        "vat_id": "VAT ID",
        "email": "Email",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "taxable_supply_date": "Date of taxable supply",
        "variable_symbol": "Variable symbol",
        "payment_method": "Payment",
        "payment_details": "Payment details",
        "amount_due": "Amount due",
        "bank_transfer": "Bank transfer",
        "bank_account": "Account number",
        "iban": "IBAN",
        "bic": "BIC/SWIFT",
        "description": "Description",
        "quantity": "Quantity",
        "unit_price": "Unit price",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "net_total": "Total of items",
        "vat": "VAT",
        "total": "Total due",
        "paid": "Paid",
        "balance": "Balance due",
        "notes": "Notes",
        "qr_spayd": "QR payment",
        "qr_epc": "SEPA QR payment",
        "qr_over_limit": "No QR code: the amount due is above the QR payment limit ({limit}).",
        "not_vat_payer": "Not a VAT payer: the supplier is not registered for VAT.",
        "reverse_charge": (
            "Reverse charge: VAT to be accounted for by the customer "
            "(Article 196 of Council Directive 2006/112/EC)."
        ),
        "vat_rate": "VAT rate",
        "base": "Net amount",
        "draft": "Draft",
        "draft_note": "Draft – not an issued invoice.",
        "cancelled": "Cancelled",
        "cancelled_note": "This invoice has been cancelled.",
        "settled": "Paid in full. Thank you.",
        "invoices": "Invoices",
        "credit_note": "Credit note",
        "credit_note_plain": "Credit note",
        "credit_note_file": "credit-note",
        "corrects": "Corrects invoice {number}",
        "reason": "Reason for the correction",
        "credit_total": "Total credited",
        "credited": "Credited",
        "corrected_by": "Corrected by {numbers}.",
    },
}
UNITS = {"cs": {"h": "hod", "pcs": "ks"}, "en": {"h": "h", "pcs": "pcs"}}


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything one invoice's document shows."""

    invoice: SheetInvoice
    client: Customer
    supplier: Supplier
    payment_code: PaymentCode | None = None
    account: Account | None = None

    @property
    def language(self) -> str:
        return self.invoice.language if self.invoice.language in LABELS else "en"

    @property
    def title(self) -> str:
        """``Faktura 2026-0001`` / ``Invoice 2026-0001`` (drafts say so); a credit note
        ``Opravný daňový doklad D2026-0001`` / ``Credit note D2026-0001``."""
        labels = LABELS[self.language]
        number = self.invoice.number or f"{labels['draft'].lower()} {self.invoice.id}"
        return f"{document_kind(self.invoice)} {number}"


class Formats:
    """Money, dates and numbers in one locale (Babel / CLDR)."""

    def __init__(self, language: str, currency: str) -> None:
        self.language = language
        self.locale = LOCALES.get(language, "en_GB")
        self.currency = currency

    def money(self, amount: Decimal) -> str:
        """``1 234,50 Kč`` (NO-BREAK SPACEs) in Czech, ``CZK 1,234.50`` in English."""
        return format_money(amount, self.currency, self.locale)

    def date(self, value: dt.date | None) -> str:
        """``5. 3. 2025`` in Czech, ``5 Mar 2025`` in English (as everywhere in ledger)."""
        return datetimes.format_date(value, self.language)

    def number(self, value: Decimal) -> str:
        """A quantity with up to three decimals: ``1,5`` / ``1.5``."""
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0.###", locale=self.locale)

    def percent(self, value: Decimal) -> str:
        """``21 %`` in Czech, ``21%`` in English."""
        space = "\u00a0" if self.locale.startswith("cs") else ""
        return f"{self.number(value)}{space}%"


def invoice_document(sheet: Sheet) -> InvoiceDocument:
    """The document of `sheet`: its facts and the code that pays what is still owed.

    Raises:
        InvalidInput: when the bank account on it is malformed.
    """
    code = for_invoice(sheet.invoice, sheet.supplier, sheet.account)
    return InvoiceDocument(sheet.invoice, sheet.client, sheet.supplier, code, sheet.account)


def render_html(document: InvoiceDocument) -> str:
    """The invoice as an HTML page (what the PDF is made from)."""
    return _environment().get_template("invoice.html").render(_context(document))


def render_pdf(document: InvoiceDocument, variant: str | None = None) -> bytes:
    """The invoice as PDF bytes, with fonts embedded and title/author metadata.

    `variant` asks WeasyPrint for a standard flavour, e.g. ``"pdf/a-3b"`` for Factur-X.

    The bundled fonts are loaded once per process into a shared WeasyPrint font
    configuration; renders take turns using it (a lock), which also keeps them from
    competing for the CPU they are bound by.
    """
    HTML = _weasyprint().HTML  # noqa: N806  (the class)
    images = {QR_URL: document.payment_code.png(scale=4)} if document.payment_code else {}
    html = HTML(string=render_html(document), url_fetcher=asset_fetcher(images))
    with _RENDER_LOCK, warnings.catch_warnings():
        if variant:
            # PDF/A embeds WeasyPrint's sRGB profile from a file it opens and never
            # closes; the warning is about WeasyPrint's file, not ours.
            warnings.simplefilter("ignore", ResourceWarning)
        font_config, font_faces = _shared_fonts()
        pdf: bytes = html.write_pdf(
            stylesheets=[font_faces], font_config=font_config, pdf_variant=variant
        )
    return pdf


def warm_up(qr_png: bytes) -> None:
    """Load WeasyPrint, the bundled fonts and the invoice template, and typeset one small
    page with a table and a QR image (`qr_png`), so the first invoice PDF after start
    costs what later ones do."""
    _environment().get_template("invoice.html")
    HTML = _weasyprint().HTML  # noqa: N806  (the class)
    page = HTML(
        string=f"<table style=\"font-family: '{FONT_FAMILY}'\"><tr><td>Faktura</td>"
        f'<td><b>1 500,00 Kč</b></td></tr></table><img src="{QR_URL}" width="90">',
        url_fetcher=asset_fetcher({QR_URL: qr_png}),
    )
    with _RENDER_LOCK:
        font_config, font_faces = _shared_fonts()
        page.write_pdf(stylesheets=[font_faces], font_config=font_config)


def merge_pdfs(parts: Sequence[tuple[str, bytes]], *, title: str, author: str) -> bytes:
    """One PDF of `parts` (outline title, PDF bytes) in order, with its own metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for outline, pdf in parts:
        writer.append(PdfReader(io.BytesIO(pdf)), outline_item=outline, import_outline=False)
    writer.add_metadata({"/Title": title, "/Author": author, "/Producer": "ledger"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def safe_file_name(stem: str, suffix: str = ".pdf") -> str:
    """A download name any file system and ``Content-Disposition`` accept.

    Letters, digits, dot, dash and underscore only (diacritics dropped), no leading
    dot, at most 100 characters: ``Faktura 2026/0001`` → ``Faktura-2026-0001.pdf``.
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text(stem)).strip("-.")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:100].strip("-.")
    return f"{cleaned or 'document'}{suffix}"


def document_kind(invoice: InvoiceFacts) -> str:
    """What the document is called in its language: an invoice or a credit note
    (a tax document only when the supplier charges VAT)."""
    labels = LABELS.get(invoice.language, LABELS["en"])
    if invoice.kind != "credit_note":
        return labels["invoice"]
    return labels["credit_note" if invoice.vat_mode != "none" else "credit_note_plain"]


def invoice_file_name(invoice: InvoiceFacts) -> str:
    """``faktura-2026-0001.pdf`` / ``invoice-2026-0001.pdf`` (drafts by id);
    ``dobropis-d2026-0001.pdf`` / ``credit-note-d2026-0001.pdf`` for credit notes."""
    labels = LABELS.get(invoice.language, LABELS["en"])
    number = invoice.number or f"{labels['draft']}-{invoice.id}"
    kind = labels["credit_note_file" if invoice.kind == "credit_note" else "invoice"]
    return safe_file_name(f"{kind}-{number}".lower())


def month_file_name(year: int, month: int, language: str) -> str:
    """``faktury-2026-03.pdf`` / ``invoices-2026-03.pdf``."""
    labels = LABELS.get(language, LABELS["en"])
    return safe_file_name(f"{labels['invoices']}-{year:04d}-{month:02d}".lower())


def _context(document: InvoiceDocument) -> dict[str, Any]:
    invoice, supplier = document.invoice, document.supplier
    language = document.language
    code = document.payment_code
    formats = Formats(language, invoice.currency)
    return {
        **czk_context(language, invoice, formats.date),
        "doc": document,
        "invoice": invoice,
        "client": document.client,
        "supplier": supplier,
        "labels": LABELS[language],
        "units": UNITS[language],
        "lang": language,
        "fmt": formats,
        "title": document.title,
        "vat_payer": invoice.vat_mode != "none",
        "credit_note": invoice.kind == "credit_note",
        "charges_vat": invoice.vat_mode == "vat",
        "account": document.account,
        "iban": _grouped(document.account.iban if document.account else ""),
        "qr_url": QR_URL if code else None,
        "qr_label": LABELS[language][f"qr_{code.standard.lower()}"] if code else "",
        "qr_note": _qr_note(document),
    }


def _qr_note(document: InvoiceDocument) -> str:
    """Why an invoice that would carry a QR code has none (its amount), or ``""``."""
    limit = over_limit(document.invoice)
    if limit is None:
        return ""
    money = Formats(document.language, document.invoice.currency).money(limit)
    return LABELS[document.language]["qr_over_limit"].format(limit=money)


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("ledger.documents", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_RENDER_LOCK = threading.Lock()


def _weasyprint() -> Any:
    """The weasyprint module, or a clear error when it or the system's Pango is missing."""
    try:
        import weasyprint
    except (OSError, ImportError) as exc:  # OSError: cffi could not load libpango
        raise ConfigurationError(
            f"PDF invoices need WeasyPrint and the Pango library, which could not be loaded "
            f"({exc}); install Pango (Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0) and reinstall ledger"
        ) from exc
    return weasyprint


@functools.cache
def _shared_fonts() -> tuple[Any, Any]:
    """A WeasyPrint font configuration holding the bundled fonts, and their @font-face CSS."""
    CSS = _weasyprint().CSS  # noqa: N806  (the class)
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    rules = "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{ASSET_SCHEME}:fonts/{name}"); '
        f"font-weight: {weight}; }}"
        for name, weight in FONTS.items()
    )
    faces = CSS(string=rules, font_config=font_config, url_fetcher=asset_fetcher())
    # Drop it before interpreter shutdown, while WeasyPrint can still remove its temp files.
    atexit.register(_shared_fonts.cache_clear)
    return font_config, faces


@functools.cache
def _font(name: str) -> bytes:
    return resources.files("ledger.documents").joinpath("assets", "fonts", name).read_bytes()


def bundled_assets() -> dict[str, tuple[Callable[[], bytes], str]]:
    """The URLs the renderer may fetch besides a render's own images."""
    return {
        f"{ASSET_SCHEME}:fonts/{name}": (functools.partial(_font, name), "font/ttf")
        for name in FONTS
    }


class FetchRefused(ValueError):
    """The renderer asked for a URL that is not a bundled asset."""


def asset_fetcher(images: Mapping[str, bytes] | None = None) -> Any:
    """A WeasyPrint URL fetcher serving the bundled fonts and `images` (PNG by URL).

    Every other URL — ``file:``, ``http:``, ``data:``, a relative path — raises
    `FetchRefused`, which WeasyPrint reports and skips, so the resource is left out.
    """
    return _asset_fetcher_class()(images or {})


@functools.cache
def _asset_fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the bundled assets and the given images; refuses everything else."""

        def __init__(self, images: Mapping[str, bytes]) -> None:
            super().__init__(allowed_protocols={ASSET_SCHEME}, allow_redirects=False)
            self._images = dict(images)
            self._assets = bundled_assets()

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url in self._images:
                return URLFetcherResponse(url, self._images[url], {"Content-Type": "image/png"})
            if url in self._assets:
                load, media_type = self._assets[url]
                return URLFetcherResponse(url, load(), {"Content-Type": media_type})
            raise FetchRefused(f"invoice documents load only bundled assets, not {url[:80]!r}")

    return AssetFetcher
