"""``lg.reports``: status counts, unbilled work and earnings, computed in SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, case, func, or_, select as core_select, union_all
from sqlmodel import Session, SQLModel, select

from ledger.core import pricing
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
            ordered = sorted(_tallies(session).values(), key=_by_owner)
        return Records((tally.result() for tally in ordered), model=UnbilledWork)

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
    for tally in _tallies(session).values():
        minor[tally.owner.currency] += tally.amount_minor or 0
    # By currency code, as the dashboard lists money owed and overdue.
    return {currency: from_minor(minor[currency], currency) for currency in sorted(minor)}


def _tallies(session: Session) -> dict[int, _Tally]:
    """Unbilled work per project id: minutes, entries and the amount priced in Python
    (one rule for every price) over the groups SQL summed."""
    totals: dict[int, _Tally] = {}
    default_rate = _default_rate(session)
    conn = session.connection()
    owners = {row.project_id: row for row in conn.execute(OWNERS)}
    for project_id, kind, rate, raw, rounded, amount, count in conn.execute(UNBILLED_GROUPS):
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


OWNERS = _owners()
UNBILLED_GROUPS = _unbilled_groups()  # built once: building costs as much as a run
_SETTINGS = tables.AppSettings.__table__  # type: ignore[attr-defined]
DEFAULT_RATE = core_select(_SETTINGS.c.default_hourly_rate_minor).order_by(_SETTINGS.c.id).limit(1)


def _count(session: Session, table: type[SQLModel]) -> int:
    return int(session.exec(select(func.count()).select_from(table)).one())


def _default_rate(session: Session) -> int | None:
    rate: int | None = session.connection().execute(DEFAULT_RATE).scalar()
    return rate
