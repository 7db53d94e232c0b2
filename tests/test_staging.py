"""The staging fast path agrees exactly with the pydantic model it stands in for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ledger.contracts import TransactionInput
from ledger.core.transactions import transaction_row
from ledger.errors import LedgerError
from ledger.platform.transaction_rows import fast_row

BASE: dict[str, Any] = {
    "external_id": " 2600001 ",
    "booked_on": dt.date(2026, 3, 14),
    "amount": Decimal("12100.00"),
    "currency": "CZK",
}

CASES: list[dict[str, Any]] = [
    BASE,
    BASE | {"amount": 5},
    BASE | {"amount": Decimal("-353.29"), "variable_symbol": "0001090028"},
    BASE | {"currency": "EUR", "message": "  Invoice 2026-0001 ", "counterparty_name": "Nováková"},
    BASE | {"details": {"type": "Platba kartou", "bic": "FIOBCZPP"}},
    BASE | {"constant_symbol": "0308", "specific_symbol": "", "account": "2001234567/2010"},
    BASE | {"amount": Decimal("1.005")},  # too many places for CZK
    BASE | {"amount": 0},
    BASE | {"amount": 0.5},  # a float
    BASE | {"amount": "12.50"},  # text goes to the model
    BASE | {"currency": "XYZ"},
    BASE | {"variable_symbol": "12a"},
    BASE | {"variable_symbol": "12345678901"},
    BASE | {"variable_symbol": 123},
    BASE | {"external_id": "   "},
    BASE | {"external_id": "x" * 101},
    BASE | {"booked_on": "2026-03-14"},
    BASE | {"booked_on": dt.datetime(2026, 3, 14, 10, 0)},
    BASE | {"details": None},
    BASE | {"details": {"n": 1}},
    BASE | {"message": "m" * 2001},
    BASE | {"unknown": "field"},
]


def model_row(item: dict[str, Any]) -> dict[str, Any] | None:
    try:
        data = TransactionInput.model_validate(item)
    except (ValidationError, LedgerError):
        return None
    row = transaction_row("bank", data)
    del row["fingerprint"]  # staging sets it: the fast path leaves it out
    return row


@pytest.mark.parametrize("item", CASES)
def test_fast_path_matches_the_model_or_defers(item: dict[str, Any]) -> None:
    fast = fast_row("bank", item)
    if fast is not None:
        assert fast == model_row(item)


@pytest.mark.parametrize("item", CASES[:6])
def test_ordinary_bank_rows_take_the_fast_path(item: dict[str, Any]) -> None:
    assert fast_row("bank", item) is not None


@pytest.mark.parametrize(
    "details", [{"note": "a\x00b"}, {"a\x00b": "note"}], ids=["in a value", "in a key"]
)
def test_a_nul_in_details_is_left_to_the_model(details: dict[str, str]) -> None:
    # The model path refuses NUL anywhere (PostgreSQL cannot store it in text).
    assert fast_row("bank", BASE | {"details": details}) is None
