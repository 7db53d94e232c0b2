"""``lg.reports``: status counts, unbilled work and earnings, computed in SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, SQLModel, col, select

from ledger import billing, tables
from ledger.models import PublicModel, Records
from ledger.money import from_minor
from ledger.service import Service


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
        query = (
            select(tables.WorkEntry, tables.Project, tables.Client)
            .join(tables.Project, col(tables.WorkEntry.project_id) == tables.Project.id)
            .join(tables.Client, col(tables.Project.client_id) == tables.Client.id)
            .where(
                col(tables.WorkEntry.invoice_id).is_(None),
                col(tables.WorkEntry.billable).is_(True),
            )
        )
        totals: dict[int, _Tally] = {}
        with self._lg.reading() as session:
            default_rate = _default_rate(session)
            for entry, project, client in session.exec(query):
                if entry.kind == "time" and entry.minutes is None:
                    continue  # the running timer
                assert project.id is not None
                assert client.id is not None
                tally = totals.setdefault(project.id, _Tally(client, project))
                tally.add(entry, _entry_amount(entry, project, client, default_rate))
        ordered = sorted(totals.values(), key=lambda t: (t.client.name, t.project.name))
        return Records(tally.result() for tally in ordered)

    def monthly_earnings(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> Records[MonthlyEarnings]:
        """Billed amounts of issued invoices per month and project (one SQL query)."""
        with self._lg.reading() as session:
            month = _month(session, col(tables.WorkEntry.date))
            query = (
                select(
                    month,
                    tables.WorkEntry.project_id,
                    tables.Invoice.currency,
                    func.sum(tables.WorkEntry.billed_amount_minor),
                )
                .join(tables.Invoice, col(tables.WorkEntry.invoice_id) == tables.Invoice.id)
                .where(tables.Invoice.status == "issued")
                .group_by(month, col(tables.WorkEntry.project_id), col(tables.Invoice.currency))
                .order_by(month, col(tables.WorkEntry.project_id))
            )
            if since is not None:
                query = query.where(tables.WorkEntry.date >= since)
            if until is not None:
                query = query.where(tables.WorkEntry.date <= until)
            return Records(
                MonthlyEarnings(
                    month=m, project_id=p, currency=c, amount=from_minor(int(a or 0), c)
                )
                for m, p, c, a in session.exec(query)
            )

    def status(self) -> Status:
        """Counts of everything, unbilled work and outstanding invoices per currency."""
        unbilled: dict[str, Decimal] = defaultdict(Decimal)
        for item in self.unbilled():
            unbilled[item.currency] += item.amount or Decimal(0)
        outstanding: dict[str, Decimal] = defaultdict(Decimal)
        for invoice in self._lg.invoices.list(status="issued"):
            if invoice.balance > 0:
                outstanding[invoice.currency] += invoice.balance
        with self._lg.reading() as session:
            by_status = dict(
                session.exec(
                    select(tables.Invoice.status, func.count()).group_by(tables.Invoice.status)
                ).all()
            )
            return Status(
                clients=_count(session, tables.Client),
                projects=_count(session, tables.Project),
                entries=_count(session, tables.WorkEntry),
                invoices={str(k): int(v) for k, v in by_status.items()},
                transactions=_count(session, tables.MoneyTransaction),
                audit_events=_count(session, tables.AuditEvent),
                unbilled=dict(unbilled),
                outstanding=dict(outstanding),
            )


@dataclass
class _Tally:
    client: tables.Client
    project: tables.Project
    minutes: int = 0
    entries: int = 0
    amount_minor: int | None = 0

    def add(self, entry: tables.WorkEntry, amount_minor: int | None) -> None:
        self.entries += 1
        if entry.kind == "time":
            self.minutes += entry.minutes or 0
        if self.amount_minor is not None:
            self.amount_minor = None if amount_minor is None else self.amount_minor + amount_minor

    def result(self) -> UnbilledWork:
        assert self.client.id is not None
        assert self.project.id is not None
        currency = self.project.currency
        return UnbilledWork(
            client_id=self.client.id,
            client=self.client.name,
            project_id=self.project.id,
            project=self.project.name,
            currency=currency,
            minutes=self.minutes,
            entries=self.entries,
            amount=None if self.amount_minor is None else from_minor(self.amount_minor, currency),
        )


def _count(session: Session, table: type[SQLModel]) -> int:
    return int(session.exec(select(func.count()).select_from(table)).one())


def _default_rate(session: Session) -> int | None:
    row = session.exec(select(tables.AppSettings)).first()
    return None if row is None else row.default_hourly_rate_minor


def _entry_amount(
    entry: tables.WorkEntry, project: tables.Project, client: tables.Client, default: int | None
) -> int | None:
    if entry.kind == "fixed":
        return entry.amount_minor
    rate = billing.resolve_rate(
        entry.hourly_rate_minor, project.hourly_rate_minor, client.hourly_rate_minor, default
    )
    if rate is None:
        return None
    minutes = billing.round_minutes(entry.minutes or 0, project.rounding, project.rounding_minutes)
    return billing.time_amount(minutes, rate)


def _month(session: Session, column: Any) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 7)
    return func.to_char(column, "YYYY-MM")
