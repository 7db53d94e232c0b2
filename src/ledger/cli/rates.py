"""``ledger rates``: the stored exchange rates, or the ones that apply on a day."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.core.models import ExchangeRate


@friendly_errors
def rates(
    currency: Annotated[
        str | None, typer.Argument(help="Only this currency (EUR, USD...); default: all.")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Show the rate that applies on this day (YYYY-MM-DD): its last fixing "
            "on or before it.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="Rows to list without --date.")] = 20,
    database: DatabaseOption = None,
) -> None:
    """Exchange rates (CZK per unit) as the ČNB fixed them; `ledger sync cnb` fetches them."""
    lg = open_cli_ledger(database)
    if date is None:
        found = list(lg.exchange_rates.list(currency, limit=limit))
    else:
        codes = [currency] if currency else lg.exchange_rates.currencies()
        found = [lg.exchange_rates.rate_on(code, date) for code in codes]
    if not found:
        typer.echo("no exchange rates stored; fetch the ČNB rates with `ledger sync cnb`")
        return
    typer.echo(f"{'FIXED ON':<11} {'CURRENCY':<9} {'RATE':>24} {'PER UNIT':>12}  SOURCE")
    for rate in found:
        typer.echo(_line(rate))


def _line(rate: ExchangeRate) -> str:
    quoted = f"{rate.quantity} {rate.currency} = {rate.rate:.3f} CZK"
    return (
        f"{_day(rate.day):<11} {rate.currency:<9} {quoted:>24} {rate.per_unit:>12}  {rate.source}"
    )


def _day(day: dt.date) -> str:
    return day.isoformat()
