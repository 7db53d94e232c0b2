"""What an invoice document says in CZK: the ČNB rate and the VAT summary at it.

A VAT payer's foreign-currency tax document states the rate it was converted at
and the tax base and VAT in CZK (for the reverse charge, the base the customer
declares). The amounts come converted from the core (`Invoice.czk`); this module
only words and formats them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.core.amounts import format_money
from ledger.core.invoice_sheet import SheetInvoice

CZK_LABELS: dict[str, dict[str, str]] = {
    "cs": {
        "rate": "Kurz ČNB ze dne {day}: {quantity} {currency} = {rate} CZK",
        "vat_rate": "Sazba DPH",
        "base": "Základ v CZK",
        "vat": "DPH v CZK",
        "total_base": "Základ daně v CZK",
        "total_vat": "DPH celkem v CZK",
        "declared_base": "Základ daně v CZK (přizná odběratel)",
    },
    "en": {
        "rate": "ČNB rate of {day}: {quantity} {currency} = {rate} CZK",
        "vat_rate": "VAT rate",
        "base": "Net in CZK",
        "vat": "VAT in CZK",
        "total_base": "Tax base in CZK",
        "total_vat": "Total VAT in CZK",
        "declared_base": "Tax base in CZK (declared by the customer)",
    },
}


def czk_context(language: str, invoice: SheetInvoice, date_format: Any) -> dict[str, Any]:
    """The template values of the CZK section (``czk`` is None when there is none).

    `date_format` formats a date in the document's locale.
    """
    if invoice.czk is None:
        return {"czk": None}
    from babel.numbers import format_decimal

    locale = "cs_CZ" if language == "cs" else "en_GB"
    labels = CZK_LABELS.get(language, CZK_LABELS["en"])
    czk = invoice.czk

    def money(amount: Decimal) -> str:
        return format_money(amount, "CZK", locale)

    sentence = labels["rate"].format(
        day=date_format(czk.day),
        quantity=czk.quantity,
        currency=czk.currency,
        rate=format_decimal(czk.rate, format="#,##0.000", locale=locale),
    )
    return {
        "czk": czk,
        "czk_labels": labels,
        "czk_rate": sentence,
        "czk_money": money,
    }
