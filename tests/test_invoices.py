"""Invoicing through the API: drafting, rates, rounding, numbering, payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from helpers import register_for_vat
from ledger.api import Ledger
from ledger.core.models import Client, Project
from ledger.core.projects import Rounding
from ledger.errors import Conflict, InvalidInput, NotFound

D = Decimal


@pytest.fixture
def acme(lg: Ledger) -> Client:
    return lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1000")


@pytest.fixture
def web(lg: Ledger, acme: Client) -> Project:
    return lg.projects.add(acme, name="Web")


def _invoice_for(
    lg: Ledger, client: Client, project: Project, minutes: int = 60, **issue: Any
) -> Any:
    lg.entries.add(project, date="2026-11-02", minutes=minutes)
    return lg.invoices.issue(lg.invoices.draft(client), **issue)


# --- rates and rounding ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("default", "client", "project", "entry", "expected"),
    [
        ("500", None, None, None, "500.00"),
        ("500", "1000", None, None, "1000.00"),
        ("500", "1000", "1200", None, "1200.00"),
        ("500", "1000", "1200", "1500", "1500.00"),
        (None, None, "1200", "1500", "1500.00"),
        (None, "1000", None, "0", "0.00"),
    ],
)
def test_rate_precedence_entry_project_client_default(
    lg: Ledger,
    default: str | None,
    client: str | None,
    project: str | None,
    entry: str | None,
    expected: str,
) -> None:
    if default is not None:
        lg.settings.update(default_hourly_rate_minor=int(D(default) * 100))
    owner = lg.clients.add(name="Acme", currency="CZK", hourly_rate=client)
    work = lg.projects.add(owner, name="Web", hourly_rate=project)
    lg.entries.add(work, date="2026-11-02", minutes=60, hourly_rate=entry)
    invoice = lg.invoices.draft(owner)
    assert invoice.lines[0].unit_price == D(expected)
    assert invoice.total == D(expected)
    assert lg.entries.list()[0].billed_rate == D(expected)


def test_no_rate_anywhere_is_a_clear_error(lg: Ledger) -> None:
    owner = lg.clients.add(name="Acme", currency="CZK")
    work = lg.projects.add(owner, name="Web")
    lg.entries.add(work, date="2026-11-02", minutes=60)
    with pytest.raises(InvalidInput, match="'Web' has no hourly rate") as caught:
        lg.invoices.draft(owner)
    assert caught.value.field == "hourly_rate"
    assert lg.invoices.list() == []
    assert lg.entries.list(unbilled=True)[0].invoice_id is None


@pytest.mark.parametrize(
    ("rounding", "step", "minutes", "billed"),
    [("none", 0, 20, 20), ("up", 15, 20, 30), ("up", 15, 30, 30), ("nearest", 15, 20, 15)],
)
def test_rounding_applies_when_billing_and_never_to_the_entry(
    lg: Ledger, acme: Client, rounding: Rounding, step: int, minutes: int, billed: int
) -> None:
    work = lg.projects.add(acme, name="Web", rounding=rounding, rounding_minutes=step)
    entry = lg.entries.add(work, date="2026-11-02", minutes=minutes)
    invoice = lg.invoices.draft(acme)
    stored = lg.entries.get(entry)
    assert stored.minutes == minutes
    assert stored.billed_minutes == billed
    assert invoice.lines[0].amount == (D(billed) * 1000 / 60).quantize(D("0.01"))
    lg.invoices.cancel(invoice)
    released = lg.entries.get(entry)
    assert (released.minutes, released.billed_minutes, released.invoice_id) == (
        minutes,
        None,
        None,
    )


# --- drafting -------------------------------------------------------------------------------


def test_draft_takes_unbilled_billable_work_only(lg: Ledger, acme: Client, web: Project) -> None:
    other = lg.clients.add(name="Other", currency="CZK", hourly_rate="1")
    elsewhere = lg.projects.add(other, name="Elsewhere")
    billable = lg.entries.add(web, date="2026-11-02", minutes=60)
    free = lg.entries.add(web, date="2026-11-02", minutes=30, billable=False)
    foreign = lg.entries.add(elsewhere, date="2026-11-02", minutes=30)
    lg.entries.start(web, "running")
    invoice = lg.invoices.draft(acme)
    assert invoice.total == D("1000.00")
    assert lg.entries.get(billable).invoice_id == invoice.id
    assert lg.entries.get(free).invoice_id is None
    assert lg.entries.get(foreign).invoice_id is None
    running = lg.entries.running()
    assert running is not None
    assert running.invoice_id is None


def test_draft_filters_by_project_and_period(lg: Ledger, acme: Client, web: Project) -> None:
    ops = lg.projects.add(acme, name="Ops")
    for day in ("2026-10-31", "2026-11-01", "2026-11-30", "2026-12-01"):
        lg.entries.add(web, date=day, minutes=60, description=day)
    lg.entries.add(ops, date="2026-11-15", minutes=60)
    november = lg.invoices.draft(acme, project=web, since="2026-11-01", until="2026-11-30")
    assert [line.quantity for line in november.lines] == [D(2)]
    billed = {e.description for e in lg.entries.list(unbilled=False)}
    assert billed == {"2026-11-01", "2026-11-30"}
    rest = lg.invoices.draft(acme)
    assert [(line.description, line.quantity) for line in rest.lines] == [
        ("Web", D(2)),
        ("Ops", D(1)),
    ]


@pytest.mark.parametrize(
    ("grouping", "descriptions"),
    [
        ("project", ["Web", "Ops", "Web", "Hosting"]),
        ("entry", ["Review", "Deploy", "Ops", "Rush job", "Hosting"]),
        (
            "day",
            [
                "Web – 2026-11-02",
                "Web – 2026-11-03",
                "Ops – 2026-11-03",
                "Web – 2026-11-03",
                "Hosting",
            ],
        ),
    ],
)
def test_line_groupings(
    lg: Ledger, acme: Client, web: Project, grouping: str, descriptions: list[str]
) -> None:
    ops = lg.projects.add(acme, name="Ops")
    lg.entries.add(web, date="2026-11-02", minutes=30, description="Review")
    lg.entries.add(web, date="2026-11-03", minutes=30, description="Deploy")
    lg.entries.add(ops, date="2026-11-03", minutes=15)
    lg.entries.add(web, date="2026-11-03", minutes=60, hourly_rate="2000", description="Rush job")
    lg.entries.add(web, date="2026-11-04", amount="499", description="Hosting")
    invoice = lg.invoices.draft(acme, grouping=grouping)  # type: ignore[arg-type]
    assert [line.description for line in invoice.lines] == descriptions
    assert invoice.grouping == grouping
    assert invoice.total == D("1000.00") + D("250.00") + D("2000.00") + D("499.00")
    assert [line.position for line in invoice.lines] == list(range(1, len(descriptions) + 1))


def test_an_entry_is_billed_at_most_once(lg: Ledger, acme: Client, web: Project) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=60)
    first = lg.invoices.draft(acme)
    with pytest.raises(InvalidInput, match="no unbilled billable work") as caught:
        lg.invoices.draft(acme)
    assert caught.value.field == "client"
    assert [i.id for i in lg.invoices.list()] == [first.id]


def test_cancelling_releases_entries_for_a_new_draft(
    lg: Ledger, acme: Client, web: Project
) -> None:
    entry = lg.entries.add(web, date="2026-11-02", minutes=60)
    issued = lg.invoices.issue(lg.invoices.draft(acme))
    cancelled = lg.invoices.cancel(issued)
    assert cancelled.status == "issued"  # an issued tax document stays, corrected
    assert cancelled.number == "2026-0001"  # keeps its number
    assert cancelled.credit_notes == ["D2026-0001"]
    assert (cancelled.payment_state, cancelled.balance) == ("credited", D("0.00"))
    assert lg.entries.get(entry).invoice_id is None
    again = lg.invoices.issue(lg.invoices.draft(acme))
    assert again.number == "2026-0002"  # gapless, and no number is reused
    assert lg.entries.get(entry).invoice_id == again.id
    with pytest.raises(Conflict, match="credited already"):
        lg.invoices.cancel(cancelled)


def test_a_cancelled_draft_takes_no_number(lg: Ledger, acme: Client, web: Project) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=60)
    lg.invoices.cancel(lg.invoices.draft(acme))
    assert lg.invoices.issue(lg.invoices.draft(acme)).number == "2026-0001"


def test_the_billed_rate_is_a_snapshot(lg: Ledger, acme: Client, web: Project) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=90)
    draft = lg.invoices.draft(acme)
    lg.projects.update(web, hourly_rate="2000")
    lg.clients.update(acme, hourly_rate="3000")
    issued = lg.invoices.issue(draft)
    assert issued.total == draft.total == D("1500.00")
    assert issued.lines == draft.lines
    assert lg.entries.list()[0].billed_rate == D("1000.00")
    lg.invoices.cancel(issued)
    assert lg.invoices.draft(acme).total == D("3000.00")  # released work takes today's rate


def test_one_invoice_per_currency(lg: Ledger, acme: Client) -> None:
    euro = lg.projects.add(acme, name="Euro work", currency="EUR", hourly_rate="80")
    lg.entries.add(euro, date="2026-11-02", minutes=60)
    with pytest.raises(InvalidInput, match="bills in EUR, the client in CZK") as caught:
        lg.invoices.draft(acme)
    assert caught.value.field == "project"


# --- editing a draft -------------------------------------------------------------------------


def test_a_draft_is_editable_and_totals_follow(lg: Ledger, acme: Client, web: Project) -> None:
    register_for_vat(lg)
    lg.entries.add(web, date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(acme, vat_rate="21")
    line = draft.lines[0]
    draft = lg.invoices.update_line(draft, line.id, quantity="1.5", unit_price="1200", unit="hrs")
    assert draft.lines[0].amount == D("1800.00")
    draft = lg.invoices.add_line(draft, "Domain", quantity="2", unit_price="249.95")
    assert draft.subtotal == D("2299.90")
    assert draft.vat == D("482.98")  # 482.979
    draft = lg.invoices.update(draft, vat_rate="0", notes="Thanks", due_date="2026-12-31")
    assert (draft.vat, draft.total, draft.notes) == (D("0.00"), D("2299.90"), "Thanks")
    draft = lg.invoices.remove_line(draft, line.id)
    assert [(ln.description, ln.amount) for ln in draft.lines] == [("Domain", D("499.90"))]
    assert draft.total == D("499.90")
    issued = lg.invoices.issue(draft)
    assert issued.due_date == dt.date(2026, 12, 31)


def test_an_emptied_draft_cannot_be_issued(lg: Ledger, acme: Client, web: Project) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(acme)
    draft = lg.invoices.remove_line(draft, draft.lines[0].id)
    with pytest.raises(InvalidInput, match="at least one line") as caught:
        lg.invoices.issue(draft)
    assert caught.value.field == "lines"
    assert lg.invoices.get(draft).status == "draft"


def test_a_line_of_another_invoice_is_not_found(lg: Ledger, acme: Client, web: Project) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=60)
    first = lg.invoices.draft(acme)
    lg.entries.add(web, date="2026-11-03", minutes=60)
    second = lg.invoices.draft(acme)
    with pytest.raises(NotFound, match="is not on invoice"):
        lg.invoices.update_line(second, first.lines[0].id, description="hijack")


EDITS = {
    "update": lambda lg, inv: lg.invoices.update(inv, notes="late edit"),
    "add_line": lambda lg, inv: lg.invoices.add_line(inv, "Extra", "1", "100"),
    "update_line": lambda lg, inv: lg.invoices.update_line(inv, inv.lines[0].id, unit_price="1"),
    "remove_line": lambda lg, inv: lg.invoices.remove_line(inv, inv.lines[0].id),
}


@pytest.mark.parametrize("status", ["issued", "cancelled"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_only_drafts_can_be_edited(
    lg: Ledger, acme: Client, web: Project, status: str, edit: str
) -> None:
    if status == "cancelled":
        lg.entries.add(web, date="2026-11-02", minutes=60)
        invoice = lg.invoices.cancel(lg.invoices.draft(acme))
    else:
        invoice = _invoice_for(lg, acme, web)
    with pytest.raises(Conflict, match=f"is {status} and cannot be edited"):
        EDITS[edit](lg, invoice)
    assert lg.invoices.get(invoice) == invoice


# --- issuing and numbering -------------------------------------------------------------------


def test_issue_assigns_number_dates_and_variable_symbol(
    lg: Ledger, acme: Client, web: Project
) -> None:
    lg.clients.update(acme, payment_terms_days=10)
    invoice = _invoice_for(lg, acme, web)
    assert invoice.status == "issued"
    assert (invoice.number, invoice.variable_symbol) == ("2026-0001", "20260001")
    assert invoice.issue_date == dt.date(2026, 11, 25)
    assert invoice.taxable_supply_date == dt.date(2026, 11, 2)  # the last day of the work
    assert invoice.due_date == dt.date(2026, 12, 5)
    assert lg.invoices.get("2026-0001") == invoice
    with pytest.raises(NotFound, match="no invoice is numbered '2026-9999'"):
        lg.invoices.get("2026-9999")


def test_issuing_twice_is_a_conflict(lg: Ledger, acme: Client, web: Project) -> None:
    invoice = _invoice_for(lg, acme, web)
    with pytest.raises(Conflict, match="already issued; it can be issued once"):
        lg.invoices.issue(invoice)
    assert lg.invoices.get(invoice) == invoice


def test_numbers_are_gapless_per_series(lg: Ledger, acme: Client, web: Project) -> None:
    numbers = []
    for issue_date in ("2025-12-30", "2026-01-02", "2025-12-31", "2026-01-03"):
        numbers.append(_invoice_for(lg, acme, web, issue_date=issue_date).number)
    assert numbers == ["2025-0001", "2026-0001", "2025-0002", "2026-0002"]


def test_the_number_pattern_is_configurable(lg: Ledger, acme: Client, web: Project) -> None:
    lg.settings.update(number_pattern="INV-{yy}{month}-{seq:03d}")
    first = _invoice_for(lg, acme, web)
    second = _invoice_for(lg, acme, web, issue_date="2026-12-01")
    third = _invoice_for(lg, acme, web)
    assert [first.number, second.number, third.number] == [
        "INV-2611-001",
        "INV-2612-001",
        "INV-2611-002",
    ]
    assert [first.variable_symbol, second.variable_symbol] == ["2611001", "2612001"]
    assert all(inv.variable_symbol and inv.variable_symbol.isdigit() for inv in (first, second))


def test_a_variable_symbol_is_never_shared_across_patterns(
    lg: Ledger, acme: Client, web: Project
) -> None:
    lg.settings.update(number_pattern="{year}/{seq:04d}")
    first = _invoice_for(lg, acme, web)
    assert (first.number, first.variable_symbol) == ("2026/0001", "20260001")
    lg.settings.update(number_pattern="{year}-{seq:04d}")  # same digits, other punctuation
    lg.entries.add(web, date="2026-11-03", minutes=60)
    draft = lg.invoices.draft(acme)
    with pytest.raises(InvalidInput, match="which invoice 2026/0001 already has") as caught:
        lg.invoices.issue(draft)
    assert caught.value.field == "number_pattern"
    assert "variable symbol 20260001" in caught.value.message
    unchanged = lg.invoices.get(draft.id)
    assert (unchanged.status, unchanged.number, unchanged.variable_symbol) == ("draft", None, None)
    lg.settings.update(number_pattern="{year}9{seq:04d}")
    issued = lg.invoices.issue(draft)
    assert (issued.number, issued.variable_symbol) == ("202690001", "202690001")


def test_a_due_date_before_the_issue_date_is_refused(
    lg: Ledger, acme: Client, web: Project
) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=60)
    draft = lg.invoices.update(lg.invoices.draft(acme), due_date="2026-11-01")
    with pytest.raises(InvalidInput, match="due date is before the issue date"):
        lg.invoices.issue(draft)
    assert lg.invoices.get(draft).number is None


# --- payments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payments", "tolerance", "state", "paid", "balance"),
    [
        ([], 100, "unpaid", "0.00", "1000.00"),
        (["400"], 100, "partially_paid", "400.00", "600.00"),
        (["400", "600"], 100, "paid", "1000.00", "0.00"),
        (["999.00"], 100, "paid", "999.00", "1.00"),
        (["998.99"], 100, "partially_paid", "998.99", "1.01"),
        (["1001.00"], 100, "paid", "1001.00", "-1.00"),
        (["1001.01"], 100, "overpaid", "1001.01", "-1.01"),
        (["999.99"], 0, "partially_paid", "999.99", "0.01"),
        (["1000.01"], 0, "overpaid", "1000.01", "-0.01"),
        (["990"], 1000, "paid", "990.00", "10.00"),
    ],
)
def test_payment_states(
    lg: Ledger,
    acme: Client,
    web: Project,
    payments: list[str],
    tolerance: int,
    state: str,
    paid: str,
    balance: str,
) -> None:
    lg.settings.update(payment_tolerance_minor=tolerance)
    invoice = _invoice_for(lg, acme, web)
    assert invoice.total == D("1000.00")
    for amount in payments:
        lg.invoices.record_payment(invoice, amount, "2026-11-25")
    current = lg.invoices.get(invoice)
    assert (current.payment_state, current.paid, current.balance) == (state, D(paid), D(balance))


@pytest.mark.parametrize(
    ("payments", "state"),
    [([], "overdue"), (["500"], "overdue"), (["1000"], "paid"), (["1500"], "overpaid")],
)
def test_overdue_after_the_due_date(
    lg: Ledger, acme: Client, web: Project, payments: list[str], state: str
) -> None:
    invoice = _invoice_for(lg, acme, web, issue_date="2026-10-01")
    assert invoice.due_date == dt.date(2026, 10, 15)
    for amount in payments:
        lg.invoices.record_payment(invoice, amount, "2026-10-20")
    assert lg.invoices.get(invoice).payment_state == state


def test_an_invoice_becomes_overdue_as_time_passes(
    lg: Ledger, clock: Any, acme: Client, web: Project
) -> None:
    invoice = _invoice_for(lg, acme, web)
    assert invoice.due_date == dt.date(2026, 12, 9)
    clock.advance(days=14)
    assert lg.invoices.get(invoice).payment_state == "unpaid"  # due today is not late
    clock.advance(days=1)
    assert lg.invoices.get(invoice).payment_state == "overdue"
    lg.invoices.record_payment(invoice, "1000", "2026-12-11")
    assert lg.invoices.get(invoice).payment_state == "paid"


def test_payments_are_recorded_listed_and_removed(lg: Ledger, acme: Client, web: Project) -> None:
    invoice = _invoice_for(lg, acme, web)
    first = lg.invoices.record_payment(invoice, "250.50", "2026-11-26", note="part")
    second = lg.invoices.record_payment(invoice.number, D("100"), dt.date(2026, 11, 27))
    assert [(p.amount, p.paid_on, p.note) for p in lg.invoices.payments(invoice)] == [
        (D("250.50"), dt.date(2026, 11, 26), "part"),
        (D("100.00"), dt.date(2026, 11, 27), ""),
    ]
    with pytest.raises(Conflict, match="has payments"):
        lg.invoices.cancel(invoice)
    lg.invoices.remove_payment(first)
    lg.invoices.remove_payment(second.id)
    assert lg.invoices.payments(invoice) == []
    assert lg.invoices.cancel(invoice).payment_state == "credited"


@pytest.mark.parametrize(
    ("amount", "problem"), [("0", "must be positive"), ("-5", "must be positive")]
)
def test_a_payment_must_be_positive(
    lg: Ledger, acme: Client, web: Project, amount: str, problem: str
) -> None:
    invoice = _invoice_for(lg, acme, web)
    with pytest.raises(InvalidInput, match=problem):
        lg.invoices.record_payment(invoice, amount, "2026-11-26")
    assert lg.invoices.payments(invoice) == []


def test_only_issued_invoices_take_payments(lg: Ledger, acme: Client, web: Project) -> None:
    lg.entries.add(web, date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(acme)
    with pytest.raises(Conflict, match="only issued invoices take payments; this one is draft"):
        lg.invoices.record_payment(draft, "100", "2026-11-26")
    cancelled = lg.invoices.cancel(draft)
    with pytest.raises(Conflict, match="this one is cancelled"):
        lg.invoices.record_payment(cancelled, "100", "2026-11-26")


def test_invoices_list_filters(lg: Ledger, acme: Client, web: Project) -> None:
    issued = _invoice_for(lg, acme, web)
    lg.entries.add(web, date="2026-11-03", minutes=60)
    draft = lg.invoices.draft(acme)
    other = lg.clients.add(name="Other", currency="EUR", hourly_rate="50")
    work = lg.projects.add(other, name="Work")
    foreign = _invoice_for(lg, other, work)
    assert [i.id for i in lg.invoices.list()] == [foreign.id, draft.id, issued.id]
    assert [i.id for i in lg.invoices.list(status="issued")] == [foreign.id, issued.id]
    assert [i.id for i in lg.invoices.list(client=acme)] == [draft.id, issued.id]
    frame = lg.invoices.list().to_frame()
    assert list(frame["total"]) == [50.0, 1000.0, 1000.0]
    assert list(frame["currency"]) == ["EUR", "CZK", "CZK"]
    assert "<table>" in issued._repr_html_()
