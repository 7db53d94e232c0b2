"""What `Invoices.preview` and `Invoices.totals` return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ledger.core.models import PublicModel, VatRateTotal


class CurrencyTotals(PublicModel):
    """What a set of invoices adds up to in one currency."""

    currency: str
    invoices: int
    total: Decimal
    paid: Decimal
    outstanding: Decimal


class PreviewEntry(PublicModel):
    """An unbilled entry a draft would take, priced as the draft would price it."""

    id: int
    date: dt.date
    project: str
    description: str
    kind: str
    minutes: int
    amount: Decimal


class PreviewLine(PublicModel):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal | None


class DraftPreview(PublicModel):
    """A draft invoice before it exists: see `Invoices.preview`."""

    client_id: int
    client_name: str
    currency: str
    entries: list[PreviewEntry]
    lines: list[PreviewLine]
    vat_mode: str
    vat_rate: Decimal | None
    vat_summary: list[VatRateTotal]
    subtotal: Decimal
    vat: Decimal
    total: Decimal
