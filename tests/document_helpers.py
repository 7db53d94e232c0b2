"""Helpers for the document tests: invoices to render, QR decoding, PDF reading."""

from __future__ import annotations

import io
import re
from typing import Any
from xml.etree import ElementTree

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from ledger.api import Ledger
from ledger.core.clients import Language
from ledger.core.models import Invoice

SUPPLIER: dict[str, Any] = {
    "supplier_name": "Jana Nováková",
    "supplier_address": "Vinohradská 1234/56\n120 00 Praha 2",
    "supplier_company_id": "12345679",
    "supplier_vat_id": "CZ8001011234",
    "supplier_email": "jana@novakova.example",
}
ACCOUNTS: list[dict[str, str]] = [
    {"currency": "CZK", "account_number": "2001234567/2010",
     "iban": "CZ65 0800 0000 1920 0014 5399", "bic": "GIBACZPX"},
    {"currency": "EUR", "iban": "CZ65 0800 0000 1920 0014 5399", "bic": "GIBACZPX"},
]  # fmt: skip


def set_up_supplier(lg: Ledger, **settings: Any) -> Ledger:
    """The sample supplier (`SUPPLIER` with `settings` over it) and its CZK and EUR accounts."""
    lg.settings.update(**{**SUPPLIER, **settings})
    for account in ACCOUNTS:
        lg.bank_accounts.add(**account)
    return lg


CZECH_SAMPLE = "Příliš žluťoučký kůň úpěl ďábelské ódy"
CNB_RATES = {"EUR": "24.290", "USD": "20.784"}
"""CZK per unit on the work's day, as `ledger sync cnb` would have stored them."""


def issued_invoice(
    lg: Ledger,
    *,
    currency: str = "CZK",
    language: Language = "cs",
    name: str = "Ďáblice s.r.o.",
    hours: int = 10,
    rate: str = "1210",
    vat_rate: str | None = None,
    notes: str = "",
    issue_date: str = "2026-11-20",
    description: str = CZECH_SAMPLE,
) -> Invoice:
    """An issued invoice for a fresh client with one time line."""
    client = lg.clients.add(
        name=name,
        currency=currency,
        language=language,
        hourly_rate=rate,
        company_id="27074358",
        vat_id="CZ27074358",
        address="Kubelíkova 1224/42\n130 00 Praha 3",
    )
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=hours * 60, description=description)
    if currency != "CZK":  # a VAT payer's foreign-currency invoice is issued at the ČNB rate
        lg.exchange_rates.set(currency, "2026-11-02", CNB_RATES.get(currency, "20.000"))
    draft = lg.invoices.draft(client, grouping="entry", vat_rate=vat_rate, notes=notes)
    return lg.invoices.issue(draft, issue_date=issue_date)


def decode_image(image: Image.Image) -> tuple[bytes, str]:
    """The one QR code in `image`: its raw bytes and error correction level."""
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"expected one QR code, found {len(results)}"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].bytes, results[0].ec_level


def decode_png(png: bytes) -> tuple[bytes, str]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return decode_image(Image.open(io.BytesIO(png)))


_SVG = "{http://www.w3.org/2000/svg}"


def svg_to_image(svg: bytes, pixels_per_module: int = 8) -> Image.Image:
    """Rasterise segno's SVG: one path of horizontal strokes one module high.

    A small reader for exactly what segno writes (``M``/``m`` moves and ``h`` strokes
    at half-module heights), so the test decodes the geometry the SVG really holds.
    """
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{_SVG}svg"
    paths = root.findall(f"{_SVG}path")
    assert len(paths) == 1
    path = paths[0]
    scale_match = re.search(r"scale\(([\d.]+)\)", path.get("transform", ""))
    scale = float(scale_match.group(1)) if scale_match else 1.0
    size = round(float(root.get("width", "0")) / scale)
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?", path.get("d", ""))
    position = 0
    while position < len(tokens):
        command = tokens[position]
        assert command in ("M", "m", "h"), f"unexpected path command {command!r}"
        if command == "h":
            length = float(tokens[position + 1])
            for column in range(round(x), round(x + length)):
                image.putpixel((column, int(y)), 0)
            x += length
            position += 2
            continue
        dx, dy = float(tokens[position + 1]), float(tokens[position + 2])
        x, y = (dx, dy) if command == "M" else (x + dx, y + dy)
        position += 3
    return image.resize((size * pixels_per_module,) * 2, Image.Resampling.NEAREST)


def decode_svg(svg: bytes) -> tuple[bytes, str]:
    return decode_image(svg_to_image(svg))


def read_pdf(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    """All text of all pages."""
    return "\n".join(page.extract_text() for page in read_pdf(pdf).pages)
