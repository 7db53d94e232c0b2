"""Gapless invoice numbers and the Czech variable symbol derived from them."""

from __future__ import annotations

import datetime as dt
import re
import string

from ledger.errors import InvalidInput

MAX_VARIABLE_SYMBOL_DIGITS = 10
_SPEC = re.compile(r"0?\d{0,2}d?")
_FIELDS = {"year", "yy", "month", "seq"}


def check_pattern(pattern: str, field: str = "number_pattern") -> str:
    """A numbering pattern such as ``{year}-{seq:04d}``; `{seq}` is required.

    `field` names the setting in the error (invoices' or credit notes' pattern).
    """
    specs = [spec for _, name, spec, _ in _fields(pattern, field) if name is not None]
    if any(spec and not _SPEC.fullmatch(spec) for spec in specs):
        raise InvalidInput(
            field,
            f"{pattern!r} is not a valid pattern: use formats like {{seq:04d}} (2 digits at most)",
        )
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        sample = format_number(pattern, dt.date(2026, 12, 31), 9999)
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidInput(field, f"{pattern!r} is not a valid pattern: {exc}") from None
    if "seq" not in names:
        raise InvalidInput(field, "must contain {seq}, e.g. {year}-{seq:04d}")
    if unknown := names - _FIELDS:
        raise InvalidInput(field, f"unknown fields {sorted(unknown)}; use {sorted(_FIELDS)}")
    if len(variable_symbol(sample)) > MAX_VARIABLE_SYMBOL_DIGITS:
        raise InvalidInput(
            field,
            f"numbers like {sample!r} give a variable symbol over 10 digits; shorten it",
        )
    return pattern


def series_key(pattern: str, issue_date: dt.date) -> str:
    """The series a number belongs to: the pattern with all but `{seq}` filled in."""
    return _render(pattern, issue_date, None)


def format_number(pattern: str, issue_date: dt.date, sequence: int) -> str:
    """The invoice number for `sequence` in the series of `issue_date`."""
    return _render(pattern, issue_date, sequence)


def _render(pattern: str, issue_date: dt.date, sequence: int | None) -> str:
    values: dict[str, object] = {
        "year": issue_date.year,
        "yy": issue_date.year % 100,
        "month": issue_date.month,
        "seq": sequence,
    }
    parts: list[str] = []
    for literal, name, spec, _ in string.Formatter().parse(pattern):
        parts.append(literal)
        if name is None:
            continue
        if name == "seq" and sequence is None:
            parts.append("#")
            continue
        default_spec = "02d" if name in {"yy", "month"} else ""
        parts.append(format(values[name], spec or default_spec))
    return "".join(parts)


def variable_symbol(number: str) -> str:
    """The digits of an invoice number, without leading zeros (``2026-0001`` → ``20260001``)."""
    return re.sub(r"\D", "", number).lstrip("0") or "0"


def check_distinct(invoice_pattern: str, credit_note_pattern: str) -> None:
    """Credit notes need a series of their own: their fixed text must differ."""
    day = dt.date(2026, 12, 31)
    if series_key(invoice_pattern, day) == series_key(credit_note_pattern, day):
        raise InvalidInput(
            "credit_note_pattern",
            "credit notes are numbered in a series of their own; make the pattern differ "
            "from the invoices' in its fixed text, e.g. D{year}-{seq:04d}",
        )


def _fields(pattern: str, field: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise InvalidInput(field, f"{pattern!r} is not a valid pattern: {exc}") from None
