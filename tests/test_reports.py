"""Reports: status counts, unbilled work and monthly earnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ledger.api import Ledger

D = Decimal


def test_status_of_an_empty_ledger(lg: Ledger) -> None:
    status = lg.reports.status()
    assert (status.clients, status.projects, status.entries, status.transactions) == (0, 0, 0, 0)
    assert (status.invoices, status.unbilled, status.outstanding, status.audit_events) == (
        {},
        {},
        {},
        0,
    )


def test_status_counts_and_totals(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    nord = lg.clients.add(name="Nordwind", currency="EUR", hourly_rate="80")
    web = lg.projects.add(acme, name="Web")
    data = lg.projects.add(nord, name="Data")
    lg.entries.add(web, date="2026-11-02", minutes=60)
    paid = lg.invoices.issue(lg.invoices.draft(acme))
    lg.invoices.record_payment(paid, "400", "2026-11-20")
    lg.entries.add(web, date="2026-11-03", minutes=30)
    lg.invoices.cancel(lg.invoices.draft(acme))
    lg.entries.add(data, date="2026-11-03", minutes=90)
    lg.entries.add(data, date="2026-11-04", amount="15.50")
    lg.invoices.issue(lg.invoices.draft(nord, until="2026-11-03"))
    lg.entries.add(data, date="2026-11-05", minutes=15, billable=False)
    lg.transactions.add(external_id="t1", booked_on="2026-11-20", amount="400", currency="CZK")
    status = lg.reports.status()
    assert (status.clients, status.projects, status.entries, status.transactions) == (2, 2, 5, 1)
    assert status.invoices == {"issued": 2, "cancelled": 1}
    assert status.unbilled == {"CZK": D("500.00"), "EUR": D("15.50")}
    assert status.outstanding == {"CZK": D("600.00"), "EUR": D("120.00")}
    assert status.audit_events == len(lg.audit.list())


def test_unbilled_work_per_project(lg: Ledger, clock: Any) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    bare = lg.clients.add(name="Bare", currency="EUR")
    web = lg.projects.add(acme, name="Web", rounding="up", rounding_minutes=15)
    ops = lg.projects.add(acme, name="Ops", hourly_rate="1200")
    norate = lg.projects.add(bare, name="No rate")
    lg.entries.add(web, date="2026-11-02", minutes=20)  # billed as 30 minutes
    lg.entries.add(web, date="2026-11-02", minutes=10, hourly_rate="600")  # 15 min at 600
    lg.entries.add(web, date="2026-11-03", amount="99.90")
    lg.entries.add(ops, date="2026-11-02", minutes=30, billable=False)
    lg.entries.add(ops, date="2026-11-03", minutes=30)
    lg.entries.add(norate, date="2026-11-03", minutes=30)
    lg.entries.start(ops)  # the running timer is not work yet
    clock.advance(minutes=5)
    report = {(item.client, item.project): item for item in lg.reports.unbilled()}
    assert list(report) == [("Acme", "Ops"), ("Acme", "Web"), ("Bare", "No rate")]
    web_work = report["Acme", "Web"]
    assert (web_work.minutes, web_work.entries, web_work.amount) == (30, 3, D("749.90"))
    assert (report["Acme", "Ops"].amount, report["Acme", "Ops"].entries) == (D("600.00"), 1)
    assert report["Bare", "No rate"].amount is None
    assert report["Bare", "No rate"].currency == "EUR"
    # The dashboard's sums: a project without a rate counts nothing.
    assert lg.reports.unbilled_totals() == {"CZK": D("1349.90"), "EUR": D(0)}

    lg.invoices.draft(acme, project=web)
    assert [item.project for item in lg.reports.unbilled()] == ["Ops", "No rate"]


def test_monthly_earnings_count_issued_invoices_only(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    web = lg.projects.add(acme, name="Web")
    ops = lg.projects.add(acme, name="Ops")
    lg.entries.add(web, date="2026-09-30", minutes=60)
    lg.entries.add(web, date="2026-10-01", minutes=30)
    lg.entries.add(ops, date="2026-10-15", amount="250")
    lg.invoices.issue(lg.invoices.draft(acme))
    lg.entries.add(web, date="2026-10-20", minutes=60)
    lg.invoices.cancel(lg.invoices.issue(lg.invoices.draft(acme)))
    lg.entries.add(ops, date="2026-11-02", minutes=60)
    lg.invoices.draft(acme, since="2026-11-01")  # a draft earns nothing yet
    rows = [(r.month, r.project_id, r.currency, r.amount) for r in lg.reports.monthly_earnings()]
    assert rows == [
        ("2026-09", web.id, "CZK", D("1000.00")),
        ("2026-10", web.id, "CZK", D("500.00")),
        ("2026-10", ops.id, "CZK", D("250.00")),
    ]
    october = lg.reports.monthly_earnings(since=dt.date(2026, 10, 1), until=dt.date(2026, 10, 31))
    assert [(r.month, r.amount) for r in october] == [
        ("2026-10", D("500.00")),
        ("2026-10", D("250.00")),
    ]


def test_monthly_earnings_split_an_invoice_spanning_months(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    web = lg.projects.add(acme, name="Web")
    for day, minutes in (("2026-08-31", 30), ("2026-09-30", 60), ("2026-10-01", 90)):
        lg.entries.add(web, date=day, minutes=minutes)
    lg.invoices.issue(lg.invoices.draft(acme))
    every = [(r.month, r.amount) for r in lg.reports.monthly_earnings()]
    assert every == [
        ("2026-08", D("500.00")),
        ("2026-09", D("1000.00")),
        ("2026-10", D("1500.00")),
    ]
    since = lg.reports.monthly_earnings(since=dt.date(2026, 9, 1))
    assert [(r.month, r.amount) for r in since] == [
        ("2026-09", D("1000.00")),
        ("2026-10", D("1500.00")),
    ]
    one = lg.reports.monthly_earnings(since=dt.date(2026, 9, 1), until=dt.date(2026, 9, 30))
    assert [(r.month, r.amount) for r in one] == [("2026-09", D("1000.00"))]
