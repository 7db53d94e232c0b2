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

The shared contract test suite lives in :mod:`ledger.testing`.
"""

from __future__ import annotations

from ledger.contracts.context import RunLog, SyncContext
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
from ledger.contracts.inputs import TransactionInput
from ledger.contracts.ledger import PluginInvoices, PluginLedger, PluginTransactions
from ledger.contracts.plugin import NoSettings, Plugin, SyncResult
from ledger.contracts.upstream import json_body, parse_upstream
from ledger.contracts.views import InvoiceView, TransactionView

__all__ = [
    "AuthFailed",
    "BadConfiguration",
    "BadUpstreamData",
    "InvoiceView",
    "NoSettings",
    "Plugin",
    "PluginDefinitionError",
    "PluginError",
    "PluginInvoices",
    "PluginLedger",
    "PluginTransactions",
    "RateLimited",
    "RunLog",
    "SyncContext",
    "SyncResult",
    "TransactionInput",
    "TransactionView",
    "UpstreamError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "json_body",
    "parse_upstream",
]
