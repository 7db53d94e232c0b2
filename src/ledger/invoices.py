"""Invoices: drafted from unbilled work, edited while draft, issued with a gapless
number, cancelled (releasing their work) and paid."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ledger import billing, numbering, tables
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.models import Invoice, InvoiceLine, Payment, PublicModel, Records, plain_decimal
from ledger.money import amount_to_minor, from_minor, parse_amount, to_minor
from ledger.payment_state import payment_state
from ledger.service import Ref, Service, get_row, pk, ref_id
from ledger.validation import parse_date, refuse_nul

InvoiceRef = Ref | str
"""An invoice by id, object, or issued number (``"2026-0001"``)."""

INVOICES = tables.Invoice.__table__  # type: ignore[attr-defined]
PAYMENTS = tables.Payment.__table__  # type: ignore[attr-defined]
_BATCH = 500  # ids per IN (...) when loading many invoices: well under SQLite's limit


class CurrencyTotals(PublicModel):
    """What a set of invoices adds up to in one currency."""

    currency: str
    invoices: int
    total: Decimal
    paid: Decimal
    outstanding: Decimal


class PreviewEntry(PublicModel):
    """An unbilled entry a draft would take, priced as the draft would price it."""

    id: int
    date: dt.date
    project: str
    description: str
    kind: str
    minutes: int
    amount: Decimal


class PreviewLine(PublicModel):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


class DraftPreview(PublicModel):
    """A draft invoice before it exists: see `Invoices.preview`."""

    client_id: int
    client_name: str
    currency: str
    entries: list[PreviewEntry]
    lines: list[PreviewLine]
    vat_rate: Decimal | None
    subtotal: Decimal
    vat: Decimal
    total: Decimal


class Invoices(Service):
    """``lg.invoices``: draft, edit, issue, cancel and record payments."""

    def draft(
        self,
        client: Ref,
        *,
        project: Ref | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        grouping: billing.Grouping = "project",
        vat_rate: Decimal | str | int | None = None,
        notes: str = "",
    ) -> Invoice:
        """A draft invoice from the client's unbilled billable entries.

        Raises:
            InvalidInput: when there is no unbilled work to invoice, or a time entry
                has no hourly rate anywhere (entry, project, client or default).
        """
        _check_grouping(grouping)
        vat_bp = _vat_basis_points(vat_rate)
        with self._lg.atomic() as uow:
            session = uow.session
            owner, candidates, priced = _work_to_bill(session, client, project, since, until)
            invoice = tables.Invoice(
                client_id=pk(owner),
                currency=owner.currency,
                language=owner.language,
                notes=notes,
                grouping=grouping,
                vat_rate_bp=vat_bp,
            )
            session.add(invoice)
            session.flush()
            _attach(candidates, priced, invoice)
            _store_lines(session, invoice, billing.group_lines(priced, grouping))
            session.flush()
            return self._public(session, invoice)

    def get(self, invoice: InvoiceRef) -> Invoice:
        """One invoice by id or number."""
        with self._lg.reading() as session:
            return self._public(session, _load(session, invoice))

    def list(
        self,
        *,
        status: str | None = None,
        client: Ref | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Records[Invoice]:
        """Invoices, newest first; `limit` and `offset` page through them."""
        query = _filtered(
            select(tables.Invoice).order_by(col(tables.Invoice.id).desc()), status, client
        )
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._lg.reading() as session:
            return Records(self._public_many(session, list(session.exec(query))))

    def count(self, *, status: str | None = None, client: Ref | None = None) -> int:
        """How many invoices `list` returns with the same filters (for paging)."""
        query = _filtered(select(func.count()).select_from(tables.Invoice), status, client)
        with self._lg.reading() as session:
            return int(session.exec(query).one())

    def totals(
        self, *, status: str | None = None, client: Ref | None = None
    ) -> Records[CurrencyTotals]:
        """Per currency, the filtered invoices' totals (cancelled ones left out)."""
        invoice, payment = INVOICES.c, PAYMENTS.c
        paid = (
            core_select(payment.invoice_id, func.sum(payment.amount_minor).label("paid"))
            .group_by(payment.invoice_id)
            .subquery()
        )
        paid_minor = func.coalesce(paid.c.paid, 0)
        outstanding = case(
            (
                (invoice.status == "issued") & (invoice.total_minor > paid_minor),
                invoice.total_minor - paid_minor,
            ),
            else_=0,
        )
        query = (
            core_select(
                invoice.currency,
                func.count(),
                func.sum(invoice.total_minor),
                func.sum(paid_minor),
                func.sum(outstanding),
            )
            .select_from(INVOICES.outerjoin(paid, paid.c.invoice_id == invoice.id))
            .where(invoice.status != "cancelled")
            .group_by(invoice.currency)
            .order_by(invoice.currency)
        )
        if status is not None:
            query = query.where(invoice.status == status)
        if client is not None:
            query = query.where(invoice.client_id == ref_id(client, "client"))
        with self._lg.reading() as session:
            rows = session.connection().execute(query).all()
        return Records(
            CurrencyTotals(
                currency=currency,
                invoices=int(count),
                total=from_minor(int(total or 0), currency),
                paid=from_minor(int(paid_sum or 0), currency),
                outstanding=from_minor(int(left or 0), currency),
            )
            for currency, count, total, paid_sum, left in rows
        )

    def preview(
        self,
        client: Ref,
        *,
        project: Ref | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        grouping: billing.Grouping = "project",
        vat_rate: Decimal | str | int | None = None,
    ) -> DraftPreview:
        """What `draft` would make of the same arguments: its entries, lines and total.

        Writes nothing. Raises the same `InvalidInput` as `draft`.
        """
        _check_grouping(grouping)
        vat_bp = _vat_basis_points(vat_rate)
        with self._lg.reading() as session:
            owner, _, priced = _work_to_bill(session, client, project, since, until)
        currency = owner.currency
        drafts = billing.group_lines(priced, grouping)
        subtotal = sum(line.amount_minor for line in drafts)
        vat = billing.vat_amount(subtotal, vat_bp)
        return DraftPreview(
            client_id=pk(owner),
            client_name=owner.name,
            currency=currency,
            entries=[
                PreviewEntry(
                    id=entry.entry_id,
                    date=entry.date,
                    project=entry.project_name,
                    description=entry.description,
                    kind=entry.kind,
                    minutes=entry.minutes,
                    amount=from_minor(entry.amount_minor, currency),
                )
                for entry in sorted(priced, key=lambda e: (e.date, e.entry_id))
            ],
            lines=[
                PreviewLine(
                    description=line.description,
                    quantity=plain_decimal(Decimal(line.quantity_milli).scaleb(-3)),
                    unit=line.unit,
                    unit_price=from_minor(line.unit_price_minor, currency),
                    amount=from_minor(line.amount_minor, currency),
                )
                for line in drafts
            ],
            vat_rate=None if vat_bp is None else Decimal(vat_bp) / 100,
            subtotal=from_minor(subtotal, currency),
            vat=from_minor(vat, currency),
            total=from_minor(subtotal + vat, currency),
        )

    def update(self, invoice: InvoiceRef, **fields: Any) -> Invoice:
        """Change a draft's notes, dates, language or VAT rate."""
        allowed = {
            "notes",
            "issue_date",
            "due_date",
            "taxable_supply_date",
            "language",
            "vat_rate",
        }
        if unknown := set(fields) - allowed:
            raise InvalidInput(sorted(unknown)[0], f"cannot be changed; use {sorted(allowed)}")
        with self._lg.atomic() as uow:
            row = _draft(uow.session, invoice)
            for key, value in fields.items():
                _set_field(row, key, value)
            _recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def add_line(
        self,
        invoice: InvoiceRef,
        description: str,
        quantity: object,
        unit_price: object,
        unit: str = "pcs",
    ) -> Invoice:
        """Add a manual line to a draft."""
        with self._lg.atomic() as uow:
            row = _draft(uow.session, invoice)
            position = len(_lines(uow.session, row)) + 1
            line = tables.InvoiceLine(
                invoice_id=pk(row),
                position=position,
                description="",
                quantity_milli=0,
                unit=unit,
                unit_price_minor=0,
                amount_minor=0,
            )
            _set_line(
                line,
                row.currency,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
            )
            uow.session.add(line)
            _recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def update_line(self, invoice: InvoiceRef, line: Ref, **fields: Any) -> Invoice:
        """Change a draft line's description, quantity, unit price or unit."""
        with self._lg.atomic() as uow:
            row = _draft(uow.session, invoice)
            stored = _line_of(uow.session, row, line)
            _set_line(stored, row.currency, **fields)
            _recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def remove_line(self, invoice: InvoiceRef, line: Ref) -> Invoice:
        """Remove a line from a draft (its entries stay on the draft)."""
        with self._lg.atomic() as uow:
            row = _draft(uow.session, invoice)
            uow.session.delete(_line_of(uow.session, row, line))
            uow.session.flush()
            _recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def issue(self, invoice: InvoiceRef, *, issue_date: dt.date | str | None = None) -> Invoice:
        """Give a draft the next gapless number of its series and its variable symbol."""
        with self._lg.atomic() as uow:
            session = uow.session
            row = _load(session, invoice)
            if row.status != "draft":
                raise Conflict(
                    f"invoice {row.number} is already {row.status}; it can be issued once"
                )
            if not _lines(session, row):
                raise InvalidInput("lines", "an invoice needs at least one line to be issued")
            settings = _settings(session)
            client = get_row(session, tables.Client, row.client_id, "client")
            issued_on = (
                self._lg.today() if issue_date is None else parse_date(issue_date, "issue_date")
            )
            row.issue_date = issued_on
            row.taxable_supply_date = row.taxable_supply_date or issued_on
            row.due_date = row.due_date or issued_on + dt.timedelta(days=client.payment_terms_days)
            if row.due_date < issued_on:
                raise InvalidInput("due_date", "the due date is before the issue date")
            row.series = numbering.series_key(settings.number_pattern, issued_on)
            row.sequence = _next_sequence(session, row.series)
            row.number = numbering.format_number(settings.number_pattern, issued_on, row.sequence)
            row.variable_symbol = numbering.variable_symbol(row.number)
            row.status = "issued"
            row.issued_at = self._lg.clock().replace(microsecond=0)
            session.flush()
            return self._public(session, row)

    def cancel(self, invoice: InvoiceRef) -> Invoice:
        """Cancel a draft or issued invoice; its entries become unbilled again.

        An issued invoice keeps its number, so the series stays gapless.
        """
        with self._lg.atomic() as uow:
            session = uow.session
            row = _load(session, invoice)
            if row.status == "cancelled":
                raise Conflict(f"invoice {row.number or row.id} is already cancelled")
            if _paid_minor(session, row) != 0:
                raise Conflict("the invoice has payments; remove them before cancelling")
            for entry in session.exec(
                select(tables.WorkEntry).where(tables.WorkEntry.invoice_id == row.id)
            ):
                _release(entry)
            row.status = "cancelled"
            row.cancelled_at = self._lg.clock().replace(microsecond=0)
            session.flush()
            return self._public(session, row)

    def record_payment(
        self,
        invoice: InvoiceRef,
        amount: object,
        date: dt.date | str,
        note: str = "",
        *,
        transaction_id: int | None = None,
        method: str = "manual",
    ) -> Payment:
        """Record money received for an issued invoice (partial payments add up)."""
        with self._lg.atomic() as uow:
            row = _load(uow.session, invoice)
            if row.status != "issued":
                raise Conflict(f"only issued invoices take payments; this one is {row.status}")
            minor = amount_to_minor(amount, row.currency)
            if minor <= 0:
                raise InvalidInput("amount", "a payment must be positive")
            payment = tables.Payment(
                invoice_id=pk(row),
                amount_minor=minor,
                currency=row.currency,
                paid_on=parse_date(date),
                note=note,
                transaction_id=transaction_id,
                method=method,
            )
            uow.session.add(payment)
            uow.session.flush()
            return Payment.from_row(payment)

    def remove_payment(self, payment: Ref) -> None:
        """Delete a recorded payment (e.g. one entered by mistake)."""
        with self._lg.atomic() as uow:
            uow.session.delete(
                get_row(uow.session, tables.Payment, ref_id(payment, "payment"), "payment")
            )

    def payments(self, invoice: InvoiceRef) -> Records[Payment]:
        """Payments recorded for an invoice, oldest first."""
        with self._lg.reading() as session:
            row = _load(session, invoice)
            query = select(tables.Payment).where(tables.Payment.invoice_id == row.id)
            return Records(
                Payment.from_row(p) for p in session.exec(query.order_by(col(tables.Payment.id)))
            )

    def _public(self, session: Session, row: tables.Invoice) -> Invoice:
        client = get_row(session, tables.Client, row.client_id, "client")
        tolerance = _settings(session).payment_tolerance_minor
        return self._model(
            row, client.name, _paid_minor(session, row), tolerance, _lines(session, row)
        )

    def _public_many(
        self, session: Session, rows: Sequence[tables.Invoice]
    ) -> builtins.list[Invoice]:
        """`_public` of many invoices in a few queries, not a few per invoice."""
        if not rows:
            return []
        tolerance = _settings(session).payment_tolerance_minor
        names: dict[int, str] = {}
        paid: dict[int, int] = {}
        lines: dict[int, builtins.list[tables.InvoiceLine]] = {}
        for start in range(0, len(rows), _BATCH):
            ids = [pk(row) for row in rows[start : start + _BATCH]]
            client_ids = {row.client_id for row in rows[start : start + _BATCH]}
            for client in session.exec(
                select(tables.Client).where(col(tables.Client.id).in_(client_ids))
            ):
                names[pk(client)] = client.name
            paid |= dict(
                session.exec(
                    select(tables.Payment.invoice_id, func.sum(tables.Payment.amount_minor))
                    .where(col(tables.Payment.invoice_id).in_(ids))
                    .group_by(col(tables.Payment.invoice_id))
                ).all()
            )
            for line in session.exec(
                select(tables.InvoiceLine)
                .where(col(tables.InvoiceLine.invoice_id).in_(ids))
                .order_by(col(tables.InvoiceLine.position))
            ):
                lines.setdefault(line.invoice_id, []).append(line)
        return [
            self._model(
                row,
                names[row.client_id],
                int(paid.get(pk(row)) or 0),
                tolerance,
                lines.get(pk(row), []),
            )
            for row in rows
        ]

    def _model(
        self,
        row: tables.Invoice,
        client_name: str,
        paid: int,
        tolerance: int,
        lines: Sequence[tables.InvoiceLine],
    ) -> Invoice:
        assert row.id is not None
        state = payment_state(row, paid, tolerance, self._lg.today())
        return Invoice(
            id=row.id,
            client_id=row.client_id,
            client_name=client_name,
            status=row.status,
            number=row.number,
            variable_symbol=row.variable_symbol,
            currency=row.currency,
            language=row.language,
            issue_date=row.issue_date,
            due_date=row.due_date,
            taxable_supply_date=row.taxable_supply_date,
            notes=row.notes,
            grouping=row.grouping,
            vat_rate=None if row.vat_rate_bp is None else Decimal(row.vat_rate_bp) / 100,
            subtotal=from_minor(row.subtotal_minor, row.currency),
            vat=from_minor(row.vat_minor, row.currency),
            total=from_minor(row.total_minor, row.currency),
            paid=from_minor(paid, row.currency),
            balance=from_minor(row.total_minor - paid, row.currency),
            payment_state=state,
            lines=[InvoiceLine.from_row(line, row.currency) for line in lines],
        )


def _filtered(query: Any, status: str | None, client: Ref | None) -> Any:
    if status is not None:
        query = query.where(tables.Invoice.status == status)
    if client is not None:
        query = query.where(tables.Invoice.client_id == ref_id(client, "client"))
    return query


def _check_grouping(grouping: str) -> None:
    if grouping not in billing.GROUPINGS:
        raise InvalidInput("grouping", f"use one of {', '.join(billing.GROUPINGS)}")


def _work_to_bill(
    session: Session, client: Ref, project: Ref | None, since: object, until: object
) -> tuple[
    tables.Client, list[tuple[tables.WorkEntry, tables.Project]], list[billing.BillableEntry]
]:
    """The client, its unbilled billable entries and their prices; an error when none."""
    owner = get_row(session, tables.Client, ref_id(client, "client"), "client")
    candidates = _unbilled(session, owner, project, since, until)
    if not candidates:
        raise InvalidInput("client", f"{owner.name} has no unbilled billable work to invoice")
    return owner, candidates, _price(session, owner, candidates)


def _load(session: Session, invoice: InvoiceRef) -> tables.Invoice:
    if isinstance(invoice, str):
        row = session.exec(select(tables.Invoice).where(tables.Invoice.number == invoice)).first()
        if row is None:
            raise NotFound(f"no invoice is numbered {invoice!r}")
        return row
    return get_row(session, tables.Invoice, ref_id(invoice, "invoice"), "invoice")


def _draft(session: Session, invoice: InvoiceRef) -> tables.Invoice:
    row = _load(session, invoice)
    if row.status != "draft":
        raise Conflict(
            f"invoice {row.number or row.id} is {row.status} and cannot be edited; "
            "cancel it and draft a new one"
        )
    return row


def _settings(session: Session) -> tables.AppSettings:
    return session.exec(select(tables.AppSettings)).first() or tables.AppSettings()


def _unbilled(
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


def _price(
    session: Session,
    client: tables.Client,
    candidates: list[tuple[tables.WorkEntry, tables.Project]],
) -> list[billing.BillableEntry]:
    default_rate = _settings(session).default_hourly_rate_minor
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
        if entry.kind == "fixed":
            amount = entry.amount_minor or 0
            priced.append(
                billing.BillableEntry(
                    entry.id,
                    project.id,
                    project.name,
                    entry.date,
                    entry.description,
                    "fixed",
                    0,
                    0,
                    amount,
                )
            )
            continue
        rate = billing.resolve_rate(
            entry.hourly_rate_minor,
            project.hourly_rate_minor,
            client.hourly_rate_minor,
            default_rate,
        )
        if rate is None:
            raise InvalidInput(
                "hourly_rate",
                f"project {project.name!r} has no hourly rate; set one on the "
                "project, the client or in settings",
            )
        minutes = billing.round_minutes(
            entry.minutes or 0, project.rounding, project.rounding_minutes
        )
        priced.append(
            billing.BillableEntry(
                entry.id,
                project.id,
                project.name,
                entry.date,
                entry.description,
                "time",
                minutes,
                rate,
                billing.time_amount(minutes, rate),
            )
        )
    return priced


def _attach(
    candidates: list[tuple[tables.WorkEntry, tables.Project]],
    priced: list[billing.BillableEntry],
    invoice: tables.Invoice,
) -> None:
    for (entry, _), snapshot in zip(candidates, priced, strict=True):
        entry.invoice_id = invoice.id
        entry.billed_minutes = snapshot.minutes if entry.kind == "time" else None
        entry.billed_rate_minor = snapshot.rate_minor if entry.kind == "time" else None
        entry.billed_amount_minor = snapshot.amount_minor


def _release(entry: tables.WorkEntry) -> None:
    entry.invoice_id = None
    entry.billed_minutes = entry.billed_rate_minor = entry.billed_amount_minor = None


def _store_lines(
    session: Session, invoice: tables.Invoice, drafts: list[billing.LineDraft]
) -> None:
    for position, draft in enumerate(drafts, start=1):
        session.add(
            tables.InvoiceLine(
                invoice_id=pk(invoice),
                position=position,
                description=draft.description,
                quantity_milli=draft.quantity_milli,
                unit=draft.unit,
                unit_price_minor=draft.unit_price_minor,
                amount_minor=draft.amount_minor,
                project_id=draft.project_id,
            )
        )
    session.flush()
    _recompute_totals(session, invoice)


def _lines(session: Session, invoice: tables.Invoice) -> list[tables.InvoiceLine]:
    query = select(tables.InvoiceLine).where(tables.InvoiceLine.invoice_id == invoice.id)
    return list(session.exec(query.order_by(col(tables.InvoiceLine.position))))


def _line_of(session: Session, invoice: tables.Invoice, line: Ref) -> tables.InvoiceLine:
    row = get_row(session, tables.InvoiceLine, ref_id(line, "line"), "invoice line")
    if row.invoice_id != invoice.id:
        raise NotFound(f"line {row.id} is not on invoice {invoice.id}")
    return row


def _set_line(line: tables.InvoiceLine, currency: str, **fields: Any) -> None:
    allowed = {"description", "quantity", "unit_price", "unit"}
    if unknown := set(fields) - allowed:
        raise InvalidInput(sorted(unknown)[0], f"cannot be changed; use {sorted(allowed)}")
    refuse_nul({k: v for k, v in fields.items() if isinstance(v, str)})
    if "description" in fields:
        text = str(fields["description"]).strip()
        if not text:
            raise InvalidInput("description", "must not be empty")
        line.description = text
    if "unit" in fields:
        line.unit = str(fields["unit"]).strip()[:10] or "pcs"
    if "quantity" in fields:
        quantity = parse_amount(fields["quantity"], "quantity")
        if quantity <= 0 or quantity > 100000:
            raise InvalidInput("quantity", "must be more than 0 and at most 100000")
        line.quantity_milli = int(quantity.scaleb(3).to_integral_value())
    if "unit_price" in fields:
        line.unit_price_minor = amount_to_minor(fields["unit_price"], currency, "unit_price")
    exact = Decimal(line.quantity_milli).scaleb(-3) * from_minor(line.unit_price_minor, currency)
    line.amount_minor = to_minor(exact, currency)


def _recompute_totals(session: Session, invoice: tables.Invoice) -> None:
    subtotal = sum(line.amount_minor for line in _lines(session, invoice))
    invoice.subtotal_minor = subtotal
    invoice.vat_minor = billing.vat_amount(subtotal, invoice.vat_rate_bp)
    invoice.total_minor = subtotal + invoice.vat_minor


def _set_field(row: tables.Invoice, key: str, value: Any) -> None:
    if key == "vat_rate":
        row.vat_rate_bp = _vat_basis_points(value)
    elif key == "language":
        if value not in ("en", "cs"):
            raise InvalidInput("language", "use en or cs")
        row.language = value
    elif key == "notes":
        refuse_nul({"notes": str(value)})
        row.notes = str(value)
    else:
        setattr(row, key, None if value in (None, "") else parse_date(value, key))


def _vat_basis_points(value: object) -> int | None:
    if value is None or value == "":
        return None
    rate = parse_amount(value, "vat_rate")
    if not 0 <= rate <= 100:
        raise InvalidInput("vat_rate", "a VAT rate is a percentage between 0 and 100")
    return int(rate.scaleb(2).to_integral_value())


def _next_sequence(session: Session, series: str) -> int:
    query = select(func.max(tables.Invoice.sequence)).where(tables.Invoice.series == series)
    return int(session.exec(query).one() or 0) + 1


def _paid_minor(session: Session, invoice: tables.Invoice) -> int:
    query = select(func.sum(tables.Payment.amount_minor)).where(
        tables.Payment.invoice_id == invoice.id
    )
    return int(session.exec(query).one() or 0)
