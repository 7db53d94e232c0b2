"""What audit events are about, in a reader's words: names, numbers and currencies.

An event names a table and a row id; a person reading the trail wants "invoice
2025-0003 of Acme" and amounts in the invoice's currency. `subjects_of` looks up,
in a few queries, the names of every row (and user) a page of events refers to.
Rows deleted since are described from the event's own values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from ledger.core.models import AuditEntry
from ledger.storage import tables

REFERENCES = {
    "client_id": "clients",
    "project_id": "projects",
    "invoice_id": "invoices",
    "matched_invoice_id": "invoices",
    "corrects_id": "invoices",
    "transaction_id": "money_transactions",
}
"""Columns that refer to another row, and the table it is in."""


@dataclass(frozen=True)
class Subject:
    """One audited row as a reader knows it: ``name`` (e.g. ``Acme · Website``) and the
    ``currency`` its ``*_minor`` amounts are in (None when it has none)."""

    name: str
    currency: str | None = None


@dataclass
class Subjects:
    """Subjects by ``(entity, id)``, and user names by id, for one page of events."""

    rows: dict[tuple[str, str], Subject] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)

    def of(self, event: AuditEntry) -> Subject:
        """The subject of `event`; from its own values when the row is gone."""
        known = self.rows.get((event.entity, event.entity_id))
        if known is not None:
            return known
        values = event.after or event.before or {}
        name = values.get("number") or values.get("name") or values.get("username") or ""
        currency = values.get("currency")
        return Subject(str(name), currency if isinstance(currency, str) else None)

    def referred(self, column: str, value: object) -> str | None:
        """The name of the row a reference column (``client_id``, ...) points at."""
        entity = REFERENCES.get(column)
        known = self.rows.get((entity, str(value))) if entity else None
        return known.name if known else None

    def user(self, user_id: int) -> str | None:
        """The user's name, or None for an account that no longer exists."""
        return self.users.get(user_id)


def subjects_of(
    session: Session, events: Iterable[AuditEntry], sources: Iterable[str] = ()
) -> Subjects:
    """Look up what `events` are about (one query per kind of row they touch), and
    the user names of their sources and of `sources`."""
    wanted: dict[str, set[int]] = {}
    user_ids = {int(s[5:]) for s in sources if s.startswith("user:") and s[5:].isdigit()}
    for event in events:
        if event.entity_id.isdigit():
            wanted.setdefault(event.entity, set()).add(int(event.entity_id))
        for values in (event.before or {}, event.after or {}):
            for key, entity in REFERENCES.items():
                if isinstance(values.get(key), int):
                    wanted.setdefault(entity, set()).add(values[key])
        if event.source.startswith("user:") and event.source[5:].isdigit():
            user_ids.add(int(event.source[5:]))
    subjects = Subjects()
    user_ids |= wanted.get("users", set())
    for user_id, username in session.exec(
        select(tables.User.id, tables.User.username).where(col(tables.User.id).in_(user_ids))
    ):
        assert user_id is not None
        subjects.users[user_id] = username
    for entity, ids in wanted.items():
        for row_id, subject in _LOOKUPS.get(entity, _none)(session, ids).items():
            subjects.rows[(entity, str(row_id))] = subject
    return subjects


def _none(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    return {}


def _users(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    query = select(tables.User.id, tables.User.username).where(col(tables.User.id).in_(ids))
    return {row_id or 0: Subject(name) for row_id, name in session.exec(query)}


def _clients(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    query = select(tables.Client).where(col(tables.Client.id).in_(ids))
    return {row.id or 0: Subject(row.name, row.currency) for row in session.exec(query)}


def _projects(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    query = (
        select(tables.Project, tables.Client.name)
        .join(tables.Client, col(tables.Project.client_id) == tables.Client.id)
        .where(col(tables.Project.id).in_(ids))
    )
    return {
        row.id or 0: Subject(f"{client} · {row.name}", row.currency)
        for row, client in session.exec(query)
    }


def _entries(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    query = (
        select(tables.WorkEntry, tables.Project, tables.Client.name)
        .join(tables.Project, col(tables.WorkEntry.project_id) == tables.Project.id)
        .join(tables.Client, col(tables.Project.client_id) == tables.Client.id)
        .where(col(tables.WorkEntry.id).in_(ids))
    )
    return {
        entry.id or 0: Subject(f"{client} · {project.name}, {entry.date.isoformat()}",
                               project.currency)
        for entry, project, client in session.exec(query)
    }  # fmt: skip


def _invoices(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    query = (
        select(tables.Invoice, tables.Client.name)
        .join(tables.Client, col(tables.Invoice.client_id) == tables.Client.id)
        .where(col(tables.Invoice.id).in_(ids))
    )
    return {
        row.id or 0: Subject(f"{row.number or '#' + str(row.id)} · {client}", row.currency)
        for row, client in session.exec(query)
    }


def _invoice_children(table: Any) -> Any:
    """Lines, payments, share links and e-mails sent: named after their invoice."""

    def lookup(session: Session, ids: set[int]) -> Mapping[int, Subject]:
        query = (
            select(table.id, tables.Invoice)
            .join(tables.Invoice, table.invoice_id == tables.Invoice.id)
            .where(table.id.in_(ids))
        )
        return {
            row_id: Subject(invoice.number or f"#{invoice.id}", invoice.currency)
            for row_id, invoice in session.exec(query)
        }

    return lookup


def _transactions(session: Session, ids: set[int]) -> Mapping[int, Subject]:
    query = select(tables.MoneyTransaction).where(col(tables.MoneyTransaction.id).in_(ids))
    return {
        row.id or 0: Subject(
            f"{row.booked_on.isoformat()} {row.counterparty_name}".strip(), row.currency
        )
        for row in session.exec(query)
    }


_LOOKUPS = {
    "users": _users,
    "clients": _clients,
    "projects": _projects,
    "work_entries": _entries,
    "invoices": _invoices,
    "invoice_lines": _invoice_children(tables.InvoiceLine),
    "payments": _invoice_children(tables.Payment),
    "share_links": _invoice_children(tables.ShareLink),
    "invoice_mailings": _invoice_children(tables.InvoiceMailing),
    "money_transactions": _transactions,
}
