"""When a recurring invoice falls next: months, quarters and years, month ends kept."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from ledger.errors import InvalidInput

Interval = Literal["monthly", "quarterly", "yearly"]
MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "yearly": 12}
"""How many months each interval spans."""

Mode = Literal["draft", "issue"]
MODES: tuple[str, ...] = ("draft", "issue")
"""What a run makes of a due period: a draft to look over, or an issued invoice."""


def check_interval(value: str) -> str:
    """`value` if it is an interval, else an `InvalidInput` naming those there are."""
    if value not in MONTHS:
        known = "monthly, quarterly or yearly"
        raise InvalidInput("interval", f"no interval is {value!r}; use {known}")
    return value


def check_mode(value: str) -> str:
    """`value` if it is a mode, else an `InvalidInput` naming both."""
    if value not in MODES:
        raise InvalidInput("mode", f"no mode is {value!r}; use draft or issue")
    return value


def following(day: dt.date, interval: str, anchor_day: int) -> dt.date:
    """The period after the one starting on `day`, on `anchor_day` of its month.

    A month shorter than `anchor_day` gets its last day: with anchor 31, Jan 31 →
    Feb 28 (29 in a leap year) → Mar 31.
    """
    months = day.year * 12 + day.month - 1 + MONTHS[check_interval(interval)]
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(anchor_day, last))


def periods_until(start: dt.date, interval: str, anchor_day: int, today: dt.date) -> list[dt.date]:
    """Every period start from `start` on or before `today` (empty when none is due)."""
    found = []
    day = start
    while day <= today:
        found.append(day)
        day = following(day, interval, anchor_day)
    return found
