"""Invoices: drafted from unbilled work, edited while draft, issued with a gapless
number, corrected by credit notes, cancelled (releasing their work) and paid."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from ledger.core import pricing
from ledger.core.datetimes import parse_date
from ledger.core.invoices import credit_notes, czk, numbering, vat
from ledger.core.invoices.manual import LineInput, draft_with_lines
from ledger.core.invoices.preview import CurrencyTotals, DraftPreview, PreviewEntry, PreviewLine
from ledger.core.invoices.rows import (
    InvoiceRef,
    check_status,
    filtered,
    line_of,
    lines_of,
    load_draft,
    load_invoice,
    next_sequence,
    recompute_totals,
    refuse_back_dating,
    refuse_shared_symbol,
    set_field,
    set_line,
    settings_row,
    store_lines,
)
from ledger.core.invoices.totals import totals_query
from ledger.core.invoices.views import public_invoice, public_invoices, rate_totals
from ledger.core.invoices.work import (
    attach_entries,
    check_grouping,
    delete_draft,
    release_work,
    work_to_bill,
)
from ledger.core.lookup import NameRef, find_client
from ledger.core.models import Invoice, Payment, Records
from ledger.core.money import AmountInput, amount_to_minor, from_minor
from ledger.core.service import UNSET, Ref, Service, Unset, get_row, given, pk, ref_id
from ledger.core.tax_figures import percent, plain_decimal
from ledger.core.validation import optional_text
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

MAX_NOTE = 2000


class Invoices(Service):
    """``lg.invoices``: draft, edit, issue, credit, cancel and record payments."""

    counted = (tables.Invoice, "invoice", "invoices")

    def draft(
        self,
        client: Ref,
        *,
        project: Ref | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        grouping: pricing.Grouping = "project",
        vat_rate: Decimal | str | int | None = None,
        notes: str = "",
    ) -> Invoice:
        """A draft invoice from the client's unbilled billable entries.

        Raises:
            InvalidInput: when there is no unbilled work to invoice, or a time entry
                has no hourly rate anywhere (entry, project, client or default).
        """
        check_grouping(grouping)
        asked_rate = vat.rate_basis_points(vat_rate)
        with self._lg.atomic() as uow:
            session = uow.session
            owner, candidates, priced = work_to_bill(session, client, project, since, until)
            mode, rate = _vat_terms(session, owner, asked_rate)
            invoice = tables.Invoice(
                client_id=pk(owner),
                currency=owner.currency,
                language=owner.language,
                notes=notes,
                grouping=grouping,
                vat_mode=mode,
                vat_rate_bp=rate,
                taxable_supply_date=max(entry.date for entry in priced),
            )
            session.add(invoice)
            session.flush()
            attach_entries(candidates, priced, invoice)
            store_lines(session, invoice, pricing.group_lines(priced, grouping))
            session.flush()
            return self._public(session, invoice)

    def draft_from_lines(
        self,
        client: NameRef,
        lines: Sequence[LineInput],
        *,
        notes: str = "",
        taxable_supply_date: dt.date | str | None = None,
    ) -> Invoice:
        """A draft invoice for `client` (name or id) with the given lines, no work attached.

        Each line's VAT rate defaults to the draft's (your default rate when you are a
        VAT payer, none otherwise).

        Raises:
            InvalidInput: no lines, or a bad line value, named by its field.
        """
        supplied = None if taxable_supply_date is None else parse_date(taxable_supply_date)
        with self._lg.atomic() as uow:
            owner = find_client(uow.session, client)
            row = draft_with_lines(
                uow.session, owner, lines, notes=notes, taxable_supply_date=supplied
            )
            return self._public(uow.session, row)

    def get(self, invoice: InvoiceRef) -> Invoice:
        """One invoice by id or number."""
        with self._lg.reading() as session:
            return self._public(session, load_invoice(session, invoice))

    def list(
        self,
        *,
        status: str | None = None,
        client: NameRef | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Records[Invoice]:
        """Invoices, newest first, of one `status` and client (name or id) when given;
        `limit` and `offset` page through them."""
        query = filtered(
            select(tables.Invoice).order_by(col(tables.Invoice.id).desc()),
            status,
            self._client_id(client),
        )
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._lg.reading() as session:
            return Records(self._public_many(session, list(session.exec(query))), model=Invoice)

    def count(self, *, status: str | None = None, client: NameRef | None = None) -> int:
        """How many invoices `list` returns with the same filters (for paging)."""
        query = filtered(
            select(func.count()).select_from(tables.Invoice), status, self._client_id(client)
        )
        with self._lg.reading() as session:
            return int(session.exec(query).one())

    def totals(
        self, *, status: str | None = None, client: NameRef | None = None
    ) -> Records[CurrencyTotals]:
        """Per currency, the filtered invoices' totals (cancelled ones left out).

        Credit notes count with their negative totals; `paid` is money received,
        `outstanding` what neither money nor credit notes settled.
        """
        check_status(status)
        client_id = self._client_id(client)
        query = totals_query(status, client_id)
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
        grouping: pricing.Grouping = "project",
        vat_rate: Decimal | str | int | None = None,
    ) -> DraftPreview:
        """What `draft` would make of the same arguments: its entries, lines and total.

        Writes nothing. Raises the same `InvalidInput` as `draft`.
        """
        check_grouping(grouping)
        asked_rate = vat.rate_basis_points(vat_rate)
        with self._lg.reading() as session:
            owner, _, priced = work_to_bill(session, client, project, since, until)
            mode, rate = _vat_terms(session, owner, asked_rate)
        currency = owner.currency
        drafts = pricing.group_lines(priced, grouping)
        subtotal = sum(line.amount_minor for line in drafts)
        summary = vat.summarize((line.amount_minor, rate) for line in drafts)
        tax = sum(line.vat_minor for line in summary)
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
                    vat_rate=percent(rate),
                )
                for line in drafts
            ],
            vat_mode=mode,
            vat_rate=percent(rate),
            vat_summary=rate_totals(summary, currency),
            subtotal=from_minor(subtotal, currency),
            vat=from_minor(tax, currency),
            total=from_minor(subtotal + tax, currency),
        )

    def update(
        self,
        invoice: InvoiceRef,
        *,
        notes: str | Unset = UNSET,
        issue_date: dt.date | str | Unset | None = UNSET,
        due_date: dt.date | str | Unset | None = UNSET,
        taxable_supply_date: dt.date | str | Unset | None = UNSET,
        language: Literal["en", "cs"] | Unset = UNSET,
        vat_rate: AmountInput | Unset | None = UNSET,
    ) -> Invoice:
        """Change a draft's notes, dates (None clears one), language or VAT rate (percent)."""
        fields = given(
            notes=notes, issue_date=issue_date, due_date=due_date,
            taxable_supply_date=taxable_supply_date, language=language, vat_rate=vat_rate,
        )  # fmt: skip
        with self._lg.atomic() as uow:
            row = load_draft(uow.session, invoice)
            for key, value in fields.items():
                set_field(uow.session, row, key, value)
            recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def add_line(
        self,
        invoice: InvoiceRef,
        description: str,
        quantity: object,
        unit_price: object,
        unit: str = "pcs",
        *,
        vat_rate: AmountInput | None = None,
    ) -> Invoice:
        """Add a manual line to a draft; `vat_rate` (percent) defaults to the draft's rate."""
        with self._lg.atomic() as uow:
            row = load_draft(uow.session, invoice)
            position = len(lines_of(uow.session, row)) + 1
            line = tables.InvoiceLine(
                invoice_id=pk(row),
                position=position,
                description="",
                quantity_milli=0,
                unit=unit,
                unit_price_minor=0,
                amount_minor=0,
            )
            changes = {
                "description": description, "quantity": quantity, "unit_price": unit_price,
                "vat_rate": vat_rate,
            }  # fmt: skip
            set_line(line, row, changes)
            uow.session.add(line)
            recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def update_line(
        self,
        invoice: InvoiceRef,
        line: Ref,
        *,
        description: str | Unset = UNSET,
        quantity: AmountInput | Unset = UNSET,
        unit_price: AmountInput | Unset = UNSET,
        unit: str | Unset = UNSET,
        vat_rate: AmountInput | Unset | None = UNSET,
    ) -> Invoice:
        """Change a draft line's description, quantity, unit price, unit or VAT rate."""
        changes = given(
            description=description, quantity=quantity, unit_price=unit_price, unit=unit,
            vat_rate=vat_rate,
        )  # fmt: skip
        with self._lg.atomic() as uow:
            row = load_draft(uow.session, invoice)
            stored = line_of(uow.session, row, line)
            set_line(stored, row, changes)
            recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def remove_line(self, invoice: InvoiceRef, line: Ref) -> Invoice:
        """Remove a line from a draft (its entries stay on the draft)."""
        with self._lg.atomic() as uow:
            row = load_draft(uow.session, invoice)
            uow.session.delete(line_of(uow.session, row, line))
            uow.session.flush()
            recompute_totals(uow.session, row)
            uow.session.flush()
            return self._public(uow.session, row)

    def issue(self, invoice: InvoiceRef, *, issue_date: dt.date | str | None = None) -> Invoice:
        """Give a draft the next gapless number of its series and its variable symbol."""
        with self._lg.atomic() as uow:
            session = uow.session
            row = load_invoice(session, invoice)
            if row.status != "draft":
                raise Conflict(
                    f"invoice {row.number} is already {row.status}; it can be issued once"
                )
            if not lines_of(session, row):
                raise InvalidInput("lines", "an invoice needs at least one line to be issued")
            settings = settings_row(session)
            client = get_row(session, tables.Client, row.client_id, "client")
            issued_on = self._issue_date(issue_date)
            row.issue_date = issued_on
            row.taxable_supply_date = row.taxable_supply_date or issued_on
            row.due_date = row.due_date or issued_on + dt.timedelta(days=client.payment_terms_days)
            if row.due_date < issued_on:
                raise InvalidInput("due_date", "the due date is before the issue date")
            row.series = numbering.series_key(settings.number_pattern, issued_on)
            refuse_back_dating(session, row)
            row.sequence = next_sequence(session, row.series)
            row.number = numbering.format_number(settings.number_pattern, issued_on, row.sequence)
            row.variable_symbol = numbering.variable_symbol(row.number)
            refuse_shared_symbol(session, row)
            czk.snapshot_rate(session, row)
            row.status = "issued"
            row.issued_at = self._now()
            session.flush()
            return self._public(session, row)

    def credit(
        self,
        invoice: InvoiceRef,
        *,
        reason: str,
        lines: Sequence[Ref] | None = None,
        issue_date: dt.date | str | None = None,
    ) -> Invoice:
        """Issue a credit note (opravný daňový doklad) for an issued invoice.

        It credits the chosen `lines` (ids), or every line not credited yet, with
        negative amounts, in the credit notes' own number series (the
        ``credit_note_pattern`` setting), and says `reason`. The invoice's balance and
        payment state follow from it. Returns the credit note.
        """
        with self._lg.atomic() as uow:
            row = load_invoice(uow.session, invoice)
            note = credit_notes.issue_credit_note(
                uow.session, row, lines, reason, self._issue_date(issue_date), self._now()
            )
            return self._public(uow.session, note)

    def cancel(
        self,
        invoice: InvoiceRef,
        *,
        reason: str | None = None,
        issue_date: dt.date | str | None = None,
    ) -> Invoice:
        """Cancel an invoice; its work entries become unbilled again.

        A draft is marked cancelled. An issued invoice keeps its number (the series
        stays gapless) and gets a credit note for every line not credited yet, with
        `reason` ("Storno faktury" / "Invoice cancelled" when not given). Refused
        while it has payments: remove them first, or credit it instead. Returns the
        cancelled invoice; its `credit_notes` name the new credit note.
        """
        with self._lg.atomic() as uow:
            session = uow.session
            row = load_invoice(session, invoice)
            if row.status == "draft":
                release_work(session, row)
                row.status = "cancelled"
                row.cancelled_at = self._now()
            else:
                credit_notes.cancel_issued(
                    session, row, reason, self._issue_date(issue_date), self._now()
                )
            session.flush()
            return self._public(session, row)

    def delete(self, invoice: InvoiceRef) -> None:
        """Delete a draft (it has no number yet); its work entries become unbilled again."""
        with self._lg.atomic() as uow:
            delete_draft(uow.session, load_draft(uow.session, invoice))

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
            row = load_invoice(uow.session, invoice)
            credit_notes.check_payable(row)
            credit_notes.refuse_fully_credited(uow.session, row)
            minor = amount_to_minor(amount, row.currency)
            if minor <= 0:
                raise InvalidInput("amount", "a payment must be positive")
            payment = tables.Payment(
                invoice_id=pk(row),
                amount_minor=minor,
                currency=row.currency,
                paid_on=parse_date(date),
                note=optional_text(note, "note", MAX_NOTE),
                transaction_id=transaction_id,
                method=method,
            )
            uow.session.add(payment)
            uow.session.flush()
            return Payment.from_row(payment)

    def remove_payment(self, payment: Ref) -> None:
        """Delete a recorded payment (e.g. one entered by mistake)."""
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.Payment, ref_id(payment, "payment"), "payment")
            credit_notes.check_removable(row)
            uow.session.delete(row)

    def payments(self, invoice: InvoiceRef) -> Records[Payment]:
        """Payments recorded for an invoice, oldest first."""
        with self._lg.reading() as session:
            row = load_invoice(session, invoice)
            query = select(tables.Payment).where(tables.Payment.invoice_id == row.id)
            found = session.exec(query.order_by(col(tables.Payment.id)))
            return Records((Payment.from_row(p) for p in found), model=Payment)

    def _client_id(self, client: NameRef | None) -> int | None:
        with self._lg.reading() as session:
            return None if client is None else pk(find_client(session, client))

    def _issue_date(self, issue_date: dt.date | str | None) -> dt.date:
        return self._lg.today() if issue_date is None else parse_date(issue_date, "issue_date")

    def _now(self) -> dt.datetime:
        return self._lg.clock().replace(microsecond=0)

    def _public(self, session: Session, row: tables.Invoice) -> Invoice:
        return public_invoice(session, row, self._lg.today())

    def _public_many(
        self, session: Session, rows: Sequence[tables.Invoice]
    ) -> builtins.list[Invoice]:
        return public_invoices(session, rows, self._lg.today())


def _vat_terms(
    session: Session, client: tables.Client, asked_rate: int | None
) -> tuple[vat.VatMode, int | None]:
    """The VAT regime of a new invoice to `client` and the rate its lines start with."""
    settings = settings_row(session)
    mode = vat.mode_for(settings, client)
    return mode, vat.line_rate(mode, asked_rate, settings.default_vat_rate_bp)
