"""English and Czech: gettext catalogs (Babel) and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ledger.core import datetimes
from ledger.core.amounts import Language, format_amount, format_money

LOCALES = {"en": "en_GB", "cs": "cs_CZ"}
CATALOGS = Path(__file__).parent / "locale"


@dataclass
class Catalog:
    """One language's translations: plain messages, and plural ones with their rule."""

    messages: dict[str, str] = field(default_factory=dict)
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plural_rule: Callable[[int], int] = field(default=lambda n: int(n != 1))


@cache
def catalogs(language: str) -> Catalog:
    """The merged catalog of `language` (English is the source language: empty).

    Every ``.po`` file in the language's ``LC_MESSAGES`` is read: one per area of
    the UI (``messages.po``, ``invoices.po``, ...), merged. Plural messages are kept
    by their singular msgid, with the plural rule of the catalogs' header.
    """
    merged = Catalog()
    if language == "en":
        return merged
    for path in sorted((CATALOGS / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=language)
        merged.plural_rule = gettext.c2py(po.plural_expr)
        for m in po:
            if not m.id or m.fuzzy:
                continue
            if isinstance(m.id, tuple) and isinstance(m.string, tuple) and all(m.string):
                merged.plurals[str(m.id[0])] = tuple(str(text) for text in m.string)
            elif isinstance(m.id, str) and m.string:
                merged.messages[m.id] = str(m.string)
    return merged


def catalog(language: str) -> dict[str, str]:
    """msgid → translation of `language`'s plain (not plural) messages."""
    return catalogs(language).messages


class Translator:
    """gettext for one language, plus Babel formatting in its locale; times in `zone`."""

    def __init__(self, language: str, zone: str = datetimes.FALLBACK_ZONE) -> None:
        self.language = language if language in LOCALES else "en"
        self.locale = LOCALES[self.language]
        self.zone = zone
        self._catalog = catalogs(self.language)
        self._messages = self._catalog.messages

    def gettext(self, message: str, **values: object) -> str:
        """The translation of `message`, with ``%(name)s`` values filled in."""
        text = self._messages.get(message, message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The form of a counted message for `count` (Czech has three: 1, 2–4, 5+).

        ``%(num)s`` is `count` in the locale's digits; other ``%(name)s`` values are
        filled in as for `gettext`.
        """
        forms = self._catalog.plurals.get(singular)
        if forms is None:
            text = singular if count == 1 else plural
        else:
            text = forms[min(self._catalog.plural_rule(count), len(forms) - 1)]
        return text % {"num": self.number(count), **values}

    def money(self, amount: Decimal | None, currency: str) -> str:
        """``1 234,50 Kč`` in Czech, ``CZK 1,234.50`` in English (NO-BREAK SPACEs)."""
        if amount is None:
            return "—"
        return format_money(amount, currency, self.locale)

    @property
    def notation(self) -> Language:
        """How amounts are typed in this language (see `ledger.core.amounts`)."""
        return "cs" if self.language == "cs" else "en"

    def amount(self, value: Decimal | None) -> str:
        """An amount as a form shows it and reads it back: ``1,500.50`` / ``1 500,50``."""
        return "" if value is None else format_amount(value, self.notation)

    def number(self, value: Decimal | int | float) -> str:
        return _formatted_number(value, self.locale)

    def rate(self, value: Decimal) -> str:
        """An exchange rate with the ČNB's three decimals: ``24,290`` / ``24.290``."""
        return format_decimal(value, format="#,##0.000", locale=self.locale)

    def date(self, value: dt.date | None) -> str:
        """``5. 3. 2025`` in Czech, ``5 Mar 2025`` in English."""
        return datetimes.format_date(value, self.language)

    def datetime(self, value: dt.datetime | None) -> str:
        """``3. 12. 2026 14:05`` / ``3 Dec 2026 14:05``, in the user's zone."""
        return datetimes.format_datetime(value, self.language, self.zone)

    def time(self, value: dt.datetime | None) -> str:
        """``14:05``, the wall clock in the user's zone."""
        return datetimes.format_time(value, self.zone)

    def hours(self, minutes: int | None) -> str:
        """Minutes as ``1:30``."""
        if minutes is None:
            return ""
        return f"{minutes // 60}:{minutes % 60:02d}"


@lru_cache(maxsize=4096)
def _formatted_number(value: Decimal | int | float, locale: str) -> str:
    """Babel's text for `value`: the charts' axes ask for the same few round values
    after every change, at a few hundredths of a millisecond each. Equal values (1 and
    1.0) share a text, as the locale's pattern rounds by value."""
    return format_decimal(value, locale=locale)
