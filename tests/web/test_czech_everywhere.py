"""Every page of the web UI in Czech shows no English UI string.

Walks every GET route of the app (a new route without an entry in `PARAMS` fails the
walk), logged in, on the demo data with a sync run, a share link and invoices in every
state, and looks for the English catalogue: any msgid whose Czech translation differs,
shown as a whole text or attribute (or, for phrases of three words and more, anywhere in
a text). Names and data (clients, descriptions, numbers) are not msgids, so they pass.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.invoices import LineInput
from ledger.demo import load_demo
from ledger.web.app import all_routes
from ledger.web.i18n import catalogs

from .test_translations import extracted, plugin_setting_texts

SKIPPED = {
    "/invoices/month.pdf": "a PDF (its labels are tested with the documents)",
    "/invoices/{invoice_id:id}/pdf": "a PDF",
    "/invoices/{invoice_id:id}/qr.svg": "an image",
    "/p/{token}/pdf": "a PDF",
    "/docs{rest:path}": "the guide, written in English",
    "/setup": "only before the first account exists",
}


@dataclass
class Demo:
    """Ids of the demo records a page needs."""

    values: dict[str, list[str]]
    data: set[str]
    """Texts that are data, not UI: bank messages, names, descriptions."""


@pytest.fixture
def demo(lg: Ledger) -> Demo:
    load_demo(lg)
    lg.settings.update(locale="cs")
    lg.plugins.enable("demo_bank")
    run = lg.sync("demo_bank")
    entry = lg.entries.list(unbilled=True)[0]
    lg.invoices.cancel(lg.invoices.issue(lg.invoices.draft(entry.client_id)))
    lg.invoices.draft(entry.client_id)  # the cancelled one's work, drafted again
    invoices = lg.invoices.list()
    by_state = {(i.status, i.payment_state): i for i in invoices}
    czech = next(i for i in invoices if i.status == "issued" and i.language == "cs")
    _, token = lg.portal.create_link(czech)
    transaction = lg.transactions.list()[0]
    hosting = LineInput("Hosting", "1", "1500")
    template = lg.recurring.add(entry.client_id, name="Hosting", next_date=lg.today(),
                                lines=[hosting])  # fmt: skip
    return Demo(
        values={
            "client_id": [str(lg.clients.list()[0].id)],
            "project_id": [str(lg.projects.list()[0].id)],
            "entry_id": [str(entry.id)],
            "invoice_id": [str(i.id) for i in by_state.values()],
            "transaction_id": [str(transaction.id)],
            "run_id": [str(run.id)],
            "name": [plugin.name for plugin in lg.plugins.list()],
            "token": [token],
            "template_id": [str(template.id)],
        },
        data={
            *(t.message for t in lg.transactions.list()),
            *(t.counterparty_name for t in lg.transactions.list()),
            *(e.description for e in lg.entries.list()),
            *(c.name for c in lg.clients.list(include_archived=True)),
            template.name,
        },
    )


QUERIES = {
    "/invoices/new/preview": "client={client_id}",
    "/settings/number-preview": "pattern=FV%7BYYYY%7D-%7BNNNN%7D",
}


def pages(demo: Demo) -> Iterator[str]:
    """Every GET page address, once per demo record of each kind it takes."""
    for route in all_routes():
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if route.path in SKIPPED:
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
        unknown = [name for name in names if name not in demo.values]
        assert not unknown, f"{route.path}: give the walk a demo value for {unknown}"
        yield from _addresses(route.path, names, demo)


def _addresses(path: str, names: list[str], demo: Demo) -> Iterator[str]:
    if not names:
        query = QUERIES.get(path, "").replace("{client_id}", demo.values["client_id"][0])
        yield f"{path}?{query}" if query else path
        return
    name = names[0]
    for value in demo.values[name]:
        filled = re.sub(r"\{" + name + r"(?::\w+)?\}", value, path, count=1)
        yield from _addresses(filled, names[1:], demo)


def english_messages() -> list[tuple[str, re.Pattern[str], bool]]:
    """Each English msgid that Czech translates differently: (msgid, pattern, phrase)."""
    czech = catalogs("cs")
    found = []
    for message in extracted():
        english = message[1] if isinstance(message, tuple) else message
        key = message[0] if isinstance(message, tuple) else message
        translated = czech.plurals.get(key, ()) if isinstance(message, tuple) else ()
        if not isinstance(message, tuple) and czech.messages.get(key) == key:
            continue  # the same word in both languages (IBAN, BIC, ...)
        if english in translated:
            continue
        for text in {str(key), str(english)}:
            parts = [re.escape(part.strip()) for part in re.split(r"%\(\w+\)[sd]", text)]
            pattern = r"\s*.+?\s*".join(parts).strip()
            if len(text.strip()) > 1:
                found.append((text, re.compile(pattern), len(text.split()) >= 3))
    for text in plugin_setting_texts():  # the generated settings forms
        found.append((text, re.compile(re.escape(text)), len(text.split()) >= 3))
    return found


def shown_texts(page: str) -> list[str]:
    """What a reader sees or hears: text between tags, titles, placeholders, labels."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)  # raw stored values
    attributes = re.findall(r'\b(?:title|placeholder|aria-label|hx-confirm)="([^"]*)"', page)
    texts = re.split(r"<[^>]+>", page)
    return [" ".join(html.unescape(t).split()) for t in [*texts, *attributes] if t.strip()]


def leaks(
    texts: list[str], messages: list[tuple[str, re.Pattern[str], bool]], data: set[str]
) -> set[str]:
    found = set()
    for text in texts:
        if text in data:
            continue
        bare = text.strip(" ·:—-→←()0123456789.,")
        for message, pattern, phrase in messages:
            if pattern.fullmatch(bare) or (phrase and pattern.search(text)):
                found.add(f"{message!r} in {text[:80]!r}")
    return found


def test_every_page_in_czech_shows_no_english(client: TestClient, demo: Demo) -> None:
    messages = english_messages()
    assert len(messages) > 300
    walked, problems = 0, {}
    for address in pages(demo):
        response = client.get(address, follow_redirects=True)
        assert response.status_code < 500, address
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        walked += 1
        found = leaks(shown_texts(response.text), messages, demo.data)
        if found:
            problems[address] = sorted(found)
    assert walked > 30, walked
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_walk_catches_an_english_string() -> None:
    messages = english_messages()
    page = '<p>Dashboard</p><button title="Log out">x</button><p>Acme s.r.o.</p>'
    assert leaks(shown_texts(page), messages, {"Acme s.r.o."}) == {
        "'Dashboard' in 'Dashboard'",
        "'Log out' in 'Log out'",
    }


BAD_FORMS = [
    ("/clients", {"name": "", "currency": "XX", "email": "nope", "hourly_rate": "1.5.0",
                  "company_id": "123", "vat_id": "DE1", "payment_terms_days": "-3"}),
    ("/time/entries", {"date": "2026-13-45", "project": "", "duration": "abc", "amount": "x"}),
    ("/settings", {"supplier_name": "", "supplier_iban": "CZ00 1234", "supplier_bic": "??",
                   "supplier_company_id": "1", "default_due_days": "many",
                   "payment_tolerance": "-1", "default_vat_rate": "150"}),
    ("/settings/password", {"current_password": "wrong", "new_password": "x",
                            "new_password_again": "y"}),
]  # fmt: skip


@pytest.mark.parametrize(("path", "form"), BAD_FORMS)
def test_form_errors_in_czech_show_no_english(
    client: TestClient, lg: Ledger, path: str, form: dict[str, str]
) -> None:
    lg.settings.update(locale="cs")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/settings").text)
    assert token is not None
    response = client.post(path, data={**form, "csrf_token": token.group(1)})
    assert response.status_code in (400, 303), response.text[:300]
    page = client.get("/settings").text if response.status_code == 303 else response.text
    errors = re.findall(r'class="error"[^>]*>([^<]+)<', page)
    assert errors or response.status_code == 303, path
    english = [e for e in errors if re.search(r"\b(the|use|must|is|not|enter|give)\b", e, re.I)]
    assert not english, english
