"""Start-up warming: templates compiled, languages loaded, WeasyPrint and fonts ready."""

from __future__ import annotations

from ledger.api import Ledger
from ledger.documents import pdf
from ledger.web import warm_up
from ledger.web.rendering import TEMPLATES, environment


def test_warming_compiles_every_page_and_prepares_pdfs(lg: Ledger) -> None:
    if environment.cache is not None:
        environment.cache.clear()
    pdf._shared_fonts.cache_clear()
    warm_up.start(lg).join()
    assert environment.cache is not None
    compiled = {name for _, name in environment.cache}
    assert compiled >= {path.name for path in TEMPLATES.glob("*.html")}
    assert pdf._shared_fonts.cache_info().currsize == 1  # fonts loaded once, shared


def test_pdfs_after_warming_are_unchanged(lg: Ledger) -> None:
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    lg.entries.add(lg.projects.add(client, name="Web"), date="2026-11-02", minutes=60)
    invoice = lg.invoices.issue(lg.invoices.draft(client))
    warm_up.warm(lg)
    assert lg.documents.invoice_pdf(invoice).startswith(b"%PDF")
