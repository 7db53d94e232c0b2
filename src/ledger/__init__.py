"""ledger: time tracking and invoicing for independent developers.

>>> import ledger
>>> lg = ledger.open()          # the configured database, writes attributed to "notebook"
>>> acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.api import Ledger, open_ledger as open
    from ledger.core.models import (
        AuditEntry,
        Client,
        ExchangeRate,
        Invoice,
        InvoiceLine,
        MoneyTransaction,
        Payment,
        Project,
        Records,
        WorkEntry,
    )
    from ledger.errors import (
        AlreadyRunning,
        AuditChainBroken,
        AuditRowsDiffer,
        Busy,
        ConfigurationError,
        Conflict,
        InvalidInput,
        LedgerError,
        MissingExchangeRate,
        NotFound,
        UnauditedWrite,
    )
    from ledger.platform.registry import Registry, register
    from ledger.storage.sources import Source

__version__ = "0.1.0"

__all__ = [
    "AlreadyRunning",
    "AuditChainBroken",
    "AuditEntry",
    "AuditRowsDiffer",
    "Busy",
    "Client",
    "ConfigurationError",
    "Conflict",
    "ExchangeRate",
    "InvalidInput",
    "Invoice",
    "InvoiceLine",
    "Ledger",
    "LedgerError",
    "MissingExchangeRate",
    "MoneyTransaction",
    "NotFound",
    "Payment",
    "Project",
    "Records",
    "Registry",
    "Source",
    "UnauditedWrite",
    "WorkEntry",
    "open",
    "register",
]

# Everything is imported on first use: `import ledger` (and so `import
# ledger.contracts`, which a plugin does) loads nothing else, while
# `ledger.open(...)` or `from ledger import Ledger` work as usual.
_LAZY: dict[str, tuple[str, str]] = {
    "Ledger": ("ledger.api", "Ledger"),
    "open": ("ledger.api", "open_ledger"),
    "Registry": ("ledger.platform.registry", "Registry"),
    "register": ("ledger.platform.registry", "register"),
    "Source": ("ledger.storage.sources", "Source"),
    **{
        name: ("ledger.core.models", name)
        for name in (
            "AuditEntry",
            "Busy",
            "Client",
            "ExchangeRate",
            "Invoice",
            "InvoiceLine",
            "MoneyTransaction",
            "Payment",
            "Project",
            "Records",
            "WorkEntry",
        )
    },
    **{
        name: ("ledger.errors", name)
        for name in (
            "AlreadyRunning",
            "AuditChainBroken",
            "AuditRowsDiffer",
            "Busy",
            "ConfigurationError",
            "Conflict",
            "InvalidInput",
            "LedgerError",
            "MissingExchangeRate",
            "NotFound",
            "UnauditedWrite",
        )
    },
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'ledger' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
