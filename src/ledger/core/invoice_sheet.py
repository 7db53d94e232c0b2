"""What an invoice's document states, read in plain SQL over any DB-API connection.

Standard library only: ``ledger invoice pdf`` reads it on a SQLite file before
SQLAlchemy and pydantic load (`ledger.cli.start`), and `lg.documents` runs the same
statements through its session, so every PDF is made from one reading of the
invoice. The amounts follow the public `Invoice` (`ledger.core.invoices.views`): the
VAT summary and CZK figures come from the same functions (`ledger.core.tax_figures`),
and a test holds the two readings equal for every kind of invoice.

The statements are the common subset of SQLite and PostgreSQL, with named parameters
(``:id``), which both ``sqlite3`` and SQLAlchemy's ``text()`` bind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from ledger.contracts.currencies import from_minor
from ledger.core.tax_figures import (
    CzkFigures,
    RateAmounts,
    czk_figures,
    percent,
    plain_decimal,
    rate_amounts,
    summarize,
)

Execute = Callable[[str, Mapping[str, Any]], Iterable[Sequence[Any]]]
"""Runs one statement with named parameters and returns its rows."""

SETTLED_BY_CREDIT = "credit"
"""The method of a payment that records a credit note settling an invoice."""

INVOICE_ID = "SELECT id FROM invoices WHERE number = :number"
INVOICE = (
    "SELECT i.id, i.status, i.kind, i.number,"
    " (SELECT o.number FROM invoices o WHERE o.id = i.corrects_id), i.reason,"
    " i.variable_symbol, i.currency, i.language, i.issue_date, i.due_date,"
    " i.taxable_supply_date, i.notes, i.vat_mode, i.subtotal_minor, i.vat_minor,"
    " i.total_minor, i.czk_rate_micro, i.czk_rate_quantity, i.czk_rate_day, i.client_id"
    " FROM invoices i WHERE i.id = :id"
)
LINES = (
    "SELECT description, quantity_milli, unit, unit_price_minor, amount_minor, vat_rate_bp"
    " FROM invoice_lines WHERE invoice_id = :id ORDER BY position"
)
# Every settlement (payments and credit notes) and, of it, what credit notes settled.
SETTLED = (
    "SELECT coalesce(sum(amount_minor), 0),"
    " coalesce(sum(CASE WHEN method = :credit THEN amount_minor END), 0)"
    " FROM payments WHERE invoice_id = :id"
)
CREDIT_NOTES = (
    "SELECT number FROM invoices WHERE corrects_id = :id AND number IS NOT NULL ORDER BY id"
)
CUSTOMER = (
    "SELECT name, contact_name, address, company_id, vat_id, email FROM clients WHERE id = :id"
)
SUPPLIER = (
    "SELECT supplier_name, supplier_address, supplier_company_id, supplier_vat_id,"
    " supplier_email, locale FROM app_settings ORDER BY id LIMIT 1"
)
ACCOUNT = "SELECT account_number, iban, bic FROM bank_accounts WHERE currency = :currency"


class InvoiceFacts(Protocol):
    """What the documents read of an invoice, to name it and to make its payment code:
    `SheetInvoice` and the public `Invoice` both have it."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def number(self) -> str | None: ...
    @property
    def variable_symbol(self) -> str | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def vat_mode(self) -> str: ...
    @property
    def balance(self) -> Decimal: ...


class SheetLine(NamedTuple):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal | None


class SheetInvoice(NamedTuple):
    """The invoice's own facts, named as on the public `Invoice`."""

    id: int
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
    vat_mode: str
    vat_summary: list[RateAmounts]
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    balance: Decimal
    lines: list[SheetLine]
    czk: CzkFigures | None


class Customer(NamedTuple):
    name: str
    contact_name: str
    address: str
    company_id: str
    vat_id: str
    email: str


class Supplier(NamedTuple):
    """The supplier as the settings name it, and the app's language."""

    supplier_name: str
    supplier_address: str
    supplier_company_id: str
    supplier_vat_id: str
    supplier_email: str
    locale: str


class Account(NamedTuple):
    account_number: str
    iban: str
    bic: str


class Sheet(NamedTuple):
    """Everything one invoice's document shows but its payment code."""

    invoice: SheetInvoice
    client: Customer
    supplier: Supplier
    account: Account | None


NO_SETTINGS = Supplier("", "", "", "", "", "en")
"""The supplier before any settings are saved (the settings' defaults)."""


def invoice_id(execute: Execute, number: str) -> int | None:
    """The id of the invoice or credit note numbered `number`, or None."""
    found = _first(execute(INVOICE_ID, {"number": number}))
    return None if found is None else int(found[0])


def read_sheet(execute: Execute, invoice_id: int) -> Sheet:
    """The sheet of the invoice with id `invoice_id` (`LookupError` if there is none)."""
    row = _first(execute(INVOICE, {"id": invoice_id}))
    if row is None:
        raise LookupError(f"no invoice with id {invoice_id}")
    invoice = _invoice(execute, row)
    client = _first(execute(CUSTOMER, {"id": row[20]}))
    if client is None:
        raise LookupError(f"no client with id {row[20]}")
    supplier = _first(execute(SUPPLIER, {}))
    account = _first(execute(ACCOUNT, {"currency": invoice.currency}))
    return Sheet(
        invoice,
        Customer(*client),
        NO_SETTINGS if supplier is None else Supplier(*supplier),
        None if account is None else Account(*account),
    )


def _invoice(execute: Execute, row: Sequence[Any]) -> SheetInvoice:
    (id_, status, kind, number, corrects, reason, symbol, currency, language, issued, due,
     supplied, notes, vat_mode, subtotal, vat, total, rate, quantity, day, _) = row  # fmt: skip
    lines = list(execute(LINES, {"id": id_}))
    summary = summarize((line[4], line[5]) for line in lines)
    sums = _first(execute(SETTLED, {"id": id_, "credit": SETTLED_BY_CREDIT})) or (0, 0)
    settled, credited = int(sums[0]), int(sums[1])  # PostgreSQL sums to numeric
    paid, credited_amount, balance = settled_amounts(kind, total, settled, credited, currency)
    return SheetInvoice(
        id=id_,
        status=status,
        kind=kind,
        number=number,
        corrects=corrects,
        reason=reason,
        credit_notes=[note for (note,) in execute(CREDIT_NOTES, {"id": id_})],
        variable_symbol=symbol,
        currency=currency,
        language=language,
        issue_date=_day(issued),
        due_date=_day(due),
        taxable_supply_date=_day(supplied),
        notes=notes,
        vat_mode=vat_mode,
        vat_summary=rate_amounts(summary, currency),
        subtotal=from_minor(subtotal, currency),
        vat=from_minor(vat, currency),
        total=from_minor(total, currency),
        paid=paid,
        credited=credited_amount,
        balance=balance,
        lines=[sheet_line(line, currency) for line in lines],
        czk=czk_figures(currency, (rate, quantity, _day(day)), summary, subtotal),
    )


def settled_amounts(
    kind: str, total_minor: int, settled_minor: int, credited_minor: int, currency: str
) -> tuple[Decimal, Decimal, Decimal]:
    """What an invoice was paid (in money), credited (by credit notes) and still owes,
    from its total and settlements (all of them, and those by credit notes)."""
    # A credit note takes no payments: nothing is due on it (the refund, if any, shows
    # on the invoice it corrects, as an overpayment).
    owed = 0 if kind == "credit_note" else total_minor - settled_minor
    return (
        from_minor(settled_minor - credited_minor, currency),
        from_minor(credited_minor, currency),
        from_minor(owed, currency),
    )


def sheet_line(row: Sequence[Any], currency: str) -> SheetLine:
    """A line as stated, from its columns as `LINES` reads them."""
    description, quantity_milli, unit, unit_price, amount, rate = row
    return SheetLine(
        description=description,
        quantity=plain_decimal(Decimal(quantity_milli).scaleb(-3)),
        unit=unit,
        unit_price=from_minor(unit_price, currency),
        amount=from_minor(amount, currency),
        vat_rate=percent(rate),
    )


def _day(value: dt.date | str | None) -> dt.date | None:
    """A stored date (SQLite hands back its ISO text, PostgreSQL a date)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _first(rows: Iterable[Sequence[Any]]) -> Sequence[Any] | None:
    return next(iter(rows), None)
