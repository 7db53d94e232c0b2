"""What a plugin reads: plain, frozen views of ledger data (no database objects)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    """Base of the read models a plugin receives; extra fields are dropped."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class InvoiceView(View):
    """An invoice as a plugin sees it.

    Attributes:
        status: ``draft``, ``issued`` or ``cancelled``.
        payment_state: ``unpaid``, ``overdue``, ``partially_paid``, ``paid`` or
            ``overpaid`` for an issued invoice, else None.
        balance: what is still owed (total minus payments).
    """

    id: int
    client_id: int
    client_name: str
    status: str
    number: str | None
    variable_symbol: str | None
    currency: str
    issue_date: dt.date | None
    due_date: dt.date | None
    total: Decimal
    paid: Decimal
    balance: Decimal
    payment_state: str | None


class TransactionView(View):
    """A stored money transaction; `amount` is signed (+ in, - out)."""

    id: int
    source: str
    external_id: str
    account: str
    booked_on: dt.date
    amount: Decimal
    currency: str
    counterparty_name: str
    counterparty_account: str
    variable_symbol: str
    constant_symbol: str
    specific_symbol: str
    message: str
    details: dict[str, str]
    kind: str
    matched_invoice_id: int | None


class ClientView(View):
    """A client: who the user invoices."""

    id: int
    name: str
    currency: str
    email: str
    archived: bool


class ProjectView(View):
    """A project of a client."""

    id: int
    client_id: int
    name: str
    currency: str
    archived: bool


class TimeEntryView(View):
    """Work recorded in ledger.

    Attributes:
        invoice_id: the invoice it is billed on (a draft or issued one), else None.
        invoice_status: that invoice's status (``draft``, ``issued``, ``cancelled``).
    """

    id: int
    project_id: int
    date: dt.date
    minutes: int | None
    description: str
    billable: bool
    invoice_id: int | None
    invoice_status: str | None


class LinkView(View):
    """A ledger object's twin upstream, as this plugin recorded it.

    Attributes:
        entity: ``clients``, ``projects``, ``time_entries``, ``money_transactions``...
        object_id: the ledger object's id.
        external_id: the upstream id.
        upstream_state: digest of what was last pulled for it ("" if never).
        pushed_fingerprint: digest of what was last pushed ("" if never).
    """

    entity: str
    object_id: int
    external_id: str
    upstream_state: str
    pushed_fingerprint: str


class ExchangeRateView(View):
    """A stored fixing: `rate` CZK for `quantity` units of `currency` on `day`."""

    currency: str
    day: dt.date
    rate: Decimal
    quantity: int
    source: str
