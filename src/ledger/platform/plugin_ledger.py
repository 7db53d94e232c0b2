"""The platform's `PluginLedger`: what ``ctx.ledger`` is during a run.

Reads go through the run's ledger and come back as contract views; upserts are
staged and applied by the engine with the cursor, in the run's one transaction.
The classes are made per run and their methods close over it, so the objects a
plugin holds have no attributes at all: nothing leads to the services or the
database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ledger.contracts import (
    InvoiceView,
    PluginInvoices,
    PluginLedger,
    PluginTransactions,
    SyncResult,
    TransactionInput,
    TransactionView,
)
from ledger.contracts.ledger import InvoiceStatus
from ledger.platform.staging import Stored, TransactionStage, stored_transactions

if TYPE_CHECKING:
    from ledger.platform.host import PlatformLedger

NOT_OFFERED = (
    "ctx.ledger has no {name!r}: a plugin reads ctx.ledger.invoices and "
    "ctx.ledger.transactions, and writes through ctx.ledger.transactions.upsert()"
)


def run_ledger(reader: PlatformLedger, stage: TransactionStage) -> PluginLedger:
    """The `PluginLedger` of one run: reads through `reader`, writes into `stage`."""
    stored: list[Stored] = []  # the source's stored rows, loaded on the first upsert

    class Transactions:
        __slots__ = ()

        def upsert(self, items: Iterable[TransactionInput | Mapping[str, Any]]) -> SyncResult:
            if not stored:
                with reader.reading() as session:
                    stored.append(stored_transactions(session, stage.source))
            return stage.add(items, stored[0])

        def list(self, *, source: str | None = None) -> list[TransactionView]:
            rows = reader.transactions.list(source=source)
            return [TransactionView.model_validate(row.model_dump()) for row in rows]

    class Invoices:
        __slots__ = ()

        def list(self, *, status: InvoiceStatus | None = None) -> list[InvoiceView]:
            rows = reader.invoices.list(status=status)
            return [InvoiceView.model_validate(row.model_dump(exclude={"lines"})) for row in rows]

    transactions: PluginTransactions = Transactions()
    invoices: PluginInvoices = Invoices()

    class RunLedger:
        __slots__ = ()

        @property
        def transactions(self) -> PluginTransactions:
            return transactions

        @property
        def invoices(self) -> PluginInvoices:
            return invoices

        def __getattr__(self, name: str) -> Any:
            raise AttributeError(NOT_OFFERED.format(name=name))

    return RunLedger()
