"""``lg.recurring``: invoices made again every month, quarter or year from a template."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Date, bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ledger.core.datetimes import parse_date
from ledger.core.invoices import vat
from ledger.core.invoices.manual import LineInput, draft_with_lines
from ledger.core.invoices.rows import settings_row
from ledger.core.lookup import NameRef, find_client
from ledger.core.models import Invoice, Records
from ledger.core.money import AmountInput
from ledger.core.recurring import periods
from ledger.core.recurring.templates import (
    RecurringTemplate,
    as_inputs,
    load_template,
    public_template,
    replace_lines,
    stored_line,
    template_lines,
)
from ledger.core.service import UNSET, Ref, Service, Unset, get_row, pk, ref_id
from ledger.core.validation import optional_text, require_text
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.storage import tables

MAX_NOTES = 2000
TemplateQuery = SelectOfScalar[tables.RecurringTemplate]


class Recurring(Service):
    """``lg.recurring``: templates that make an invoice per period, never two for one."""

    counted = (tables.RecurringTemplate, "template", "templates")

    def list(
        self, *, client: NameRef | None = None, active: bool | None = None
    ) -> Records[RecurringTemplate]:
        """Templates by next date, of one `client` and only (in)active ones when given."""
        query = select(tables.RecurringTemplate)
        if active is not None:
            query = query.where(tables.RecurringTemplate.active == active)
        with self._lg.reading() as session:
            if client is not None:
                owner = find_client(session, client)
                query = query.where(tables.RecurringTemplate.client_id == owner.id)
            return _records(session, session.exec(_ordered(query)))

    def get(self, template: Ref) -> RecurringTemplate:
        """One template by id."""
        with self._lg.reading() as session:
            return public_template(session, load_template(session, template))

    def add(
        self,
        client: NameRef,
        *,
        name: str,
        next_date: dt.date | str,
        interval: str = "monthly",
        mode: str = "draft",
        lines: Sequence[LineInput] = (),
        notes: str = "",
        active: bool = True,
    ) -> RecurringTemplate:
        """A template for `client` (name or id), in the client's currency and language.

        Args:
            name: what the template is for, e.g. ``Hosting``.
            next_date: the first period to invoice; its day of the month is kept
                (31: the last day of shorter months).
            interval: ``monthly``, ``quarterly`` or ``yearly``.
            mode: ``draft`` makes drafts, ``issue`` issues each invoice when it is made.
            lines: what each invoice bills (`LineInput`; a rate only counts when you
                are a VAT payer).

        Raises:
            InvalidInput: a bad field or line, named by its field.
        """
        with self._lg.atomic() as uow:
            owner = find_client(uow.session, client)
            start = parse_date(next_date, "next_date")
            row = tables.RecurringTemplate(
                client_id=pk(owner), name=require_text(name, "name"),
                interval=periods.check_interval(interval), next_date=start,
                anchor_day=start.day, mode=periods.check_mode(mode), active=active,
                notes=optional_text(notes, "notes", MAX_NOTES), language=owner.language,
                currency=owner.currency,
            )  # fmt: skip
            uow.session.add(row)
            uow.session.flush()
            replace_lines(uow.session, row, lines)
            return public_template(uow.session, row)

    def update(
        self,
        template: Ref,
        *,
        name: str | Unset = UNSET,
        next_date: dt.date | str | Unset = UNSET,
        interval: str | Unset = UNSET,
        mode: str | Unset = UNSET,
        notes: str | Unset = UNSET,
        active: bool | Unset = UNSET,
        lines: Sequence[LineInput] | Unset = UNSET,
    ) -> RecurringTemplate:
        """Change the given fields (see `add`); `lines` replaces every line."""
        with self._lg.atomic() as uow:
            row = load_template(uow.session, template)
            if name is not UNSET:
                row.name = require_text(name, "name")
            if next_date is not UNSET:
                row.next_date = parse_date(next_date, "next_date")
                row.anchor_day = row.next_date.day
            if interval is not UNSET:
                row.interval = periods.check_interval(interval)
            if mode is not UNSET:
                row.mode = periods.check_mode(mode)
            if notes is not UNSET:
                row.notes = optional_text(notes, "notes", MAX_NOTES)
            if active is not UNSET:
                row.active = active
            if lines is not UNSET:
                replace_lines(uow.session, row, lines)
            uow.session.flush()
            return public_template(uow.session, row)

    def add_line(
        self,
        template: Ref,
        description: str,
        quantity: AmountInput,
        unit_price: AmountInput,
        unit: str = "pcs",
        *,
        vat_rate: AmountInput | None = None,
    ) -> RecurringTemplate:
        """Add a line to a template (`vat_rate` in percent; None: your default rate)."""
        line = LineInput(description, quantity, unit_price, unit, vat_rate)
        with self._lg.atomic() as uow:
            row = load_template(uow.session, template)
            position = len(template_lines(uow.session, row)) + 1
            uow.session.add(stored_line(row, position, line))
            uow.session.flush()
            return public_template(uow.session, row)

    def remove_line(self, template: Ref, line: Ref) -> RecurringTemplate:
        """Remove one line from a template."""
        with self._lg.atomic() as uow:
            row = load_template(uow.session, template)
            table = tables.RecurringTemplateLine
            stored = get_row(uow.session, table, ref_id(line, "line"), "template line")
            if stored.template_id != row.id:
                raise NotFound(f"line {stored.id} is not on template {row.id}")
            uow.session.delete(stored)
            uow.session.flush()
            return public_template(uow.session, row)

    def remove(self, template: Ref) -> None:
        """Delete a template that has made no invoice yet (deactivate one that has).

        Raises:
            Conflict: the template made invoices, which keep naming it.
        """
        with self._lg.atomic() as uow:
            row = load_template(uow.session, template)
            made = select(tables.Invoice.id).where(tables.Invoice.recurring_template_id == row.id)
            if uow.session.exec(made.limit(1)).first() is not None:
                raise Conflict(
                    f"template {row.name!r} has made invoices; deactivate it instead "
                    "(active=False) so that it makes no more"
                )
            for line in template_lines(uow.session, row):
                uow.session.delete(line)
            uow.session.flush()
            uow.session.delete(row)

    def due(self, today: dt.date | str | None = None) -> Records[RecurringTemplate]:
        """Active templates whose next date is on or before `today` (default: today)."""
        day = self._day(today)
        with self._lg.reading() as session:
            return _records(session, session.exec(DUE, params={"day": day}))

    def invoices(self, template: Ref) -> Records[Invoice]:
        """The invoices a template made, newest period first."""
        with self._lg.reading() as session:
            row = load_template(session, template)
            query = select(tables.Invoice.id).where(tables.Invoice.recurring_template_id == row.id)
            ids = list(session.exec(query.order_by(col(tables.Invoice.period_start).desc())))
        return Records((self._lg.invoices.get(i) for i in ids if i is not None), model=Invoice)

    def run(
        self, template: Ref | None = None, *, today: dt.date | str | None = None
    ) -> Records[Invoice]:
        """Make the invoices of every due period: of `template`, or of every due one.

        One invoice per period, oldest first (missed periods are caught up one by
        one), each in its own audited transaction with the template moving on to its
        next period. An ``issue`` template's invoices are issued on `today`. A period
        that already has its invoice is never invoiced again, even by two runs at once.

        Returns:
            The invoices made (none when nothing is due).

        Raises:
            InvalidInput: a due template has no lines.
            Conflict: another run made the same period's invoice meanwhile.
        """
        day = self._day(today)
        ids = [ref_id(template, "template")] if template is not None else _ids(self.due(day))
        made: builtins.list[Invoice] = []
        for template_id in ids:
            while (invoice := self._run_period(template_id, day)) is not None:
                made.append(invoice)
        return Records(made, model=Invoice)

    def _run_period(self, template_id: int, day: dt.date) -> Invoice | None:
        """The invoice of the template's next period when it is due, else None."""
        try:
            with self._lg.atomic() as uow:
                row = load_template(uow.session, template_id)
                if not row.active or row.next_date > day:
                    return None
                invoice = _draft_period(uow.session, row)
                row.next_date = periods.following(row.next_date, row.interval, row.anchor_day)
                uow.session.flush()
                if row.mode == "issue":
                    return self._lg.invoices.issue(pk(invoice), issue_date=day)
                return self._lg.invoices.get(pk(invoice))
        except IntegrityError as exc:
            raise Conflict(
                f"recurring template {template_id} was run at the same time elsewhere; its "
                "invoice for this period exists already (nothing more was made)"
            ) from exc

    def _day(self, today: dt.date | str | None) -> dt.date:
        return self._lg.today() if today is None else parse_date(today, "today")


def _draft_period(session: Session, row: tables.RecurringTemplate) -> tables.Invoice:
    """The draft of `row`'s next period, recorded as that period's invoice."""
    lines = template_lines(session, row)
    if not lines:
        raise InvalidInput(
            "lines", f"recurring template {row.name!r} has no lines; add one so it can invoice"
        )
    client = get_row(session, tables.Client, row.client_id, "client")
    mode = vat.mode_for(settings_row(session), client)
    return draft_with_lines(
        session, client, as_inputs(lines, row.currency, mode), notes=row.notes,
        language=row.language, taxable_supply_date=row.next_date,
        recurring=(pk(row), row.next_date),
    )  # fmt: skip


def _ordered(query: TemplateQuery) -> TemplateQuery:
    table = tables.RecurringTemplate
    return query.order_by(col(table.next_date), col(table.id))


DUE = _ordered(
    select(tables.RecurringTemplate).where(
        tables.RecurringTemplate.active == True,  # noqa: E712 (SQL, not Python)
        col(tables.RecurringTemplate.next_date) <= bindparam("day", type_=Date()),
    )
)
"""Active templates due on a day; built once, as the dashboard asks after each change."""


def _records(
    session: Session, rows: Iterable[tables.RecurringTemplate]
) -> Records[RecurringTemplate]:
    found = [public_template(session, row) for row in rows]
    return Records(found, model=RecurringTemplate)


def _ids(templates: Sequence[RecurringTemplate]) -> builtins.list[int]:
    return [template.id for template in templates]
