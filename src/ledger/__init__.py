"""ledger: time tracking and invoicing for independent developers.

>>> import ledger
>>> lg = ledger.open()          # the configured database, writes attributed to "notebook"
>>> acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
"""

from __future__ import annotations

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
from ledger.sources import Source

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
