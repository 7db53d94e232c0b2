"""Pure billing rules: which rate applies, how minutes round, how lines group.

Nothing here touches the database, so every rule is testable on its own; nothing here
needs more than the standard library's lightest modules (no `dataclasses`), so
``ledger status`` prices unbilled work without slowing its start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, NamedTuple

Grouping = Literal["project", "entry", "day"]
GROUPINGS: tuple[Grouping, ...] = ("project", "entry", "day")


def resolve_rate(*rates_by_precedence: int | None) -> int | None:
    """The first rate given: entry override > project > client > default."""
    return next((rate for rate in rates_by_precedence if rate is not None), None)


def round_minutes(minutes: int, mode: str, step: int) -> int:
    """Round billed minutes ``up`` or to the ``nearest`` multiple of `step`."""
    if mode == "none" or step <= 0:
        return minutes
    if mode == "up":
        return -(-minutes // step) * step
    return max(step, ((minutes * 2 + step) // (2 * step)) * step)


def time_amount(minutes: int, rate_minor: int) -> int:
    """Minutes at an hourly rate, in minor units, rounded half-up."""
    exact = Decimal(minutes) * rate_minor / 60
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class TimePrice(NamedTuple):
    """What time worked is billed at: rounded minutes, the rate used and the amount."""

    minutes: int
    rate_minor: int
    amount_minor: int


def price_time(
    minutes: int, rounding: str, step: int, rates_by_precedence: Iterable[int | None]
) -> TimePrice | None:
    """Price time worked: the first rate given, minutes rounded by the project's rule.

    The one place a work entry's price is computed; invoices, reports and the web
    call it. None when no rate is set anywhere.

    Args:
        minutes: the minutes worked.
        rounding: the project's rule (``none``, ``up``, ``nearest``) and `step` its minutes.
        rates_by_precedence: entry override, project, client, default (minor units or None).
    """
    rate = resolve_rate(*rates_by_precedence)
    if rate is None:
        return None
    billed = round_minutes(minutes, rounding, step)
    return TimePrice(billed, rate, time_amount(billed, rate))


def hours_milli(minutes: int) -> int:
    """Minutes as thousandths of an hour (the stored line quantity)."""
    return int((Decimal(minutes) * 1000 / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class BillableEntry(NamedTuple):
    """An entry priced for billing: the snapshot stored on the entry."""

    entry_id: int
    project_id: int
    project_name: str
    date: dt.date
    description: str
    kind: str
    minutes: int
    rate_minor: int
    amount_minor: int


class LineDraft:
    """An invoice line before it is stored (time lines add up their minutes)."""

    __slots__ = (
        "amount_minor", "description", "minutes", "project_id", "quantity_milli", "unit",
        "unit_price_minor",
    )  # fmt: skip

    def __init__(
        self,
        description: str,
        quantity_milli: int,
        unit: str,
        unit_price_minor: int,
        amount_minor: int,
        project_id: int | None,
        minutes: int = 0,
    ) -> None:
        self.description = description
        self.quantity_milli = quantity_milli
        self.unit = unit
        self.unit_price_minor = unit_price_minor
        self.amount_minor = amount_minor
        self.project_id = project_id
        self.minutes = minutes


def group_lines(entries: Iterable[BillableEntry], grouping: Grouping) -> list[LineDraft]:
    """Invoice lines from priced entries; fixed amounts always stand alone.

    Time lines are priced from their summed minutes, so a line's amount is the
    exact rate times its hours, rounded once.
    """
    fixed: list[LineDraft] = []
    timed: dict[tuple[object, ...], LineDraft] = {}
    for entry in sorted(entries, key=lambda e: (e.date, e.entry_id)):
        if entry.kind == "fixed":
            fixed.append(_fixed_line(entry))
            continue
        key, label = _group_key(entry, grouping)
        line = timed.setdefault(
            key, LineDraft(label, 0, "h", entry.rate_minor, 0, entry.project_id)
        )
        line.minutes += entry.minutes
    for line in timed.values():
        line.quantity_milli = hours_milli(line.minutes)
        line.amount_minor = time_amount(line.minutes, line.unit_price_minor)
    return [*timed.values(), *fixed]


def _group_key(entry: BillableEntry, grouping: Grouping) -> tuple[tuple[object, ...], str]:
    if grouping == "entry":
        return (entry.entry_id,), entry.description or entry.project_name
    if grouping == "day":
        label = f"{entry.project_name} – {entry.date.isoformat()}"
        return (entry.project_id, entry.rate_minor, entry.date), label
    return (entry.project_id, entry.rate_minor), entry.project_name


def _fixed_line(entry: BillableEntry) -> LineDraft:
    return LineDraft(
        description=entry.description or entry.project_name,
        quantity_milli=1000,
        unit="pcs",
        unit_price_minor=entry.amount_minor,
        amount_minor=entry.amount_minor,
        project_id=entry.project_id,
    )


def vat_amount(subtotal_minor: int, vat_rate_bp: int | None) -> int:
    """VAT on the subtotal at a rate in basis points, rounded half-up."""
    if not vat_rate_bp:
        return 0
    exact = Decimal(subtotal_minor) * vat_rate_bp / 10000
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
