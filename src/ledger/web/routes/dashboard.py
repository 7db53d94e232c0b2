"""The dashboard: this week and month, money owed, a year of trends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.api import Ledger
from ledger.core.analytics import Dashboard, MonthAmounts
from ledger.core.recurring.templates import RecurringTemplate
from ledger.web.charts import Series, bar_chart
from ledger.web.data_cache import cache_of, data_version
from ledger.web.i18n import Translator
from ledger.web.rendering import render
from ledger.web.state import ledger_of

REMINDERS_SHOWN = 10
"""The longest-overdue invoices the dashboard offers reminders for (all: `ledger reminders`)."""


@dataclass(frozen=True)
class Figures:
    """What the dashboard reads from the data."""

    data: Dashboard
    first_steps: list[tuple[str, bool]]
    recurring_due: list[RecurringTemplate]


def dashboard(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    # Read again only when the data changed (see `data_cache`) or the day did (overdue
    # and due dates move with it): reloading an unchanged dashboard costs two queries.
    today = lg.today()
    version = (data_version(request), today)
    cache = cache_of(request)
    figures = cache.get("dashboard", version, lambda: _figures(lg, today))
    charts = cache.get(("dashboard charts", t.language), version,
                       lambda: _charts(figures.data, t))  # fmt: skip
    return render(request, "dashboard.html", {
        "data": figures.data, "charts": charts, "section": "dashboard",
        "first_steps": figures.first_steps, "recurring_due": figures.recurring_due,
        "reminders": figures.data.reminders,
    })  # fmt: skip


def _figures(lg: Ledger, today: dt.date) -> Figures:
    data = lg.analytics.dashboard(today, reminders=REMINDERS_SHOWN)
    return Figures(
        data=data,
        first_steps=_first_steps(lg, data),
        recurring_due=list(lg.recurring.due(today)),
    )


def _first_steps(lg: Ledger, data: Dashboard) -> list[tuple[str, bool]]:
    """Set up your company, add a client, log time: each step with whether it is done;
    empty once all are (the dashboard then shows only the figures)."""
    worked = bool(
        data.minutes_this_month or data.unbilled or data.outstanding
        or any(m.amounts for m in data.earnings)
    )  # fmt: skip
    # Work needs a client, so only a ledger without figures asks for the clients.
    has_client = worked or bool(lg.clients.list(include_archived=True))
    steps = [
        ("company", bool(lg.settings.get().supplier_name)),
        ("client", has_client),
        ("time", has_client and worked),
    ]
    return [] if all(done for _, done in steps) else steps


def _charts(data: Dashboard, t: Translator) -> list[dict[str, Any]]:
    """Per currency: invoiced per month, and income against expenses."""
    currencies = sorted(
        {c for m in [*data.earnings, *data.income, *data.expenses] for c in m.amounts}
    )
    labels = [m.month for m in data.earnings]

    def axis(value: Decimal) -> str:
        return t.number(value.quantize(Decimal(1)))

    charts = []
    for currency in currencies:

        def money(value: Decimal, currency: str = currency) -> str:
            return t.money(value, currency)

        earned = Series("", "", _series(data.earnings, currency))
        income = Series("income", t.gettext("Income"), _series(data.income, currency))
        spent = Series("expense", t.gettext("Expenses"), _series(data.expenses, currency))
        earnings_title = f"{t.gettext('Invoiced per month')} ({currency})"
        cash_title = f"{t.gettext('Income and expenses')} ({currency})"
        charts.append({
            "currency": currency,
            "earnings": bar_chart(labels, [earned], earnings_title, money, axis),
            "cash": bar_chart(labels, [income, spent], cash_title, money, axis),
        })  # fmt: skip
    return charts


def _series(months: list[MonthAmounts], currency: str) -> list[Decimal]:
    return [m.amounts.get(currency, Decimal(0)) for m in months]


routes = [Route("/", dashboard, methods=["GET"])]
