"""The web benches' shared data set: clients, projects, entries over three years and
issued invoices, built through the API (`bench_load.py`), and the bench user's password.

`bench_dashboard.py` measures the pages at 200,000 entries on its own, richer data
(`sample_ledger.py`).
"""

from __future__ import annotations

import datetime as dt
import random

import ledger

PASSWORD = "bench-password-1"


def build(lg: ledger.Ledger, entries: int, invoices: int) -> None:
    """Clients, projects, `entries` entries over 3 years and `invoices` issued invoices."""
    rnd = random.Random(7)
    start = dt.date(2023, 12, 1)
    clients = [
        lg.clients.add(name=f"Client {n}", currency="CZK" if n % 3 else "EUR",
                       hourly_rate="1200" if n % 3 else "60")
        for n in range(50)
    ]  # fmt: skip
    projects = [lg.projects.add(c, name=f"Project {c.id}") for c in clients]
    per_project = entries // len(projects)
    for project in projects:
        items = [
            {"date": start + dt.timedelta(days=rnd.randrange(1095)),
             "minutes": rnd.choice((30, 60, 90, 120)), "description": "Work"}
            for _ in range(per_project)
        ]  # fmt: skip
        lg.entries.add_many(project, items)
    days = [
        start + dt.timedelta(days=d) for d in range(0, 1095, 1095 * len(clients) // invoices or 1)
    ]
    made = 0
    for day in days:
        for client in clients:
            if made >= invoices:
                return
            try:
                draft = lg.invoices.draft(client, since=day - dt.timedelta(days=30), until=day)
            except ledger.InvalidInput:
                continue
            lg.invoices.issue(draft, issue_date=day)
            made += 1
