"""Fio banka: transactions from the bank's REST API with a read-only token.

Each sync asks for the statement from the cursor to today; the cursor is the
newest booked date less a few days of overlap for late bookings, and the upsert
keyed on Fio's movement id makes the overlap harmless. Fio allows one request per 30
seconds per token and answers HTTP 409 to a faster one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from ledger.contracts import (
    BadUpstreamData,
    Plugin,
    RateLimited,
    SyncContext,
    SyncResult,
    json_body,
)

BASE_URL = "https://fioapi.fio.cz/v1/rest"
RATE_LIMIT_SECONDS = 30.0

# Fio column → what it is; the ones not stored in their own column go to `details`.
DETAIL_COLUMNS = {
    "column7": "user_identification",
    "column8": "type",
    "column9": "executed_by",
    "column12": "bank_name",
    "column17": "instruction_id",
    "column18": "specification",
    "column25": "comment",
    "column26": "bic",
    "column27": "payer_reference",
}


class FioSettings(BaseModel):
    """How to reach one Fio account."""

    token: SecretStr = Field(
        description="Read-only API token from Fio internetbanking (Settings → API).",
        min_length=8,
    )
    start_date: dt.date | None = Field(
        default=None,
        description="First day to fetch on the first sync (default: 90 days back, "
        "the longest Fio serves without extra authorisation).",
    )
    overlap_days: int = Field(
        default=3, ge=0, le=30, description="Days fetched again each sync to catch late bookings."
    )


class Fio(Plugin[FioSettings]):
    """Fio banka account transactions (read-only token)."""

    name = "fio"
    version = "1.0.0"
    Settings = FioSettings

    def sync(self, ctx: SyncContext[FioSettings]) -> SyncResult:
        start = self._start(ctx)
        end = ctx.today()
        if start > end:
            ctx.log.info(f"cursor {ctx.cursor} is in the future; nothing to fetch")
            return SyncResult()
        statement = self._fetch(ctx, start, end)
        account, currency = self._account(statement)
        rows = [
            self._transaction(item, i, account, currency)
            for i, item in enumerate(_items(statement))
        ]
        ctx.log.info(f"Fio sent {len(rows)} transactions for {start} to {end}")
        result = ctx.ledger.transactions.upsert(rows)
        # The cursor is where the next sync starts: the newest booking less the
        # overlap, so bookings Fio adds late to recent days are still fetched.
        latest = max((row["booked_on"] for row in rows), default=start)
        ctx.cursor = max(start, latest - dt.timedelta(days=ctx.settings.overlap_days)).isoformat()
        return result

    def _start(self, ctx: SyncContext[FioSettings]) -> dt.date:
        cursor = _parse_cursor(ctx.cursor)
        if cursor is not None:
            return cursor
        return ctx.settings.start_date or ctx.today() - dt.timedelta(days=90)

    def _fetch(
        self, ctx: SyncContext[FioSettings], start: dt.date, end: dt.date
    ) -> dict[str, Any]:
        token = ctx.settings.token.get_secret_value()
        url = f"{BASE_URL}/periods/{token}/{start.isoformat()}/{end.isoformat()}/transactions.json"
        try:
            response = ctx.http.get(url)
        except RateLimited as exc:
            raise RateLimited(
                f"Fio allows one request per 30 s per token: {exc.message}",
                retry_after=exc.retry_after or RATE_LIMIT_SECONDS,
                status=exc.status,
            ) from None
        document = json_body(response)
        statement = document.get("accountStatement") if isinstance(document, dict) else None
        if not isinstance(statement, dict):
            raise BadUpstreamData("missing", field="accountStatement")
        return statement

    def _account(self, statement: dict[str, Any]) -> tuple[str, str]:
        """The account number (with its bank code) and the account's currency."""
        info = statement.get("info") or {}
        account, bank = info.get("accountId"), info.get("bankId")
        number = f"{account}/{bank}" if account and bank else str(account or "")
        return number, str(info.get("currency") or "").strip()

    def _transaction(self, item: Any, index: int, account: str, currency: str) -> dict[str, Any]:
        where = f"transactionList.transaction[{index}]"
        if not isinstance(item, dict):
            raise BadUpstreamData("is not an object", field=where)
        value = _Columns(item, where)
        booked = value.text("column0", required=True)[:10]
        try:
            booked_on = dt.date.fromisoformat(booked)
        except ValueError:
            raise BadUpstreamData(f"{booked!r} is not a date", field=f"{where}.column0") from None
        counter_account = value.text("column2")
        bank_code = value.text("column3")
        return {
            "external_id": value.text("column22", required=True),
            "booked_on": booked_on,
            "amount": value.amount("column1"),
            # Fio documents column14 as optional: without it, the account's currency.
            "currency": value.text("column14", required=not currency) or currency,
            "account": account,
            "counterparty_name": value.text("column10"),
            "counterparty_account": f"{counter_account}/{bank_code}"
            if bank_code
            else counter_account,
            "variable_symbol": value.text("column5"),
            "constant_symbol": value.text("column4"),
            "specific_symbol": value.text("column6"),
            "message": value.text("column16") or value.text("column7") or value.text("column25"),
            "details": {
                key: text for column, key in DETAIL_COLUMNS.items() if (text := value.text(column))
            },
        }


class _Columns:
    """Reads Fio's ``columnN: {"value": ...}`` cells, naming the cell when one is wrong."""

    def __init__(self, item: dict[str, Any], where: str) -> None:
        self.item = item
        self.where = where

    def raw(self, column: str, required: bool = False) -> Any:
        cell = self.item.get(column)
        value = cell.get("value") if isinstance(cell, dict) else None
        if cell is not None and not isinstance(cell, dict):
            raise BadUpstreamData("is not a {value: ...} cell", field=f"{self.where}.{column}")
        if required and value is None:
            raise BadUpstreamData("is missing", field=f"{self.where}.{column}")
        return value

    def text(self, column: str, required: bool = False) -> str:
        value = self.raw(column, required)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise BadUpstreamData(
                f"has the wrong type {type(value).__name__}", field=f"{self.where}.{column}"
            )
        return str(value).strip()

    def amount(self, column: str) -> Decimal:
        value = self.raw(column, required=True)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise BadUpstreamData(f"{value!r} is not a number", field=f"{self.where}.{column}")
        return Decimal(value)


def _items(statement: dict[str, Any]) -> list[Any]:
    listing = statement.get("transactionList")
    if listing is None:
        return []  # Fio sends null when there is nothing in the period
    items = listing.get("transaction") if isinstance(listing, dict) else None
    if not isinstance(items, list):
        raise BadUpstreamData("is not a list", field="transactionList.transaction")
    return items


def _parse_cursor(cursor: str | None) -> dt.date | None:
    if not cursor:
        return None
    try:
        return dt.date.fromisoformat(cursor)
    except ValueError:
        return None
