"""English and Czech: gettext catalogs (Babel) and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from ledger.core import datetimes
from ledger.core.amounts import Language, format_amount

LOCALES = {"en": "en_GB", "cs": "cs_CZ"}
CATALOGS = Path(__file__).parent / "locale"


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid → translation of `language` (English is the source language).

    Every ``.po`` file in the language's ``LC_MESSAGES`` is read: one per area of
    the UI (``messages.po``, ``invoices.po``, ...), merged.
    """
    if language == "en":
        return {}
    messages: dict[str, str] = {}
    for path in sorted((CATALOGS / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=language)
        messages.update(
            {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}
        )
    return messages


class Translator:
    """gettext for one language, plus Babel formatting in its locale; times in `zone`."""

    def __init__(self, language: str, zone: str = datetimes.FALLBACK_ZONE) -> None:
        self.language = language if language in LOCALES else "en"
        self.locale = LOCALES[self.language]
        self.zone = zone
        self._messages = catalog(self.language)

    def gettext(self, message: str, **values: object) -> str:
        """The translation of `message`, with ``%(name)s`` values filled in."""
        text = self._messages.get(message, message)
        return text % values if values else text

    def money(self, amount: Decimal | None, currency: str) -> str:
        """``1 234,50 Kč`` in Czech, ``CZK 1,234.50`` in English."""
        if amount is None:
            return "—"
        return format_currency(amount, currency, locale=self.locale)

    @property
    def notation(self) -> Language:
        """How amounts are typed in this language (see `ledger.core.amounts`)."""
        return "cs" if self.language == "cs" else "en"

    def amount(self, value: Decimal | None) -> str:
        """An amount as a form shows it and reads it back: ``1,500.50`` / ``1 500,50``."""
        return "" if value is None else format_amount(value, self.notation)

    def number(self, value: Decimal | int | float) -> str:
        return format_decimal(value, locale=self.locale)

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
