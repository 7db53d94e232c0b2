"""The platform's `PluginLedger`: what ``ctx.ledger`` is during a run.

Reads go through the run's ledger and come back as contract views; upserts are
staged and applied by the engine with the cursor, in the run's one transaction.
The objects below hold only closures over the run, so no attribute leads a plugin
to the services or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.contracts import InvoiceView, SyncResult, TransactionInput, TransactionView
from ledger.contracts.ledger import InvoiceStatus
from ledger.platform.staging import Stored, TransactionStage, stored_transactions

if TYPE_CHECKING:
    from ledger.platform.host import PlatformLedger

Items = Iterable[TransactionInput | Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class StagedTransactions:
    """``ctx.ledger.transactions``."""

    upsert: Callable[[Items], SyncResult]
    list: Callable[..., Sequence[TransactionView]]


@dataclass(frozen=True, slots=True)
class InvoiceReader:
    """``ctx.ledger.invoices``."""

    list: Callable[..., Sequence[InvoiceView]]


@dataclass(frozen=True, slots=True)
class RunLedger:
    """``ctx.ledger`` for one run (implements `ledger.contracts.PluginLedger`)."""

    transactions: StagedTransactions
    invoices: InvoiceReader

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"ctx.ledger has no {name!r}: a plugin reads ctx.ledger.invoices and "
            "ctx.ledger.transactions, and writes through ctx.ledger.transactions.upsert()"
        )


def run_ledger(reader: PlatformLedger, stage: TransactionStage) -> RunLedger:
    """The `PluginLedger` of one run: reads through `reader`, writes into `stage`."""
    stored: list[Stored] = []

    def upsert(items: Items) -> SyncResult:
        if not stored:
            with reader.reading() as session:
                stored.append(stored_transactions(session, stage.source))
        return stage.add(items, stored[0])

    def list_transactions(*, source: str | None = None) -> list[TransactionView]:
        return [
            TransactionView.model_validate(row.model_dump())
            for row in reader.transactions.list(source=source)
        ]

    def list_invoices(*, status: InvoiceStatus | None = None) -> list[InvoiceView]:
        return [
            InvoiceView.model_validate(row.model_dump(exclude={"lines"}))
            for row in reader.invoices.list(status=status)
        ]

    return RunLedger(StagedTransactions(upsert, list_transactions), InvoiceReader(list_invoices))
