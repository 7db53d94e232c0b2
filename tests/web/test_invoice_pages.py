"""Invoice pages: the list, a new draft with its live preview, the invoice with its
lines, issue, cancel and payments; locks, validation, escaping and Czech."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.core.models import Client, Invoice
from ledger.demo import load_demo
from ledger.errors import NotFound
from ledger.web.routes import invoices as invoice_routes

from .invoice_helpers import ESCAPED, NBSP, XSS, errors, hx, row_counts
from .web_helpers import PASSWORD, csrf, post


@pytest.fixture
def acme(lg: Ledger) -> Client:
    """A client with two hours of unbilled work at 1,500 CZK an hour."""
    client = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
    web = lg.projects.add(client, name="Web")
    lg.entries.add(web, date="2026-11-02", minutes=90, description="Design")
    lg.entries.add(web, date="2026-11-03", minutes=30, description="Review")
    return client


def draft_of(lg: Ledger, client: Client, **options: Any) -> Invoice:
    return lg.invoices.draft(client, **options)


def issued_of(lg: Ledger, client: Client) -> Invoice:
    return lg.invoices.issue(lg.invoices.draft(client))


# --- locks ------------------------------------------------------------------------------

POSTS = [
    "/invoices",
    "/invoices/1",
    "/invoices/1/lines",
    "/invoices/1/lines/1",
    "/invoices/1/lines/1/delete",
    "/invoices/1/issue",
    "/invoices/1/cancel",
    "/invoices/1/credit",
    "/invoices/1/delete",
    "/invoices/1/payments",
    "/invoices/1/payments/1/delete",
]


@pytest.mark.parametrize("path", POSTS)
def test_every_invoice_change_needs_a_session(
    anonymous: TestClient, lg: Ledger, path: str
) -> None:
    lg.users.create("jana", PASSWORD)
    before = row_counts(lg)
    response = anonymous.post(path, data={"csrf_token": csrf(anonymous, "/login")})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert row_counts(lg) == before


def test_every_invoice_change_needs_the_csrf_token(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    draft = draft_of(lg, acme)
    line = draft.lines[0].id
    paths = [p.replace("/1", f"/{draft.id}", 1).replace("lines/1", f"lines/{line}") for p in POSTS]
    before = row_counts(lg)
    for path in paths:
        assert client.post(path, data={"description": "x"}).status_code == 403, path
        forged = {"csrf_token": "forged", "description": "x"}
        assert client.post(path, data=forged).status_code == 403, path
        assert client.post(path, headers={"X-CSRF-Token": "forged"}).status_code == 403, path
    assert row_counts(lg) == before
    assert lg.invoices.get(draft).status == "draft"


# --- a whole invoice, start to paid ---------------------------------------------------------


def test_draft_from_unbilled_work_edit_issue_and_pay(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    page = client.get(f"/invoices/new?client={acme.id}")
    assert page.status_code == 200
    assert 'data-testid="preview-total">CZK\u00a03,000.00<' in page.text
    assert "Design" in page.text  # the entries the draft takes

    before = row_counts(lg)
    refused = hx(client, f"/invoices/new/preview?client={acme.id}&vat_rate=21&grouping=entry")
    assert "You are not registered for VAT (see Settings), so invoices carry no VAT." in (
        refused.text
    )
    preview = hx(client, f"/invoices/new/preview?client={acme.id}&grouping=entry")
    assert preview.status_code == 200
    assert "<html" not in preview.text
    assert "CZK\u00a03,000.00" in preview.text
    assert "Not a VAT payer: no VAT is charged." in preview.text
    assert 'hx-swap-oob="true"' in preview.text  # the client's projects, swapped in
    assert row_counts(lg) == before  # a preview writes nothing

    created = post(client, "/invoices", {"client": str(acme.id), "grouping": "entry"})
    assert created.status_code == 303
    invoice_id = int(created.headers["location"].rsplit("/", 1)[1])
    draft = lg.invoices.get(invoice_id)
    assert [line.description for line in draft.lines] == ["Design", "Review"]
    page = client.get(f"/invoices/{invoice_id}")
    assert "The draft invoice is ready." in page.text
    assert "{% block" not in page.text

    first = draft.lines[0].id
    form = hx(client, f"/invoices/{invoice_id}/lines?edit={first}")
    assert form.status_code == 200
    assert 'data-testid="edit-line"' in form.text
    assert "<html" not in form.text
    edited = hx(
        client,
        f"/invoices/{invoice_id}/lines/{first}",
        {"description": "Design work", "quantity": "2", "unit_price": "1,600.50"},
    )
    assert edited.status_code == 200
    assert "<html" not in edited.text
    assert "Design work" in edited.text
    assert "CZK\u00a03,951.00" in edited.text  # 2 × 1,600.50 + 0.5 h × 1,500
    header = (
        '<span id="invoice-total" data-testid="total" hx-swap-oob="true">CZK\u00a03,951.00</span>'
    )
    assert header in edited.text  # the total at the top follows
    added = hx(
        client,
        f"/invoices/{invoice_id}/lines",
        {"description": "Domain", "quantity": "1", "unit": "pcs", "unit_price": "250"},
    )
    assert "Domain" in added.text
    domain = lg.invoices.get(invoice_id).lines[-1]
    removed = hx(client, f"/invoices/{invoice_id}/lines/{domain.id}/delete", {})
    assert "Domain" not in removed.text
    saved = post(
        client,
        f"/invoices/{invoice_id}",
        {"notes": "Thank you", "due_date": "2026-12-31", "vat_rate": "", "language": "cs"},
    )
    assert saved.status_code == 303
    draft = lg.invoices.get(invoice_id)
    assert (draft.notes, str(draft.due_date), draft.language) == ("Thank you", "2026-12-31", "cs")

    issued = hx(client, f"/invoices/{invoice_id}/issue", {})
    assert issued.headers["HX-Redirect"] == f"/invoices/{invoice_id}"
    invoice = lg.invoices.get(invoice_id)
    assert (invoice.status, invoice.number, invoice.payment_state) == (
        "issued",
        "2026-0001",
        "unpaid",
    )
    page = client.get(f"/invoices/{invoice_id}")
    assert "Invoice 2026-0001 is issued." in page.text
    assert '<span class="chip unpaid" data-testid="state">Unpaid</span>' in page.text
    assert 'data-testid="edit-line"' not in page.text
    assert f'action="/invoices/{invoice_id}/lines' not in page.text  # no editing any more

    paid = post(
        client,
        f"/invoices/{invoice_id}/payments",
        {"amount": "3951", "date": "2026-11-20", "note": "cash"},
    )
    assert paid.status_code == 303
    assert lg.invoices.get(invoice_id).payment_state == "paid"
    page = client.get(f"/invoices/{invoice_id}")
    assert '<span class="chip paid" data-testid="state">Paid</span>' in page.text
    assert "Recorded by hand" in page.text
    assert "To cancel the invoice, remove its payments first." in page.text

    payment = lg.invoices.payments(invoice_id)[0]
    gone = hx(client, f"/invoices/{invoice_id}/payments/{payment.id}/delete", {})
    assert gone.headers["HX-Redirect"] == f"/invoices/{invoice_id}#payments"
    assert lg.invoices.get(invoice_id).payment_state == "unpaid"
    sources = {e.source for e in lg.audit.list(entity="invoices", entity_id=invoice_id)}
    assert sources == {"user:1"}


def test_the_draft_dates_are_kept_when_issued(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    draft = draft_of(lg, acme)
    post(client, f"/invoices/{draft.id}", {"issue_date": "2026-11-20", "notes": ""})
    assert (
        client.post(f"/invoices/{draft.id}/issue", data={"csrf_token": csrf(client)}).status_code
        == 303
    )
    issued = lg.invoices.get(draft)
    assert str(issued.issue_date) == "2026-11-20"
    assert str(issued.due_date) == "2026-12-04"  # the client's 14 days


def test_cancelling_an_issued_invoice_issues_a_credit_note_and_releases_its_work(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    invoice = issued_of(lg, acme)
    assert lg.reports.unbilled() == []
    response = client.post(f"/invoices/{invoice.id}/cancel", data={"csrf_token": csrf(client)})
    assert response.status_code == 303
    cancelled = lg.invoices.get(invoice)
    assert (cancelled.payment_state, cancelled.credit_notes) == ("credited", ["D2026-0001"])
    assert [u.entries for u in lg.reports.unbilled()] == [2]
    page = client.get(f"/invoices/{invoice.id}")
    assert "Credit note D2026-0001 cancels the invoice; its work is unbilled again." in page.text
    assert '<span class="chip credited" data-testid="state">Credited</span>' in page.text
    assert "Record payment" not in page.text
    note = lg.invoices.get("D2026-0001")
    assert f'href="/invoices/{note.id}">D2026-0001</a>' in page.text
    credit_page = client.get(f"/invoices/{note.id}").text
    assert "Credit note D2026-0001" in credit_page
    assert f'href="/invoices/{invoice.id}">{invoice.number}</a>' in credit_page
    assert "Invoice cancelled" in credit_page  # the reason given by default
    assert 'id="payments"' not in credit_page


def test_deleting_a_draft_releases_its_work(client: TestClient, lg: Ledger, acme: Client) -> None:
    draft = draft_of(lg, acme)
    response = hx(client, f"/invoices/{draft.id}/delete", {})
    assert response.headers["HX-Redirect"] == "/invoices"
    with pytest.raises(NotFound):
        lg.invoices.get(draft.id)
    assert [u.entries for u in lg.reports.unbilled()] == [2]
    assert "The draft is deleted" in client.get("/invoices").text
    assert client.get(f"/invoices/{draft.id}").status_code == 404


def test_an_invoice_with_payments_cannot_be_cancelled(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    invoice = issued_of(lg, acme)
    lg.invoices.record_payment(invoice, "100", "2026-11-20")
    before = row_counts(lg)
    response = client.post(f"/invoices/{invoice.id}/cancel", data={"csrf_token": csrf(client)})
    assert response.status_code == 409
    assert "Remove the invoice&#39;s payments before cancelling it." in response.text
    by_htmx = hx(client, f"/invoices/{invoice.id}/cancel", {})
    assert by_htmx.status_code == 409
    assert by_htmx.headers["HX-Redirect"] == f"/invoices/{invoice.id}"
    assert row_counts(lg) == before
    assert lg.invoices.get(invoice).status == "issued"


def test_a_stale_page_gets_a_friendly_answer(client: TestClient, lg: Ledger, acme: Client) -> None:
    invoice = issued_of(lg, acme)
    line = invoice.lines[0].id
    before = row_counts(lg)
    again = hx(client, f"/invoices/{invoice.id}/issue", {})
    assert again.status_code == 409
    assert again.headers["HX-Redirect"] == f"/invoices/{invoice.id}"
    edit = hx(client, f"/invoices/{invoice.id}/lines/{line}", {"description": "x", "quantity": "1",
                                                               "unit_price": "1"})  # fmt: skip
    assert edit.status_code == 409
    page = client.get(f"/invoices/{invoice.id}")
    assert "That is not possible in the invoice&#39;s current state." in page.text
    plain = client.post(f"/invoices/{invoice.id}/issue", data={"csrf_token": csrf(client)})
    assert plain.status_code == 409  # the error page, not a 500
    assert row_counts(lg) == before
    assert client.get("/invoices/999").status_code == 404


def test_an_invoice_without_lines_is_not_issued(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    draft = draft_of(lg, acme)
    for line in draft.lines:
        lg.invoices.remove_line(draft, line.id)
    before = row_counts(lg)
    response = client.post(f"/invoices/{draft.id}/issue", data={"csrf_token": csrf(client)})
    assert response.status_code == 400
    assert "Add a line first: an invoice needs at least one line." in response.text
    assert row_counts(lg) == before


def test_a_shared_variable_symbol_is_refused_with_the_fix(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    lg.settings.update(number_pattern="{year}/{seq:04d}", locale="cs")
    issued_of(lg, acme)
    lg.settings.update(number_pattern="{year}-{seq:04d}")
    project = lg.projects.list(acme)[0]
    lg.entries.add(project, date="2026-11-04", minutes=60)
    draft = draft_of(lg, acme)
    response = client.post(f"/invoices/{draft.id}/issue", data={"csrf_token": csrf(client)})
    assert response.status_code == 400
    assert "variabilní symbol, který už má jiná faktura" in response.text
    assert lg.invoices.get(draft.id).status == "draft"


# --- bad input: an error per field, nothing written ------------------------------------------


def test_bad_input_is_a_form_error_and_writes_nothing(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    idle = lg.clients.add(name="Idle", currency="EUR")
    other = lg.clients.add(name="Other", currency="CZK", hourly_rate="1000")
    lg.entries.add(lg.projects.add(other, name="Ops"), date="2026-11-04", minutes=60)
    issued = issued_of(lg, other)
    draft = draft_of(lg, acme)
    line = draft.lines[0].id
    new = {"client": str(acme.id)}
    line_ok = {"description": "Design", "quantity": "1", "unit_price": "100"}
    cases: list[tuple[str, dict[str, str], str]] = [
        ("/invoices", {"client": ""}, "This field is required."),
        ("/invoices", {"client": "999"}, "Choose one of the offered values."),
        ("/invoices", {"client": "x"}, "Choose one of the offered values."),
        ("/invoices", {**new, "vat_rate": "abc"}, "Enter a number, e.g. 1500 or 12.50."),
        ("/invoices", {**new, "vat_rate": "150"}, "Enter a percentage between 0 and 100."),
        ("/invoices", {**new, "since": "2026-13-01"}, "Enter a date as YYYY-MM-DD."),
        ("/invoices", {**new, "since": "2026-11-10", "until": "2026-11-01"},
         "The end of the period is before its start."),
        ("/invoices", {**new, "grouping": "week"}, "Choose one of the offered values."),
        ("/invoices", {**new, "project": "999"}, "Choose one of the offered values."),
        ("/invoices", {**new, "since": "2027-01-01"},
         "There is no unbilled billable work for this choice."),
        ("/invoices", {"client": str(idle.id)},
         "There is no unbilled billable work for this choice."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "quantity": "x"},
         "Enter a number, e.g. 1500 or 12.50."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "quantity": "0"},
         "Enter an amount greater than zero."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "quantity": "1000000"},
         "Enter a quantity greater than 0 and at most 100000."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "unit_price": "12,3,4"},
         "Enter a number, e.g. 1500 or 12.50."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "unit_price": "1e20"},
         "Enter a number, e.g. 1500 or 12.50."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "unit_price": "0.001"},
         "CZK amounts have at most 2 decimal places."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "unit_price": "1 500,50"},
         "Enter a number, e.g. 1500 or 12.50."),
        (f"/invoices/{draft.id}/lines/{line}",
         {**line_ok, "quantity": "100000", "unit_price": "9999999999999"},
         "The value is too large."),
        (f"/invoices/{draft.id}/lines/{line}", {**line_ok, "description": ""},
         "This field is required."),
        (f"/invoices/{draft.id}/lines", {**line_ok, "unit": "x" * 11}, "This text is too long."),
        (f"/invoices/{draft.id}/lines", {**line_ok, "quantity": "-1"},
         "Enter an amount greater than zero."),
        (f"/invoices/{draft.id}", {"issue_date": "2026-11-20", "due_date": "2026-11-01"},
         "The due date is before the issue date."),
        (f"/invoices/{draft.id}", {"issue_date": "tomorrow"}, "Enter a date as YYYY-MM-DD."),
        (f"/invoices/{draft.id}", {"vat_rate": "-1"}, "Enter a percentage between 0 and 100."),
        (f"/invoices/{draft.id}", {"language": "de"}, "Choose one of the offered values."),
        (f"/invoices/{issued.id}/payments", {"amount": "abc", "date": "2026-11-20"},
         "Enter a number, e.g. 1500 or 12.50."),
        (f"/invoices/{issued.id}/payments", {"amount": "0", "date": "2026-11-20"},
         "Enter an amount greater than zero."),
        (f"/invoices/{issued.id}/payments", {"amount": "-5", "date": "2026-11-20"},
         "Enter an amount greater than zero."),
        (f"/invoices/{issued.id}/payments", {"amount": "100", "date": ""},
         "This field is required."),
        (f"/invoices/{issued.id}/payments", {"amount": "100", "date": "20. 11. 2026"},
         "Enter a date as YYYY-MM-DD."),
    ]  # fmt: skip
    before = row_counts(lg)
    for path, data, message in cases:
        response = post(client, path, data)
        assert response.status_code == 400, (path, data, response.text[:300])
        assert message in errors(response.text), (path, data, errors(response.text))
        assert row_counts(lg) == before, (path, data)


def test_bad_input_by_htmx_comes_back_in_the_fragment(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    draft = draft_of(lg, acme)
    line = draft.lines[0].id
    before = row_counts(lg)
    response = hx(client, f"/invoices/{draft.id}/lines/{line}",
                  {"description": "", "quantity": "two", "unit_price": "1"})  # fmt: skip
    assert response.status_code == 400
    assert "<html" not in response.text
    assert 'data-testid="edit-line"' in response.text
    assert 'value="two"' in response.text  # what the user typed stays
    assert "This field is required." in errors(response.text)
    assert "Enter a number, e.g. 1500 or 12.50." in errors(response.text)
    added = hx(client, f"/invoices/{draft.id}/lines", {"description": "Domain", "quantity": "1"})
    assert added.status_code == 400
    assert "This field is required." in errors(added.text)
    assert row_counts(lg) == before


def test_the_preview_names_the_problem(client: TestClient, lg: Ledger, acme: Client) -> None:
    lg.clients.update(acme, hourly_rate=None)
    response = hx(client, f"/invoices/new/preview?client={acme.id}")
    assert response.status_code == 200
    assert "Some work has no hourly rate." in response.text
    bad = hx(client, f"/invoices/new/preview?client={acme.id}&until=soon")
    assert "Enter a date as YYYY-MM-DD." in bad.text
    nobody = client.get("/invoices/new")
    assert "Choose a client to see their unbilled work" in nobody.text


# --- the list -----------------------------------------------------------------------------


def test_the_list_filters_by_status_and_client_with_totals_per_currency(
    client: TestClient, lg: Ledger, acme: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = issued_of(lg, acme)
    nordwind = lg.clients.add(name="Nordwind GmbH", currency="EUR", hourly_rate="85")
    lg.entries.add(lg.projects.add(nordwind, name="Data"), date="2026-11-05", minutes=120)
    draft = draft_of(lg, nordwind)
    page = client.get("/invoices")
    assert "2026-0001" in page.text
    assert f"Draft {draft.id}" in page.text
    totals = re.search(
        r'data-testid="invoice-totals">.*?</div>\s*</div>\s*</div>', page.text, re.S
    )
    assert totals
    assert "CZK\u00a03,000.00" in totals.group(0)
    assert "€170.00" in totals.group(0)
    assert "Outstanding CZK\u00a03,000.00" in totals.group(0)

    only_drafts = client.get("/invoices?status=draft")
    assert "2026-0001" not in only_drafts.text
    assert f"Draft {draft.id}" in only_drafts.text
    only_acme = hx(client, f"/invoices?client={acme.id}")
    assert "<html" not in only_acme.text
    assert "2026-0001" in only_acme.text
    assert "Nordwind" not in only_acme.text
    for junk in ["?status=bogus", "?client=abc", "?client=999", "?page=-3", "?page=x"]:
        assert client.get("/invoices" + junk).status_code == 200, junk

    monkeypatch.setattr(invoice_routes, "PAGE_SIZE", 1)
    first = client.get("/invoices")
    assert "Page 1 of 2" in first.text
    assert f"Draft {draft.id}" in first.text
    second = client.get("/invoices?page=2")
    assert "2026-0001" in second.text
    assert issued.number is not None
    assert issued.number not in first.text


# --- escaping and languages ---------------------------------------------------------------------


def test_user_text_is_escaped_everywhere(client: TestClient, lg: Ledger) -> None:
    evil = lg.clients.add(name=XSS, currency="CZK", hourly_rate="1000")
    project = lg.projects.add(evil, name=XSS)
    lg.entries.add(project, date="2026-11-02", minutes=60, description=XSS)
    draft = lg.invoices.draft(evil, grouping="entry", notes=XSS)
    lg.invoices.add_line(draft, XSS, "1", "10")
    for path in ["/invoices", f"/invoices/new?client={evil.id}", f"/invoices/{draft.id}",
                 f"/invoices/{draft.id}?edit={draft.lines[0].id}"]:  # fmt: skip
        page = client.get(path)
        assert XSS not in page.text, path
        assert ESCAPED in page.text, path


def test_czech_pages_format_money_and_dates_the_czech_way(
    client: TestClient, lg: Ledger, acme: Client
) -> None:
    lg.settings.update(locale="cs")
    invoice = issued_of(lg, acme)
    page = client.get(f"/invoices/{invoice.id}")
    assert f"3{NBSP}000,00{NBSP}Kč" in page.text
    assert "Faktura 2026-0001" in page.text
    assert "Nezaplaceno" in page.text
    assert "25. 11. 2026" in page.text
    listing = client.get("/invoices")
    assert "Celkem" in listing.text
    assert f"3{NBSP}000,00{NBSP}Kč" in listing.text
    bad = post(client, f"/invoices/{invoice.id}/payments", {"amount": "abc", "date": "x"})
    assert bad.status_code == 400
    assert errors(bad.text) == [
        "Zadejte číslo, např. 1500 nebo 12,50.",
        "Zadejte datum ve tvaru RRRR-MM-DD.",
    ]


# --- the demo bank: matched payments with their evidence ----------------------------------------


def test_payments_matched_by_the_bank_sync_show_their_evidence(
    client: TestClient, lg: Ledger
) -> None:
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    lg.sync("demo_bank")
    invoice = lg.invoices.get("2026-0022")
    payment = lg.invoices.payments(invoice)[0]
    assert payment.method == "match"
    page = client.get(f"/invoices/{invoice.id}")
    assert '<span class="chip overpaid" data-testid="state">Overpaid</span>' in page.text
    assert "Matched automatically" in page.text
    evidence = re.search(r'<span class="evidence" data-testid="evidence">(.*?)</span></td>',
                         page.text, re.S)  # fmt: skip
    assert evidence
    text = re.sub(r"<[^>]+>", "", evidence.group(1))
    assert text.startswith("variable symbol agrees; amount over (more than the invoice asks);")
    assert "currency agrees" in text
    assert "payer is the client" in text
    assert f'href="/money/transactions/{payment.transaction_id}"' in page.text

    lg.settings.update(locale="cs")
    czech = client.get(f"/invoices/{invoice.id}")
    assert "variabilní symbol souhlasí" in czech.text
    assert "Spárováno automaticky" in czech.text
