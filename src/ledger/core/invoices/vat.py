"""VAT on an invoice: which regime applies, which rates a line may carry, and the
per-rate summary Czech law asks a tax document to show.

Three regimes, chosen when a draft is made and kept with the invoice:

- ``vat``: the supplier is registered for VAT; every line carries a rate
  (21 %, 12 %, 0 %...), VAT is computed per rate on the sum of its lines.
- ``reverse_charge``: the supplier is registered and the client is a business with
  another EU state's VAT id; no VAT is charged, the client accounts for it
  ("daň odvede zákazník").
- ``none``: the supplier is not registered for VAT; no line carries a rate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ledger.core import identities
from ledger.core.money import parse_amount
from ledger.core.tax_figures import RateTotal, summarize, vat_on
from ledger.errors import InvalidInput
from ledger.storage import tables

__all__ = [
    "REFUSALS", "STANDARD_RATE_BP", "VAT_MODES", "RateTotal", "VatMode", "line_rate",
    "mode_for", "rate_basis_points", "summarize", "vat_on",
]  # fmt: skip

VatMode = Literal["vat", "reverse_charge", "none"]
VAT_MODES: tuple[VatMode, ...] = ("vat", "reverse_charge", "none")
STANDARD_RATE_BP = 2100
"""The Czech standard rate (21 %), the default for a VAT payer who sets none."""


def mode_for(settings: tables.AppSettings, client: tables.Client) -> VatMode:
    """The regime of a new invoice from `settings` (the supplier) to `client`."""
    if not settings.vat_payer:
        return "none"
    if identities.is_foreign_vat_id(client.vat_id):
        return "reverse_charge"
    return "vat"


def rate_basis_points(value: object) -> int | None:
    """A VAT rate in percent (``21``, ``"12"``, ``Decimal("10.5")``) as basis points."""
    if value is None or value == "":
        return None
    rate = parse_amount(value, "vat_rate")
    if not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.01")):
        raise InvalidInput("vat_rate", "a VAT rate is a percentage between 0 and 100")
    return int(rate.scaleb(2).to_integral_value())


def line_rate(mode: str, rate_bp: int | None, default_bp: int | None) -> int | None:
    """The rate a line of an invoice in `mode` gets when `rate_bp` is asked for.

    Raises:
        InvalidInput: a rate on an invoice that charges no VAT, with the reason.
    """
    if mode == "vat":
        chosen = default_bp if rate_bp is None else rate_bp
        return STANDARD_RATE_BP if chosen is None else chosen
    if rate_bp is not None:
        code, reason = REFUSALS[mode]
        error = InvalidInput("vat_rate", reason)
        error.codes["vat_rate"] = code
        raise error
    return None


REFUSALS = {
    "none": (
        "vat_not_registered",
        "you are not registered for VAT (settings), so invoices carry no VAT",
    ),
    "reverse_charge": (
        "vat_reverse_charge",
        "the client has an EU VAT id, so the reverse charge applies: "
        "the client accounts for the VAT and the invoice carries none",
    ),
}
"""Why a rate is refused, per regime: (error code for forms, sentence)."""
