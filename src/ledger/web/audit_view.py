"""The audit trail in a reader's words: who, what and which values, formatted.

An event stores a source (``user:1``), a table and column names and raw values
(``amount_minor: 150000``). The audit page shows the user's name, "Invoice
2025-0003 · Acme", "Amount: 1 500,00 Kč"; the raw event stays one click away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.core.audit_subjects import Subjects
from ledger.core.models import AuditEntry
from ledger.core.money import CURRENCY_EXPONENTS, from_minor
from ledger.web.evidence import GROUPINGS, KINDS, METHODS, ROUNDINGS, STATUSES, UNITS
from ledger.web.forms import N_
from ledger.web.i18n import Translator

ENTITIES = {
    "users": N_("User"),
    "clients": N_("Client"),
    "projects": N_("Project"),
    "work_entries": N_("Time entry"),
    "invoices": N_("Invoice"),
    "invoice_lines": N_("Invoice line"),
    "money_transactions": N_("Bank transaction"),
    "payments": N_("Payment"),
    "app_settings": N_("Settings"),
    "plugin_settings": N_("Integration settings"),
    "plugin_state": N_("Integration state"),
    "match_suggestions": N_("Payment suggestion"),
    "share_links": N_("Share link"),
    "external_links": N_("Link to another system"),
    "recurring_templates": N_("Recurring template"),
    "recurring_template_lines": N_("Recurring template line"),
    "mail_settings": N_("E-mail settings"),
    "invoice_mailings": N_("E-mail sent"),
}
"""Each audited table as the UI names one of its rows."""

FIELDS = {
    "account": N_("Account"), "address": N_("Address"), "allocations": N_("Allocations"),
    "amount_minor": N_("Amount"), "archived": N_("Archived"), "billable": N_("Billable"),
    "billed_amount_minor": N_("Billed amount"), "billed_minutes": N_("Billed time"),
    "billed_rate_minor": N_("Billed rate"), "booked_on": N_("Booked on"),
    "cancelled_at": N_("Cancelled at"), "client_id": N_("Client"),
    "company_id": N_("Company ID"), "constant_symbol": N_("Constant symbol"),
    "contact_name": N_("Contact name"), "corrects_id": N_("Corrects"),
    "counterparty_account": N_("Counterparty account"),
    "counterparty_name": N_("Counterparty"), "created_at": N_("Created at"),
    "credit_note_pattern": N_("Credit note numbers"), "credits_line_id": N_("Credits line"),
    "currency": N_("Currency"), "cursor": N_("Sync position"), "date": N_("Date"),
    "default_due_days": N_("Days to pay"),
    "default_hourly_rate_minor": N_("Default hourly rate"),
    "default_vat_rate_bp": N_("Default VAT rate"), "description": N_("Description"),
    "details": N_("Details"), "due_date": N_("Due date"), "email": N_("Email"),
    "enabled": N_("Enabled"), "ended_at": N_("Ended at"), "entity": N_("Record type"),
    "evidence": N_("Evidence"), "expires_at": N_("Expires at"),
    "external_id": N_("External id"), "fingerprint": N_("Fingerprint"),
    "grouping": N_("Grouping"), "hourly_rate_minor": N_("Hourly rate"),
    "invoice_id": N_("Invoice"), "issue_date": N_("Issue date"), "issued_at": N_("Issued at"),
    "kind": N_("Kind"), "language": N_("Language"), "locale": N_("Language"),
    "match_locked": N_("Match locked"), "matched_invoice_id": N_("Matched invoice"),
    "message": N_("Message"), "method": N_("Method"), "minutes": N_("Time"),
    "name": N_("Name"), "note": N_("Note"), "notes": N_("Notes"), "number": N_("Number"),
    "number_pattern": N_("Invoice numbers"), "object_id": N_("Record"),
    "paid_on": N_("Paid on"), "password_hash": N_("Password"),
    "payment_terms_days": N_("Days to pay"),
    "payment_tolerance_minor": N_("Payment tolerance"), "phone": N_("Phone"),
    "plugin": N_("Integration"), "position": N_("Position"), "project_id": N_("Project"),
    "pushed_fingerprint": N_("Sent version"), "quantity_milli": N_("Quantity"),
    "reason": N_("Reason"), "revoked_at": N_("Revoked at"), "rounding": N_("Rounding"),
    "rounding_minutes": N_("Rounding minutes"), "score": N_("Score"),
    "secrets": N_("Secrets"), "sequence": N_("Sequence"), "series": N_("Series"),
    "source": N_("Source"), "specific_symbol": N_("Specific symbol"),
    "started_at": N_("Started at"), "status": N_("Status"), "subtotal_minor": N_("Subtotal"),
    "supplier_account_number": N_("Account number"), "supplier_address": N_("Address"),
    "supplier_bic": N_("BIC"), "supplier_company_id": N_("Company ID"),
    "supplier_email": N_("Email"), "supplier_iban": N_("IBAN"),
    "supplier_name": N_("Your name or company"), "supplier_vat_id": N_("VAT ID"),
    "taxable_supply_date": N_("Taxable supply date"), "theme": N_("Theme"),
    "token_hash": N_("Link token"), "total_minor": N_("Total"),
    "transaction_id": N_("Bank transaction"), "unit": N_("Unit"),
    "unit_price_minor": N_("Unit price"), "updated_at": N_("Updated at"),
    "upstream_state": N_("Upstream state"), "username": N_("User name"),
    "values": N_("Values"), "variable_symbol": N_("Variable symbol"), "vat_id": N_("VAT ID"),
    "vat_minor": N_("VAT"), "vat_mode": N_("VAT"), "vat_payer": N_("VAT payer"),
    "vat_rate_bp": N_("VAT rate"), "interval": N_("Interval"), "next_date": N_("Next date"),
    "anchor_day": N_("Day of the month"), "mode": N_("Mode"), "active": N_("Active"),
    "template_id": N_("Template"), "recurring_template_id": N_("Template"),
    "period_start": N_("Period"),
}  # fmt: skip
"""Column → the label a form shows for it."""

VALUES = {
    "status": {**STATUSES, "open": N_("open"), "accepted": N_("accepted"),
               "rejected": N_("rejected")},
    "method": METHODS,
    "unit": UNITS,
    "grouping": GROUPINGS,
    "kind": {**KINDS, "invoice": N_("Invoice"), "credit_note": N_("Credit note"),
             "time": N_("Time"), "fixed": N_("Fixed amount")},
    "rounding": ROUNDINGS,
    "security": {"none": N_("No encryption")},
    "vat_mode": {"vat": N_("VAT charged"), "reverse_charge": N_("Reverse charge"),
                 "none": N_("No VAT")},
}  # fmt: skip
"""Stored words of enumerated columns, as the UI names them elsewhere."""

SOURCES = {"cli": N_("Command line"), "notebook": N_("Notebook")}
PLUGIN, SYSTEM, GONE_USER = N_("Integration %(name)s"), N_("System (%(name)s)"), N_("User %(id)s")
YES, NO = N_("yes"), N_("no")


@dataclass(frozen=True)
class Change:
    """One field an event changed, formatted for reading."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit page shows it."""

    event: AuditEntry
    who: str
    kind: str
    name: str
    changes: list[Change]


def source_label(source: str, subjects: Subjects, t: Translator) -> str:
    """``user:1`` → the user's name, ``plugin:fio`` → "Integration fio", ..."""
    kind, _, name = source.partition(":")
    if kind == "user" and name.isdigit():
        return subjects.user(int(name)) or t.gettext(GONE_USER, id=name)
    if kind == "plugin":
        return t.gettext(PLUGIN, name=name)
    if kind == "system":
        return t.gettext(SYSTEM, name=name)
    return t.gettext(SOURCES[source]) if source in SOURCES else source


def entity_label(entity: str, t: Translator) -> str:
    """``invoices`` → "Invoice" in the user's language."""
    return t.gettext(ENTITIES[entity]) if entity in ENTITIES else entity


def audit_row(event: AuditEntry, subjects: Subjects, t: Translator) -> AuditRow:
    """`event` with names instead of ids and values formatted in the user's locale."""
    subject = subjects.of(event)
    values = event.after or event.before or {}
    currency = values.get("currency") or subject.currency
    changes = [
        Change(
            t.gettext(FIELDS[field]) if field in FIELDS else field,
            readable(field, old, currency, subjects, t),
            readable(field, new, currency, subjects, t),
        )
        for field, (old, new) in event.changes().items()
    ]
    return AuditRow(
        event=event,
        who=source_label(event.source, subjects, t),
        kind=entity_label(event.entity, t),
        name=subject.name,
        changes=changes,
    )


def readable(field: str, value: Any, currency: Any, subjects: Subjects, t: Translator) -> str:
    """One stored value as a reader expects it: money, dates, names, yes/no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t.gettext(YES if value else NO)
    if isinstance(value, int):
        return subjects.referred(field, value) or _number(field, value, currency, t)
    if isinstance(value, str) and value in VALUES.get(field, {}):
        return t.gettext(VALUES[field][value])
    return _moment(value, t) if isinstance(value, str) else str(value)


def _number(field: str, value: int, currency: Any, t: Translator) -> str:
    """Minor units as money, basis points as a percentage, minutes as hours."""
    if field.endswith("_minor"):
        if isinstance(currency, str) and currency in CURRENCY_EXPONENTS:
            return t.money(from_minor(value, currency), currency)
        return t.number(Decimal(value).scaleb(-2))
    scale = {"_bp": -2, "_milli": -3}.get(field[field.rfind("_") :])
    if scale is not None:
        shown = t.number(Decimal(value).scaleb(scale))
        return f"{shown} %" if field.endswith("_bp") else shown
    if field.endswith("minutes") and field != "rounding_minutes":
        return t.hours(value)
    return str(value)


def _moment(text: str, t: Translator) -> str:
    """ISO dates and times (as the audit stores them) in the locale; other text as is."""
    try:
        if len(text) == 10:
            return t.date(dt.date.fromisoformat(text))
        if len(text) >= 19 and text[10] == "T":
            return t.datetime(dt.datetime.fromisoformat(text))
    except ValueError:
        return text
    return text
