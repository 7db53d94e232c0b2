"""Bad input: a clear error naming the problem, and nothing written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import row_counts, shared_ledger, snapshot
from ledger.api import Ledger
from ledger.core.models import Client, Invoice, Project
from ledger.errors import Conflict, InvalidInput, NotFound
from support import BACKENDS


@dataclass
class World:
    acme: Client
    idle: Client
    web: Project
    issued: Invoice
    draft: Invoice


@pytest.fixture(scope="module", params=BACKENDS)
def shared_lg(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_template: str,
) -> Iterator[Ledger]:
    """One database for every case: each must leave it exactly as it was."""
    directory = tmp_path_factory.mktemp("bad_input")
    with shared_ledger(request.param, directory, sqlite_template, pg_template) as opened:
        yield opened


@pytest.fixture(scope="module")
def world(shared_lg: Ledger) -> World:
    lg = shared_lg
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    idle = lg.clients.add(name="Idle", currency="CZK")
    web = lg.projects.add(acme, name="Web")
    lg.entries.add(web, date="2026-11-02", minutes=60)
    issued = lg.invoices.issue(lg.invoices.draft(acme))
    lg.entries.add(web, date="2026-11-03", minutes=30)
    draft = lg.invoices.draft(acme)
    lg.entries.add(web, date="2026-11-04", minutes=15)
    lg.transactions.add(external_id="tx-1", booked_on="2026-11-20", amount="10", currency="CZK")
    return World(acme, idle, web, issued, draft)


Call = Callable[[Ledger, World], Any]

CASES: list[tuple[str, Call, type[Exception], str]] = [
    (
        "unknown client currency",
        lambda lg, w: lg.clients.add(name="X", currency="XYZ"),
        InvalidInput,
        "currency: .*unknown currency 'XYZ'",
    ),
    (
        "unknown project currency",
        lambda lg, w: lg.projects.add(w.acme, name="X", currency="ABC"),
        InvalidInput,
        "currency: .*unknown currency 'ABC'",
    ),
    (
        "unknown transaction currency",
        lambda lg, w: lg.transactions.add(
            external_id="tx-2", booked_on="2026-11-20", amount="1", currency="BTC"
        ),
        InvalidInput,
        "unknown currency 'BTC'",
    ),
    (
        "change client to unknown currency",
        lambda lg, w: lg.clients.update(w.idle, currency="EURO"),
        InvalidInput,
        "unknown currency 'EURO'",
    ),
    (
        "negative duration",
        lambda lg, w: lg.entries.add(w.web, date="2026-11-05", minutes=-60),
        InvalidInput,
        "minutes: .*greater than or equal to 1",
    ),
    (
        "absurd duration",
        lambda lg, w: lg.entries.add(w.web, date="2026-11-05", minutes=100_000),
        InvalidInput,
        "minutes: .*less than or equal to 1440",
    ),
    (
        "end before start",
        lambda lg, w: lg.entries.add(
            w.web, date="2026-11-05", start="2026-11-05T12:00", end="2026-11-05T11:00"
        ),
        InvalidInput,
        "end must be after start",
    ),
    (
        "negative duration in bulk",
        lambda lg, w: lg.entries.add_many(
            w.web, [{"date": "2026-11-05", "minutes": 30}, {"date": "2026-11-06", "minutes": -1}]
        ),
        InvalidInput,
        "minutes",
    ),
    (
        "no unbilled entries",
        lambda lg, w: lg.invoices.draft(w.idle),
        InvalidInput,
        "Idle has no unbilled billable work to invoice",
    ),
    (
        "no unbilled entries in the period",
        lambda lg, w: lg.invoices.draft(w.acme, since="2026-12-01"),
        InvalidInput,
        "Acme has no unbilled billable work",
    ),
    (
        "issue twice",
        lambda lg, w: lg.invoices.issue(w.issued),
        Conflict,
        "invoice 2026-0001 is already issued; it can be issued once",
    ),
    (
        "edit issued",
        lambda lg, w: lg.invoices.update(w.issued, notes="changed"),
        Conflict,
        "invoice 2026-0001 is issued and cannot be edited",
    ),
    (
        "edit an issued line",
        lambda lg, w: lg.invoices.update_line(w.issued, w.issued.lines[0].id, unit_price="1"),
        Conflict,
        "is issued and cannot be edited",
    ),
    (
        "delete client with projects",
        lambda lg, w: lg.clients.delete(w.acme),
        Conflict,
        "client 'Acme' has projects; archive it instead",
    ),
    (
        "bad numbering pattern",
        lambda lg, w: lg.settings.update(number_pattern="{year}-{month}"),
        InvalidInput,
        r"number_pattern: .*must contain \{seq\}",
    ),
    (
        "too long numbering pattern",
        lambda lg, w: lg.settings.update(number_pattern="{year}{month}{seq:06d}"),
        InvalidInput,
        "variable symbol over 10 digits",
    ),
    (
        "several bad settings",
        lambda lg, w: lg.settings.update(theme="pink", supplier_vat_id="not a VAT id"),  # type: ignore[arg-type]
        InvalidInput,
        "supplier_vat_id|theme",
    ),
    (
        "edit a billed entry",
        lambda lg, w: lg.entries.update(lg.entries.list(unbilled=False)[0], minutes=1),
        Conflict,
        "cancel that invoice first",
    ),
    (
        "a project with rounding but no step",
        lambda lg, w: lg.projects.add(w.acme, name="X", rounding="up"),
        InvalidInput,
        "give the step in minutes",
    ),
    (
        "unknown rounding",
        lambda lg, w: lg.projects.add(w.acme, name="X", rounding="sideways", rounding_minutes=5),  # type: ignore[arg-type]
        InvalidInput,
        "rounding: ",
    ),
    (
        "negative client rate",
        lambda lg, w: lg.clients.add(name="X", hourly_rate="-1"),
        InvalidInput,
        "hourly_rate: .*must not be negative",
    ),
    (
        "empty client name",
        lambda lg, w: lg.clients.add(name="   ", currency="CZK"),
        InvalidInput,
        "name: ",
    ),
    (
        "unknown client field",
        lambda lg, w: lg.clients.add(name="X", colour="red"),  # type: ignore[call-arg]
        TypeError,
        "unexpected keyword argument 'colour'",
    ),
    (
        "unknown invoice field",
        lambda lg, w: lg.invoices.update(w.draft, total="1"),  # type: ignore[call-arg]
        TypeError,
        "unexpected keyword argument 'total'",
    ),
    (
        "VAT over 100 %",
        lambda lg, w: lg.invoices.draft(w.acme, vat_rate="150"),
        InvalidInput,
        "vat_rate",
    ),
    (
        "unknown grouping",
        lambda lg, w: lg.invoices.draft(w.acme, grouping="week"),  # type: ignore[arg-type]
        InvalidInput,
        "grouping: use one of project, entry, day",
    ),
    (
        "bad date",
        lambda lg, w: lg.invoices.issue(w.draft, issue_date="2026-02-30"),
        InvalidInput,
        "issue_date: '2026-02-30' is not a date",
    ),
    (
        "payment on a draft",
        lambda lg, w: lg.invoices.record_payment(w.draft, "100", "2026-11-20"),
        Conflict,
        "only issued invoices take payments",
    ),
    (
        "zero payment",
        lambda lg, w: lg.invoices.record_payment(w.issued, "0", "2026-11-20"),
        InvalidInput,
        "amount: a payment must be positive",
    ),
    (
        "unknown project",
        lambda lg, w: lg.entries.add(404, date="2026-11-05", minutes=5),
        NotFound,
        "project 404 does not exist",
    ),
    (
        "unknown invoice number",
        lambda lg, w: lg.invoices.issue("2026-0404"),
        NotFound,
        "no invoice is numbered '2026-0404'",
    ),
    (
        "duplicate transaction",
        lambda lg, w: lg.transactions.add(
            external_id="tx-1", booked_on="2026-11-21", amount="10", currency="CZK"
        ),
        Conflict,
        "tx-1",
    ),
    (
        "short password",
        lambda lg, w: lg.users.create("jana", "short"),
        InvalidInput,
        "password: use at least 8 characters",
    ),
    (
        "a reference that is not an id",
        lambda lg, w: lg.projects.add("Acme", name="X"),  # type: ignore[arg-type]
        InvalidInput,
        "client: expected an id or an object with an id",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    shared_lg: Ledger, world: World, call: Call, error: type[Exception], message: str
) -> None:
    lg = shared_lg
    before, counts = snapshot(lg), row_counts(lg)
    with pytest.raises(error, match=message):
        call(lg, world)
    assert row_counts(lg) == counts
    assert snapshot(lg) == before
    assert lg.audit.verify() == counts["audit_events"]


def test_every_bad_field_is_reported(lg: Ledger) -> None:
    with pytest.raises(InvalidInput) as caught:
        lg.clients.add(name="", currency="XYZ", payment_terms_days=-1, language="de")  # type: ignore[arg-type]
    assert set(caught.value.errors) == {"name", "currency", "payment_terms_days", "language"}
    assert caught.value.field in caught.value.errors
