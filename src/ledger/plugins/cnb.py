"""Česká národní banka: the daily exchange-rate fixing (kurzy devizového trhu).

A Czech VAT payer converts a foreign-currency invoice's VAT to CZK at the ČNB rate
of the taxable supply date. ČNB publishes one fixing each working day after 14:30
as text, one request per day::

    03.12.2026 #233
    země|měna|množství|kód|kurz
    EMU|euro|1|EUR|24,290
    Japonsko|jen|100|JPY|15,512

Rates have a decimal comma and are CZK per `množství` units (100 JPY, 100 HUF).
Asked for a day without a fixing (a holiday, or today before 14:30), ČNB answers
with the last fixing before it, whose own date is on the first line; rates are
stored under that date, so repeats are harmless. Weekends are never asked for.

The cursor is the last day settled: a past day always is; today only once its
fixing is out, so a sync in the morning asks for today again next time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

from ledger.contracts import BadUpstreamData, Plugin, SyncContext, SyncResult

BASE_URL = (
    "https://www.cnb.cz/cs/financni-trhy/devizovy-trh/kurzy-devizoveho-trhu/"
    "kurzy-devizoveho-trhu/denni_kurz.txt"
)
HEADER = "země|měna|množství|kód|kurz"
DEFAULT_DAYS_BACK = 31
MAX_DAYS_PER_RUN = 300
"""Working days one run asks for (one request each); a longer backfill continues
on the next sync from the cursor."""

_FIRST_LINE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) #(\d+)")
_RATE = re.compile(r"\d+,\d{3}")  # ČNB always prints three decimals
_CODE = re.compile(r"[A-Z]{3}")


class CnbSettings(BaseModel):
    """Which rates to keep, and from when."""

    currencies: str = Field(
        default="EUR,USD",
        description="ISO codes of the currencies to keep, separated by commas "
        "(ČNB fixes about thirty; CZK is the base).",
    )
    start_date: dt.date | None = Field(
        default=None,
        description="First day to fetch on the first sync (default: a month back). "
        "Set it to the oldest taxable supply date you still invoice.",
    )

    @field_validator("currencies")
    @classmethod
    def _codes(cls, value: str) -> str:
        codes = [code.strip().upper() for code in value.split(",") if code.strip()]
        if not codes:
            raise ValueError("name at least one currency, e.g. EUR,USD")
        for code in codes:
            if not _CODE.fullmatch(code) or code == "CZK":
                raise ValueError(f"{code!r} is not a foreign currency code such as EUR")
        return ",".join(dict.fromkeys(codes))

    def codes(self) -> list[str]:
        """The currencies as a list, in the order given."""
        return self.currencies.split(",")


@dataclass(frozen=True)
class Fixing:
    """One published fixing: its day, its number within the year, and code →
    (CZK rate, quantity of units it is for)."""

    day: dt.date
    number: int
    rates: dict[str, tuple[Decimal, int]]


def parse_fixing(text: str) -> Fixing:
    """Read ČNB's daily text format.

    Raises:
        BadUpstreamData: naming the line that is not in the format.
    """
    lines = text.splitlines()
    first = _FIRST_LINE.fullmatch(lines[0].strip()) if lines else None
    if first is None:
        raise BadUpstreamData("is not 'DD.MM.YYYY #N'", field="line 1")
    day_text, month, year, number = first.groups()
    try:
        day = dt.date(int(year), int(month), int(day_text))
    except ValueError:
        raise BadUpstreamData(f"{lines[0]!r} is not a date", field="line 1") from None
    if len(lines) < 2 or lines[1].strip() != HEADER:
        raise BadUpstreamData(f"the header is not {HEADER!r}", field="line 2")
    rates: dict[str, tuple[Decimal, int]] = {}
    for index, line in enumerate(lines[2:], start=3):
        if not line.strip():
            break  # 1999-2001 files follow with conversion ratios after a blank line
        code, rate, quantity = _row(line, f"line {index}")
        rates[code] = (rate, quantity)
    return Fixing(day, int(number), rates)


def _row(line: str, where: str) -> tuple[str, Decimal, int]:
    parts = line.strip().split("|")
    if len(parts) != 5:
        raise BadUpstreamData(f"{line!r} does not have 5 fields", field=where)
    _, _, quantity, code, rate = (part.strip() for part in parts)
    if not _CODE.fullmatch(code):
        raise BadUpstreamData(f"{code!r} is not a currency code", field=f"{where}.kód")
    if not quantity.isdigit() or int(quantity) < 1:
        raise BadUpstreamData(f"{quantity!r} is not a quantity", field=f"{where}.množství")
    if not _RATE.fullmatch(rate):
        raise BadUpstreamData(f"{rate!r} is not a rate such as 24,290", field=f"{where}.kurz")
    return code, Decimal(rate.replace(",", ".")), int(quantity)


class Cnb(Plugin[CnbSettings]):
    """ČNB exchange-rate fixing: CZK rates for foreign-currency VAT."""

    name = "cnb"
    version = "1.0.0"
    Settings = CnbSettings

    def sync(self, ctx: SyncContext[CnbSettings]) -> SyncResult:
        today = ctx.today()
        days = _working_days(self._start(ctx), today)[:MAX_DAYS_PER_RUN]
        if not days:
            ctx.log.info(f"nothing to fetch: rates are synced up to {ctx.cursor}")
            return SyncResult()
        rows: dict[tuple[str, dt.date], dict[str, Any]] = {}
        settled: dt.date | None = None
        for done, day in enumerate(days, start=1):
            fixing = self._fetch(ctx, day)
            for row in _wanted(fixing, ctx.settings.codes()):
                rows[(row["currency"], row["day"])] = row
            # A past day is settled whatever ČNB answered (a holiday has no fixing of
            # its own); today only once its own fixing is out.
            if fixing.day == day or day < today:
                settled = day
            ctx.progress(done, len(days), f"ČNB fixing of {day.isoformat()}")
        ctx.log.info(f"ČNB: {len(rows)} rates from {len(days)} days, {days[0]} to {days[-1]}")
        result = ctx.ledger.exchange_rates.upsert(rows.values())
        if settled is not None:
            ctx.cursor = settled.isoformat()
        return result

    def _start(self, ctx: SyncContext[CnbSettings]) -> dt.date:
        if ctx.cursor:
            try:
                return dt.date.fromisoformat(ctx.cursor) + dt.timedelta(days=1)
            except ValueError:
                ctx.log.warning(f"ignoring the unreadable cursor {ctx.cursor!r}")
        return ctx.settings.start_date or ctx.today() - dt.timedelta(days=DEFAULT_DAYS_BACK)

    def _fetch(self, ctx: SyncContext[CnbSettings], day: dt.date) -> Fixing:
        response = ctx.http.get(BASE_URL, params={"date": day.strftime("%d.%m.%Y")})
        try:
            text = response.content.decode("utf-8")
        except UnicodeDecodeError:
            raise BadUpstreamData("is not UTF-8 text", field="body") from None
        fixing = parse_fixing(text)
        if fixing.day > day:
            raise BadUpstreamData(
                f"asked for the fixing of {day}, ČNB sent the one of {fixing.day}", field="line 1"
            )
        return fixing


def _wanted(fixing: Fixing, codes: list[str]) -> list[dict[str, Any]]:
    """The rows of `codes`; ledger validates them (an unknown code fails the run)."""
    missing = [code for code in codes if code not in fixing.rates]
    if missing:
        raise BadUpstreamData(
            f"the fixing of {fixing.day} (#{fixing.number}) has no {', '.join(missing)}; "
            "remove it from the plugin's currencies if ČNB no longer fixes it"
        )
    return [
        {
            "currency": code,
            "day": fixing.day,
            "rate": fixing.rates[code][0],
            "quantity": fixing.rates[code][1],
        }
        for code in codes
    ]


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Monday to Friday from `start` to `end`; ČNB fixes no rate at weekends."""
    count = (end - start).days + 1
    days = (start + dt.timedelta(days=n) for n in range(max(count, 0)))
    return [day for day in days if day.weekday() < 5]
