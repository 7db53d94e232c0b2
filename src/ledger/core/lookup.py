"""Finding clients and projects by what a person types: a name, or an id.

A name matches case-insensitively and whole; text of digits that names nothing is
taken as an id. A name shared by several rows is refused with every candidate listed,
so the caller can pick one by id (or, for projects, by naming the client too).
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from ledger.core.service import Ref, get_row, ref_id
from ledger.errors import InvalidInput, NotFound
from ledger.storage import tables

NameRef = Ref | str
"""A row by id, by object with an ``id``, or by name (``"Acme s.r.o."``)."""


def find_client(session: Session, client: NameRef, field: str = "client") -> tables.Client:
    """The client `client` names; `NotFound` or an ambiguity `InvalidInput` otherwise."""
    if not isinstance(client, str):
        return get_row(session, tables.Client, ref_id(client, field), "client")
    name = client.strip()
    query = select(tables.Client).where(func.lower(tables.Client.name) == name.lower())
    found = list(session.exec(query.order_by(tables.Client.id)))  # type: ignore[arg-type]
    if len(found) > 1:
        listed = ", ".join(f"{row.name} (id {row.id})" for row in found)
        raise InvalidInput(field, f"{name!r} names {len(found)} clients: {listed}; give the id")
    if found:
        return found[0]
    if name.isdigit():
        return get_row(session, tables.Client, int(name), "client")
    raise NotFound(f"no client is named {name!r}")


def find_project(
    session: Session, project: NameRef, client: NameRef | None = None, field: str = "project"
) -> tables.Project:
    """The project `project` names, among `client`'s projects when given."""
    owner = None if client is None else find_client(session, client)
    if not isinstance(project, str):
        row = get_row(session, tables.Project, ref_id(project, field), "project")
        _check_owner(row, owner)
        return row
    name = project.strip()
    query = select(tables.Project).where(func.lower(tables.Project.name) == name.lower())
    if owner is not None:
        query = query.where(tables.Project.client_id == owner.id)
    found = list(session.exec(query.order_by(tables.Project.id)))  # type: ignore[arg-type]
    if len(found) > 1:
        raise InvalidInput(field, _ambiguous(session, name, found))
    if found:
        return found[0]
    if name.isdigit():
        row = get_row(session, tables.Project, int(name), "project")
        _check_owner(row, owner)
        return row
    of_client = "" if owner is None else f" of client {owner.name!r}"
    raise NotFound(f"no project{of_client} is named {name!r}")


def _ambiguous(session: Session, name: str, found: list[tables.Project]) -> str:
    owners = {row.id: row.name for row in session.exec(select(tables.Client))}
    listed = ", ".join(f"{row.name} of {owners.get(row.client_id)} (id {row.id})" for row in found)
    return f"{name!r} names {len(found)} projects: {listed}; give the id or the client"


def _check_owner(row: tables.Project, owner: tables.Client | None) -> None:
    if owner is not None and row.client_id != owner.id:
        raise NotFound(f"project {row.id} is not a project of client {owner.name!r}")
