"""ledger: time tracking and invoicing for independent developers.

>>> import ledger
>>> lg = ledger.open()          # the configured database, writes attributed to "notebook"
>>> acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ledger.errors import (
    AlreadyRunning,
    AuditChainBroken,
    ConfigurationError,
    Conflict,
    InvalidInput,
    LedgerError,
    NotFound,
    UnauditedWrite,
)
from ledger.sources import Source

if TYPE_CHECKING:
    from ledger.ledger import Ledger
    from ledger.ledger import open_ledger as open
    from ledger.models import (
        AuditEntry,
        Client,
        Invoice,
        InvoiceLine,
        MoneyTransaction,
        Payment,
        Project,
        Records,
        WorkEntry,
    )

__version__ = "0.1.0"

__all__ = [
    "AlreadyRunning",
    "AuditChainBroken",
    "AuditEntry",
    "Client",
    "ConfigurationError",
    "Conflict",
    "InvalidInput",
    "Invoice",
    "InvoiceLine",
    "Ledger",
    "LedgerError",
    "MoneyTransaction",
    "NotFound",
    "Payment",
    "Project",
    "Records",
    "Source",
    "UnauditedWrite",
    "WorkEntry",
    "open",
]

# The API and its models load SQLAlchemy, SQLModel and the tables (about 0.3 s), so
# they are imported on first use: `import ledger` stays quick for the CLI and
# notebooks, and `ledger.open(...)` or `from ledger import Ledger` work as before.
_LAZY: dict[str, tuple[str, str]] = {
    "Ledger": ("ledger.ledger", "Ledger"),
    "open": ("ledger.ledger", "open_ledger"),
    **{
        name: ("ledger.models", name)
        for name in (
            "AuditEntry",
            "Client",
            "Invoice",
            "InvoiceLine",
            "MoneyTransaction",
            "Payment",
            "Project",
            "Records",
            "WorkEntry",
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
