"""The dashboard's money figures: invoiced per month and the top clients, exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ledger.api import Ledger


def _invoice(lg: Ledger, client: int, hours: int, issued: dt.date) -> None:
    """Bill `hours` of the client's only project, issued on `issued`."""
    project = lg.projects.list(client)[0].id
    lg.entries.add(project, date=issued - dt.timedelta(days=1), minutes=hours * 60)
    lg.invoices.issue(lg.invoices.draft(client, until=issued), issue_date=issued)


def test_months_and_top_clients_sum_every_issued_invoice(lg: Ledger) -> None:
    today = lg.today()
    this_month, last_month = today.replace(day=1), (today.replace(day=1) - dt.timedelta(days=1))
    acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1000").id
    beta = lg.clients.add(name="Beta a.s.", currency="EUR", hourly_rate="50").id
    cyan = lg.clients.add(name="Cyan s.r.o.", currency="CZK", hourly_rate="2000").id
    for client in (acme, beta, cyan):
        lg.projects.add(client, name="Web")
    # Two days of one month are summed into it; each currency on its own.
    _invoice(lg, acme, 3, last_month.replace(day=10))
    _invoice(lg, acme, 2, last_month.replace(day=20))
    _invoice(lg, cyan, 1, last_month.replace(day=20))
    _invoice(lg, beta, 4, this_month)
    _invoice(lg, cyan, 4, this_month)

    money = lg.analytics.money(today)

    months = {m.month: m.amounts for m in money.earnings}
    assert len(money.earnings) == 12
    assert months[f"{last_month:%Y-%m}"] == {"CZK": Decimal("7000.00")}
    assert months[f"{this_month:%Y-%m}"] == {"CZK": Decimal("8000.00"), "EUR": Decimal("200.00")}
    top = [(c.client, c.currency, c.amount) for c in money.top_clients]
    assert top == [
        ("Cyan s.r.o.", "CZK", Decimal("10000.00")),
        ("Acme s.r.o.", "CZK", Decimal("5000.00")),
        ("Beta a.s.", "EUR", Decimal("200.00")),
    ]
