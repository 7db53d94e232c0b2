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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.contracts.context import DRY_RUN_HEADER, RunLog, SyncContext
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
    from ledger.contracts.inputs import (
        ClientInput,
        ExchangeRateInput,
        ProjectInput,
        TimeEntryInput,
        TransactionInput,
    )
    from ledger.contracts.ledger import (
        PluginClients,
        PluginEntries,
        PluginExchangeRates,
        PluginInvoices,
        PluginLedger,
        PluginLinks,
        PluginProjects,
        PluginTransactions,
    )
    from ledger.contracts.plugin import NoSettings, Plugin, SyncResult
    from ledger.contracts.push import Outgoing, PushResult
    from ledger.contracts.upstream import json_body, parse_upstream
    from ledger.contracts.views import (
        ClientView,
        ExchangeRateView,
        InvoiceView,
        LinkView,
        ProjectView,
        TimeEntryView,
        TransactionView,
    )

__all__ = [
    "DRY_RUN_HEADER",
    "AuthFailed",
    "BadConfiguration",
    "BadUpstreamData",
    "ClientInput",
    "ClientView",
    "ExchangeRateInput",
    "ExchangeRateView",
    "InvoiceView",
    "LinkView",
    "NoSettings",
    "Outgoing",
    "Plugin",
    "PluginClients",
    "PluginDefinitionError",
    "PluginEntries",
    "PluginError",
    "PluginExchangeRates",
    "PluginInvoices",
    "PluginLedger",
    "PluginLinks",
    "PluginProjects",
    "PluginTransactions",
    "ProjectInput",
    "ProjectView",
    "PushResult",
    "RateLimited",
    "RunLog",
    "SyncContext",
    "SyncResult",
    "TimeEntryInput",
    "TimeEntryView",
    "TransactionInput",
    "TransactionView",
    "UpstreamError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "json_body",
    "parse_upstream",
]

# Each name is imported on first use, so a module of the contract that needs only the
# standard library (``ledger.contracts.currencies``) loads nothing else.
_MODULES: dict[str, tuple[str, ...]] = {
    "context": ("DRY_RUN_HEADER", "RunLog", "SyncContext"),
    "errors": (
        "AuthFailed",
        "BadConfiguration",
        "BadUpstreamData",
        "PluginDefinitionError",
        "PluginError",
        "RateLimited",
        "UpstreamError",
        "UpstreamTimeout",
        "UpstreamUnavailable",
    ),
    "inputs": (
        "ClientInput",
        "ExchangeRateInput",
        "ProjectInput",
        "TimeEntryInput",
        "TransactionInput",
    ),
    "ledger": (
        "PluginClients",
        "PluginEntries",
        "PluginExchangeRates",
        "PluginInvoices",
        "PluginLedger",
        "PluginLinks",
        "PluginProjects",
        "PluginTransactions",
    ),
    "plugin": ("NoSettings", "Plugin", "SyncResult"),
    "push": ("Outgoing", "PushResult"),
    "upstream": ("json_body", "parse_upstream"),
    "views": (
        "ClientView",
        "ExchangeRateView",
        "InvoiceView",
        "LinkView",
        "ProjectView",
        "TimeEntryView",
        "TransactionView",
    ),
}
_LAZY = {
    name: f"ledger.contracts.{module}" for module, names in _MODULES.items() for name in names
}


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'ledger.contracts' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
