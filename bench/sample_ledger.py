"""A ledger shaped like real use, for the web benchmarks: Czech clients with a few
projects each, time entries every working day over the last two years, invoices every
half month per client (the last month still unbilled), most of them paid from a synced
bank account and the rest open or overdue, and the bank's expenses beside them.

Everything is written through audited paths: clients and projects one by one, entries
and invoices with the unit of work's bulk inserts (the rows `lg.entries.add_many` and
`lg.invoices.draft` / `issue` store, with their audit events), bank rows by a sync and
payments by the matcher, so the benchmarks read the rows, indexes and audit trail a
user has. Building 200,000 entries and 5,000 invoices takes about a minute.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import ledger
from bench_sync import SOURCE, make_plugin
from ledger.core import pricing
from ledger.core.money import from_minor, to_minor
from ledger.platform.registry import Registry
from ledger.storage import tables
from ledger.storage.database import RowUpdate, UnitOfWork

SURNAMES = (
    "Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý",
    "Horák", "Němec", "Pokorný", "Marek", "Pospíšil", "Hájek", "Jelínek", "Král",
    "Růžička", "Beneš", "Fiala", "Sedláček", "Doležal", "Zeman", "Kolář", "Navrátil",
    "Čermák", "Urban", "Vaněk", "Blažek", "Kříž", "Kovář", "Bartoš", "Vlček",
)  # fmt: skip
TRADES = (
    "stavby s.r.o.", "a syn s.r.o.", "IT a.s.", "pekárna", "logistika s.r.o.",
    "účetnictví", "design studio", "software s.r.o.", "strojírny a.s.", "reality",
)  # fmt: skip
PROJECTS = ("E-shop", "Web", "Údržba", "Mobilní aplikace", "Integrace ERP", "Konzultace")
TASKS = ("Schůzka s klientem", "Oprava chyb", "Nová funkce", "Code review", "Nasazení",
         "Analýza požadavků", "Testování", "Dokumentace")  # fmt: skip
DAYS = 730
PERIODS_PER_CLIENT = 46  # half months over two years, less the last month (unbilled)


def build(lg: ledger.Ledger, entries: int, invoices: int, today: dt.date) -> dict[str, int]:
    """Fill an empty ledger; returns the counts made (clients, projects, entries, ...)."""
    rnd = random.Random(16)
    start = today - dt.timedelta(days=DAYS)
    clients = _clients(lg, rnd, max(3, -(-invoices // PERIODS_PER_CLIENT)))
    projects = [
        lg.projects.add(client, name=name)
        for client in clients
        for name in rnd.sample(PROJECTS, rnd.randint(2, 4))
    ]
    work = [(project, _entry(rnd, start, project.id)) for project in projects
            for _ in range(entries // len(projects))]  # fmt: skip
    work += [(p, _entry(rnd, start, p.id)) for p in projects[: entries % len(projects)]]
    with lg.atomic() as uow:
        issued = _bill(uow, clients, work, invoices, _half_months(start, today))
        uow.insert_many(tables.WorkEntry, [entry for _, entry in work])
    paid, spent = _bank(lg, rnd, issued, start, today)
    lg.matching.run()
    return {"clients": len(clients), "projects": len(projects), "entries": entries,
            "invoices": len(issued), "payments": paid, "expenses": spent}  # fmt: skip


def _clients(lg: ledger.Ledger, rnd: random.Random, count: int) -> list[Any]:
    made = []
    for n in range(count):
        name = f"{SURNAMES[n % len(SURNAMES)]} {TRADES[(n // len(SURNAMES)) % len(TRADES)]}"
        if n >= len(SURNAMES) * len(TRADES):
            name += f" {n}"
        euro = n % 5 == 0  # a fifth of them abroad, billed in euros
        made.append(lg.clients.add(
            name=name, currency="EUR" if euro else "CZK", language="en" if euro else "cs",
            hourly_rate=rnd.choice(("50", "60", "75") if euro else ("900", "1200", "1500")),
            payment_terms_days=rnd.choice((14, 14, 30)), company_id=_ico(2700000 + n * 37),
        ))  # fmt: skip
    return made


def _ico(first_seven: int) -> str:
    """A company id (IČO) with its check digit."""
    digits = f"{first_seven:07d}"
    weighted = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    return digits + str((11 - weighted % 11) % 10)


def _entry(rnd: random.Random, start: dt.date, project_id: int) -> dict[str, Any]:
    """An entry's row as `lg.entries.add_many` stores it (an hour-based time entry)."""
    day = start + dt.timedelta(days=rnd.randrange(DAYS))
    if day.weekday() >= 5:  # the weekend's work lands on Friday
        day -= dt.timedelta(days=day.weekday() - 4)
    minutes = rnd.choice((15, 30, 45, 60, 90, 120, 180, 240))
    return {"project_id": project_id, "date": day, "kind": "time", "minutes": minutes,
            "description": rnd.choice(TASKS), "billable": rnd.random() > 0.08}  # fmt: skip


def _bill(
    uow: UnitOfWork,
    clients: list[Any],
    work: list[tuple[Any, dict[str, Any]]],
    wanted: int,
    periods: list[tuple[dt.date, dt.date]],
) -> list[dict[str, Any]]:
    """Issue each client's half months, oldest first, until `wanted` invoices (the last
    month stays unbilled): the invoices, one line per project, and the entries they
    bill, priced as `lg.invoices.draft` prices them.

    5,000 drafts and issues one by one take minutes; one audited executemany per
    table takes seconds and stores the same rows."""
    by_client = {client.id: client for client in clients}
    billed: dict[tuple[int, int], list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    for project, entry in work:
        if entry["billable"]:
            period = bisect.bisect_left(periods, (entry["date"], dt.date.max))
            billed[period - 1, project.client_id].append((project, entry))
    keys = sorted(k for k in billed if 0 <= k[0] < len(periods) - 2)[:wanted]
    invoices = [_invoice(by_client[client], periods[period][1], n + 1)
                for n, (period, client) in enumerate(keys)]  # fmt: skip
    ids = uow.insert_many(tables.Invoice, invoices)
    lines = []
    for key, invoice, invoice_id in zip(keys, invoices, ids, strict=True):
        invoice["id"] = invoice_id
        rate = by_client[key[1]].hourly_rate
        lines += _lines(invoice, billed[key], to_minor(rate, invoice["currency"]))
    uow.insert_many(tables.InvoiceLine, lines)
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        totals[line["invoice_id"]] += line["amount_minor"]
    uow.update_many(tables.Invoice, [
        RowUpdate(i["id"], {"subtotal_minor": 0, "total_minor": 0},
                  {"subtotal_minor": totals[i["id"]], "total_minor": totals[i["id"]]})
        for i in invoices
    ])  # fmt: skip
    for invoice in invoices:
        invoice["subtotal_minor"] = invoice["total_minor"] = totals[invoice["id"]]
    return invoices


def _invoice(client: Any, last: dt.date, sequence: int) -> dict[str, Any]:
    issued = last + dt.timedelta(days=1)
    number = f"{issued.year}-{sequence:05d}"
    return {"client_id": client.id, "status": "issued", "series": str(issued.year),
            "sequence": sequence, "number": number,
            "variable_symbol": number.replace("-", ""), "currency": client.currency,
            "language": client.language, "issue_date": issued, "taxable_supply_date": issued,
            "due_date": issued + dt.timedelta(days=client.payment_terms_days),
            "issued_at": dt.datetime.combine(issued, dt.time(9), dt.UTC)}  # fmt: skip


def _lines(
    invoice: dict[str, Any], work: list[tuple[Any, dict[str, Any]]], rate: int
) -> list[dict[str, Any]]:
    """One line per project; the entries get the invoice, the rate and their amounts."""
    minutes: dict[Any, int] = defaultdict(int)
    for project, entry in work:
        minutes[project.id, project.name] += entry["minutes"]
        entry.update(invoice_id=invoice["id"], billed_rate_minor=rate,
                     billed_minutes=entry["minutes"],
                     billed_amount_minor=pricing.time_amount(entry["minutes"], rate))  # fmt: skip
    ordered = enumerate(sorted(minutes.items()), start=1)
    return [{"invoice_id": invoice["id"], "position": n, "description": name,
             "quantity_milli": total * 1000 // 60, "unit": "h", "unit_price_minor": rate,
             "amount_minor": pricing.time_amount(total, rate), "project_id": project_id}
            for n, ((project_id, name), total) in ordered]  # fmt: skip


def _half_months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    periods = []
    day = start.replace(day=1)
    while day <= end:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        middle = day.replace(day=15)
        periods += [
            (day, middle),
            (middle + dt.timedelta(days=1), following - dt.timedelta(days=1)),
        ]
        day = following
    return periods


def _bank(
    lg: ledger.Ledger, rnd: random.Random, issued: list[Any], start: dt.date, today: dt.date
) -> tuple[int, int]:
    """Bank rows through a sync: payments of most invoices (a few late or never), and
    expenses every few days; the matcher then records the payments."""
    rows = []
    for invoice in issued:
        paid_on = invoice["issue_date"] + dt.timedelta(days=rnd.randint(3, 40))
        if rnd.random() < 0.04 or paid_on > today:
            continue
        rows.append({"external_id": f"pay-{invoice['id']}", "booked_on": paid_on,
                     "amount": from_minor(invoice["total_minor"], invoice["currency"]),
                     "currency": invoice["currency"],
                     "counterparty_account": f"{100000 + invoice['client_id']}/0800",
                     "variable_symbol": invoice["variable_symbol"],
                     "message": f"Faktura {invoice['number']}"})  # fmt: skip
    paid = len(rows)
    for n in range(DAYS * 3):
        rows.append({"external_id": f"out-{n}", "currency": "CZK",
                     "booked_on": start + dt.timedelta(days=n // 3),
                     "amount": -Decimal(rnd.randint(100, 20000)),
                     "counterparty_name": rnd.choice(("Alza.cz", "O2 Czech Republic", "ČEZ",
                                                      "Finanční úřad", "Pronájem kanceláře")),
                     "message": "Platba kartou"})  # fmt: skip
    registry = Registry([make_plugin(lambda: iter(rows))])
    url = lg.database.engine.url.render_as_string(hide_password=False)
    bank = ledger.open(url, source="cli", registry=registry)
    bank.plugins.enable(SOURCE)
    run = bank.sync(SOURCE)
    bank.close()
    if run.status != "succeeded":
        raise SystemExit(f"the bank sync failed: {run.error_message}")
    return paid, len(rows) - paid
