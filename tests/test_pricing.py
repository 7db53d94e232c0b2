"""Pure billing rules and numbering: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.core import pricing
from ledger.core.invoices import numbering
from ledger.core.pricing import BillableEntry
from ledger.errors import InvalidInput

NOV = dt.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("entry", "project", "client", "default", "expected"),
    [
        (100, 200, 300, 400, 100),
        (None, 200, 300, 400, 200),
        (None, None, 300, 400, 300),
        (None, None, None, 400, 400),
        (None, None, None, None, None),
        (0, 200, 300, 400, 0),  # an explicit zero rate is a rate, not "unset"
        (None, 0, 300, None, 0),
    ],
)
def test_rate_precedence(
    entry: int | None, project: int | None, client: int | None, default: int | None, expected: int
) -> None:
    assert pricing.resolve_rate(entry, project, client, default) == expected


@pytest.mark.parametrize(
    ("minutes", "mode", "step", "expected"),
    [
        (7, "none", 15, 7),
        (7, "up", 0, 7),
        (1, "up", 15, 15),
        (15, "up", 15, 15),
        (16, "up", 15, 30),
        (61, "up", 30, 90),
        (7, "nearest", 15, 15),  # never rounds work down to nothing
        (22, "nearest", 15, 15),
        (23, "nearest", 15, 30),
        (37, "nearest", 15, 30),
        (38, "nearest", 15, 45),
        (5, "nearest", 10, 10),  # exactly half: up
        (14, "nearest", 10, 10),
        (15, "nearest", 10, 20),
        (25, "nearest", 10, 30),
        (45, "nearest", 6, 48),
    ],
)
def test_round_minutes(minutes: int, mode: str, step: int, expected: int) -> None:
    assert pricing.round_minutes(minutes, mode, step) == expected


@pytest.mark.parametrize(
    ("minutes", "rate_minor", "amount_minor"),
    [
        (20, 100000, 33333),
        (40, 100000, 66667),
        (10, 100, 17),
        (1, 30, 1),  # 0.5 → 1
        (1, 90, 2),  # 1.5 → 2
        (1, 150, 3),  # 2.5 → 3 (half-even would give 2)
        (0, 150000, 0),
        (60, 123457, 123457),
        (1440, 999999, 23999976),
    ],
)
def test_time_amount_is_rounded_half_up(minutes: int, rate_minor: int, amount_minor: int) -> None:
    assert pricing.time_amount(minutes, rate_minor) == amount_minor


@pytest.mark.parametrize(("minutes", "milli"), [(20, 333), (40, 667), (90, 1500), (1, 17)])
def test_hours_milli(minutes: int, milli: int) -> None:
    assert pricing.hours_milli(minutes) == milli


@pytest.mark.parametrize(
    ("subtotal", "rate_bp", "vat"),
    [
        (99999, 2100, 21000),  # 20999.79
        (50, 2100, 11),  # 10.5 → 11
        (333, 1500, 50),  # 49.95 → 50
        (1000, 1234, 123),  # 123.4
        (0, 2100, 0),
        (1000, None, 0),
        (1000, 0, 0),
    ],
)
def test_vat_amount(subtotal: int, rate_bp: int | None, vat: int) -> None:
    assert pricing.vat_amount(subtotal, rate_bp) == vat


def _time(
    entry_id: int,
    minutes: int,
    *,
    project: int = 1,
    rate: int = 100000,
    day: dt.date = NOV,
    description: str = "",
) -> BillableEntry:
    amount = pricing.time_amount(minutes, rate)
    return BillableEntry(
        entry_id, project, f"P{project}", day, description, "time", minutes, rate, amount
    )


def _fixed(
    entry_id: int, amount: int, *, project: int = 1, description: str = ""
) -> BillableEntry:
    return BillableEntry(entry_id, project, f"P{project}", NOV, description, "fixed", 0, 0, amount)


def test_project_grouping_sums_minutes_per_project_and_rate() -> None:
    entries = [
        _time(1, 20),
        _time(2, 20),
        _time(3, 20),
        _time(4, 30, rate=200000),
        _time(5, 15, project=2),
        _fixed(6, 49900, description="Hosting"),
    ]
    lines = pricing.group_lines(entries, "project")
    assert [
        (ln.description, ln.minutes, ln.unit_price_minor, ln.amount_minor) for ln in lines
    ] == [
        ("P1", 60, 100000, 100000),  # priced from 60 minutes, not 3 x 333.33
        ("P1", 30, 200000, 100000),
        ("P2", 15, 100000, 25000),
        ("Hosting", 0, 49900, 49900),
    ]
    assert [ln.quantity_milli for ln in lines] == [1000, 500, 250, 1000]
    assert [ln.unit for ln in lines] == ["h", "h", "h", "pcs"]


def test_entry_grouping_gives_each_entry_its_line() -> None:
    entries = [_time(2, 20, description="Review"), _time(1, 20), _fixed(3, 500)]
    lines = pricing.group_lines(entries, "entry")
    assert [(ln.description, ln.amount_minor) for ln in lines] == [
        ("P1", 33333),
        ("Review", 33333),
        ("P1", 500),
    ]


def test_day_grouping_gives_a_line_per_project_rate_and_day() -> None:
    other_day = NOV + dt.timedelta(days=1)
    entries = [_time(1, 20), _time(2, 40), _time(3, 30, day=other_day), _time(4, 30, project=2)]
    lines = pricing.group_lines(entries, "day")
    assert [(ln.description, ln.minutes) for ln in lines] == [
        ("P1 – 2026-11-02", 60),
        ("P2 – 2026-11-02", 30),
        ("P1 – 2026-11-03", 30),
    ]


def test_no_entries_no_lines() -> None:
    assert pricing.group_lines([], "project") == []


# --- numbering ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "day", "sequence", "number", "symbol", "series"),
    [
        ("{year}-{seq:04d}", dt.date(2026, 1, 5), 1, "2026-0001", "20260001", "2026-#"),
        ("{year}-{seq:04d}", dt.date(2026, 12, 31), 123, "2026-0123", "20260123", "2026-#"),
        (
            "INV-{yy}{month}-{seq:03d}",
            dt.date(2026, 3, 9),
            7,
            "INV-2603-007",
            "2603007",
            "INV-2603-#",
        ),
        ("{seq}", dt.date(2026, 3, 9), 42, "42", "42", "#"),
        ("{seq:05d}/{year}", dt.date(2027, 3, 9), 9, "00009/2027", "92027", "#/2027"),
        ("F{yy}{seq:04d}", dt.date(2030, 1, 1), 12, "F300012", "300012", "F30#"),
    ],
)
def test_numbers_series_and_variable_symbols(
    pattern: str, day: dt.date, sequence: int, number: str, symbol: str, series: str
) -> None:
    assert numbering.check_pattern(pattern) == pattern
    assert numbering.format_number(pattern, day, sequence) == number
    assert numbering.variable_symbol(number) == symbol
    assert symbol.isdigit()
    assert len(symbol) <= numbering.MAX_VARIABLE_SYMBOL_DIGITS
    assert numbering.series_key(pattern, day) == series


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("{year}", "must contain {seq}"),
        ("INV-{month}", "must contain {seq}"),
        ("{foo}-{seq}", "not a valid pattern"),
        ("{seq:xyz}", "not a valid pattern|use field formats"),
        ("{year-{seq}", "not a valid pattern"),
        ("{year}{month}{seq:08d}", "over 10 digits"),
        ("{0}{seq}", "not a valid pattern"),
    ],
)
def test_bad_patterns_are_refused(pattern: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        numbering.check_pattern(pattern)
    assert caught.value.field == "number_pattern"


@pytest.mark.parametrize(
    ("minutes", "rounding", "step", "rates", "expected"),
    [
        (50, "up", 15, (None, 120000, 150000, None), pricing.TimePrice(60, 120000, 120000)),
        (50, "none", 0, (90000, 120000, None, 100000), pricing.TimePrice(50, 90000, 75000)),
        (7, "nearest", 15, (None, None, None, 60000), pricing.TimePrice(15, 60000, 15000)),
        (30, "none", 0, (None, None, None, None), None),
    ],
)
def test_time_is_priced_by_the_first_rate_and_the_projects_rounding(
    minutes: int,
    rounding: str,
    step: int,
    rates: tuple[int | None, ...],
    expected: pricing.TimePrice | None,
) -> None:
    assert pricing.price_time(minutes, rounding, step, rates) == expected
