"""A freelancer's month, end to end, in a real browser.

Set up → client → project → time (typed, fixed amounts typed as 1,500.50 in English and
1 500,50 in Czech, and by the timer) → invoice issued →
PDF downloaded and read back → share link opened in a fresh browser, its QR
decoded, then revoked → e-mail set up and the invoice sent to a loopback SMTP
server, the message read back (its PDF and portal link) → demo bank synced with
live progress → the invoice is paid with its evidence → the audit log names every
step's source. Along the way the main pages are photographed in light and dark,
English and Czech, and each page as the browser shows it in Czech holds no English UI
string.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from smtp_server import Sink, smtp_server
from web.test_czech_everywhere import english_messages, leaks, shown_texts

from .browser_kit import SCREENSHOTS, LiveServer

__all__ = ["smtp_server"]  # the fixture, used by name

PASSWORD = "correct horse battery"
PAGES = [
    "/", "/time", "/clients", "/invoices", "/invoices/1", "/money", "/integrations", "/audit",
    "/settings",
]  # fmt: skip


def test_a_month_from_set_up_to_paid(
    live_server: LiveServer, browser: Browser, smtp_server: Sink
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.on("dialog", lambda dialog: dialog.accept())
    url = live_server.url

    page.goto(url + "/")
    expect(page).to_have_url(url + "/setup")
    page.fill("input[name=username]", "jana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Create account')")
    expect(page.locator("h1")).to_have_text("Dashboard")

    page.goto(url + "/settings")
    page.fill("input[name=supplier_name]", "Jana Nováková")
    page.locator("form:has(input[name=supplier_name]) button").last.click()
    expect(page.locator("body")).to_contain_text("The settings were saved.")
    page.fill("[data-testid=account-new] input[name=currency]", "CZK")
    page.fill("[data-testid=account-new] input[name=iban]", "CZ6508000000192000145399")
    page.locator("[data-testid=account-new] button").click()
    expect(page.locator("[data-testid=account-CZK]")).to_be_visible()

    page.goto(url + "/clients/new")
    page.fill("input[name=name]", "Acme s.r.o.")
    page.select_option("select[name=currency]", "CZK")
    page.fill("input[name=hourly_rate]", "1500")
    page.locator("form:has(input[name=name]) button").last.click()
    expect(page.locator("h1")).to_contain_text("Acme s.r.o.")

    page.fill("form[action$='/projects'] input[name=name]", "Web")
    page.locator("form[action$='/projects'] button").click()
    expect(page.locator("body")).to_contain_text("Web")

    page.goto(url + "/time")
    form = page.locator("[data-testid=add-entry]")
    form.locator("input[name=date]").fill("2026-11-02")
    form.locator("select[name=project]").select_option(index=1)
    form.locator("input[name=description]").fill("Code review")
    form.locator("input[name=duration]").fill("1:30")
    form.locator("button").last.click()
    expect(page.locator("#week")).to_contain_text("Code review")

    fixed_amount(page, url, "Hosting", "1,500.50")  # English notation
    language(page, url, "cs")
    fixed_amount(page, url, "Licence", "1 500,50")  # the same amount, written in Czech
    language(page, url, "en")
    fixed = [e.amount for e in live_server.ledger.entries.list() if e.kind == "fixed"]
    assert fixed == [Decimal("1500.50"), Decimal("1500.50")]

    timer = page.locator("#timer")
    timer.locator("input[name=description]").fill("Standup")
    timer.locator("button").click()
    expect(page.locator("[data-testid=timer-running]")).to_contain_text("Standup")
    page.locator("#timer button").click()
    expect(page.locator("[data-testid=timer-running]")).to_have_count(0)

    page.goto(url + "/invoices/new")
    page.select_option("select[name=client]", label="Acme s.r.o. (CZK)")
    page.click("[data-testid=create-draft]")
    page.click("[data-testid=issue]")
    expect(page.locator("[data-testid=state]")).to_have_text(re.compile("Unpaid|Overdue"))
    number = page.locator("[data-testid=variable-symbol]").inner_text()
    total = page.locator("[data-testid=total]").inner_text()
    invoice_url = page.url.split("#")[0]

    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    text = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    assert digits(total) in digits(text), "the PDF carries the invoice's total"

    page.click("[data-testid=create-share-link]")
    address = page.locator("[data-testid=share-link]").input_value()
    visitor = browser.new_context().new_page()
    response = visitor.goto(address)
    assert response is not None
    assert response.status == 200
    expect(visitor.locator("[data-testid=portal-total]")).to_have_text(total)
    qr = visitor.locator("[data-testid=portal-qr]").screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr)))
    assert decoded, "the QR code on the portal decodes"
    assert decoded[0].text.startswith("SPD*1.0*ACC:CZ6508000000192000145399")
    assert f"X-VS:{number}" in decoded[0].text
    page.goto(invoice_url)
    page.click("[data-testid=revoke-share-link]")
    gone = visitor.goto(address)
    assert gone is not None
    assert gone.status == 404
    visitor.context.close()
    send_by_email(page, url, invoice_url, smtp_server, total)
    opened = browser.new_context().new_page().goto(portal_link(smtp_server))
    assert opened is not None
    assert opened.status == 200

    page.goto(url + "/integrations/demo_bank")
    page.locator("form[action$='/enable'] button").click()  # confirmed by the dialog handler
    expect(page.locator("[data-testid=sync-now]")).to_be_visible()
    page.click("[data-testid=sync-now]")
    expect(page.locator("[data-testid=sync-status]")).to_have_text("succeeded", timeout=20_000)

    page.goto(invoice_url)
    expect(page.locator("[data-testid=state]")).to_have_text("Paid")
    expect(page.locator("body")).to_contain_text("variable symbol agrees")

    page.goto(url + "/audit")
    who = page.locator("[data-testid=audit-row] a[href^='/audit?source=']")
    sources = who.evaluate_all("links => links.map(link => link.title)")
    assert "user:1" in sources  # the raw source, one hover away
    assert "plugin:demo_bank" in sources
    assert "jana" in who.all_inner_texts()  # the user by name
    photograph(page, url, live_server)


def send_by_email(page: Page, url: str, invoice_url: str, server: Sink, total: str) -> None:
    """Set up e-mail in the settings, send the invoice from its page, read it back."""
    page.goto(url + "/settings")
    form = page.locator("[data-testid=mail-form]")
    form.locator("input[name=host]").fill("127.0.0.1")
    form.locator("input[name=port]").fill(str(server.port))
    form.locator("select[name=security]").select_option("none")
    form.locator("input[name=sender]").fill("jana@novakova.example")
    form.locator("button").click()
    expect(page.locator("body")).to_contain_text("The e-mail settings were saved.")
    page.goto(invoice_url)
    page.fill("[data-testid=send-to]", "ucetni@acme.example")
    page.click("[data-testid=send-invoice]")
    expect(page.locator("body")).to_contain_text("The invoice was sent to ucetni@acme.example.")
    expect(page.locator("[data-testid=mail-history]")).to_contain_text("Sent 1 time")
    received = server.last()
    assert received.recipients == ["ucetni@acme.example"]
    assert str(received.message["Subject"]).startswith("Invoice ")
    assert str(received.message["Subject"]).endswith(" – Jana Nováková")
    pdfs = [part for part in received.message.iter_attachments()
            if part.get_content_type() == "application/pdf"]  # fmt: skip
    assert len(pdfs) == 1
    text = PdfReader(io.BytesIO(pdfs[0].get_content())).pages[0].extract_text()
    assert digits(total) in digits(text), "the e-mailed PDF carries the invoice's total"


def portal_link(server: Sink) -> str:
    """The client portal address in the last message's text."""
    body = server.last().message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/p/[A-Za-z0-9_-]+", body.get_content())
    assert found, "the e-mail links to the client portal"
    return found.group(0)


def fixed_amount(page: Page, url: str, description: str, amount: str) -> None:
    """Add a fixed-amount entry on the time page, typing `amount` as given."""
    page.goto(url + "/time")
    form = page.locator("[data-testid=add-entry]")
    form.locator("input[name=date]").fill("2026-11-02")
    form.locator("select[name=project]").select_option(index=1)
    form.locator("input[name=description]").fill(description)
    form.locator("input[name=amount]").fill(amount)
    form.locator("button").last.click()
    expect(page.locator("#week")).to_contain_text(description)


def language(page: Page, url: str, code: str) -> None:
    """Switch the UI's language in the settings (the form round-trips its amounts)."""
    page.goto(url + "/settings")
    page.select_option("select[name=locale]", code)
    page.locator("form:has(select[name=locale]) button").last.click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def digits(text: str) -> str:
    """Only the digits: money reads alike in the page and in the PDF's text."""
    return re.sub(r"\D", "", text)


def photograph(page: Page, url: str, live_server: LiveServer) -> None:
    """The main pages in light and dark, English and Czech, as test artifacts; each
    Czech page as rendered shows no English UI string (names and data aside)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lg = live_server.ledger
    data = {
        *(e.description for e in lg.entries.list()),
        *(c.name for c in lg.clients.list()),
        *(t.message for t in lg.transactions.list()),
        *(t.counterparty_name for t in lg.transactions.list()),
    }
    messages, english = english_messages(), {}
    for language in ("en", "cs"):
        for theme in ("light", "dark"):
            page.goto(url + "/settings")
            page.select_option("select[name=locale]", language)
            page.select_option("select[name=theme]", theme)
            page.locator("form:has(select[name=locale]) button").last.click()
            for path in PAGES:
                page.goto(url + path)
                name = path.strip("/").replace("/", "-") or "dashboard"
                shot = SCREENSHOTS / f"{name}-{language}-{theme}.png"
                page.screenshot(path=shot, full_page=True)
                if language == "cs" and (
                    found := leaks(shown_texts(page.content()), messages, data)
                ):
                    english[path] = sorted(found)
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(PAGES) * 4
    assert not english, f"English on Czech pages: {english}"
