"""Invoices: drafting from unbilled work, editing, issuing with gapless numbers,
cancelling and payments (``lg.invoices``)."""

from ledger.core.invoices.manual import LineInput
from ledger.core.invoices.preview import CurrencyTotals, DraftPreview, PreviewEntry, PreviewLine
from ledger.core.invoices.rows import InvoiceRef
from ledger.core.invoices.service import Invoices

__all__ = [
    "CurrencyTotals",
    "DraftPreview",
    "InvoiceRef",
    "Invoices",
    "LineInput",
    "PreviewEntry",
    "PreviewLine",
]
