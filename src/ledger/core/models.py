"""Public read models: what the `Ledger` API returns.

Frozen pydantic models with money as `Decimal`. Lists come back as `Records`, a
list with `to_frame()`; every model renders as a table in Jupyter.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import RowMapping
from sqlmodel import SQLModel

from ledger.contracts.views import TransactionView
from ledger.core import datetimes
from ledger.core.invoice_sheet import sheet_line
from ledger.core.money import from_minor
from ledger.core.tax_figures import percent, plain_decimal
from ledger.storage import tables

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T", bound="PublicModel")


class PublicModel(BaseModel):
    """Base of every returned object: frozen, with an HTML table repr."""

    model_config = ConfigDict(frozen=True)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(key)}</th>"
            f"<td style='text-align:left'>{html.escape(_display(value))}</td></tr>"
            for key, value in self.model_dump().items()
            if not isinstance(value, list)
        )
        title = html.escape(type(self).__name__)
        return f"<table><caption>{title}</caption>{rows}</table>"


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Decimal):
        return format(value, "f")  # 10, not 1E+1
    return str(value)


def html_rows(title: str, header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> str:
    """A captioned HTML table of `rows` under `header`, every value escaped."""
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:left'>{html.escape(_display(v))}</td>" for v in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><caption>{html.escape(title)}</caption><tr>{head}</tr>{body}</table>"


class Records(list[T], Generic[T]):
    """A list of models that turns into a pandas DataFrame.

    `model` names the item type, so an empty list still knows its columns.
    """

    def __init__(self, items: Iterable[T] = (), *, model: type[T] | None = None) -> None:
        super().__init__(items)
        self.model: type[PublicModel] | None = model or (type(self[0]) if self else None)

    def to_frame(self) -> pd.DataFrame:
        """One row per item; see `ledger.core.frames` for the column types (needs pandas)."""
        from ledger.core import frames  # pandas loads only when a frame is asked for

        return frames.records_frame(self, self.model, exclude=_NESTED)

    def _repr_html_(self) -> str:
        if not self:
            return "<p>(none)</p>"
        return str(self.to_frame().to_html(escape=True))


_NESTED = {"lines"}


@functools.cache
def _names(table: type[SQLModel], exclude: frozenset[str]) -> tuple[str, ...]:
    return tuple(name for name in table.model_fields if name not in exclude)


def _columns(row: SQLModel, exclude: frozenset[str]) -> dict[str, Any]:
    """`row.model_dump(exclude=exclude)` without pydantic's serializer, which costs ten
    times as much: a page builds hundreds of these (the timer's projects on every one)."""
    return {name: getattr(row, name) for name in _names(type(row), exclude)}


_RATE_AND_CREATED = frozenset({"hourly_rate_minor", "created_at"})
_ENTRY_MONEY_AND_CREATED = frozenset(
    {"hourly_rate_minor", "amount_minor", "billed_rate_minor", "billed_amount_minor", "created_at"}
)


def _money(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else from_minor(minor, currency)


class Client(PublicModel):
    id: int
    name: str
    contact_name: str
    email: str
    phone: str
    address: str
    company_id: str
    vat_id: str
    currency: str
    language: str
    hourly_rate: Decimal | None
    payment_terms_days: int
    archived: bool

    @classmethod
    def from_row(cls, row: tables.Client) -> Client:
        data = _columns(row, _RATE_AND_CREATED)
        return cls(**data, hourly_rate=_money(row.hourly_rate_minor, row.currency))


class Project(PublicModel):
    id: int
    client_id: int
    client_name: str
    name: str
    hourly_rate: Decimal | None
    currency: str
    rounding: str
    rounding_minutes: int
    archived: bool

    @classmethod
    def from_row(cls, row: tables.Project, client_name: str) -> Project:
        data = _columns(row, _RATE_AND_CREATED)
        return cls(
            **data,
            client_name=client_name,
            hourly_rate=_money(row.hourly_rate_minor, row.currency),
        )

    @classmethod
    def from_mapping(cls, row: RowMapping) -> Project:
        """From a row of the projects table plus `client_name` (a Core query's mapping)."""
        data = {name: row[name] for name in _names(tables.Project, _RATE_AND_CREATED)}
        return cls(
            **data,
            client_name=row["client_name"],
            hourly_rate=_money(row["hourly_rate_minor"], row["currency"]),
        )


class WorkEntry(PublicModel):
    id: int
    project_id: int
    project_name: str
    client_id: int
    client_name: str
    date: dt.date
    description: str
    kind: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    minutes: int | None
    billable: bool
    hourly_rate: Decimal | None
    amount: Decimal | None
    invoice_id: int | None
    billed_rate: Decimal | None
    billed_minutes: int | None
    billed_amount: Decimal | None
    currency: str

    @property
    def running(self) -> bool:
        """True for the timer's open entry."""
        return self.started_at is not None and self.ended_at is None

    @classmethod
    def from_row(
        cls, row: tables.WorkEntry, project: tables.Project, client_name: str
    ) -> WorkEntry:
        """The entry `row` of `project`, whose client is called `client_name`."""
        currency = project.currency
        return cls(
            **_columns(row, _ENTRY_MONEY_AND_CREATED),
            hourly_rate=_money(row.hourly_rate_minor, currency),
            amount=_money(row.amount_minor, currency),
            billed_rate=_money(row.billed_rate_minor, currency),
            billed_amount=_money(row.billed_amount_minor, currency),
            currency=currency,
            project_name=project.name,
            client_id=project.client_id,
            client_name=client_name,
        )


class InvoiceLine(PublicModel):
    id: int
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal | None
    project_id: int | None
    credited: bool = False
    """A credit note has credited this line (an issued invoice's line, once)."""

    @classmethod
    def from_row(
        cls, row: tables.InvoiceLine, currency: str, credited: bool = False
    ) -> InvoiceLine:
        assert row.id is not None
        stated = sheet_line(
            (row.description, row.quantity_milli, row.unit, row.unit_price_minor,
             row.amount_minor, row.vat_rate_bp),
            currency,
        )  # fmt: skip
        return cls(
            **stated._asdict(),
            id=row.id,
            position=row.position,
            project_id=row.project_id,
            credited=credited,
        )


class VatRateTotal(PublicModel):
    """One line of an invoice's VAT summary: a rate, the base taxed at it, the VAT."""

    rate: Decimal
    base: Decimal
    vat: Decimal
    total: Decimal


class CzkAmounts(PublicModel):
    """A foreign-currency tax document in CZK, at the ČNB rate of its taxable supply.

    Attributes:
        rate: CZK for `quantity` units of `currency`, as the ČNB fixed it on `day`.
        per_unit: CZK for one unit (what the amounts are converted with).
        day: the fixing day (the taxable supply date, or the last fixing before it).
        vat_summary: each VAT rate's base and VAT in CZK, rounded to hellers.
        base: the tax base in CZK (for the reverse charge, what the customer declares).
        vat: the VAT in CZK.
    """

    currency: str
    rate: Decimal
    quantity: int
    per_unit: Decimal
    day: dt.date
    vat_summary: list[VatRateTotal]
    base: Decimal
    vat: Decimal


class Invoice(PublicModel):
    id: int
    client_id: int
    client_name: str
    status: str
    kind: str
    number: str | None
    corrects: str | None
    reason: str
    credit_notes: list[str]
    variable_symbol: str | None
    currency: str
    language: str
    issue_date: dt.date | None
    due_date: dt.date | None
    taxable_supply_date: dt.date | None
    notes: str
    grouping: str
    vat_mode: str
    vat_rate: Decimal | None
    vat_summary: list[VatRateTotal]
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    balance: Decimal
    payment_state: str | None
    lines: list[InvoiceLine]
    czk: CzkAmounts | None = None
    """A VAT payer's foreign-currency invoice in CZK at the ČNB rate (set when issued)."""

    def _repr_html_(self) -> str:
        lines = [(x.description, x.quantity, x.unit, x.unit_price, x.amount) for x in self.lines]
        header = ("description", "quantity", "unit", "unit price", "amount")
        return super()._repr_html_() + html_rows("lines", header, lines)


class ExchangeRate(PublicModel):
    """A central bank's fixing: `rate` CZK for `quantity` units of `currency` on `day`.

    Attributes:
        per_unit: CZK for one unit (`rate` / `quantity`), as invoices convert with it.
        day: the fixing day; `rate_on` gives the last one on or before the day asked.
    """

    currency: str
    day: dt.date
    rate: Decimal
    quantity: int
    per_unit: Decimal
    source: str

    @classmethod
    def from_row(cls, row: tables.ExchangeRate) -> ExchangeRate:
        rate = Decimal(row.rate_micro).scaleb(-6)
        return cls(
            currency=row.currency,
            day=row.day,
            rate=plain_decimal(rate),
            quantity=row.quantity,
            per_unit=plain_decimal(rate / row.quantity),
            source=row.source,
        )


class Payment(PublicModel):
    id: int
    invoice_id: int
    amount: Decimal
    currency: str
    paid_on: dt.date
    transaction_id: int | None
    method: str
    note: str
    evidence: dict[str, Any]

    @classmethod
    def from_row(cls, row: tables.Payment) -> Payment:
        data = _columns(row, frozenset({"amount_minor", "created_at", "evidence"}))
        return cls(
            **data,
            amount=from_minor(row.amount_minor, row.currency),
            evidence=json.loads(row.evidence or "{}"),
        )


class MoneyTransaction(TransactionView, PublicModel):
    """A stored transaction: the plugin contract's `TransactionView`, as the API returns it."""

    @classmethod
    def from_row(cls, row: tables.MoneyTransaction) -> MoneyTransaction:
        data = _columns(row, frozenset({"amount_minor", "created_at", "details"}))
        return cls(
            **data,
            amount=from_minor(row.amount_minor, row.currency),
            details=json.loads(row.details),
        )


class AuditEntry(PublicModel):
    id: int
    at: dt.datetime
    source: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    run_id: int | None

    @classmethod
    def from_row(cls, row: tables.AuditEvent) -> AuditEntry:
        assert row.id is not None
        return cls(
            id=row.id,
            at=row.at,
            source=row.source,
            entity=row.entity,
            entity_id=row.entity_id,
            action=row.action,
            before=json.loads(row.before) if row.before else None,
            after=json.loads(row.after) if row.after else None,
            run_id=row.run_id,
        )

    def changes(self) -> dict[str, tuple[Any, Any]]:
        """Field → (before, after) for every field this event touched."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}

    def _repr_html_(self) -> str:
        title = f"{self.action} {self.entity} {self.entity_id} by {self.source} at {self.at}"
        rows = [(field, old, new) for field, (old, new) in self.changes().items()]
        return html_rows(title, ("field", "before", "after"), rows)


class AppSettings(PublicModel):
    supplier_name: str
    supplier_address: str
    supplier_company_id: str
    supplier_vat_id: str
    supplier_email: str
    vat_payer: bool
    default_vat_rate: Decimal | None
    number_pattern: str
    credit_note_pattern: str
    default_due_days: int
    payment_tolerance_minor: int
    default_hourly_rate_minor: int | None
    locale: str
    theme: str
    time_zone: str

    @classmethod
    def from_row(cls, row: tables.AppSettings) -> AppSettings:
        return cls.from_mapping(row.model_dump())

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> AppSettings:
        """From the settings row's columns by name (a row read without the ORM)."""
        data = {k: v for k, v in row.items() if k not in _NOT_PUBLIC_SETTINGS}
        zone = row["time_zone"] or datetimes.machine_zone()
        return cls(**data, default_vat_rate=percent(row["default_vat_rate_bp"]), time_zone=zone)


_NOT_PUBLIC_SETTINGS = frozenset({"id", "default_vat_rate_bp", "time_zone"})


class BankAccount(PublicModel):
    """Where clients pay invoices in `currency`: a Czech account number and/or IBAN."""

    id: int
    currency: str
    label: str
    account_number: str
    iban: str
    bic: str

    @classmethod
    def from_row(cls, row: tables.BankAccount) -> BankAccount:
        return cls.model_validate(row.model_dump())
