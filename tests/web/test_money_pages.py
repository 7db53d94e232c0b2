"""Money pages: transactions with filters and paging, matching by hand and undoing it,
the matcher's review queue, "Run matching"; locks, validation, escaping and Czech."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.models import Invoice, MoneyTransaction
from ledger.demo import load_demo
from ledger.web.routes import money as money_routes

from .invoice_helpers import ESCAPED, NBSP, XSS, errors, hx, row_counts, text_of
from .web_helpers import PASSWORD, csrf, post


def issued(
    lg: Ledger, name: str = "Acme s.r.o.", currency: str = "CZK", minutes: int = 60
) -> Invoice:
    """An issued invoice for `minutes` of work at 1,000 an hour."""
    client = lg.clients.add(name=name, currency=currency, hourly_rate="1000")
    project = lg.projects.add(client, name="Work")
    lg.entries.add(project, date="2026-11-02", minutes=minutes, description="Work")
    return lg.invoices.issue(lg.invoices.draft(client), issue_date="2026-11-20")


def paid_in(lg: Ledger, external_id: str, amount: str, **fields: Any) -> MoneyTransaction:
    """A bank transaction (+ in, - out)."""
    values = {"booked_on": "2026-11-10", "currency": "CZK", "counterparty_name": "Acme s.r.o."}
    return lg.transactions.add(
        "bank", external_id=external_id, amount=amount, **{**values, **fields}
    )


# --- locks ------------------------------------------------------------------------------

POSTS = [
    "/money/match",
    "/money/transactions/1/match",
    "/money/transactions/1/unmatch",
    "/money/review/1/accept",
    "/money/review/1/reject",
]


@pytest.mark.parametrize("path", POSTS)
def test_every_money_change_needs_a_session(anonymous: TestClient, lg: Ledger, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    before = row_counts(lg)
    response = anonymous.post(path, data={"csrf_token": csrf(anonymous, "/login")})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert row_counts(lg) == before


@pytest.fixture
def suggested(lg: Ledger) -> tuple[Invoice, MoneyTransaction]:
    """An invoice and a payment without its variable symbol: a suggestion to review."""
    invoice = issued(lg)
    payment = paid_in(lg, "t1", "1000", message=f"Invoice {invoice.number}")
    lg.match()
    assert len(lg.matching.queue()) == lg.matching.waiting() == 1
    return invoice, payment


def test_every_money_change_needs_the_csrf_token(
    client: TestClient, lg: Ledger, suggested: tuple[Invoice, MoneyTransaction]
) -> None:
    invoice, payment = suggested
    suggestion = lg.matching.queue()[0].id
    paths = [
        p.replace("transactions/1", f"transactions/{payment.id}").replace("/1/", f"/{suggestion}/")
        for p in POSTS
    ]
    before = row_counts(lg)
    for path in paths:
        assert client.post(path, data={"invoice": str(invoice.id)}).status_code == 403, path
        forged = {"csrf_token": "forged", "invoice": str(invoice.id)}
        assert client.post(path, data=forged).status_code == 403, path
        assert client.post(path, headers={"X-CSRF-Token": "forged"}).status_code == 403, path
    assert row_counts(lg) == before


# --- the transactions ----------------------------------------------------------------------


def test_the_list_filters_pages_and_shows_the_matched_invoices(
    client: TestClient, lg: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = issued(lg)
    paid_in(lg, "in-1", "1000", variable_symbol=invoice.variable_symbol, message="thanks")
    paid_in(lg, "out-1", "-490", counterparty_name="WEDOS", message="Hosting")
    lg.transactions.add("card", external_id="c1", booked_on="2026-11-12", amount="-19",
                        currency="EUR", counterparty_name="GitHub")  # fmt: skip
    lg.match()
    page = client.get("/money")
    assert page.status_code == 200
    rows = re.search(r'<table data-testid="transactions">.*?</table>', page.text, re.S)
    assert rows
    assert rows.group(0).count("<tr>") == 4  # the head and three transactions
    assert (
        f'<a href="/invoices/{invoice.id}" data-testid="matched-invoice">2026-0001</a>'
        in page.text
    )

    income = hx(client, "/money?kind=income").text
    assert "thanks" in income
    assert "Hosting" not in income
    expenses = client.get("/money?kind=expense").text
    assert "Hosting" in expenses
    assert "thanks" not in expenses
    card = client.get("/money?source=card").text
    assert "GitHub" in card
    assert "WEDOS" not in card
    unmatched = client.get("/money?matched=no").text
    assert "Hosting" in unmatched
    assert "thanks" not in unmatched
    matched = client.get("/money?matched=yes").text
    assert "thanks" in matched
    assert "Hosting" not in matched
    for junk in ["?source=nope", "?kind=x", "?matched=maybe", "?page=0", "?page=abc"]:
        assert client.get("/money" + junk).status_code == 200, junk

    monkeypatch.setattr(money_routes, "PAGE_SIZE", 2)
    first = client.get("/money")
    assert "Page 1 of 2" in first.text
    assert "GitHub" in first.text  # newest first
    second = client.get("/money?page=2")
    assert "thanks" in second.text
    assert "GitHub" not in second.text


def test_run_matching_reports_what_it_matched(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    paid_in(lg, "in-1", "1000", variable_symbol=invoice.variable_symbol)
    response = hx(client, "/money/match", {"kind": "income"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Matching applied 1 payments and made 0 new suggestions." in response.text
    report = re.search(r'data-testid="match-report".*?</section>', response.text, re.S)
    assert report
    assert "2026-0001" in report.group(0)
    assert "variable symbol agrees; amount exact; currency agrees" in text_of(report.group(0))
    assert lg.invoices.get(invoice).payment_state == "paid"
    payments = lg.audit.list(entity="payments")
    assert [e.source for e in payments] == ["user:1"]

    again = client.post("/money/match", data={"csrf_token": csrf(client)})
    assert again.status_code == 303
    assert "Matching applied 0 payments" in client.get("/money").text


# --- matching by hand ----------------------------------------------------------------------


def test_match_by_hand_then_unmatch(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg, minutes=120)
    payment = paid_in(lg, "t1", "1500", message="advance")
    page = client.get(f"/money/transactions/{payment.id}")
    assert 'data-testid="match-form"' in page.text
    assert "2026-0001 · Acme s.r.o. · owes CZK\u00a02,000.00" in page.text

    response = post(client, f"/money/transactions/{payment.id}/match",
                    {"invoice": str(invoice.id), "amount": "1000"})  # fmt: skip
    assert response.status_code == 303
    assert lg.invoices.get(invoice).paid == 1000
    page = client.get(f"/money/transactions/{payment.id}")
    assert "The payment is matched to invoice 2026-0001." in page.text
    assert "matched by hand" in page.text
    assert "Not yet applied: CZK\u00a0500.00" in page.text  # the rest can go elsewhere
    invoice_page = client.get(f"/invoices/{invoice.id}")
    assert f'href="/money/transactions/{payment.id}"' in invoice_page.text
    assert "matched by hand" in invoice_page.text
    assert '<span class="chip partially_paid" data-testid="state">' in invoice_page.text

    undone = hx(client, f"/money/transactions/{payment.id}/unmatch", {})
    assert undone.headers["HX-Redirect"] == f"/money/transactions/{payment.id}"
    assert lg.invoices.payments(invoice) == []
    assert "The match is undone." in client.get(f"/money/transactions/{payment.id}").text
    lg.match()
    assert lg.invoices.payments(invoice) == []  # the matcher leaves it alone now
    sources = {e.source for e in lg.audit.list(entity="payments")}
    assert sources == {"user:1"}

    stale = hx(client, f"/money/transactions/{payment.id}/unmatch", {})
    assert stale.status_code == 409
    assert "the page was out of date" in client.get(f"/money/transactions/{payment.id}").text


def test_bad_match_input_is_a_form_error_and_writes_nothing(
    client: TestClient, lg: Ledger
) -> None:
    invoice = issued(lg)
    euro = issued(lg, name="Nordwind GmbH", currency="EUR")
    payment = paid_in(lg, "t1", "800")
    outgoing = paid_in(lg, "t2", "-800")
    path = f"/money/transactions/{payment.id}/match"
    cases: list[tuple[str, dict[str, str], str]] = [
        (path, {"invoice": ""}, "This field is required."),
        (path, {"invoice": "abc"}, "Choose one of the offered values."),
        (path, {"invoice": str(euro.id)}, "Choose one of the offered values."),
        (path, {"invoice": "999999"}, "Choose one of the offered values."),
        (path, {"invoice": str(invoice.id), "amount": "lots"},
         "Enter a number, e.g. 1500 or 12.50."),
        (path, {"invoice": str(invoice.id), "amount": "-1"}, "Enter an amount greater than zero."),
        (path, {"invoice": str(invoice.id), "amount": "900"},
         "Enter at most CZK\u00a0800.00, the part of the payment not yet applied."),
        (f"/money/transactions/{outgoing.id}/match", {"invoice": str(invoice.id)},
         "Only incoming payments can pay an invoice."),
    ]  # fmt: skip
    before = row_counts(lg)
    for target, data, message in cases:
        response = post(client, target, data)
        assert response.status_code == 400, (data, response.text[:200])
        assert message in errors(response.text), (data, errors(response.text))
        assert row_counts(lg) == before, data
    assert client.get(f"/money/transactions/{outgoing.id}").status_code == 200
    assert client.get("/money/transactions/999").status_code == 404


# --- the review queue ---------------------------------------------------------------------


def test_accept_a_suggestion_by_htmx(
    client: TestClient, lg: Ledger, suggested: tuple[Invoice, MoneyTransaction]
) -> None:
    invoice, _ = suggested
    queue = client.get("/money/review")
    assert "variable symbol missing; amount exact; currency agrees; message names the invoice; " \
           "payer is the client" in text_of(queue.text)  # fmt: skip
    suggestion = lg.matching.queue()[0]
    response = hx(client, f"/money/review/{suggestion.id}/accept", {"back": ""})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Accepted: the payment is matched to 2026-0001." in response.text
    assert 'data-testid="queue-empty"' in response.text
    assert lg.invoices.get(invoice).payment_state == "paid"
    payment = lg.invoices.payments(invoice)[0]
    assert payment.method == "accepted"
    assert payment.evidence["accepted_suggestion"] == suggestion.id
    page = client.get(f"/invoices/{invoice.id}")
    assert "Accepted suggestion" in page.text
    assert "accepted from the review queue; variable symbol missing; amount exact" in text_of(
        page.text
    )

    before = row_counts(lg)
    twice = hx(client, f"/money/review/{suggestion.id}/accept", {})
    assert twice.status_code == 409
    assert twice.headers["HX-Redirect"] == "/money/review"
    plain = client.post(f"/money/review/{suggestion.id}/reject", data={"csrf_token": csrf(client)})
    assert plain.status_code == 409
    assert row_counts(lg) == before


def test_reject_a_suggestion(
    client: TestClient, lg: Ledger, suggested: tuple[Invoice, MoneyTransaction]
) -> None:
    invoice, _ = suggested
    suggestion = lg.matching.queue()[0]
    response = client.post(
        f"/money/review/{suggestion.id}/reject", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 303
    assert "Rejected: the suggestion is not offered again." in client.get("/money/review").text
    assert lg.matching.queue() == []
    assert lg.invoices.payments(invoice) == []
    lg.match()
    assert lg.matching.queue() == []  # not offered again
    assert "Match…" in client.get("/money").text  # still open to a match by hand


def test_accept_from_the_transaction_page_returns_there(
    client: TestClient, lg: Ledger, suggested: tuple[Invoice, MoneyTransaction]
) -> None:
    _, payment = suggested
    page = client.get(f"/money/transactions/{payment.id}")
    assert 'data-testid="suggestion"' in page.text
    suggestion = lg.matching.queue()[0]
    response = hx(client, f"/money/review/{suggestion.id}/accept", {"back": "transaction"})
    assert response.headers["HX-Redirect"] == f"/money/transactions/{payment.id}"
    assert "Accepted" in client.get(f"/money/transactions/{payment.id}").text


# --- escaping and languages ---------------------------------------------------------------------


def test_plugin_data_is_escaped_everywhere(client: TestClient, lg: Ledger) -> None:
    invoice = issued(lg)
    payment = paid_in(
        lg, "evil", "1000", counterparty_name=XSS, counterparty_account=XSS,
        message=f"{XSS} {invoice.number}", details={XSS: XSS},
    )  # fmt: skip
    lg.match()
    assert lg.matching.queue()
    for path in ["/money", f"/money/transactions/{payment.id}", "/money/review"]:
        page = client.get(path)
        assert XSS not in page.text, path
        assert ESCAPED in page.text, path
    suggestion = lg.matching.queue()[0]
    accepted = hx(client, f"/money/review/{suggestion.id}/accept", {})
    assert XSS not in accepted.text
    page = client.get(f"/invoices/{invoice.id}")
    assert XSS not in page.text
    assert ESCAPED in page.text
    report = hx(client, "/money/match", {})
    assert XSS not in report.text


def test_czech_money_pages(
    client: TestClient, lg: Ledger, suggested: tuple[Invoice, MoneyTransaction]
) -> None:
    lg.settings.update(locale="cs")
    queue = client.get("/money/review")
    assert "Fronta ke kontrole" in queue.text
    assert f"1{NBSP}000,00{NBSP}Kč" in queue.text
    assert (
        "variabilní symbol chybí; částka přesně; měna souhlasí; zpráva uvádí fakturu"
        in text_of(queue.text)
    )
    listing = client.get("/money")
    assert "10. 11. 2026" in listing.text
    assert "Spustit párování" in listing.text
    _, payment = suggested
    bad = post(client, f"/money/transactions/{payment.id}/match", {"invoice": ""})
    assert errors(bad.text) == ["Toto pole je povinné."]


# --- the demo bank, end to end --------------------------------------------------------------


def test_demo_bank_sync_then_review(client: TestClient, lg: Ledger) -> None:
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    lg.sync("demo_bank")
    page = client.get("/money?source=demo_bank&kind=income")
    assert page.text.count('data-testid="matched-invoice"') == 3
    assert "2 suggestions wait for your review." in page.text
    review = client.get("/money/review")
    assert review.text.count('data-testid="suggestion"') == 2
    for suggestion in lg.matching.queue():
        assert hx(client, f"/money/review/{suggestion.id}/accept", {}).status_code == 200
    assert lg.invoices.get("2026-0024").payment_state == "paid"
    assert lg.invoices.get("2026-0023").payment_state == "paid"
    assert 'data-testid="queue-empty"' in client.get("/money/review").text
