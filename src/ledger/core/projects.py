"""Projects: a client's piece of work, with its own rate and rounding."""

from __future__ import annotations

import builtins
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlmodel import Session

from ledger.core.lookup import NameRef, find_client, find_project
from ledger.core.models import Project, Records
from ledger.core.money import AmountInput, OptionalAmount, currency_field, exact_minor
from ledger.core.service import UNSET, Ref, Service, Unset, get_row, given, pk, ref_id
from ledger.core.validation import validated
from ledger.storage import tables

Rounding = Literal["none", "up", "nearest"]
PROJECTS = tables.Project.__table__  # type: ignore[attr-defined]


class ProjectChoice(NamedTuple):
    """A project as a list to pick from shows it."""

    id: int
    name: str
    client_name: str


CLIENTS = tables.Client.__table__  # type: ignore[attr-defined]
CHOICES = (
    select(PROJECTS.c.id, PROJECTS.c.name, CLIENTS.c.name)
    .join(CLIENTS, PROJECTS.c.client_id == CLIENTS.c.id)
    .where(PROJECTS.c.archived.is_(False))
    .order_by(PROJECTS.c.name)
)


class ProjectInput(BaseModel):
    """A project's fields. `currency` defaults to the client's."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    hourly_rate: OptionalAmount = None
    currency: str | None = None
    rounding: Rounding = "none"
    rounding_minutes: int = Field(default=0, ge=0, le=240)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value in (None, "") else currency_field(value or "")

    @field_validator("hourly_rate")
    @classmethod
    def _rate(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError("must not be negative")
        return value

    @model_validator(mode="after")
    def _rounding_needs_minutes(self) -> ProjectInput:
        if self.rounding != "none" and self.rounding_minutes < 1:
            raise ValueError("rounding_minutes: give the step in minutes (e.g. 15)")
        return self


class Projects(Service):
    """``lg.projects``: a client's projects with rate overrides and rounding."""

    counted = (tables.Project, "project", "projects")

    def add(
        self,
        client: Ref,
        *,
        name: str,
        hourly_rate: AmountInput | None = None,
        currency: str | None = None,
        rounding: Rounding = "none",
        rounding_minutes: int = 0,
    ) -> Project:
        """Create a project for `client`.

        Args:
            name: the project's name, unique enough for you to tell it apart.
            hourly_rate: overrides the client's rate for this project's time.
            currency: defaults to the client's.
            rounding: ``none``, ``up`` or ``nearest``: how billed minutes round.
            rounding_minutes: the step minutes round to (e.g. 15); needed with rounding.
        """
        fields = {
            "name": name, "hourly_rate": hourly_rate, "currency": currency,
            "rounding": rounding, "rounding_minutes": rounding_minutes,
        }  # fmt: skip
        data = validated(ProjectInput, fields)
        with self._lg.atomic() as uow:
            owner = get_row(uow.session, tables.Client, ref_id(client, "client"), "client")
            row = tables.Project(client_id=pk(owner), **_row_fields(data, owner.currency))
            uow.session.add(row)
            uow.session.flush()
        return Project.from_row(row, owner.name)

    def get(self, project: Ref) -> Project:
        """One project by id."""
        with self._lg.reading() as session:
            row = get_row(session, tables.Project, ref_id(project, "project"), "project")
            return _public(session, row)

    def find(self, project: NameRef, client: NameRef | None = None) -> Project:
        """One project by name (whole, any case) or id, among `client`'s when given.

        A name several projects share is refused, listing them with their clients.
        """
        with self._lg.reading() as session:
            return _public(session, find_project(session, project, client))

    def list(
        self, client: NameRef | None = None, *, include_archived: bool = False
    ) -> Records[Project]:
        """Projects, optionally of one client (by name or id), by name."""
        # Plain rows, not ORM objects: every logged-in page lists them for the timer.
        projects, clients = PROJECTS, tables.Client.__table__  # type: ignore[attr-defined]
        query = (
            select(projects, clients.c.name.label("client_name"))
            .join(clients, projects.c.client_id == clients.c.id)
            .order_by(projects.c.name)
        )
        if not include_archived:
            query = query.where(projects.c.archived.is_(False))
        with self._lg.reading() as session:
            if client is not None:
                query = query.where(projects.c.client_id == find_client(session, client).id)
            rows = session.connection().execute(query).mappings()
            return Records((Project.from_mapping(row) for row in rows), model=Project)

    def choices(self) -> builtins.list[ProjectChoice]:
        """Active projects by client, then name: the timer's choice on every page after
        a change, read as plain tuples rather than a model per project."""
        with self._lg.reading() as session:
            rows = session.connection().execute(CHOICES)
            by_name = [ProjectChoice(*row) for row in rows]
        return sorted(by_name, key=lambda choice: choice.client_name)

    def update(
        self,
        project: Ref,
        *,
        name: str | Unset = UNSET,
        hourly_rate: AmountInput | Unset | None = UNSET,
        currency: str | Unset | None = UNSET,
        rounding: Rounding | Unset = UNSET,
        rounding_minutes: int | Unset = UNSET,
    ) -> Project:
        """Change the given fields of a project (see `add`); billed entries keep their rates."""
        fields = given(
            name=name, hourly_rate=hourly_rate, currency=currency, rounding=rounding,
            rounding_minutes=rounding_minutes,
        )  # fmt: skip
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.Project, ref_id(project, "project"), "project")
            current = _public(uow.session, row).model_dump(include=set(ProjectInput.model_fields))
            data = validated(ProjectInput, {**current, **fields})
            for key, value in _row_fields(data, row.currency).items():
                setattr(row, key, value)
            uow.session.flush()
            return _public(uow.session, row)

    def archive(self, project: Ref, archived: bool = True) -> Project:
        """Hide a project from lists and the timer."""
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.Project, ref_id(project, "project"), "project")
            row.archived = archived
            uow.session.flush()
            return _public(uow.session, row)


def _public(session: Session, row: tables.Project) -> Project:
    return Project.from_row(row, get_row(session, tables.Client, row.client_id, "client").name)


def _row_fields(data: ProjectInput, default_currency: str) -> dict[str, Any]:
    currency = data.currency or default_currency
    rate = data.hourly_rate
    return {
        "name": data.name,
        "currency": currency,
        "hourly_rate_minor": None if rate is None else exact_minor(rate, currency, "hourly_rate"),
        "rounding": data.rounding,
        "rounding_minutes": data.rounding_minutes,
    }
