"""Database tables (SQLModel). Money is integer minor units plus a currency code.

These classes are storage shapes; the public API hands out the frozen models in
:mod:`ledger.core.models` instead. Every write to them goes through an audited unit of
work (:mod:`ledger.storage.database`).
"""

# ruff: noqa: PLC0414 (`X as X` re-exports the bookkeeping tables under mypy --strict)

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ledger.storage.system_tables import (  # re-exported: every table is `tables.X`
    AuditCheckpoint as AuditCheckpoint,
    AuditEvent as AuditEvent,
    BackupRecord as BackupRecord,
    PluginSettings as PluginSettings,
    PluginState as PluginState,
    SyncRun as SyncRun,
    ThrottleWindow as ThrottleWindow,
    WebSession as WebSession,
)
from ledger.storage.timestamps import utcnow as utcnow

# Money columns are BigInteger: minor units of a large amount overflow 32 bits
# (21,474,836.47 CZK) on PostgreSQL.


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=80)
    password_hash: str = Field(max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Client(SQLModel, table=True):
    __tablename__ = "clients"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    contact_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    address: str = Field(default="", sa_type=Text)
    company_id: str = Field(default="", max_length=20)
    vat_id: str = Field(default="", max_length=20)
    currency: str = Field(max_length=3)
    language: str = Field(default="en", max_length=2)
    hourly_rate_minor: int | None = Field(default=None, sa_type=BigInteger)
    payment_terms_days: int = 14
    archived: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class Project(SQLModel, table=True):
    __tablename__ = "projects"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="clients.id", index=True)
    name: str = Field(max_length=200)
    hourly_rate_minor: int | None = Field(default=None, sa_type=BigInteger)
    currency: str = Field(max_length=3)
    rounding: str = Field(default="none", max_length=10)
    rounding_minutes: int = 0
    archived: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class WorkEntry(SQLModel, table=True):
    __tablename__ = "work_entries"
    __table_args__ = (
        # Covers monthly earnings, summed per invoice and project in this order without
        # a sort, and serves lookups by invoice. Billed rows only, so that a query for
        # unbilled ones takes ix_work_entries_open rather than this index's NULL range.
        Index(
            "ix_work_entries_earnings",
            "invoice_id",
            "project_id",
            "date",
            "billed_amount_minor",
            sqlite_where=text("invoice_id IS NOT NULL"),
            postgresql_where=text("invoice_id IS NOT NULL"),
        ),
        Index("ix_work_entries_unbilled", "project_id", "invoice_id", "billable"),
        # Unbilled work summed per project (dashboard, status): only open rows, covered
        # (SQLite reads the table for a column of the index's WHERE it does not hold).
        # Billable first: the non-billable rows, never billed, pile up over the years
        # and a search for billable ones skips them; in project order, no sort to group.
        Index(
            "ix_work_entries_open",
            "billable",
            "project_id",
            "kind",
            "hourly_rate_minor",
            "minutes",
            "amount_minor",
            "invoice_id",
            sqlite_where=text("invoice_id IS NULL"),
            postgresql_where=text("invoice_id IS NULL"),
        ),
        # Entries by day, with their minutes: the dashboard's hours this week and this
        # month are read from the index alone.
        Index("ix_work_entries_date", "date", "minutes"),
        # The running timer, asked for by every logged-in page: at most one row.
        Index(
            "ix_work_entries_running",
            "id",
            sqlite_where=text("started_at IS NOT NULL AND ended_at IS NULL"),
            postgresql_where=text("started_at IS NOT NULL AND ended_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id")
    date: dt.date
    description: str = Field(default="", sa_type=Text)
    kind: str = Field(default="time", max_length=5)
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    minutes: int | None = None
    billable: bool = True
    hourly_rate_minor: int | None = Field(default=None, sa_type=BigInteger)
    amount_minor: int | None = Field(default=None, sa_type=BigInteger)
    billed_rate_minor: int | None = Field(default=None, sa_type=BigInteger)
    billed_minutes: int | None = None
    billed_amount_minor: int | None = Field(default=None, sa_type=BigInteger)
    invoice_id: int | None = Field(default=None, foreign_key="invoices.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("series", "sequence"),
        # The dashboard's money owed and overdue reminders (issued, by due date), and
        # its months and top clients (issued, by issue date): read from the indexes.
        Index("ix_invoices_open", "status", "due_date", "kind", "currency", "total_minor"),
        Index(
            "ix_invoices_issued", "status", "issue_date", "currency", "client_id", "total_minor"
        ),
        # One invoice per recurring template and period, even when two runs race.
        UniqueConstraint(
            "recurring_template_id", "period_start", name="uq_invoices_recurring_period"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="clients.id", index=True)
    status: str = Field(default="draft", max_length=10)
    kind: str = Field(default="invoice", max_length=12)
    corrects_id: int | None = Field(default=None, foreign_key="invoices.id", index=True)
    reason: str = Field(default="", sa_type=Text)
    series: str | None = Field(default=None, max_length=20)
    sequence: int | None = None
    number: str | None = Field(default=None, unique=True, max_length=40)
    variable_symbol: str | None = Field(default=None, max_length=10, index=True)
    currency: str = Field(max_length=3)
    language: str = Field(default="en", max_length=2)
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    taxable_supply_date: dt.date | None = None
    notes: str = Field(default="", sa_type=Text)
    grouping: str = Field(default="project", max_length=10)
    vat_mode: str = Field(default="none", max_length=15)
    vat_rate_bp: int | None = None
    # The ČNB rate snapshotted at issue for a VAT payer's foreign-currency invoice:
    # micro-CZK per `czk_rate_quantity` units, fixed on `czk_rate_day`.
    czk_rate_micro: int | None = Field(default=None, sa_type=BigInteger)
    czk_rate_quantity: int | None = None
    czk_rate_day: dt.date | None = None
    subtotal_minor: int = Field(default=0, sa_type=BigInteger)
    vat_minor: int = Field(default=0, sa_type=BigInteger)
    total_minor: int = Field(default=0, sa_type=BigInteger)
    created_at: dt.datetime = Field(default_factory=utcnow)
    issued_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    # The recurring template and the period (its first day) this invoice was made for.
    recurring_template_id: int | None = Field(
        default=None, foreign_key="recurring_templates.id", index=True
    )
    period_start: dt.date | None = None


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_lines"
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    position: int
    description: str = Field(sa_type=Text)
    quantity_milli: int
    unit: str = Field(max_length=10)
    unit_price_minor: int = Field(sa_type=BigInteger)
    amount_minor: int = Field(sa_type=BigInteger)
    vat_rate_bp: int | None = None
    credits_line_id: int | None = Field(default=None, foreign_key="invoice_lines.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="projects.id")


class RecurringTemplate(SQLModel, table=True):
    """An invoice made again every interval for a client: its lines are the template's.

    `anchor_day` is the day of the month periods fall on (31: the last day of short
    months), kept so that Jan 31 → Feb 28 → Mar 31.
    """

    __tablename__ = "recurring_templates"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="clients.id", index=True)
    name: str = Field(max_length=200)
    interval: str = Field(max_length=10)
    next_date: dt.date
    anchor_day: int
    mode: str = Field(default="draft", max_length=5)
    active: bool = True
    notes: str = Field(default="", sa_type=Text)
    language: str = Field(default="en", max_length=2)
    currency: str = Field(max_length=3)
    created_at: dt.datetime = Field(default_factory=utcnow)


class RecurringTemplateLine(SQLModel, table=True):
    __tablename__ = "recurring_template_lines"
    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="recurring_templates.id", index=True)
    position: int
    description: str = Field(sa_type=Text)
    quantity_milli: int
    unit: str = Field(max_length=10)
    unit_price_minor: int = Field(sa_type=BigInteger)
    vat_rate_bp: int | None = None


class MoneyTransaction(SQLModel, table=True):
    __tablename__ = "money_transactions"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # The dashboard's income and expenses per month, read from the index alone.
        Index("ix_money_transactions_cash", "kind", "booked_on", "currency", "amount_minor"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=60)
    external_id: str = Field(max_length=100)
    account: str = Field(default="", max_length=60)
    booked_on: dt.date = Field(index=True)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    counterparty_name: str = Field(default="", max_length=200)
    counterparty_account: str = Field(default="", max_length=60)
    variable_symbol: str = Field(default="", max_length=10, index=True)
    constant_symbol: str = Field(default="", max_length=10)
    specific_symbol: str = Field(default="", max_length=10)
    message: str = Field(default="", sa_type=Text)
    details: str = Field(default="{}", sa_type=Text)
    fingerprint: str = Field(default="", max_length=32)
    kind: str = Field(max_length=7)
    match_locked: bool = False
    matched_invoice_id: int | None = Field(default=None, foreign_key="invoices.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class ExchangeRate(SQLModel, table=True):
    """A central bank's fixing: `rate_micro` micro-CZK for `quantity` units on `day`."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("currency", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    currency: str = Field(max_length=3)
    day: dt.date
    rate_micro: int = Field(sa_type=BigInteger)
    quantity: int = 1
    source: str = Field(max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    # What an invoice was paid, summed per invoice from the index alone.
    __table_args__ = (Index("ix_payments_settled", "invoice_id", "amount_minor"),)
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    paid_on: dt.date
    transaction_id: int | None = Field(
        default=None, foreign_key="money_transactions.id", index=True
    )
    method: str = Field(default="manual", max_length=10)
    note: str = Field(default="", sa_type=Text)
    evidence: str = Field(default="{}", sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow)


class MatchSuggestion(SQLModel, table=True):
    """A possible match the matcher was not sure enough to apply: the review queue."""

    __tablename__ = "match_suggestions"
    __table_args__ = (UniqueConstraint("transaction_id", "allocations"),)
    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="money_transactions.id", index=True)
    allocations: str = Field(sa_type=Text)
    evidence: str = Field(default="{}", sa_type=Text)
    score: int = 0
    status: str = Field(default="open", max_length=10, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ShareLink(SQLModel, table=True):
    """A client portal link to one invoice; only the token's SHA-256 is stored."""

    __tablename__ = "share_links"
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class AppSettings(SQLModel, table=True):
    __tablename__ = "app_settings"
    id: int | None = Field(default=None, primary_key=True)
    supplier_name: str = Field(default="", max_length=200)
    supplier_address: str = Field(default="", sa_type=Text)
    supplier_company_id: str = Field(default="", max_length=20)
    supplier_vat_id: str = Field(default="", max_length=20)
    supplier_email: str = Field(default="", max_length=200)
    vat_payer: bool = False
    default_vat_rate_bp: int | None = None
    number_pattern: str = Field(default="{year}-{seq:04d}", max_length=60)
    credit_note_pattern: str = Field(default="D{year}-{seq:04d}", max_length=60)
    default_due_days: int = 14
    payment_tolerance_minor: int = Field(default=100, sa_type=BigInteger)
    default_hourly_rate_minor: int | None = Field(default=None, sa_type=BigInteger)
    locale: str = Field(default="en", max_length=5)
    theme: str = Field(default="auto", max_length=5)
    time_zone: str = Field(default="", max_length=64)  # "": the machine's zone


class BankAccount(SQLModel, table=True):
    """Where clients pay: at most one account per currency, printed on its invoices."""

    __tablename__ = "bank_accounts"
    id: int | None = Field(default=None, primary_key=True)
    currency: str = Field(max_length=3, unique=True)
    label: str = Field(default="", max_length=100)
    account_number: str = Field(default="", max_length=40)
    iban: str = Field(default="", max_length=34)
    bic: str = Field(default="", max_length=11)


class MailSettings(SQLModel, table=True):
    """How invoices leave by e-mail: one SMTP server; the password is encrypted."""

    __tablename__ = "mail_settings"
    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(default="", max_length=200)
    port: int = 587
    security: str = Field(default="starttls", max_length=10)
    username: str = Field(default="", max_length=200)
    password: str = Field(default="", sa_type=Text)  # SecretBox ciphertext, or ""
    sender: str = Field(default="", max_length=200)
    bcc_self: bool = False


class InvoiceMailing(SQLModel, table=True):
    """One e-mail that carried an invoice (kind ``invoice``) or a reminder of it."""

    __tablename__ = "invoice_mailings"
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    kind: str = Field(default="invoice", max_length=10)
    sent_at: dt.datetime = Field(default_factory=utcnow)
    sent_to: str = Field(max_length=400)


class ExternalLink(SQLModel, table=True):
    """A ledger object's twin in a plugin's upstream: what syncs both ways keep.

    `upstream_state` is the digest of what the plugin last pulled for the object,
    `pushed_fingerprint` the digest of what it last sent, so a re-run with
    nothing changed on either side writes and sends nothing.
    """

    __tablename__ = "external_links"
    __table_args__ = (
        Index("ux_external_links_upstream", "plugin", "entity", "external_id", unique=True),
        Index("ux_external_links_object", "plugin", "entity", "object_id", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    plugin: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    object_id: int = Field(sa_type=BigInteger)
    external_id: str = Field(max_length=100)
    upstream_state: str = Field(default="", max_length=64)
    pushed_fingerprint: str = Field(default="", max_length=64)
    updated_at: dt.datetime = Field(default_factory=utcnow)


AUDITED_TABLES: frozenset[str] = frozenset(
    t.__tablename__
    for t in (
        User,
        Client,
        Project,
        WorkEntry,
        Invoice,
        InvoiceLine,
        RecurringTemplate,
        RecurringTemplateLine,
        MoneyTransaction,
        ExchangeRate,
        Payment,
        AppSettings,
        BankAccount,
        MailSettings,
        InvoiceMailing,
        PluginSettings,
        PluginState,
        MatchSuggestion,
        ShareLink,
        ExternalLink,
    )
)
"""Domain tables whose every change writes an audit event."""
