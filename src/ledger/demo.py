"""A realistic demo dataset: a Czech freelancer with CZK and EUR clients.

Deterministic for a given date: six months of work, monthly invoices issued on the
first of the next month, most paid, one overdue and one partly paid (not yet due).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from ledger.api import Ledger
from ledger.core.models import Invoice
from ledger.core.money import quantize
from ledger.errors import Conflict, LedgerError

SUPPLIER: dict[str, str] = {
    "supplier_name": "Jana Nováková",
    "supplier_address": "Vinohradská 1234/56\n120 00 Praha 2\nCzech Republic",
    "supplier_company_id": "12345679",
    "supplier_vat_id": "CZ8001011234",
    "supplier_email": "jana@novakova.example",
}

# One Fio account per currency: EUR invoices print the EUR account and its EPC code.
BANK_ACCOUNTS: list[dict[str, str]] = [
    {
        "currency": "CZK", "label": "Fio CZK", "account_number": "2001234567/2010",
        "iban": "CZ4720100000002001234567", "bic": "FIOBCZPPXXX",
    },
    {
        "currency": "EUR", "label": "Fio EUR", "account_number": "2101234567/2010",
        "iban": "CZ9120100000002101234567", "bic": "FIOBCZPPXXX",
    },
]  # fmt: skip

CLIENTS: list[dict[str, Any]] = [
    {
        "name": "Acme s.r.o.",
        "currency": "CZK",
        "hourly_rate": "1500",
        "language": "cs",
        "company_id": "27074358",
        "vat_id": "CZ27074358",
        "contact_name": "Petr Svoboda",
        "email": "petr.svoboda@acme.example",
        "address": "Karlova 12\n110 00 Praha 1",
        "projects": [("E-shop redesign", None), ("Údržba serverů", "1200")],
    },
    {
        "name": "Kavárna U Mostu",
        "currency": "CZK",
        "hourly_rate": "1100",
        "language": "cs",
        "company_id": "08765430",
        "contact_name": "Eva Dvořáková",
        "address": "Mostecká 3\n118 00 Praha 1",
        "projects": [("Rezervační systém", None)],
    },
    {
        "name": "Nordwind GmbH",
        "currency": "EUR",
        "hourly_rate": "85",
        "language": "en",
        "vat_id": "DE811234567",
        "payment_terms_days": 30,
        "contact_name": "Lukas Becker",
        "email": "ap@nordwind.example",
        "address": "Hafenstraße 8\n20457 Hamburg\nGermany",
        "projects": [("Data pipeline", None), ("Code review", "95")],
    },
    {
        "name": "Studio Lumen",
        "currency": "EUR",
        "hourly_rate": "60",
        "language": "en",
        "address": "Rue Haute 40\n1000 Brussels\nBelgium",
        "projects": [("Portfolio site", None)],
    },
]

TASKS = [
    "Code review",
    "Bug fixing",
    "Feature work",
    "Meeting",
    "Deployment",
    "Performance tuning",
    "Writing tests",
    "Refactoring",
    "Planning",
    "Documentation",
]

MONTHS = 6


def _supplier(lg: Ledger) -> None:
    """The demo freelancer: a Czech sole trader registered for VAT, with Fio accounts."""
    lg.settings.update(
        supplier_name=SUPPLIER["supplier_name"],
        supplier_address=SUPPLIER["supplier_address"],
        supplier_company_id=SUPPLIER["supplier_company_id"],
        supplier_vat_id=SUPPLIER["supplier_vat_id"],
        supplier_email=SUPPLIER["supplier_email"],
        vat_payer=True,
        default_vat_rate=21,
        time_zone="Europe/Prague",
    )
    for account in BANK_ACCOUNTS:
        lg.bank_accounts.add(**account)


def load_demo(lg: Ledger, seed: int = 2026) -> str:
    """Fill an empty ledger with demo data; return a one-line summary."""
    if lg.clients.list(include_archived=True):
        raise Conflict("the database already has clients; demo data goes into an empty database")
    rng = random.Random(seed)
    today = lg.today()
    with lg.atomic():
        _supplier(lg)
        projects = _clients_and_projects(lg)
        entry_count = _work(lg, rng, projects, today)
        _exchange_rates(lg, today)
        invoices = _invoices(lg, today)
        _payments(lg, invoices, today)
        entry_count += _add_timer_free_today(lg, projects, today)
    return (
        f"{len(CLIENTS)} clients, {len(projects)} projects, "
        f"{entry_count} entries, {len(invoices)} invoices"
    )


def _clients_and_projects(lg: Ledger) -> list[int]:
    project_ids = []
    for spec in CLIENTS:
        fields = {k: v for k, v in spec.items() if k != "projects"}
        client = lg.clients.add(**fields)
        for name, rate in spec["projects"]:
            project = lg.projects.add(
                client, name=name, hourly_rate=rate, rounding="up", rounding_minutes=15
            )
            project_ids.append(project.id)
    return project_ids


def _work(lg: Ledger, rng: random.Random, projects: list[int], today: dt.date) -> int:
    start = _month_start(today, MONTHS)
    by_project: dict[int, list[dict[str, Any]]] = {p: [] for p in projects}
    day = start
    while day < today:
        if day.weekday() < 5:
            for project in rng.sample(projects, k=rng.randint(1, 2)):
                by_project[project].append(
                    {
                        "date": day,
                        "minutes": rng.choice(range(30, 301, 15)),
                        "description": rng.choice(TASKS),
                    }
                )
        if day.day == 1:
            by_project[projects[1]].append(
                {"date": day, "amount": "1490", "description": "Hosting"}
            )
        day += dt.timedelta(days=1)
    return sum(len(lg.entries.add_many(p, items)) for p, items in by_project.items())


def _exchange_rates(lg: Ledger, today: dt.date) -> None:
    """EUR rates for every working day of the demo, as `ledger sync cnb` would store
    them: the VAT payer's EUR invoices are issued at them."""
    day = _month_start(today, MONTHS + 1)
    while day <= today:
        if day.weekday() < 5:
            wobble = Decimal((day.toordinal() * 7) % 21 - 10).scaleb(-3)
            lg.exchange_rates.set("EUR", day, Decimal("24.250") + wobble, source="demo")
        day += dt.timedelta(days=1)


def _invoices(lg: Ledger, today: dt.date) -> list[int]:
    issued = []
    for months_back in range(MONTHS, 0, -1):
        first = _month_start(today, months_back)
        last = _month_start(today, months_back - 1) - dt.timedelta(days=1)
        for client in lg.clients.list():
            try:
                draft = lg.invoices.draft(client, since=first, until=last)
            except LedgerError:
                continue
            invoice = lg.invoices.issue(draft, issue_date=last + dt.timedelta(days=1))
            issued.append(invoice.id)
    return issued


def _payments(lg: Ledger, invoices: list[int], today: dt.date) -> None:
    # The older months' invoices are paid but for the newest of them, which stays
    # open and is overdue by now. The newest month's are open; the first of them that
    # is not yet due (Nordwind's terms are 30 days) is paid in part.
    open_from = max(0, len(invoices) - len(CLIENTS))
    for invoice_id in invoices[: max(0, open_from - 1)]:
        invoice = lg.invoices.get(invoice_id)
        lg.invoices.record_payment(invoice, invoice.total, _paid_on(invoice, today))
    for invoice_id in invoices[open_from:]:
        invoice = lg.invoices.get(invoice_id)
        if invoice.payment_state == "unpaid":
            paid_on = _paid_on(invoice, today)
            half = quantize(invoice.total / 2, invoice.currency)
            lg.invoices.record_payment(invoice, half, paid_on, "first half")
            return


def _paid_on(invoice: Invoice, today: dt.date) -> dt.date:
    assert invoice.issue_date is not None
    return min(invoice.issue_date + dt.timedelta(days=10), today)


def _add_timer_free_today(lg: Ledger, projects: list[int], today: dt.date) -> int:
    lg.entries.add(projects[0], date=today, minutes=45, description="Standup and triage")
    return 1


def _month_start(today: dt.date, months_back: int) -> dt.date:
    month_index = today.year * 12 + today.month - 1 - months_back
    return dt.date(month_index // 12, month_index % 12 + 1, 1)
