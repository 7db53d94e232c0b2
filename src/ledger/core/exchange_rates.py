"""Exchange rates: CZK per unit of a foreign currency, as a central bank fixed them.

Rates are stored per fixing day as integer micro-CZK for a quantity of units (ČNB
quotes 100 JPY, 100 HUF...). A day without a fixing (a weekend, a holiday) takes
the last fixing before it, as Czech VAT law does, looking back at most a week.
"""

from __future__ import annotations

import builtins
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ledger.contracts.inputs import ExchangeRateInput
from ledger.core.datetimes import parse_date
from ledger.core.models import ExchangeRate, Records
from ledger.core.money import check_currency
from ledger.core.service import Service
from ledger.core.tax_figures import MICRO
from ledger.core.validation import validated
from ledger.errors import MissingExchangeRate
from ledger.storage import tables

LOOK_BACK_DAYS = 7
"""How far before a day `rate_on` looks for a fixing (a long Easter is 4 days)."""


def rate_row(source: str, data: ExchangeRateInput) -> dict[str, Any]:
    """The stored columns of a validated rate."""
    return {
        "currency": data.currency,
        "day": data.day,
        "rate_micro": int(data.rate.scaleb(MICRO)),
        "quantity": data.quantity,
        "source": source,
    }


def missing_rate(currency: str, day: dt.date) -> MissingExchangeRate:
    """The error for a day without a rate, saying how to fetch the rates."""
    return MissingExchangeRate(
        f"no {currency} exchange rate for {day.isoformat()} (nor in the {LOOK_BACK_DAYS} "
        f"days before); fetch the ČNB rates with `ledger sync cnb` and try again",
        currency=currency,
        day=day.isoformat(),
    )


def find_rate(session: Session, currency: str, day: dt.date) -> tables.ExchangeRate | None:
    """The last fixing of `currency` on or before `day`, at most a week back."""
    query = (
        select(tables.ExchangeRate)
        .where(
            tables.ExchangeRate.currency == currency,
            col(tables.ExchangeRate.day) <= day,
            col(tables.ExchangeRate.day) >= day - dt.timedelta(days=LOOK_BACK_DAYS),
        )
        .order_by(col(tables.ExchangeRate.day).desc())
        .limit(1)
    )
    return session.exec(query).first()


class ExchangeRates(Service):
    """``lg.exchange_rates``: CZK per unit of other currencies, per fixing day."""

    counted = (tables.ExchangeRate, "rate", "rates")

    def rate_on(self, currency: str, day: dt.date | str) -> ExchangeRate:
        """The rate that applies on `day`: the last fixing on or before it.

        Raises:
            MissingExchangeRate: no fixing in the week up to `day`; the message says
                to run ``ledger sync cnb``.
        """
        code = check_currency(currency)
        asked = parse_date(day, "day")
        with self._lg.reading() as session:
            row = find_rate(session, code, asked)
        if row is None:
            raise missing_rate(code, asked)
        return ExchangeRate.from_row(row)

    def list(
        self,
        currency: str | None = None,
        *,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        limit: int | None = None,
    ) -> Records[ExchangeRate]:
        """Stored rates, newest day first (then by currency), filtered when asked."""
        query = select(tables.ExchangeRate).order_by(
            col(tables.ExchangeRate.day).desc(), col(tables.ExchangeRate.currency)
        )
        if currency is not None:
            query = query.where(tables.ExchangeRate.currency == check_currency(currency))
        if since is not None:
            query = query.where(col(tables.ExchangeRate.day) >= parse_date(since, "since"))
        if until is not None:
            query = query.where(col(tables.ExchangeRate.day) <= parse_date(until, "until"))
        if limit is not None:
            query = query.limit(limit)
        with self._lg.reading() as session:
            rows = builtins.list(session.exec(query))
        return Records((ExchangeRate.from_row(row) for row in rows), model=ExchangeRate)

    def currencies(self) -> builtins.list[str]:
        """Every currency with a stored rate, by code."""
        query = select(tables.ExchangeRate.currency).distinct()
        with self._lg.reading() as session:
            return sorted(session.exec(query))

    def set(
        self,
        currency: str,
        day: dt.date | str,
        rate: Decimal | int | str,
        *,
        quantity: int = 1,
        source: str = "manual",
    ) -> ExchangeRate:
        """Record (or correct) the rate of `currency` fixed on `day`: `rate` CZK per
        `quantity` units. The ČNB plugin does this for you; this is for other sources."""
        data = validated(
            ExchangeRateInput,
            {"currency": currency, "day": day, "rate": rate, "quantity": quantity},
        )
        values = rate_row(source, data)
        with self._lg.atomic() as uow:
            query = select(tables.ExchangeRate).where(
                tables.ExchangeRate.currency == data.currency,
                tables.ExchangeRate.day == data.day,
            )
            row = uow.session.exec(query).first()
            if row is None:
                row = tables.ExchangeRate(**values)
                uow.session.add(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            uow.session.flush()
            return ExchangeRate.from_row(row)
