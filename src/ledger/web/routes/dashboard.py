"""The dashboard: this week and month, money owed, a year of trends."""

from __future__ import annotations

from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.core.analytics import MonthAmounts
from ledger.web.charts import bar_chart
from ledger.web.rendering import render
from ledger.web.state import ledger_of


def dashboard(request: Request) -> Response:
    lg = ledger_of(request)
    data = lg.analytics.dashboard()
    t = request.state.translator
    currencies = sorted(
        {c for m in [*data.earnings, *data.income, *data.expenses] for c in m.amounts}
    )
    charts = []
    for currency in currencies:
        labels = [m.month for m in data.earnings]
        charts.append({
            "currency": currency,
            "earnings": bar_chart(labels, [("", _series(data.earnings, currency))],
                                  t.gettext("Invoiced per month") + f" ({currency})"),
            "cash": bar_chart(labels, [("income", _series(data.income, currency)),
                                       ("expense", _series(data.expenses, currency))],
                              t.gettext("Income and expenses") + f" ({currency})"),
        })  # fmt: skip
    return render(
        request, "dashboard.html", {"data": data, "charts": charts, "section": "dashboard"}
    )


def _series(months: list[MonthAmounts], currency: str) -> list[Decimal]:
    return [m.amounts.get(currency, Decimal(0)) for m in months]


routes = [Route("/", dashboard, methods=["GET"])]
