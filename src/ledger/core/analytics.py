"""``lg.analytics``: the dashboard's figures, each one SQL aggregate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlalchemy import Date, bindparam, case, func, select

from ledger.core.models import PublicModel
from ledger.core.money import from_minor
from ledger.core.months import year_month
from ledger.core.reminders import OverdueInvoice, longest_overdue
from ledger.core.reports import unbilled_totals
from ledger.core.service import Service
from ledger.storage import tables

ENTRIES = tables.WorkEntry.__table__  # type: ignore[attr-defined]
INVOICES = tables.Invoice.__table__  # type: ignore[attr-defined]
PAYMENTS = tables.Payment.__table__  # type: ignore[attr-defined]
CLIENTS = tables.Client.__table__  # type: ignore[attr-defined]
TRANSACTIONS = tables.MoneyTransaction.__table__  # type: ignore[attr-defined]

Money = dict[str, Decimal]
"""Amounts per currency."""

TOP_CLIENTS_SHOWN = 5


class MonthAmounts(PublicModel):
    month: str
    amounts: dict[str, Decimal]


class ClientTotal(PublicModel):
    client_id: int
    client: str
    currency: str
    amount: Decimal


class WorkFigures(PublicModel):
    """The dashboard's figures from time entries: what logging time changes."""

    minutes_this_week: int
    minutes_this_month: int
    unbilled: dict[str, Decimal]


class MoneyFigures(PublicModel):
    """The dashboard's figures from invoices, payments and bank transactions (no time
    entry enters them)."""

    outstanding: dict[str, Decimal]
    overdue: dict[str, Decimal]
    overdue_count: int
    outstanding_count: int
    earnings: list[MonthAmounts]
    income: list[MonthAmounts]
    expenses: list[MonthAmounts]
    top_clients: list[ClientTotal]
    reminders: list[OverdueInvoice] = Field(default_factory=list)
    """The longest-overdue invoices (as many as asked for), oldest due first."""


MONEY_UNAFFECTED_BY = frozenset({"work_entries"})
"""Tables whose changes leave `MoneyFigures` as they were: billing an entry also
changes its invoice, so only an entry's own changes are harmless."""


class Dashboard(MoneyFigures, WorkFigures):
    """What the dashboard shows; money always per currency."""

    today: dt.date


class Analytics(Service):
    """Dashboard figures for a date (today by default)."""

    def dashboard(self, today: dt.date | None = None, *, reminders: int = 0) -> Dashboard:
        """Hours, unbilled work, outstanding and overdue money, 12 months of trends, and
        the first `reminders` overdue invoices."""
        day = today or self._lg.today()
        work, money = self.work(day), self.money(day, reminders=reminders)
        return Dashboard(today=day, **dict(work), **dict(money))

    def work(self, today: dt.date | None = None) -> WorkFigures:
        """Minutes worked this week and month (up to `today`) and unbilled work."""
        day = today or self._lg.today()
        with self._lg.reading() as session:
            week, month = _minutes(session.connection(), day)
            return WorkFigures(
                minutes_this_week=week, minutes_this_month=month, unbilled=unbilled_totals(session)
            )

    def money(self, today: dt.date | None = None, *, reminders: int = 0) -> MoneyFigures:
        """Outstanding and overdue money, 12 months of trends up to `today`, and the
        first `reminders` overdue invoices, all read in one session."""
        day = today or self._lg.today()
        months = last_months(day, 12)
        since = {"since": dt.date.fromisoformat(months[0] + "-01")}
        with self._lg.reading() as session:
            conn = session.connection()
            outstanding, overdue, counts = _open_money(conn, day)
            income, expenses = _cash(conn.execute(CASH, since), months)
            # Built from the rows just read: validating them again costs as much as
            # a query (the page asks after every change).
            return MoneyFigures.model_construct(
                outstanding=outstanding,
                overdue=overdue,
                outstanding_count=counts[0],
                overdue_count=counts[1],
                earnings=_by_month(conn.execute(EARNINGS, since), months),
                income=income,
                expenses=expenses,
                top_clients=_top_clients(conn.execute(TOP_CLIENTS, since)),
                reminders=longest_overdue(conn, day, reminders) if reminders and counts[1] else [],
            )


def last_months(today: dt.date, count: int) -> list[str]:
    """``YYYY-MM`` of the `count` months ending with today's."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


# The statements are built once, with their dates as parameters: building one anew
# costs about as much as SQLite takes to run it on a small ledger.


def _on(name: str) -> Any:
    """A date parameter."""
    return bindparam(name, type_=Date())


def _minutes_query() -> Any:
    date, minutes = ENTRIES.c.date, ENTRIES.c.minutes
    return select(
        func.sum(case((date >= _on("week"), minutes))),
        func.sum(case((date >= _on("month"), minutes))),
    ).where(date.between(_on("first"), _on("day")))


def _open_money_query() -> Any:
    # Each issued invoice probes its payments by the covering index: cheaper than
    # summing every payment and joining, and sure of its plan without statistics.
    paid = (
        select(func.coalesce(func.sum(PAYMENTS.c.amount_minor), 0))
        .where(PAYMENTS.c.invoice_id == INVOICES.c.id)
        .scalar_subquery()
    )
    balances = (
        select(
            INVOICES.c.currency,
            (INVOICES.c.total_minor - paid).label("balance"),
            (INVOICES.c.due_date < _on("today")).label("late"),
        )
        .where(INVOICES.c.status == "issued")
        .subquery()
    )
    return (
        select(
            balances.c.currency,
            func.sum(balances.c.balance),
            func.sum(case((balances.c.late, balances.c.balance), else_=0)),
            func.count(),
            func.sum(case((balances.c.late, 1), else_=0)),
        )
        .where(balances.c.balance > 0)
        .group_by(balances.c.currency)
    )


def _earnings_query() -> Any:
    """Invoiced per month: summed per issue day first, in the order of
    ix_invoices_issued (no sort), so only the days' sums are sorted into months."""
    days = (
        select(
            INVOICES.c.issue_date.label("day"), INVOICES.c.currency,
            func.sum(INVOICES.c.total_minor).label("amount"),
        )
        .where(INVOICES.c.status == "issued", INVOICES.c.issue_date >= _on("since"))
        .group_by(INVOICES.c.issue_date, INVOICES.c.currency)
        .subquery()
    )  # fmt: skip
    month = year_month(days.c.day)
    return select(month, days.c.currency, func.sum(days.c.amount)).group_by(month, days.c.currency)


def _cash_query() -> Any:
    """Income and expenses per month, read from ix_money_transactions_cash alone."""
    month, kind = year_month(TRANSACTIONS.c.booked_on), TRANSACTIONS.c.kind
    amount = func.sum(func.abs(TRANSACTIONS.c.amount_minor))
    return (
        select(kind, month, TRANSACTIONS.c.currency, amount)
        .where(kind.in_(("income", "expense")), TRANSACTIONS.c.booked_on >= _on("since"))
        .group_by(kind, month, TRANSACTIONS.c.currency)
    )


def _top_clients_query(limit: int = TOP_CLIENTS_SHOWN) -> Any:
    """The clients invoiced most, summed from ix_invoices_issued alone; only the
    few kept are joined to their names."""
    total = func.sum(INVOICES.c.total_minor)
    top = (
        select(INVOICES.c.client_id, INVOICES.c.currency, total.label("amount"))
        .where(INVOICES.c.status == "issued", INVOICES.c.issue_date >= _on("since"))
        .group_by(INVOICES.c.client_id, INVOICES.c.currency)
        .order_by(total.desc())
        .limit(limit * 3)
        .subquery()
    )
    return (
        select(CLIENTS.c.id, CLIENTS.c.name, top.c.currency, top.c.amount)
        .join_from(top, CLIENTS, CLIENTS.c.id == top.c.client_id)
        .order_by(top.c.amount.desc(), CLIENTS.c.id)
    )


MINUTES = _minutes_query()
OPEN_MONEY = _open_money_query()
EARNINGS = _earnings_query()
CASH = _cash_query()
TOP_CLIENTS = _top_clients_query()


def _minutes(conn: Any, day: dt.date) -> tuple[int, int]:
    """Minutes worked this week and this month, up to `day`, in one pass over the dates."""
    week, month = day - dt.timedelta(days=day.weekday()), day.replace(day=1)
    dates = {"week": week, "month": month, "first": min(week, month), "day": day}
    in_week, in_month = conn.execute(MINUTES, dates).one()
    return int(in_week or 0), int(in_month or 0)


def _open_money(conn: Any, today: dt.date) -> tuple[Money, Money, tuple[int, int]]:
    outstanding: Money = {}
    overdue: Money = {}
    count = late_count = 0
    for currency, open_minor, late_minor, n, n_late in conn.execute(OPEN_MONEY, {"today": today}):
        outstanding[currency] = from_minor(int(open_minor), currency)
        if late_minor:
            overdue[currency] = from_minor(int(late_minor), currency)
        count += int(n)
        late_count += int(n_late or 0)
    return outstanding, overdue, (count, late_count)


def _cash(rows: Iterable[Any], months: list[str]) -> tuple[list[MonthAmounts], list[MonthAmounts]]:
    """(kind, month, currency, minor units) rows as income and expenses per month."""
    rows = list(rows)
    income = _by_month((row[1:] for row in rows if row[0] == "income"), months)
    expenses = _by_month((row[1:] for row in rows if row[0] == "expense"), months)
    return income, expenses


def _by_month(rows: Iterable[Any], months: list[str]) -> list[MonthAmounts]:
    """(month, currency, minor units) rows as one `MonthAmounts` for each of `months`."""
    found: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for month, currency, minor in rows:
        found[str(month)][currency] = from_minor(int(minor or 0), currency)
    return [MonthAmounts.model_construct(month=m, amounts=found.get(m, {})) for m in months]


def _top_clients(rows: Iterable[Any], limit: int = TOP_CLIENTS_SHOWN) -> list[ClientTotal]:
    totals = [
        ClientTotal(client_id=i, client=n, currency=c, amount=from_minor(int(a), c))
        for i, n, c, a in rows
    ]
    return totals[:limit]
