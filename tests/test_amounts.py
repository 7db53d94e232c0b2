"""Amounts read as the user means them: one parser, per notation, never guessing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, strategies as st

from ledger import Ledger
from ledger.contracts.currencies import CURRENCY_EXPONENTS
from ledger.core.amounts import Notation, format_amount, read_amount
from ledger.errors import InvalidInput

D = Decimal
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "notation", "expected"),
    [
        ("1,500.50", "en", D("1500.50")),
        ("1500.50", "en", D("1500.50")),
        ("1,500", "en", D("1500")),
        ("12,345,678.9", "en", D("12345678.9")),
        ("-1,500.50", "en", D("-1500.50")),
        ("1 500,50", "cs", D("1500.50")),
        (f"1{NBSP}500,50", "cs", D("1500.50")),
        (f"1{NNBSP}500,50", "cs", D("1500.50")),
        ("1500,50", "cs", D("1500.50")),
        ("12 345 678", "cs", D("12345678")),
        (" 7 ", "cs", D("7")),
        ("1500.50", None, D("1500.50")),
        ("-0.01", None, D("-0.01")),
        ("0", None, D("0")),
    ],
)
def test_an_amount_is_read_in_its_notation(text: str, notation: Notation, expected: D) -> None:
    assert read_amount(text, notation, currency="CZK") == expected


@pytest.mark.parametrize(
    ("text", "notation", "problem"),
    [
        ("1,500", None, "ambiguous"),  # the bug: the API once stored 1.50
        ("1 500", None, "ambiguous"),
        ("1500,50", None, "ambiguous"),
        ("1,50", "en", "commas group exactly three digits"),
        ("1,5000", "en", "commas group exactly three digits"),
        ("12,3,4", "en", "English notation"),
        ("1 500.50", "en", "English notation"),
        ("1.500", "cs", "uses a dot"),
        ("1500.50", "cs", "uses a dot"),
        ("1 50,5", "cs", "not a number"),
        ("1e3", None, "exponents"),
        ("1E3", "en", "exponents"),
        ("1_000", None, "underscores"),
        ("١٥٠٠", None, "digits other than 0-9"),
        ("１５００", "cs", "digits other than 0-9"),
        ("NaN", None, "not a number"),
        ("+5", None, "not a number"),
        ("", "en", "must not be empty"),
        ("0.001", None, "more than 2 decimal places"),
        ("1,500", "cs", "more than 2 decimal places"),  # 1,5 written with three places
        ("10000000000000", None, "too large"),
    ],
)
def test_anything_ambiguous_or_too_precise_is_refused(
    text: str, notation: Notation, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        read_amount(text, notation, currency="CZK", field="price")
    assert caught.value.field == "price"
    assert "write" in caught.value.message or problem == "too large"


def test_the_message_shows_how_to_write_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        read_amount("1,500")
    assert caught.value.message == (
        "'1,500' is ambiguous (is the comma a thousands separator or a decimal mark?); "
        "write it as '1500.50' (a dot for decimals, no thousands separator)"
    )


@pytest.mark.parametrize(
    ("currency", "text"), [("JPY", "100.5"), ("CZK", "0.001"), ("KWD", "1.0001")]
)
def test_more_decimals_than_the_currency_has_are_refused(currency: str, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_amount(text, currency=currency)
    assert caught.value.codes == {"amount": "amount_places"}


def test_zero_and_negative_are_refused_where_asked() -> None:
    with pytest.raises(InvalidInput, match="must not be zero"):
        read_amount("0,00", "cs", allow_zero=False)
    with pytest.raises(InvalidInput, match="negative"):
        read_amount("-1", allow_negative=False)


@pytest.mark.parametrize(
    ("amount", "notation", "text"),
    [
        (D("1500.50"), "en", "1,500.50"),
        (D("1500.50"), "cs", "1 500,50"),
        (D("1500.50"), None, "1500.50"),
        (D("-1234567.5"), "cs", "-1 234 567,5"),
        (D("7"), "en", "7"),
    ],
)
def test_a_form_shows_an_amount_the_way_it_reads_it(
    amount: D, notation: Notation, text: str
) -> None:
    assert format_amount(amount, notation) == text
    assert read_amount(text, notation) == amount


amounts = st.decimals(
    min_value=D("-999999999999.99"), max_value=D("999999999999.99"), places=2,
    allow_nan=False, allow_infinity=False,
)  # fmt: skip


@given(amount=amounts, notation=st.sampled_from(["en", "cs", None]))
def test_formatted_amounts_read_back_the_same(amount: D, notation: Notation) -> None:
    assert read_amount(format_amount(amount, notation), notation, currency="EUR") == amount


@given(amount=amounts, language=st.sampled_from(["en", "cs"]), group=st.booleans())
def test_amounts_as_babel_writes_them_read_back_the_same(
    amount: D, language: str, group: bool
) -> None:
    locale = {"en": "en_GB", "cs": "cs_CZ"}[language]
    text = format_decimal(amount, locale=locale, group_separator=group, decimal_quantization=False)
    notation: Notation = "cs" if language == "cs" else "en"
    assert read_amount(text, notation, currency="CZK") == amount


@given(amount=st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_amounts_read_back_in_a_currency_without_decimals(amount: int) -> None:
    assert CURRENCY_EXPONENTS["JPY"] == 0
    for notation in ("en", "cs", None):
        assert read_amount(format_amount(D(amount), notation), notation, currency="JPY") == amount


# --- the API: text means the plain ``1500.50`` everywhere -----------------------------


def test_the_api_refuses_1_500_instead_of_saving_1_50(lg: Ledger) -> None:
    with pytest.raises(InvalidInput, match="ambiguous") as caught:
        lg.clients.add(name="Acme", hourly_rate="1,500")
    assert caught.value.field == "hourly_rate"
    assert lg.clients.list() == []


def test_the_api_refuses_more_decimals_than_the_currency_has(lg: Ledger) -> None:
    client = lg.clients.add(name="Acme", currency="CZK")
    with pytest.raises(InvalidInput, match="decimal places") as caught:
        lg.clients.update(client, hourly_rate="1500.005")
    assert caught.value.field == "hourly_rate"
    project = lg.projects.add(client, name="Web")
    with pytest.raises(InvalidInput, match="decimal places"):
        lg.entries.add(project, date="2026-11-02", amount=D("0.001"))
    assert lg.entries.list() == []


@pytest.mark.parametrize("text", ["1e3", "1_000", "١٠٠٠", "1,000"])
def test_a_manual_transaction_refuses_amounts_that_are_not_plain(lg: Ledger, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        lg.transactions.add(
            source="manual", external_id="t1", booked_on="2026-11-20", amount=text, currency="CZK"
        )
    assert caught.value.field == "amount"
