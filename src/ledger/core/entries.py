"""Work entries: time (start/end or minutes at an hourly rate) or fixed amounts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from ledger.core import datetimes
from ledger.core.datetimes import parse_date
from ledger.core.lookup import NameRef, find_client, find_project
from ledger.core.models import Records, WorkEntry
from ledger.core.money import AmountInput, OptionalAmount, exact_minor, parse_amount
from ledger.core.service import UNSET, Ref, Service, Unset, get_row, given, pk, ref_id
from ledger.core.validation import validated
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

MAX_MINUTES = 24 * 60
_MAX_DESCRIPTION = 2000
_KIND_FIELDS = frozenset({"minutes", "start", "end", "amount"})


class EntryInput(BaseModel):
    """One entry: give `minutes`, or `start` and `end`, or a fixed `amount`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: dt.date
    description: str = Field(default="", max_length=_MAX_DESCRIPTION)
    minutes: int | None = Field(default=None, ge=1, le=MAX_MINUTES)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    amount: OptionalAmount = None
    hourly_rate: OptionalAmount = None
    billable: bool = True

    @model_validator(mode="after")
    def _one_kind(self) -> EntryInput:
        given = [self.minutes is not None, self.start is not None, self.amount is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of minutes, start and end, or amount")
        if self.start is not None:
            if self.end is None:
                raise ValueError("end: a start needs an end (or use the timer)")
            span = _aware(self.end) - _aware(self.start)
            if not dt.timedelta(minutes=1) <= span <= dt.timedelta(minutes=MAX_MINUTES):
                raise ValueError("end must be after start and at most 24 hours later")
        if self.amount is not None and self.amount == 0:
            raise ValueError("amount: a fixed entry needs a non-zero amount")
        if self.hourly_rate is not None and self.hourly_rate < 0:
            raise ValueError("hourly_rate: must not be negative")
        return self

    @property
    def kind(self) -> str:
        return "fixed" if self.amount is not None else "time"

    def duration(self) -> int | None:
        if self.start is not None and self.end is not None:
            return int((_aware(self.end) - _aware(self.start)).total_seconds() // 60)
        return self.minutes


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class Entries(Service):
    """``lg.entries``: add, edit and delete work, run the timer."""

    counted = (tables.WorkEntry, "work entry", "work entries")

    def add(
        self,
        project: Ref,
        *,
        date: dt.date | str,
        description: str = "",
        minutes: int | None = None,
        start: dt.datetime | str | None = None,
        end: dt.datetime | str | None = None,
        amount: AmountInput | None = None,
        hourly_rate: AmountInput | None = None,
        billable: bool = True,
    ) -> WorkEntry:
        """Record work on `project`: give `minutes`, or `start` and `end`, or a fixed `amount`.

        Args:
            date: the day of the work (a date or ISO text).
            minutes: how long, for time worked.
            start: when it began (aware, or taken as UTC), with `end`.
            amount: a fixed price instead of time (signed, in the project's currency).
            hourly_rate: overrides the project's and client's rate for this entry.
            billable: False for work you do not invoice.
        """
        fields = {
            "date": date, "description": description, "minutes": minutes, "start": start,
            "end": end, "amount": amount, "hourly_rate": hourly_rate, "billable": billable,
        }  # fmt: skip
        data = validated(EntryInput, fields)
        with self._lg.atomic() as uow:
            owner = _project(uow.session, project)
            row = tables.WorkEntry(project_id=pk(owner), **_row_fields(data, owner.currency))
            uow.session.add(row)
            uow.session.flush()
            return _public(uow.session, row, owner)

    def add_many(self, project: Ref, items: Iterable[Mapping[str, Any]]) -> list[int]:
        """Bulk path for importers: validate all, then one audited executemany."""
        with self._lg.atomic() as uow:
            owner = _project(uow.session, project)
            project_id, currency = pk(owner), owner.currency
            rows = [{"project_id": project_id, **_bulk_row(item, currency)} for item in items]
            return uow.insert_many(tables.WorkEntry, rows)

    def get(self, entry: Ref) -> WorkEntry:
        """One entry by id."""
        with self._lg.reading() as session:
            row = get_row(session, tables.WorkEntry, ref_id(entry, "entry"), "entry")
            return _public(session, row)

    def list(
        self,
        project: NameRef | None = None,
        *,
        client: NameRef | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        unbilled: bool | None = None,
    ) -> Records[WorkEntry]:
        """Entries by date, filtered by project or client (names or ids), period (dates
        or ISO text) and billing state."""
        query = (
            select(tables.WorkEntry, tables.Project, tables.Client.name)
            .select_from(tables.WorkEntry)
            .join(tables.Project, col(tables.WorkEntry.project_id) == tables.Project.id)
            .join(tables.Client, col(tables.Project.client_id) == tables.Client.id)
        )
        if since is not None:
            query = query.where(tables.WorkEntry.date >= parse_date(since, "since"))
        if until is not None:
            query = query.where(tables.WorkEntry.date <= parse_date(until, "until"))
        if unbilled is not None:
            billed = col(tables.WorkEntry.invoice_id)
            query = query.where(billed.is_(None) if unbilled else billed.is_not(None))
        query = query.order_by(col(tables.WorkEntry.date), col(tables.WorkEntry.id))
        with self._lg.reading() as session:
            if project is not None:
                chosen = find_project(session, project, client)
                query = query.where(tables.WorkEntry.project_id == chosen.id)
            elif client is not None:
                query = query.where(tables.Project.client_id == find_client(session, client).id)
            return Records(
                (WorkEntry.from_row(*found) for found in session.exec(query)), model=WorkEntry
            )

    def update(
        self,
        entry: Ref,
        *,
        project: Ref | Unset = UNSET,
        date: dt.date | str | Unset = UNSET,
        description: str | Unset = UNSET,
        minutes: int | Unset | None = UNSET,
        start: dt.datetime | str | Unset | None = UNSET,
        end: dt.datetime | str | Unset | None = UNSET,
        amount: AmountInput | Unset | None = UNSET,
        hourly_rate: AmountInput | Unset | None = UNSET,
        billable: bool | Unset = UNSET,
    ) -> WorkEntry:
        """Change the given fields of an unbilled entry (see `add`).

        Giving any of `minutes`, `start`/`end` or `amount` replaces the entry's kind.
        """
        fields = given(
            date=date, description=description, minutes=minutes, start=start, end=end,
            amount=amount, hourly_rate=hourly_rate, billable=billable,
        )  # fmt: skip
        with self._lg.atomic() as uow:
            row = _editable(uow.session, entry)
            owner = _project(uow.session, row.project_id if project is UNSET else project)
            current = _current_input(row, owner)
            if _KIND_FIELDS & fields.keys():
                current = {k: v for k, v in current.items() if k not in _KIND_FIELDS}
            data = validated(EntryInput, {**current, **fields})
            row.project_id = pk(owner)
            for key, value in _row_fields(data, owner.currency).items():
                setattr(row, key, value)
            uow.session.flush()
            return _public(uow.session, row, owner)

    def delete(self, entry: Ref) -> None:
        """Delete an unbilled entry."""
        with self._lg.atomic() as uow:
            uow.session.delete(_editable(uow.session, entry))

    def start(self, project: Ref, description: str = "") -> WorkEntry:
        """Start the timer on `project`; only one timer runs at a time.

        The entry's date is the day the timer started in your time zone (23:30 UTC
        is the next day in Prague).
        """
        zone = self._lg.settings.get().time_zone
        with self._lg.atomic() as uow:
            if _running(uow.session) is not None:
                raise Conflict("a timer is already running; stop it first")
            owner = _project(uow.session, project)
            now = self._lg.clock().replace(microsecond=0)
            row = tables.WorkEntry(
                project_id=pk(owner),
                date=datetimes.local_date(now, zone),
                description=description.strip(),
                kind="time",
                started_at=now,
            )
            uow.session.add(row)
            uow.session.flush()
            return _public(uow.session, row, owner)

    def stop(self) -> WorkEntry:
        """Stop the running timer; its minutes are rounded to the nearest minute."""
        with self._lg.atomic() as uow:
            row = _running(uow.session)
            if row is None:
                raise Conflict("no timer is running")
            assert row.started_at is not None
            now = self._lg.clock().replace(microsecond=0)
            seconds = (now - _aware(row.started_at)).total_seconds()
            row.ended_at = now
            row.minutes = max(1, min(MAX_MINUTES, round(seconds / 60)))
            uow.session.flush()
            return _public(uow.session, row)

    def running(self) -> WorkEntry | None:
        """The timer's open entry, if one runs."""
        with self._lg.reading() as session:
            row = _running(session)
            if row is None:
                return None
            return _public(session, row)


def _row_fields(data: EntryInput, currency: str) -> dict[str, Any]:
    return {
        "date": data.date,
        "description": data.description,
        "kind": data.kind,
        "started_at": None if data.start is None else _aware(data.start),
        "ended_at": None if data.end is None else _aware(data.end),
        "minutes": data.duration(),
        "billable": data.billable,
        "amount_minor": None if data.amount is None else exact_minor(data.amount, currency),
        "hourly_rate_minor": None
        if data.hourly_rate is None
        else exact_minor(data.hourly_rate, currency, "hourly_rate"),
    }


def _bulk_row(item: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """`_row_fields` of one bulk item, validated exactly as `EntryInput` validates it."""
    row = _plain_row(item, currency)
    if row is None:
        row = _row_fields(validated(EntryInput, dict(item)), currency)
    return row


_PLAIN_KEYS = frozenset({"date", "description", "minutes", "amount", "hourly_rate", "billable"})


def _plain_row(item: Mapping[str, Any], currency: str) -> dict[str, Any] | None:
    """The row of an item in the usual import shape, or None to let `EntryInput` decide.

    Validating each item with pydantic takes a tenth of a 200,000-row import, so the
    plain shape (an ISO date string or `date`, `minutes` as an int or `amount` as
    text/int/Decimal, an optional description, rate and bool `billable`) is checked
    here. Anything else, valid or not, returns None: `EntryInput` then accepts it or
    refuses it, naming the field, so both paths take and refuse the same input.
    """
    if not item.keys() <= _PLAIN_KEYS:
        return None
    date = _plain_date(item.get("date"))
    text = item.get("description", "")
    description = text.strip() if type(text) is str else None
    billable = item.get("billable", True)
    minutes = item.get("minutes")
    amount = _plain_amount(item["amount"]) if "amount" in item else None
    rate = _plain_amount(item["hourly_rate"]) if "hourly_rate" in item else None
    plain = (
        date is not None
        and description is not None
        and len(description) <= _MAX_DESCRIPTION
        and "\x00" not in description
        and type(billable) is bool
        and ("hourly_rate" not in item or (rate is not None and rate >= 0))
        and (
            "amount" not in item and type(minutes) is int and 1 <= minutes <= MAX_MINUTES
            if "minutes" in item
            else amount is not None and amount != 0
        )
    )
    if not plain:
        return None
    return {
        "date": date,
        "description": description,
        "kind": "time" if amount is None else "fixed",
        "started_at": None,
        "ended_at": None,
        "minutes": minutes,
        "billable": billable,
        "amount_minor": None if amount is None else exact_minor(amount, currency),
        "hourly_rate_minor": None if rate is None else exact_minor(rate, currency, "hourly_rate"),
    }


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _plain_date(value: object) -> dt.date | None:
    if type(value) is dt.date:
        return value
    if type(value) is not str or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _plain_amount(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value)
    except InvalidInput:
        return None


def _public(
    session: Session, row: tables.WorkEntry, project: tables.Project | None = None
) -> WorkEntry:
    """The read model of `row`, with its project's and client's names."""
    owner = project if project is not None else _project(session, row.project_id)
    client = get_row(session, tables.Client, owner.client_id, "client")
    return WorkEntry.from_row(row, owner, client.name)


def _current_input(row: tables.WorkEntry, project: tables.Project) -> dict[str, Any]:
    current = WorkEntry.from_row(row, project, "")
    fields: dict[str, Any] = {
        "date": current.date,
        "description": current.description,
        "billable": current.billable,
        "hourly_rate": current.hourly_rate,
    }
    if current.kind == "fixed":
        fields["amount"] = current.amount
    elif current.started_at is not None and current.ended_at is not None:
        fields.update(start=current.started_at, end=current.ended_at)
    else:
        fields["minutes"] = current.minutes
    return fields


def _project(session: Session, project: Ref | Any) -> tables.Project:
    return get_row(session, tables.Project, ref_id(project, "project"), "project")


def _editable(session: Session, entry: Ref) -> tables.WorkEntry:
    row = get_row(session, tables.WorkEntry, ref_id(entry, "entry"), "entry")
    if row.invoice_id is not None:
        raise Conflict(f"entry {row.id} is on invoice {row.invoice_id}; cancel that invoice first")
    if row.started_at is not None and row.ended_at is None:
        raise Conflict(f"entry {row.id} is the running timer; stop it first")
    return row


# Built once: every logged-in page asks, and building the statement costs about as
# much as the indexed lookup it sends.
RUNNING = select(tables.WorkEntry).where(
    col(tables.WorkEntry.started_at).is_not(None), col(tables.WorkEntry.ended_at).is_(None)
)


def _running(session: Session) -> tables.WorkEntry | None:
    return session.exec(RUNNING).first()
