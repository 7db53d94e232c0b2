"""The plugin contract: everything a plugin author imports.

A plugin is one file with one class::

    from ledger.contracts import Plugin, SyncContext, SyncResult

    class MyBank(Plugin[MyBankSettings]):
        name = "my_bank"
        version = "1.0.0"
        Settings = MyBankSettings

        def sync(self, ctx: SyncContext[MyBankSettings]) -> SyncResult:
            response = ctx.http.get("https://api.example.com/transactions")
            return ctx.ledger.transactions.upsert(parse(response))

The shared contract test suite lives in :mod:`ledger.contracts.testing`.
"""

from __future__ import annotations

from ledger.contracts.context import PluginLedger, RunLog, SyncContext
from ledger.contracts.errors import (
    AuthFailed,
    BadConfiguration,
    BadUpstreamData,
    PluginDefinitionError,
    PluginError,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ledger.contracts.plugin import NoSettings, Plugin, SyncResult
from ledger.contracts.upstream import json_body, parse_upstream
from ledger.transactions import TransactionInput

__all__ = [
    "AuthFailed",
    "BadConfiguration",
    "BadUpstreamData",
    "NoSettings",
    "Plugin",
    "PluginDefinitionError",
    "PluginError",
    "PluginLedger",
    "RateLimited",
    "RunLog",
    "SyncContext",
    "SyncResult",
    "TransactionInput",
    "UpstreamError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "json_body",
    "parse_upstream",
]
