"""The dashboard: this week and month, money owed, a year of trends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.api import Ledger
from ledger.core.analytics import MONEY_UNAFFECTED_BY, Dashboard, MoneyFigures, MonthAmounts
from ledger.core.models import AppSettings
from ledger.web.charts import Series, bar_chart
from ledger.web.data_cache import cache_of, data_version, unchanged_but
from ledger.web.i18n import Translator
from ledger.web.rendering import render
from ledger.web.state import ledger_of, settings_of

REMINDERS_SHOWN = 10
"""The longest-overdue invoices the dashboard offers reminders for (all: `ledger reminders`)."""


def dashboard(request: Request) -> Response:
    lg = ledger_of(request)
    t: Translator = request.state.translator
    # Read again only when the data changed (see `data_cache`) or the day did (overdue
    # and due dates move with it); logging time leaves the money figures as they were.
    settings = settings_of(request)
    today = lg.today(settings.time_zone)
    version = (data_version(request), today)
    cache = cache_of(request)
    money_kept = unchanged_but(request, version, MONEY_UNAFFECTED_BY)
    money = cache.get(
        "dashboard money",
        version,
        lambda: lg.analytics.money(today, reminders=REMINDERS_SHOWN),
        money_kept,
    )
    charts = cache.get(("dashboard charts", t.language), version,
                       lambda: _charts(money, t), money_kept)  # fmt: skip
    work = cache.get("dashboard work", version, lambda: lg.analytics.work(today))
    data = Dashboard.model_construct(today=today, **dict(work), **dict(money))  # read, trusted
    first_steps, recurring_due = cache.get(
        "dashboard steps",
        version,
        lambda: (_first_steps(lg, data, settings), list(lg.recurring.due(today))),
    )
    return render(request, "dashboard.html", {
        "data": data, "charts": charts, "section": "dashboard",
        "first_steps": first_steps, "recurring_due": recurring_due,
        "reminders": data.reminders,
    })  # fmt: skip


def _first_steps(lg: Ledger, data: Dashboard, settings: AppSettings) -> list[tuple[str, bool]]:
    """Set up your company, add a client, log time: each step with whether it is done;
    empty once all are (the dashboard then shows only the figures)."""
    worked = bool(
        data.minutes_this_month or data.unbilled or data.outstanding
        or any(m.amounts for m in data.earnings)
    )  # fmt: skip
    # Work needs a client, so only a ledger without figures asks for the clients.
    has_client = worked or bool(lg.clients.list(include_archived=True))
    steps = [
        ("company", bool(settings.supplier_name)),
        ("client", has_client),
        ("time", has_client and worked),
    ]
    return [] if all(done for _, done in steps) else steps


def _charts(data: MoneyFigures, t: Translator) -> list[dict[str, Any]]:
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
