"""Durations as people type them: ``1:30``, ``90m``, ``1.5h``, ``2h30m``."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledger.errors import InvalidInput

_CLOCK = re.compile(r"(\d{1,2}):([0-5]\d)")
_UNITS = re.compile(r"(?:(\d+(?:[.,]\d+)?)\s*h)?\s*(?:(\d+(?:[.,]\d+)?)\s*m(?:in)?)?", re.I)
_HINT = "use hours:minutes (1:30), minutes (90m) or hours (1.5h)"


def parse_duration(text: str) -> int:
    """Whole minutes of `text`, rounded half-up; refuses anything without a unit."""
    value = text.strip()
    clock = _CLOCK.fullmatch(value)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2))
    else:
        units = _UNITS.fullmatch(value)
        if not value or units is None or not any(units.groups()):
            raise InvalidInput("duration", f"{text!r} is not a duration; {_HINT}")
        hours, mins = (_decimal(g) for g in units.groups())
        exact = hours * 60 + mins  # Decimal: 0.1h is 6 minutes, not 6.000000000000001
        minutes = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if minutes < 1:
        raise InvalidInput("duration", f"{text!r} is less than a minute; {_HINT}")
    return minutes


def _decimal(group: str | None) -> Decimal:
    try:
        return Decimal((group or "0").replace(",", "."))
    except InvalidOperation:  # the pattern admits only digits, so this is a bug
        raise InvalidInput("duration", f"{group!r} is not a number") from None
