# --8<-- [start:declare]
"""Example Bank: the account's transactions from its JSON API.

The tutorial "Your first integration in one file" builds this plugin step by step.
Example Bank is fictional; its recorded responses live in ``recordings/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from ledger.contracts import (
    BadUpstreamData,
    Plugin,
    SyncContext,
    SyncResult,
    json_body,
    parse_upstream,
)

BASE_URL = "https://api.bank.example/v1"
# --8<-- [end:declare]


# --8<-- [start:settings]
class ExampleBankSettings(BaseModel):
    """How to reach one Example Bank account."""

    token: SecretStr = Field(description="API token from the bank's developer settings.")
    account_id: str = Field(
        description="Account number without the bank code, e.g. 2001234567.",
        pattern=r"^\d{6,10}$",
    )


# --8<-- [end:settings]


# --8<-- [start:upstream]
class Counterparty(BaseModel):
    """Who sent or received the money, as the bank reports it."""

    name: str = ""
    account: str = ""


class BankTransaction(BaseModel):
    """One transaction in the bank's JSON."""

    id: str
    booked_at: date
    amount: Decimal
    currency: str
    counterparty: Counterparty = Field(default_factory=Counterparty)
    variable_symbol: str = ""
    description: str = ""


class Page(BaseModel):
    """One page of ``GET /accounts/{id}/transactions``."""

    transactions: list[BankTransaction]
    next_page: int | None = None
    sync_token: str


# --8<-- [end:upstream]


# --8<-- [start:plugin]
class ExampleBank(Plugin[ExampleBankSettings]):
    """Example Bank account transactions (API token)."""

    name = "example_bank"
    version = "1.0.0"
    Settings = ExampleBankSettings
    # --8<-- [end:plugin]

    # --8<-- [start:sync]
    def sync(self, ctx: SyncContext[ExampleBankSettings]) -> SyncResult:
        result = SyncResult()
        sync_token = ctx.cursor
        for page in self.pages(ctx, since=ctx.cursor):
            rows = [to_transaction(item, ctx.settings.account_id) for item in page.transactions]
            result += ctx.ledger.transactions.upsert(rows)
            sync_token = page.sync_token
        # The next sync asks only for what changed after this token.
        ctx.cursor = sync_token
        return result

    # --8<-- [end:sync]

    # --8<-- [start:pages]
    def pages(self, ctx: SyncContext[ExampleBankSettings], since: str | None) -> Iterator[Page]:
        """Every page of transactions the bank has after `since` (all on the first sync)."""
        url = f"{BASE_URL}/accounts/{ctx.settings.account_id}/transactions"
        headers = {"Authorization": f"Bearer {ctx.settings.token.get_secret_value()}"}
        query: dict[str, str | int] = {} if since is None else {"since": since}
        number: int | None = 1
        while number is not None:
            response = ctx.http.get(url, params={**query, "page": number}, headers=headers)
            page = parse_upstream(Page, json_body(response), where=f"page {number}")
            ctx.log.info(f"page {number}: {len(page.transactions)} transactions")
            ctx.progress(number)
            # --8<-- [start:pages_guard]
            if page.next_page is not None and page.next_page <= number:
                raise BadUpstreamData(
                    f"page {number} points back to page {page.next_page}", field="next_page"
                )
            # --8<-- [end:pages_guard]
            yield page
            number = page.next_page

    # --8<-- [end:pages]


# --8<-- [start:map]
def to_transaction(item: BankTransaction, account_id: str) -> dict[str, Any]:
    """The ledger's fields for one bank transaction (keyed on the bank's own id)."""
    return {
        "external_id": item.id,
        "booked_on": item.booked_at,
        "amount": item.amount,
        "currency": item.currency,
        "account": account_id,
        "counterparty_name": item.counterparty.name,
        "counterparty_account": item.counterparty.account,
        "variable_symbol": item.variable_symbol,
        "message": item.description,
    }


# --8<-- [end:map]
