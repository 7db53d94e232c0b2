"""``lg.reports``: status counts, unbilled work and earnings, computed in SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, or_, select as core_select
from sqlmodel import Session, SQLModel, col, select

from ledger.core import pricing
from ledger.core.models import PublicModel, Records
from ledger.core.money import from_minor
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
            ordered = sorted(_tallies(session).values(), key=_by_owner)
        return Records((tally.result() for tally in ordered), model=UnbilledWork)

    def unbilled_totals(self) -> dict[str, Decimal]:
        """`unbilled` summed per currency (a project without a rate counts nothing)."""
        with self._lg.reading() as session:
            return unbilled_totals(session)

    def monthly_earnings(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> Records[MonthlyEarnings]:
        """Billed amounts of issued invoices per month and project (one SQL query)."""
        with self._lg.reading() as session:
            month = _month(session, col(tables.WorkEntry.date))
            query = (
                core_select(
                    month,
                    col(tables.WorkEntry.project_id),
                    col(tables.Project.name),
                    col(tables.Project.client_id),
                    col(tables.Client.name),
                    col(tables.Invoice.currency),
                    func.sum(tables.WorkEntry.billed_amount_minor),
                )
                .select_from(tables.WorkEntry)
                .join(tables.Invoice, col(tables.WorkEntry.invoice_id) == tables.Invoice.id)
                .join(tables.Project, col(tables.WorkEntry.project_id) == tables.Project.id)
                .join(tables.Client, col(tables.Project.client_id) == tables.Client.id)
                .where(col(tables.Invoice.status) == "issued")
                .group_by(
                    month,
                    col(tables.WorkEntry.project_id),
                    col(tables.Project.name),
                    col(tables.Project.client_id),
                    col(tables.Client.name),
                    col(tables.Invoice.currency),
                )
                .order_by(month, col(tables.WorkEntry.project_id))
            )
            if since is not None:
                query = query.where(col(tables.WorkEntry.date) >= since)
            if until is not None:
                query = query.where(col(tables.WorkEntry.date) <= until)
            return Records(
                (
                    MonthlyEarnings(
                        month=m,
                        project_id=p,
                        project_name=pn,
                        client_id=ci,
                        client_name=cn,
                        currency=c,
                        amount=from_minor(int(a or 0), c),
                    )
                    for m, p, pn, ci, cn, c, a in session.connection().execute(query)
                ),
                model=MonthlyEarnings,
            )

    def status(self) -> Status:
        """Counts of everything, unbilled work and outstanding invoices per currency."""
        unbilled = self.unbilled_totals()
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
                unbilled=unbilled,
                outstanding=dict(outstanding),
            )


def unbilled_totals(session: Session) -> dict[str, Decimal]:
    """`Reports.unbilled_totals` in `session`, built without a model per project: the
    dashboard asks for it on every change."""
    minor: dict[str, int] = defaultdict(int)
    # In `unbilled`'s order, so the currencies come in the same order.
    for tally in sorted(_tallies(session).values(), key=_by_owner):
        minor[tally.owner.currency] += tally.amount_minor or 0
    return {currency: from_minor(amount, currency) for currency, amount in minor.items()}


def _tallies(session: Session) -> dict[int, _Tally]:
    """Unbilled work per project id: minutes, entries and the amount priced in Python
    (one rule for every price) over the groups SQL summed."""
    totals: dict[int, _Tally] = {}
    default_rate = _default_rate(session)
    conn = session.connection()
    owners = {row.project_id: row for row in conn.execute(_owners())}
    for project_id, kind, rate, raw, rounded, amount, count in conn.execute(_unbilled_groups()):
        owner = owners[project_id]
        tally = totals.setdefault(project_id, _Tally(owner))
        if kind == "fixed":
            tally.add(0, int(amount or 0), count)
            continue
        # The SQL already rounded each entry's minutes by the project's rule.
        price = pricing.price_time(
            int(rounded), "none", 0, (rate, owner.project_rate, owner.client_rate, default_rate)
        )
        tally.add(int(raw), None if price is None else price.amount_minor, count)
    return totals


def _by_owner(tally: _Tally) -> tuple[str, str]:
    return tally.owner.client, tally.owner.project


@dataclass
class _Tally:
    owner: Row[Any]
    minutes: int = 0
    entries: int = 0
    amount_minor: int | None = 0

    def add(self, minutes: int, amount_minor: int | None, entries: int) -> None:
        self.entries += entries
        self.minutes += minutes
        if self.amount_minor is not None:
            self.amount_minor = None if amount_minor is None else self.amount_minor + amount_minor

    def result(self) -> UnbilledWork:
        owner = self.owner
        return UnbilledWork(
            client_id=owner.client_id,
            client=owner.client,
            project_id=owner.project_id,
            project=owner.project,
            currency=owner.currency,
            minutes=self.minutes,
            entries=self.entries,
            amount=None
            if self.amount_minor is None
            else from_minor(self.amount_minor, owner.currency),
        )


def _owners() -> Any:
    """Each project with its client's name and the rates it falls back on, as plain rows
    (the dashboard asks on every visit; ORM objects cost ten times as much)."""
    project, client = tables.Project.__table__, tables.Client.__table__  # type: ignore[attr-defined]
    return core_select(
        project.c.id.label("project_id"), project.c.name.label("project"),
        project.c.currency, project.c.hourly_rate_minor.label("project_rate"),
        client.c.id.label("client_id"), client.c.name.label("client"),
        client.c.hourly_rate_minor.label("client_rate"),
    ).join(client, client.c.id == project.c.client_id)  # fmt: skip


def _unbilled_groups() -> Any:
    """Unbilled billable entries summed per project, kind and rate override, in SQL.

    Minutes are rounded per entry by the project's rule, as billing does, so the
    sum prices exactly like the lines of a draft would (grouped per project and rate).
    """
    entry, project = tables.WorkEntry.__table__, tables.Project.__table__  # type: ignore[attr-defined]
    step = project.c.rounding_minutes
    up = ((entry.c.minutes + step - 1) // step) * step
    nearest = ((entry.c.minutes * 2 + step) // (2 * step)) * step
    rounded = case(
        (and_(project.c.rounding == "up", step > 0), up),
        (
            and_(project.c.rounding == "nearest", step > 0),
            case((nearest < step, step), else_=nearest),
        ),
        else_=entry.c.minutes,
    )
    return (
        core_select(
            entry.c.project_id, entry.c.kind, entry.c.hourly_rate_minor,
            func.coalesce(func.sum(entry.c.minutes), 0), func.coalesce(func.sum(rounded), 0),
            func.sum(entry.c.amount_minor), func.count(),
        )
        .join(project, project.c.id == entry.c.project_id)
        .where(
            entry.c.invoice_id.is_(None),
            entry.c.billable.is_(True),
            or_(entry.c.minutes.is_not(None), entry.c.kind == "fixed"),
        )
        .group_by(entry.c.project_id, entry.c.kind, entry.c.hourly_rate_minor)
    )  # fmt: skip


def _count(session: Session, table: type[SQLModel]) -> int:
    return int(session.exec(select(func.count()).select_from(table)).one())


def _default_rate(session: Session) -> int | None:
    row = session.exec(select(tables.AppSettings)).first()
    return None if row is None else row.default_hourly_rate_minor


def _month(session: Session, column: Any) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 7)
    return func.to_char(column, "YYYY-MM")
