"""Recurring invoices: periods that keep month ends, catch-up one invoice per period,
never two for one period, drafts or issued invoices, VAT as the supplier charges it."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from document_helpers import set_up_supplier
from ledger.api import Ledger
from ledger.core.invoices import LineInput
from ledger.core.models import Client
from ledger.core.recurring.periods import following, periods_until
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

D = dt.date
HOSTING = LineInput("Hosting", "1", "1500", "month")


@pytest.mark.parametrize(
    ("start", "interval", "anchor", "expected"),
    [
        (D(2026, 1, 31), "monthly", 31, [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]),
        (D(2028, 1, 31), "monthly", 31, [D(2028, 2, 29), D(2028, 3, 31)]),
        (D(2026, 1, 30), "monthly", 30, [D(2026, 2, 28), D(2026, 3, 30)]),
        (D(2026, 11, 30), "quarterly", 31, [D(2027, 2, 28), D(2027, 5, 31), D(2027, 8, 31)]),
        (D(2026, 12, 15), "quarterly", 15, [D(2027, 3, 15), D(2027, 6, 15)]),
        (D(2028, 2, 29), "yearly", 29, [D(2029, 2, 28), D(2030, 2, 28)]),
        (D(2031, 2, 28), "yearly", 29, [D(2032, 2, 29), D(2033, 2, 28)]),
        (D(2026, 12, 1), "monthly", 1, [D(2027, 1, 1), D(2027, 2, 1)]),
    ],
)
def test_periods_keep_the_day_of_the_month(
    start: dt.date, interval: str, anchor: int, expected: list[dt.date]
) -> None:
    days, day = [], start
    for _ in expected:
        day = following(day, interval, anchor)
        days.append(day)
    assert days == expected


def test_periods_until_today_list_each_missed_one() -> None:
    due = periods_until(D(2026, 8, 31), "monthly", 31, D(2026, 11, 30))
    assert due == [D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 30)]
    assert periods_until(D(2026, 12, 1), "monthly", 1, D(2026, 11, 30)) == []


@pytest.fixture
def acme(lg: Ledger) -> Client:
    return lg.clients.add(name="Acme", currency="CZK", language="cs", payment_terms_days=10)


def test_a_template_keeps_its_client_lines_and_money(lg: Ledger, acme: Client) -> None:
    template = lg.recurring.add(
        "Acme", name="Hosting", next_date="2026-11-30", lines=[
            HOSTING, LineInput("Support", "2.5", "800.50", "h", vat_rate="12"),
        ],
    )  # fmt: skip
    assert (template.client_name, template.currency, template.language) == ("Acme", "CZK", "cs")
    assert (template.interval, template.mode, template.day_of_month) == ("monthly", "draft", 30)
    assert [line.amount for line in template.lines] == [Decimal("1500.00"), Decimal("2001.25")]
    assert template.lines[1].vat_rate == Decimal("12")
    assert template.subtotal == Decimal("3501.25")
    with lg.reading() as session:
        stored = session.get(tables.RecurringTemplateLine, template.lines[1].id)
    assert stored is not None
    assert stored.unit_price_minor == 80050
    assert stored.quantity_milli == 2500
    assert stored.vat_rate_bp == 1200
    assert lg.recurring.list(client="acme") == [template]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"interval": "weekly"}, "interval"),
        ({"mode": "send"}, "mode"),
        ({"name": " "}, "name"),
        ({"next_date": "2026-02-30"}, "next_date"),
        ({"lines": [LineInput("x", "0", "1")]}, "quantity"),
        ({"lines": [LineInput("x", "1", "1.001")]}, "unit_price"),
        ({"lines": [LineInput("", "1", "1")]}, "description"),
        ({"lines": [LineInput("x", "1", "1", vat_rate="150")]}, "vat_rate"),
    ],
)
def test_bad_fields_are_refused_by_name(
    lg: Ledger, acme: Client, changes: dict[str, object], field: str
) -> None:
    fields: dict[str, object] = {"name": "Hosting", "next_date": "2026-11-30", **changes}
    with pytest.raises(InvalidInput) as caught:
        lg.recurring.add(acme, **fields)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert lg.recurring.list() == []


def test_due_lists_active_templates_on_or_before_today(lg: Ledger, acme: Client) -> None:
    today = lg.recurring.add(acme, name="A", next_date="2026-11-25", lines=[HOSTING])
    lg.recurring.add(acme, name="B", next_date="2026-11-26", lines=[HOSTING])
    paused = lg.recurring.add(acme, name="C", next_date="2026-10-01", lines=[HOSTING])
    lg.recurring.update(paused, active=False)
    assert [t.name for t in lg.recurring.due()] == [today.name]
    assert [t.name for t in lg.recurring.due("2026-11-26")] == ["A", "B"]


def test_a_run_catches_up_missed_periods_one_invoice_each(lg: Ledger, acme: Client) -> None:
    template = lg.recurring.add(acme, name="Hosting", next_date="2026-08-31", lines=[HOSTING])
    made = lg.recurring.run()
    assert [i.taxable_supply_date for i in made] == [
        D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31),
    ]  # fmt: skip
    assert {(i.status, i.total, i.language) for i in made} == {("draft", Decimal("1500"), "cs")}
    assert [line.description for line in made[0].lines] == ["Hosting"]
    assert lg.recurring.get(template).next_date == D(2026, 11, 30)
    assert lg.recurring.due() == []
    assert [i.id for i in lg.recurring.invoices(template)] == [i.id for i in reversed(made)]


def test_running_twice_never_makes_two_invoices_for_a_period(lg: Ledger, acme: Client) -> None:
    template = lg.recurring.add(acme, name="Hosting", next_date="2026-11-01", lines=[HOSTING])
    assert len(lg.recurring.run()) == 1
    assert len(lg.recurring.run()) == 0
    assert len(lg.recurring.run(template)) == 0
    assert len(lg.invoices.list()) == 1
    # Moving the date back to a period already invoiced cannot invoice it again.
    lg.recurring.update(template, next_date="2026-11-01")
    with pytest.raises(Conflict, match="exists already"):
        lg.recurring.run(template)
    assert len(lg.invoices.list()) == 1
    assert lg.recurring.get(template).next_date == D(2026, 11, 1)


def test_the_database_refuses_a_second_invoice_for_a_period(lg: Ledger, acme: Client) -> None:
    template = lg.recurring.add(acme, name="Hosting", next_date="2026-11-01", lines=[HOSTING])
    first = lg.recurring.run()[0]
    second = tables.Invoice(
        client_id=acme.id, currency="CZK", recurring_template_id=template.id,
        period_start=first.taxable_supply_date,
    )  # fmt: skip

    def insert() -> None:
        with lg.atomic() as uow:
            uow.session.add(second)
            uow.session.flush()

    with pytest.raises(IntegrityError):
        insert()
    assert len(lg.invoices.list()) == 1


def test_an_issue_template_issues_each_invoice_on_the_day_of_the_run(
    lg: Ledger, acme: Client
) -> None:
    lg.recurring.add(
        acme, name="Retainer", next_date="2026-10-25", mode="issue", interval="quarterly",
        lines=[HOSTING],
    )  # fmt: skip
    lg.recurring.add(acme, name="Draft", next_date="2026-11-25", lines=[HOSTING])
    made = lg.recurring.run(today="2026-11-25")
    issued = [i for i in made if i.status == "issued"]
    assert len(issued) == 1
    assert issued[0].number is not None
    assert issued[0].issue_date == D(2026, 11, 25)
    assert issued[0].due_date == D(2026, 12, 5)
    assert issued[0].taxable_supply_date == D(2026, 10, 25)
    assert sorted(i.status for i in made) == ["draft", "issued"]


def test_vat_follows_the_suppliers_status_when_the_invoice_is_made(lg: Ledger) -> None:
    client = lg.clients.add(name="Beta", currency="CZK")
    lines = [HOSTING, LineInput("Book", "1", "100", vat_rate="0")]
    template = lg.recurring.add(client, name="Mixed", next_date="2026-11-01", lines=lines)
    before = lg.recurring.run()[0]
    assert (before.vat_mode, before.vat, [x.vat_rate for x in before.lines]) == (
        "none", Decimal(0), [None, None],
    )  # fmt: skip
    set_up_supplier(lg, vat_payer=True, default_vat_rate="21")
    lg.recurring.update(template, next_date="2026-11-25")
    after = lg.recurring.run()[0]
    assert [x.vat_rate for x in after.lines] == [Decimal("21"), Decimal("0")]
    assert after.vat == Decimal("315.00")


def test_each_period_is_one_audited_unit_under_the_callers_source(
    lg: Ledger, acme: Client
) -> None:
    template = lg.recurring.add(acme, name="Hosting", next_date="2026-11-01", lines=[HOSTING])
    cli = lg.with_source("cli")
    invoice = cli.recurring.run()[0]
    events = lg.audit.list(source="cli")
    assert {e.entity for e in events} == {"invoices", "invoice_lines", "recurring_templates"}
    made = next(e for e in events if e.entity == "invoices" and e.action == "insert")
    assert made.entity_id == str(invoice.id)
    assert made.after is not None
    assert made.after["recurring_template_id"] == template.id
    moved = next(e for e in events if e.entity == "recurring_templates")
    assert moved.after is not None
    assert moved.after["next_date"] == "2026-12-01"
    added = lg.audit.list(source="notebook", entity="recurring_template_lines")
    assert len(added) == 1


def test_a_template_without_lines_cannot_run_and_nothing_moves(lg: Ledger, acme: Client) -> None:
    template = lg.recurring.add(acme, name="Empty", next_date="2026-11-01")
    with pytest.raises(InvalidInput, match="has no lines"):
        lg.recurring.run()
    assert lg.recurring.get(template).next_date == D(2026, 11, 1)
    assert lg.invoices.list() == []


def test_lines_are_added_replaced_and_removed(lg: Ledger, acme: Client) -> None:
    template = lg.recurring.add(acme, name="Hosting", next_date="2026-12-01", lines=[HOSTING])
    template = lg.recurring.add_line(template, "Domain", "1", "300", "pcs", vat_rate="21")
    assert [(x.position, x.description) for x in template.lines] == [(1, "Hosting"), (2, "Domain")]
    template = lg.recurring.remove_line(template, template.lines[0].id)
    assert [x.description for x in template.lines] == ["Domain"]
    template = lg.recurring.update(template, lines=[LineInput("Only", "3", "10")])
    assert [(x.description, x.amount) for x in template.lines] == [("Only", Decimal("30.00"))]


def test_a_template_that_made_invoices_is_deactivated_not_removed(
    lg: Ledger, acme: Client
) -> None:
    unused = lg.recurring.add(acme, name="Unused", next_date="2027-01-01", lines=[HOSTING])
    lg.recurring.remove(unused)
    used = lg.recurring.add(acme, name="Used", next_date="2026-11-01", lines=[HOSTING])
    lg.recurring.run()
    with pytest.raises(Conflict, match="deactivate"):
        lg.recurring.remove(used)
    assert [t.name for t in lg.recurring.list()] == ["Used"]


def test_draft_from_lines_makes_a_draft_without_work(lg: Ledger, acme: Client) -> None:
    draft = lg.invoices.draft_from_lines("Acme", [HOSTING], notes="Listopad")
    assert (draft.status, draft.total, draft.notes) == ("draft", Decimal("1500.00"), "Listopad")
    with pytest.raises(InvalidInput):
        lg.invoices.draft_from_lines(acme, [])


def test_two_runs_at_once_make_one_invoice(lg: Ledger, acme: Client) -> None:
    lg.recurring.add(acme, name="Hosting", next_date="2026-11-01", lines=[HOSTING])
    other = lg.with_source("cli")
    outcome: list[object] = []

    def second_run() -> None:
        try:
            outcome.append(len(other.recurring.run()))
        except Conflict as exc:
            outcome.append(exc)

    with lg.atomic():
        assert len(lg.recurring.run()) == 1  # made, not yet committed
        racer = threading.Thread(target=second_run)
        racer.start()
        racer.join(0.5)  # the second run waits for this transaction (or has not begun)
    racer.join()
    # Whichever way the race went, the second run made nothing.
    assert outcome == [0] or isinstance(outcome[0], Conflict)
    assert len(lg.invoices.list()) == 1
