"""`PluginLedger`: what ``ctx.ledger`` offers a plugin, and nothing more.

The platform implements these protocols. Reads return `ledger.contracts.views`
models; writes are staged and applied with the run's cursor in one audited,
all-or-nothing transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from ledger.contracts.inputs import TransactionInput
from ledger.contracts.plugin import SyncResult
from ledger.contracts.views import InvoiceView, TransactionView

InvoiceStatus = Literal["draft", "issued", "cancelled"]


class PluginTransactions(Protocol):
    """``ctx.ledger.transactions``: read stored transactions, upsert new ones."""

    def upsert(self, items: Iterable[TransactionInput | Mapping[str, Any]]) -> SyncResult:
        """Create or update transactions keyed on their ``external_id``.

        Idempotent: the same data twice changes nothing the second time. Writes
        are applied when the sync returns, together with the cursor, or not at all.

        Raises:
            BadUpstreamData: an item is invalid; names the item and field.
        """
        ...

    def list(self, *, source: str | None = None) -> Sequence[TransactionView]:
        """Stored transactions, newest booking first (all, or those of one source)."""
        ...


class PluginInvoices(Protocol):
    """``ctx.ledger.invoices``: read invoices (a plugin never issues or changes one)."""

    def list(self, *, status: InvoiceStatus | None = None) -> Sequence[InvoiceView]:
        """Invoices, newest first, optionally of one status."""
        ...


@runtime_checkable
class PluginLedger(Protocol):
    """``ctx.ledger``: the reads and writes a plugin may make."""

    @property
    def transactions(self) -> PluginTransactions:
        """Money transactions: `list` and `upsert`."""
        ...

    @property
    def invoices(self) -> PluginInvoices:
        """Invoices: `list`."""
        ...
