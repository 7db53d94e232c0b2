"""The main pages read time entries and bank transactions through indexes.

Each page is visited on a ledger with some of everything; every SELECT it sends that
names ``work_entries`` or ``money_transactions`` is explained with its own parameters,
and a plan that reads one of those tables whole, row by row, fails the test.

- SQLite: ``EXPLAIN QUERY PLAN``; ``SCAN work_entries`` without ``USING INDEX`` or
  ``USING COVERING INDEX`` is a full table scan. An index scan is allowed: it is what
  an ordered, paginated list (``ORDER BY ... LIMIT``) or a count reads.
- PostgreSQL: ``EXPLAIN`` with ``enable_seqscan`` off. A test database holds a few
  rows, and on a few rows the planner rightly prefers a sequential scan to any index,
  so a plain ``EXPLAIN`` says nothing about 200,000 rows. With sequential scans
  priced out, the planner still chooses one when no index can serve the query: a
  ``Seq Scan on work_entries`` left in the plan means exactly that, a query with no
  index behind it, which is what this test is about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event
from starlette.testclient import TestClient

from ledger.api import Ledger

WATCHED = ("work_entries", "money_transactions")


@pytest.fixture
def ledger_with_rows(lg: Ledger) -> dict[str, int]:
    """Clients, projects, a few hundred entries over months, an issued and paid
    invoice, bank transactions: every page has something to show."""
    acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1200")
    beta = lg.clients.add(name="Beta a.s.", currency="EUR", hourly_rate="60")
    projects = [lg.projects.add(c.id, name=n) for c in (acme, beta) for n in ("Web", "ERP")]
    start = lg.today() - dt.timedelta(days=200)
    for n, project in enumerate(projects):
        days = [start + dt.timedelta(days=d) for d in range(n, 200, 2)]
        lg.entries.add_many(project.id, [{"date": day, "minutes": 90} for day in days])
    invoice = lg.invoices.issue(
        lg.invoices.draft(acme.id, until=start + dt.timedelta(days=60)),
        issue_date=start + dt.timedelta(days=61),
    )
    paid = lg.transactions.add(
        external_id="pay-1", booked_on=lg.today() - dt.timedelta(days=100),
        amount=invoice.total, currency="CZK", variable_symbol=invoice.variable_symbol or "",
    )  # fmt: skip
    for n in range(30):
        lg.transactions.add(external_id=f"out-{n}", booked_on=start + dt.timedelta(days=n * 5),
                            amount="-250", currency="CZK", counterparty_name="ČEZ")  # fmt: skip
    lg.matching.run()
    return {"invoice": invoice.id, "transaction": paid.id}


@pytest.fixture
def statements(lg: Ledger) -> Iterator[list[tuple[str, Any]]]:
    """Every single SELECT sent to the database while the fixture is alive."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if not many and sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))

    event.listen(lg.database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(lg.database.engine, "before_cursor_execute", record)


def full_scans(conn: Connection, sql: str, params: Any) -> list[str]:
    """The steps of the statement's plan that read a watched table row by row."""
    if conn.dialect.name == "sqlite":
        steps = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
        return [
            step for step in steps
            if re.match(rf"SCAN ({'|'.join(WATCHED)})\b", step) and " INDEX " not in step
        ]  # fmt: skip
    with conn.begin():
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        steps = [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}", params)]
    return [step for step in steps if re.search(rf"Seq Scan on ({'|'.join(WATCHED)})\b", step)]


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/time",
        "/invoices",
        "/money",
        "/invoices/{invoice}",
        "/money/transactions/{transaction}",
    ],
)
def test_pages_read_entries_and_transactions_through_indexes(
    client: TestClient,
    lg: Ledger,
    ledger_with_rows: dict[str, int],
    statements: list[tuple[str, Any]],
    page: str,
) -> None:
    statements.clear()
    assert client.get(page.format(**ledger_with_rows)).status_code == 200
    watched = [(sql, params) for sql, params in statements if any(t in sql for t in WATCHED)]
    assert watched, f"{page} read no entries or transactions; the test checks nothing"
    with lg.database.engine.connect() as conn:
        scans = {sql: steps for sql, params in watched if (steps := full_scans(conn, sql, params))}
    assert not scans, f"{page} reads a whole table: {scans}"


def test_the_running_timer_is_found_through_its_index(
    client: TestClient, lg: Ledger, ledger_with_rows: dict[str, int],
    statements: list[tuple[str, Any]],
) -> None:  # fmt: skip
    """Every logged-in page asks for the running timer, so it may never scan entries."""
    lg.entries.start(lg.projects.list()[0].id, description="Timer")
    statements.clear()
    page = client.get("/invoices").text
    assert 'data-testid="timer-running"' in page
    timer = [(sql, params) for sql, params in statements if "ended_at IS NULL" in sql]
    assert timer
    with lg.database.engine.connect() as conn:
        assert [full_scans(conn, sql, params) for sql, params in timer] == [[]] * len(timer)
