"""Money: integer minor units in the database, Decimal in Python, never a float."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import ledger.storage.tables  # noqa: F401  (registers every table on the metadata)
from helpers import exercise, open_copy, register_for_vat, row_counts, shared_ledger
from ledger.api import Ledger
from ledger.core.models import Client, Project
from ledger.core.money import (
    CURRENCY_EXPONENTS,
    check_currency,
    from_minor,
    parse_amount,
    quantize,
    to_minor,
)
from ledger.errors import InvalidInput
from support import BACKENDS

D = Decimal


@pytest.fixture
def sqlite_lg(tmp_path: Path, sqlite_template: Path, clock: Any) -> Iterator[Ledger]:
    """A SQLite ledger, for properties of SQLite's storage classes."""
    opened = open_copy(sqlite_template, tmp_path, clock)
    yield opened
    opened.close()


def _all_columns() -> list[sa.Column[Any]]:
    return [column for table in SQLModel.metadata.sorted_tables for column in table.columns]


def _storage_type(column: sa.Column[Any]) -> Any:
    return getattr(column.type, "impl_instance", column.type)


# --- the schema has no place for a float ---------------------------------------------


def test_no_column_in_the_schema_is_a_float_or_decimal() -> None:
    columns = _all_columns()
    assert len(columns) > 50
    offenders = [
        f"{c.table.name}.{c.name}" for c in columns if isinstance(_storage_type(c), sa.Numeric)
    ]
    assert offenders == []


def test_every_minor_unit_column_is_an_integer() -> None:
    money = [c for c in _all_columns() if c.name.endswith("_minor")]
    assert len(money) >= 15
    assert all(isinstance(_storage_type(c), sa.Integer) for c in money), money


def test_no_float_column_in_the_migrated_database(lg: Ledger) -> None:
    inspector = sa.inspect(lg.database.engine)
    offenders = [
        f"{table}.{column['name']}: {column['type']}"
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if isinstance(column["type"], sa.Numeric | sa.Float)
        or any(word in str(column["type"]).upper() for word in ("REAL", "FLOAT", "DOUBLE"))
    ]
    assert offenders == []


def test_sqlite_stores_every_money_value_as_an_integer(sqlite_lg: Ledger, clock: Any) -> None:
    exercise(sqlite_lg, clock)
    stored: dict[str, set[str]] = {}
    with sqlite_lg.database.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if column.name.endswith("_minor"):
                    kinds = conn.exec_driver_sql(
                        f'SELECT DISTINCT typeof("{column.name}") FROM "{table.name}"'
                    ).scalars()
                    stored[f"{table.name}.{column.name}"] = set(kinds)
    assert all(kinds <= {"integer", "null"} for kinds in stored.values()), stored
    # The batch filled every money column of the foundation, so the check saw real values.
    empty = [name for name, kinds in stored.items() if "integer" not in kinds]
    assert all(name.startswith(("plugin_", "sync_")) for name in empty), empty


# --- float input is refused, naming the field -----------------------------------------


def _world(lg: Ledger) -> tuple[Client, Project, int]:
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=60)
    invoice = lg.invoices.issue(lg.invoices.draft(client))
    return client, project, invoice.id


FLOAT_CALLS: list[tuple[str, str, Callable[[Ledger, Client, Project, int], Any]]] = [
    (
        "client rate",
        "hourly_rate",
        lambda lg, c, p, i: lg.clients.add(name="B", hourly_rate=1500.0),  # type: ignore[arg-type]
    ),
    ("client update", "hourly_rate", lambda lg, c, p, i: lg.clients.update(c, hourly_rate=12.5)),  # type: ignore[arg-type]
    (
        "project rate",
        "hourly_rate",
        lambda lg, c, p, i: lg.projects.add(c, name="X", hourly_rate=1e3),  # type: ignore[arg-type]
    ),
    (
        "fixed entry",
        "amount",
        lambda lg, c, p, i: lg.entries.add(p, date="2026-11-03", amount=0.1),  # type: ignore[arg-type]
    ),
    (
        "entry rate",
        "hourly_rate",
        lambda lg, c, p, i: lg.entries.add(p, date="2026-11-03", minutes=5, hourly_rate=99.9),  # type: ignore[arg-type]
    ),
    (
        "bulk entry",
        "amount",
        lambda lg, c, p, i: lg.entries.add_many(p, [{"date": "2026-11-03", "amount": 0.1}]),
    ),
    ("payment", "amount", lambda lg, c, p, i: lg.invoices.record_payment(i, 0.1, "2026-11-20")),
    (
        "transaction",
        "amount",
        lambda lg, c, p, i: lg.transactions.add(
            external_id="t",
            booked_on="2026-11-20",
            amount=0.1,  # type: ignore[arg-type]
            currency="CZK",
        ),
    ),
    ("vat rate", "vat_rate", lambda lg, c, p, i: lg.invoices.draft(c, vat_rate=21.0)),  # type: ignore[arg-type]
]


@pytest.fixture(scope="module", params=BACKENDS)
def shared_lg(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_template: str,
) -> Iterator[Ledger]:
    """One database for every float case: each must leave it as it was."""
    directory = tmp_path_factory.mktemp("floats")
    with shared_ledger(request.param, directory, sqlite_template, pg_template) as opened:
        yield opened


@pytest.fixture(scope="module")
def world(shared_lg: Ledger) -> tuple[Client, Project, int]:
    client, project, invoice = _world(shared_lg)
    shared_lg.entries.add(project, date="2026-11-04", minutes=30)  # unbilled work to draft
    return client, project, invoice


@pytest.mark.parametrize(
    ("field", "call"), [(f, c) for _, f, c in FLOAT_CALLS], ids=[n for n, _, _ in FLOAT_CALLS]
)
def test_float_input_is_refused_naming_the_field(
    shared_lg: Ledger,
    world: tuple[Client, Project, int],
    field: str,
    call: Callable[[Ledger, Client, Project, int], Any],
) -> None:
    lg, (client, project, invoice) = shared_lg, world
    counts = row_counts(lg)
    with pytest.raises(InvalidInput) as caught:
        call(lg, client, project, invoice)
    assert caught.value.field == field
    assert "float" in str(caught.value)
    assert row_counts(lg) == counts


def test_a_draft_line_refuses_float_prices_and_quantities(lg: Ledger) -> None:
    client, project, _ = _world(lg)
    lg.entries.add(project, date="2026-11-04", minutes=30)
    draft = lg.invoices.draft(client)
    for fields, field in (({"unit_price": 0.1}, "unit_price"), ({"quantity": 1.5}, "quantity")):
        with pytest.raises(InvalidInput, match="float") as caught:
            lg.invoices.update_line(draft, draft.lines[0].id, **fields)  # type: ignore[arg-type]
        assert caught.value.field == field
    assert lg.invoices.get(draft) == draft


# --- exact parsing and half-up rounding -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", D("12.50")),
        (" 1234.5 ", D("1234.5")),
        ("-0.01", D("-0.01")),
        (1500, D(1500)),
        (D("0.1"), D("0.1")),
        ("1000", D("1000")),
    ],
)
def test_parse_amount_is_exact(text: object, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (0.1, "float"),
        (True, "float"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        (D("NaN"), "not a finite number"),
        ("1e3", "exponents"),
        ("10000000000000", "too large"),
        ("1 234,5", "ambiguous"),
        (None, "expected a number"),
        ([1], "expected a number"),
    ],
)
def test_parse_amount_refuses(value: object, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        parse_amount(value, "price")
    assert caught.value.field == "price"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("0.005", "CZK", 1),  # half-up, not half-even
        ("0.015", "CZK", 2),
        ("0.025", "CZK", 3),  # half-even would give 2
        ("0.0049", "CZK", 0),
        ("-0.005", "CZK", -1),  # half away from zero
        ("1234.56", "EUR", 123456),
        ("100.5", "JPY", 101),
        ("0.0005", "KWD", 1),
        ("7", "BHD", 7000),
    ],
)
def test_to_minor_rounds_half_up(amount: str, currency: str, minor: int) -> None:
    assert to_minor(D(amount), currency) == minor
    assert from_minor(minor, currency) == quantize(D(amount), currency)


@pytest.mark.parametrize(("currency", "places"), sorted(CURRENCY_EXPONENTS.items()))
def test_from_minor_has_the_currency_places(currency: str, places: int) -> None:
    value = from_minor(12345, currency)
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent == -places
    assert to_minor(value, currency) == 12345


@pytest.mark.parametrize(("code", "expected"), [("czk", "CZK"), (" eur ", "EUR"), ("JPY", "JPY")])
def test_check_currency_normalises(code: str, expected: str) -> None:
    assert check_currency(code) == expected


@pytest.mark.parametrize("code", ["XYZ", "", "EURO", "€", 978])
def test_check_currency_refuses_unknown_codes(code: Any) -> None:
    with pytest.raises(InvalidInput, match="unknown currency") as caught:
        check_currency(code)
    assert caught.value.field == "currency"


# --- rounding on invoices --------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "rate", "amount"),
    [
        (20, "1000", "333.33"),
        (10, "1", "0.17"),  # 0.1666...
        (1, "0.30", "0.01"),  # exactly 0.005: half-up
        (1, "1.50", "0.03"),  # exactly 0.025: half-up (half-even would give 0.02)
        (40, "1000", "666.67"),
        (90, "1500", "2250.00"),
    ],
)
def test_a_time_line_is_rounded_half_up(lg: Ledger, minutes: int, rate: str, amount: str) -> None:
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate=rate)
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=minutes)
    invoice = lg.invoices.draft(client)
    (line,) = invoice.lines
    assert line.amount == D(amount)
    assert invoice.total == D(amount)
    assert lg.entries.list()[0].billed_amount == D(amount)


def test_totals_are_sums_of_rounded_lines_and_vat_is_rounded_half_up(lg: Ledger) -> None:
    client = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    project = lg.projects.add(client, name="Web")
    for day in (2, 3, 4):
        lg.entries.add(project, date=f"2026-11-0{day}", minutes=20, description=f"Day {day}")
    register_for_vat(lg)
    invoice = lg.invoices.draft(client, grouping="entry", vat_rate="21")
    assert [line.amount for line in invoice.lines] == [D("333.33")] * 3
    assert invoice.subtotal == D("999.99")  # not 1000.00: the lines are rounded first
    assert invoice.vat == D("210.00")  # 209.9979
    assert invoice.total == D("1209.99")
    assert invoice.vat_rate == D("21")


@pytest.mark.parametrize(
    ("amount", "vat_rate", "vat"),
    [("0.50", "21", "0.11"), ("0.10", "15", "0.02"), ("0.30", "12", "0.04"), ("10", "0", "0.00")],
)
def test_vat_is_rounded_half_up(lg: Ledger, amount: str, vat_rate: str, vat: str) -> None:
    client = lg.clients.add(name="Acme", currency="CZK")
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", amount=amount)
    register_for_vat(lg)
    invoice = lg.invoices.draft(client, vat_rate=vat_rate)
    assert invoice.vat == D(vat)
    assert invoice.total == D(amount) + D(vat)


def test_amounts_come_back_as_decimals_with_the_currency_places(lg: Ledger) -> None:
    client = lg.clients.add(name="Acme", currency="JPY", hourly_rate="6000")
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=25)
    invoice = lg.invoices.issue(lg.invoices.draft(client))
    assert invoice.total == D("2500")
    assert invoice.total.as_tuple().exponent == 0
    payment = lg.invoices.record_payment(invoice, "2500", "2026-11-20")
    assert payment.amount == D("2500")
    assert lg.invoices.get(invoice).payment_state == "paid"
