"""A plugin's transaction rows checked and turned into stored columns.

`validated_row` is the one entry: plain, exactly typed dicts (what a bank plugin
builds) take `fast_row`, which judges them exactly as `TransactionInput` would;
anything else, errors included, goes through the pydantic model.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledger.contracts.currencies import MAX_AMOUNT
from ledger.contracts.errors import BadUpstreamData
from ledger.contracts.inputs import TransactionInput
from ledger.core.money import CURRENCY_EXPONENTS, quantize
from ledger.core.transactions import transaction_row
from ledger.core.validation import validated
from ledger.errors import InvalidInput

_TEXT_LIMITS = {
    "account": 60,
    "counterparty_name": 200,
    "counterparty_account": 60,
    "message": 2000,
}
_SYMBOLS = ("variable_symbol", "constant_symbol", "specific_symbol")
_FIELDS = frozenset(TransactionInput.model_fields)
_DIGITS = re.compile(r"\d{0,10}")
_MAX_ID = 100
_DETAILS = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
"""`json.dumps(details, sort_keys=True, ensure_ascii=False)`, without a new encoder per row."""


def fast_row(source: str, item: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored row (but its fingerprint) of a plainly well-formed item, or None to let
    pydantic decide.

    A bank sync upserts tens of thousands of rows; validating each through the
    pydantic model costs more than writing it. This path accepts only inputs it
    can judge exactly as `TransactionInput` would (exact types, no coercion) and
    leaves everything else, errors included, to the model.
    """
    if not isinstance(item, dict) or not item.keys() <= _FIELDS:
        return None
    row = _required_fields(source, item)
    if row is None or not _optional_fields(item, row):
        return None
    return row


def _required_fields(source: str, item: dict[str, Any]) -> dict[str, Any] | None:
    external_id, amount, currency = (
        item.get("external_id"),
        item.get("amount"),
        item.get("currency"),
    )
    if type(external_id) is not str or type(item.get("booked_on")) is not dt.date:
        return None
    if "\x00" in external_id:
        return None
    external_id = external_id.strip()
    if not 0 < len(external_id) <= _MAX_ID or currency not in CURRENCY_EXPONENTS:
        return None
    if type(amount) not in (Decimal, int) or not amount or not abs(amount) < MAX_AMOUNT:
        return None
    scaled = Decimal(amount).scaleb(CURRENCY_EXPONENTS[currency])
    if scaled != scaled.to_integral_value():
        return None  # more places than the currency has: the model explains why
    minor = int(scaled)
    return {
        "source": source,
        "external_id": external_id,
        "booked_on": item["booked_on"],
        "currency": currency,
        "amount_minor": minor,
        "kind": "income" if minor > 0 else "expense",
    }


def _optional_fields(item: dict[str, Any], row: dict[str, Any]) -> bool:
    for name, limit in _TEXT_LIMITS.items():
        text = item.get(name, "")
        if type(text) is not str or len(text := text.strip()) > limit or "\x00" in text:
            return False
        row[name] = text
    for name in _SYMBOLS:
        symbol = item.get(name, "")
        if type(symbol) is not str or not _DIGITS.fullmatch(symbol := symbol.strip()):
            return False
        row[name] = symbol.lstrip("0")
    details = item.get("details", {})
    if type(details) is not dict or not all(
        type(k) is str and type(v) is str and "\x00" not in k and "\x00" not in v
        for k, v in details.items()
    ):
        return False
    row["details"] = _DETAILS.encode(details) if details else "{}"
    return True


def validated_row(
    source: str, item: TransactionInput | Mapping[str, Any], index: int
) -> dict[str, Any]:
    """The stored columns of `item`, the `index`-th of an upsert; its fingerprint is the
    caller's to set.

    Raises:
        BadUpstreamData: `item` is invalid; names the item and the field.
    """
    if not isinstance(item, TransactionInput) and (row := fast_row(source, item)) is not None:
        return row
    try:
        data = (
            item if isinstance(item, TransactionInput) else validated(TransactionInput, dict(item))
        )
    except InvalidInput as exc:
        raise BadUpstreamData(exc.message, field=f"transactions[{index}].{exc.field}") from None
    except TypeError:
        raise BadUpstreamData(
            f"expected a mapping or TransactionInput, got {type(item).__name__}",
            field=f"transactions[{index}]",
        ) from None
    if data.amount is not None and quantize(data.amount, data.currency) != data.amount:
        # Upstream amounts are stored exactly or not at all, never silently rounded.
        raise BadUpstreamData(
            f"{data.amount} has more decimal places than {data.currency} allows",
            field=f"transactions[{index}].amount",
        )
    return transaction_row(source, data)
