"""Times in the user's zone: the one place that converts and formats dates and times.

Storage stays UTC. Every page, command and document that shows a moment converts it
here to the zone in the settings and writes it the one way its language does:
``3. 12. 2026 14:05`` in Czech, ``3 Dec 2026 14:05`` in English.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ledger.errors import InvalidInput

LOCALES = {"en": "en_GB", "cs": "cs_CZ"}
DATE_PATTERNS = {"en": "d MMM yyyy", "cs": "d. M. yyyy"}
ZONE_EXAMPLE = "Europe/Prague"
FALLBACK_ZONE = "UTC"


def check_zone(name: str) -> str:
    """An IANA time zone name such as ``Europe/Prague``, as written; raises `ValueError`."""
    zone = name.strip()
    if zone and zone in _zone_names():
        return zone
    raise ValueError(f"{name!r} is not a time zone; write a name such as {ZONE_EXAMPLE}")


def machine_zone() -> str:
    """The zone this machine runs in (``TZ``, else ``/etc/localtime``), else UTC."""
    for candidate in (os.environ.get("TZ", "").removeprefix(":"), _localtime_link()):
        if candidate in _zone_names():
            return candidate
    return FALLBACK_ZONE


def zone_of(name: str) -> ZoneInfo:
    """The `ZoneInfo` of a checked name; an unknown one falls back to UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


def local(value: dt.datetime, zone: str) -> dt.datetime:
    """`value` in `zone`; a naive value is UTC (SQLite hands times back naive)."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone_of(zone))


def local_date(value: dt.datetime, zone: str) -> dt.date:
    """The day `value` falls on in `zone` (23:30 UTC is the next day in Prague)."""
    return local(value, zone).date()


def at_local(day: dt.date, time: dt.time, zone: str) -> dt.datetime:
    """The moment a wall clock in `zone` shows `time` on `day` (aware, in that zone)."""
    return dt.datetime.combine(day, time, tzinfo=zone_of(zone))


def format_date(value: dt.date | None, language: str) -> str:
    """``3. 12. 2026`` in Czech, ``3 Dec 2026`` in English; ``""`` for None."""
    if value is None:
        return ""
    from babel.dates import format_date as babel_date  # Babel loads when a date is shown

    lang = language if language in LOCALES else "en"
    return babel_date(value, format=DATE_PATTERNS[lang], locale=LOCALES[lang])


def format_time(value: dt.datetime | None, zone: str) -> str:
    """``14:05``, the wall clock in `zone`."""
    return "" if value is None else local(value, zone).strftime("%H:%M")


def format_datetime(value: dt.datetime | None, language: str, zone: str) -> str:
    """``3. 12. 2026 14:05`` in Czech, ``3 Dec 2026 14:05`` in English, in `zone`."""
    if value is None:
        return ""
    moment = local(value, zone)
    return f"{format_date(moment.date(), language)} {moment:%H:%M}"


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones() | {FALLBACK_ZONE})


def _localtime_link() -> str:
    path = Path("/etc/localtime")
    try:
        target = str(path.resolve()) if path.is_symlink() else ""
    except OSError:
        return ""
    return target.partition("zoneinfo/")[2]


def parse_date(value: object, field: str = "date") -> dt.date:
    """Accept a `date` or ISO text (``2026-11-02``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(field, f"{value!r} is not a date; use YYYY-MM-DD")
