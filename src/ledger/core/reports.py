"""``lg.reports``: status counts, unbilled work and earnings, computed in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select as core_select, union_all
from sqlmodel import Session

from ledger.core import status_figures
from ledger.core.models import PublicModel, Records
from ledger.core.money import from_minor
from ledger.core.months import year_month
from ledger.core.service import Service
from ledger.storage import tables


class UnbilledWork(PublicModel):
    client_id: int
    client: str
    project_id: int
    project: str
    currency: str
    minutes: int
    amount: Decimal | None
    entries: int


class MonthlyEarnings(PublicModel):
    month: str
    project_id: int
    project_name: str
    client_id: int
    client_name: str
    currency: str
    amount: Decimal


class Status(PublicModel):
    clients: int
    projects: int
    entries: int
    invoices: dict[str, int]
    transactions: int
    audit_events: int
    unbilled: dict[str, Decimal]
    outstanding: dict[str, Decimal]


class Reports(Service):
    """Summaries for the dashboard, the CLI and notebooks."""

    def unbilled(self) -> Records[UnbilledWork]:
        """Unbilled billable work per client and project, priced at today's rates.

        `amount` is None where a time entry has no rate anywhere yet.
        """
        with self._lg.reading() as session:
            tallies = status_figures.unbilled_tallies(session.connection().exec_driver_sql)
            ordered = sorted(tallies.values(), key=_by_owner)
        return Records((_unbilled_work(tally) for tally in ordered), model=UnbilledWork)

    def unbilled_totals(self) -> dict[str, Decimal]:
        """`unbilled` summed per currency, by currency code (a project without a rate
        counts nothing)."""
        with self._lg.reading() as session:
            return unbilled_totals(session)

    def monthly_earnings(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> Records[MonthlyEarnings]:
        """Billed amounts of issued invoices per month and project (one SQL query)."""
        with self._lg.reading() as session:
            rows = session.connection().execute(_earnings(since, until))
            return Records(
                (
                    MonthlyEarnings(
                        month=m, project_id=p, project_name=pn, client_id=ci, client_name=cn,
                        currency=c, amount=from_minor(int(a or 0), c),
                    )
                    for m, p, pn, ci, cn, c, a in rows
                ),
                model=MonthlyEarnings,
            )  # fmt: skip

    def status(self) -> Status:
        """Counts of everything, unbilled work and outstanding invoices per currency."""
        with self._lg.reading() as session:
            figures = status_figures.read_status(session.connection().exec_driver_sql)
        return Status(**figures._asdict())


def unbilled_totals(session: Session) -> dict[str, Decimal]:
    """`Reports.unbilled_totals` in `session` (the dashboard asks on every change)."""
    return status_figures.unbilled_totals(session.connection().exec_driver_sql)


def _by_owner(tally: status_figures.Tally) -> tuple[str, str]:
    return tally.owner.client, tally.owner.project


def _unbilled_work(tally: status_figures.Tally) -> UnbilledWork:
    owner = tally.owner
    return UnbilledWork(
        client_id=owner.client_id,
        client=owner.client,
        project_id=owner.project_id,
        project=owner.project,
        currency=owner.currency,
        minutes=tally.minutes,
        entries=tally.entries,
        amount=None
        if tally.amount_minor is None
        else from_minor(tally.amount_minor, owner.currency),
    )


def _earnings(since: dt.date | None, until: dt.date | None) -> Any:
    """Billed amounts per month, project and currency of issued invoices, with names.

    Summing each entry into its month sorts every billed entry (a temporary B-tree in
    SQLite). Instead the entries are summed per invoice and project in the order of
    ix_work_entries_earnings, with their first and last date: where both fall in one
    month, as for an invoice per month, that sum is the month's; only the entries of
    an invoice and project spanning months are summed one by one.
    """
    entry, invoice = tables.WorkEntry.__table__, tables.Invoice.__table__  # type: ignore[attr-defined]
    project, client = tables.Project.__table__, tables.Client.__table__  # type: ignore[attr-defined]
    dated = [entry.c.date >= since] if since is not None else []
    dated += [entry.c.date <= until] if until is not None else []
    groups = (
        core_select(
            entry.c.invoice_id, entry.c.project_id, func.min(entry.c.date).label("first"),
            func.max(entry.c.date).label("last"),
            func.sum(entry.c.billed_amount_minor).label("amount"),
        )
        .where(entry.c.invoice_id.is_not(None), *dated)
        .group_by(entry.c.invoice_id, entry.c.project_id)
        .cte("billed")
    )  # fmt: skip
    issued = and_(invoice.c.id == groups.c.invoice_id, invoice.c.status == "issued")
    one_month = year_month(groups.c.first) == year_month(groups.c.last)
    whole = core_select(
        year_month(groups.c.first).label("month"), groups.c.project_id, invoice.c.currency,
        groups.c.amount,
    ).join_from(groups, invoice, issued).where(one_month)  # fmt: skip
    spanning = (
        core_select(
            year_month(entry.c.date), entry.c.project_id, invoice.c.currency,
            entry.c.billed_amount_minor,
        )
        .join_from(groups, invoice, issued)
        .join(entry, and_(entry.c.invoice_id == groups.c.invoice_id,
                          entry.c.project_id == groups.c.project_id))
        .where(~one_month, *dated)
    )  # fmt: skip
    parts = union_all(whole, spanning).subquery()
    totals = (
        core_select(parts.c.month, parts.c.project_id, parts.c.currency,
                    func.sum(parts.c.amount).label("amount"))
        .group_by(parts.c.month, parts.c.project_id, parts.c.currency)
        .subquery()
    )  # fmt: skip
    return (
        core_select(
            totals.c.month, totals.c.project_id, project.c.name, project.c.client_id,
            client.c.name, totals.c.currency, totals.c.amount,
        )
        .join(project, project.c.id == totals.c.project_id)
        .join(client, client.c.id == project.c.client_id)
        .order_by(totals.c.month, totals.c.project_id)
    )  # fmt: skip
