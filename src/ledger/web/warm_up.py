"""Start-up warming: the first page and the first PDF as fast as the ones after.

A fresh process compiles each Jinja template on first use, loads Babel's locale data
on the first formatted date or amount, and imports WeasyPrint, loads the fonts and
builds its caches on the first PDF (over a second). `start` does all of that in a
background thread while the server is already answering, so nobody waits for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from decimal import Decimal

from ledger.api import Ledger
from ledger.errors import LedgerError
from ledger.web.i18n import LOCALES, Translator
from ledger.web.rendering import TEMPLATES, environment

log = logging.getLogger(__name__)


def start(lg: Ledger) -> threading.Thread:
    """Warm templates, catalogs and the PDF machinery in a daemon thread; return it."""
    thread = threading.Thread(target=warm, args=(lg,), name="ledger-warm-up", daemon=True)
    thread.start()
    return thread


def warm(lg: Ledger) -> None:
    """Compile every page template, load each language, then the PDF machinery."""
    for path in sorted(TEMPLATES.glob("*.html")):
        environment.get_template(path.name)
    for language in LOCALES:
        t = Translator(language)
        t.money(Decimal("1500"), "CZK")
        t.date(dt.date(2026, 1, 1))
        t.datetime(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    try:
        lg.documents.warm_up()
    except LedgerError as exc:  # no Pango here: the first PDF will say so in the UI
        log.warning("PDFs could not be prepared at start-up: %s", exc)
