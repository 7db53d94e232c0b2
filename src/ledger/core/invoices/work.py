"""The work an invoice bills: unbilled entries of a client, priced and attached."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ledger.core import pricing
from ledger.core.datetimes import parse_date
from ledger.core.invoices.rows import settings_row
from ledger.core.service import Ref, get_row, ref_id
from ledger.errors import InvalidInput
from ledger.storage import tables


def check_grouping(grouping: str) -> None:
    if grouping not in pricing.GROUPINGS:
        raise InvalidInput("grouping", f"use one of {', '.join(pricing.GROUPINGS)}")


def work_to_bill(
    session: Session, client: Ref, project: Ref | None, since: object, until: object
) -> tuple[
    tables.Client, list[tuple[tables.WorkEntry, tables.Project]], list[pricing.BillableEntry]
]:
    """The client, its unbilled billable entries and their prices; an error when none."""
    owner = get_row(session, tables.Client, ref_id(client, "client"), "client")
    candidates = unbilled_work(session, owner, project, since, until)
    if not candidates:
        raise InvalidInput("client", f"{owner.name} has no unbilled billable work to invoice")
    return owner, candidates, price_entries(session, owner, candidates)


def unbilled_work(
    session: Session, client: tables.Client, project: Ref | None, since: object, until: object
) -> list[tuple[tables.WorkEntry, tables.Project]]:
    query = (
        select(tables.WorkEntry, tables.Project)
        .join(tables.Project)
        .where(
            tables.Project.client_id == client.id,
            col(tables.WorkEntry.invoice_id).is_(None),
            col(tables.WorkEntry.billable).is_(True),
            col(tables.WorkEntry.minutes).is_not(None) | (tables.WorkEntry.kind == "fixed"),
        )
    )
    if project is not None:
        query = query.where(tables.WorkEntry.project_id == ref_id(project, "project"))
    if since is not None:
        query = query.where(tables.WorkEntry.date >= parse_date(since, "since"))
    if until is not None:
        query = query.where(tables.WorkEntry.date <= parse_date(until, "until"))
    return list(session.exec(query).all())


def price_entries(
    session: Session,
    client: tables.Client,
    candidates: list[tuple[tables.WorkEntry, tables.Project]],
) -> list[pricing.BillableEntry]:
    """Each candidate priced as the invoice bills it; every entry in the client's currency."""
    default_rate = settings_row(session).default_hourly_rate_minor
    priced = []
    for entry, project in candidates:
        assert entry.id is not None
        assert project.id is not None
        if project.currency != client.currency:
            raise InvalidInput(
                "project",
                f"project {project.name!r} bills in {project.currency}, "
                f"the client in {client.currency}; draft one invoice per currency",
            )
        price = _price(entry, project, client, default_rate)
        priced.append(
            pricing.BillableEntry(
                entry.id,
                project.id,
                project.name,
                entry.date,
                entry.description,
                entry.kind,
                price.minutes,
                price.rate_minor,
                price.amount_minor,
            )
        )
    return priced


def _price(
    entry: tables.WorkEntry,
    project: tables.Project,
    client: tables.Client,
    default_rate: int | None,
) -> pricing.TimePrice:
    """A fixed entry's amount, or time worked at the first rate set, rounded by the project."""
    if entry.kind == "fixed":
        return pricing.TimePrice(0, 0, entry.amount_minor or 0)
    rates = (entry.hourly_rate_minor, project.hourly_rate_minor, client.hourly_rate_minor)
    price = pricing.price_time(
        entry.minutes or 0, project.rounding, project.rounding_minutes, [*rates, default_rate]
    )
    if price is None:
        raise InvalidInput(
            "hourly_rate",
            f"project {project.name!r} has no hourly rate; set one on the "
            "project, the client or in settings",
        )
    return price


def attach_entries(
    candidates: list[tuple[tables.WorkEntry, tables.Project]],
    priced: list[pricing.BillableEntry],
    invoice: tables.Invoice,
) -> None:
    for (entry, _), snapshot in zip(candidates, priced, strict=True):
        entry.invoice_id = invoice.id
        entry.billed_minutes = snapshot.minutes if entry.kind == "time" else None
        entry.billed_rate_minor = snapshot.rate_minor if entry.kind == "time" else None
        entry.billed_amount_minor = snapshot.amount_minor


def release_entry(entry: tables.WorkEntry) -> None:
    entry.invoice_id = None
    entry.billed_minutes = entry.billed_rate_minor = entry.billed_amount_minor = None


def release_work(session: Session, invoice: tables.Invoice) -> None:
    """Make the invoice's work entries unbilled again."""
    for entry in session.exec(
        select(tables.WorkEntry).where(tables.WorkEntry.invoice_id == invoice.id)
    ):
        release_entry(entry)


def delete_draft(session: Session, draft: tables.Invoice) -> None:
    """Remove a draft with its lines; its work becomes unbilled again."""
    release_work(session, draft)
    for line in session.exec(
        select(tables.InvoiceLine).where(tables.InvoiceLine.invoice_id == draft.id)
    ):
        session.delete(line)
    session.flush()
    session.delete(draft)
    session.flush()
