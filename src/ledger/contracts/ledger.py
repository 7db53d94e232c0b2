"""`PluginLedger`: what ``ctx.ledger`` offers a plugin, and nothing more.

The platform implements these protocols. Reads return `ledger.contracts.views`
models; writes are staged and applied with the run's cursor in one audited,
all-or-nothing transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from ledger.contracts.inputs import (
    ClientInput,
    ExchangeRateInput,
    ProjectInput,
    TimeEntryInput,
    TransactionInput,
)
from ledger.contracts.plugin import SyncResult
from ledger.contracts.views import (
    ClientView,
    ExchangeRateView,
    InvoiceView,
    LinkView,
    ProjectView,
    TimeEntryView,
    TransactionView,
)

InvoiceStatus = Literal["draft", "issued", "cancelled"]


class PluginTransactions(Protocol):
    """``ctx.ledger.transactions``: read stored transactions, upsert new ones."""

    def upsert(self, items: Iterable[TransactionInput | Mapping[str, Any]]) -> SyncResult:
        """Create or update transactions keyed on their ``external_id``.

        Idempotent: the same data twice changes nothing the second time. Writes
        are applied when the sync returns, together with the cursor, or not at all.
        Rows are compared as they arrive and only new and changed ones are kept
        (mostly on disk), so upsert each page as you fetch it.

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


class PluginClients(Protocol):
    """``ctx.ledger.clients``: read clients, upsert the ones upstream has."""

    def upsert(self, items: Iterable[ClientInput | Mapping[str, Any]]) -> SyncResult:
        """Create or update clients keyed on their ``external_id`` (staged like transactions)."""
        ...

    def list(self) -> Sequence[ClientView]:
        """Every client (archived too), by name."""
        ...


class PluginProjects(Protocol):
    """``ctx.ledger.projects``: read projects, upsert the ones upstream has."""

    def upsert(self, items: Iterable[ProjectInput | Mapping[str, Any]]) -> SyncResult:
        """Create or update projects keyed on their ``external_id``."""
        ...

    def list(self) -> Sequence[ProjectView]:
        """Every project (archived too), by name."""
        ...


class PluginEntries(Protocol):
    """``ctx.ledger.entries``: read time entries, upsert and remove upstream's."""

    def upsert(self, items: Iterable[TimeEntryInput | Mapping[str, Any]]) -> SyncResult:
        """Create or update time entries keyed on their ``external_id``.

        An entry already invoiced in ledger is never changed: the change is
        reported as a warning of the run instead.
        """
        ...

    def remove(self, external_ids: Iterable[str]) -> SyncResult:
        """Delete the linked entries upstream deleted; invoiced ones stay, with a warning."""
        ...

    def list(
        self, *, since: dt.date | None = None, invoice_status: InvoiceStatus | None = None
    ) -> Sequence[TimeEntryView]:
        """Time entries (from `since` on; only those on invoices of `invoice_status`),
        oldest first."""
        ...


class PluginLinks(Protocol):
    """``ctx.ledger.links``: this plugin's record of which ledger object is which upstream."""

    def list(self, entity: str) -> Sequence[LinkView]:
        """This plugin's links of one entity (``clients``, ``time_entries``...)."""
        ...

    def attach(self, entity: str, object_id: int, external_id: str) -> None:
        """Say an existing ledger object is upstream's `external_id` (e.g. matched by name).

        Staged with the run's writes; a later upsert of `external_id` updates it.
        """
        ...


class PluginExchangeRates(Protocol):
    """``ctx.ledger.exchange_rates``: read stored fixings, upsert a bank's new ones."""

    def upsert(self, items: Iterable[ExchangeRateInput | Mapping[str, Any]]) -> SyncResult:
        """Create or update rates keyed on (``currency``, ``day``); staged like transactions.

        Raises:
            BadUpstreamData: an item is invalid; names the item and field.
        """
        ...

    def list(
        self, *, currency: str | None = None, since: dt.date | None = None
    ) -> Sequence[ExchangeRateView]:
        """Stored rates (of one currency, from `since` on), newest day first."""
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

    @property
    def clients(self) -> PluginClients:
        """Clients: `list` and `upsert`."""
        ...

    @property
    def projects(self) -> PluginProjects:
        """Projects: `list` and `upsert`."""
        ...

    @property
    def entries(self) -> PluginEntries:
        """Time entries: `list`, `upsert` and `remove`."""
        ...

    @property
    def links(self) -> PluginLinks:
        """This plugin's external links: `list` and `attach`."""
        ...

    @property
    def exchange_rates(self) -> PluginExchangeRates:
        """Exchange rates: `list` and `upsert`."""
        ...
