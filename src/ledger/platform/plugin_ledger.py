"""The platform's `PluginLedger`: what ``ctx.ledger`` is during a run.

Reads go through the run's ledger and come back as contract views; upserts are
staged and applied by the engine with the cursor, in the run's one transaction.
The classes are made per run and their methods close over it, so the objects a
plugin holds have no attributes at all: nothing leads to the services or the
database. Asking for a write a plugin must not make names the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy import select

from ledger.contracts import (
    ClientInput,
    ClientView,
    ExchangeRateInput,
    ExchangeRateView,
    InvoiceView,
    LinkView,
    PluginLedger,
    ProjectInput,
    ProjectView,
    SyncResult,
    TimeEntryInput,
    TimeEntryView,
    TransactionInput,
    TransactionView,
)
from ledger.contracts.ledger import (
    InvoiceStatus,
    PluginClients,
    PluginEntries,
    PluginExchangeRates,
    PluginInvoices,
    PluginLinks,
    PluginProjects,
    PluginTransactions,
)
from ledger.contracts.push import check_entity
from ledger.platform.links import RunLinks
from ledger.platform.rate_staging import RateStage, StoredRates, stored_rates
from ledger.platform.records import RecordStage
from ledger.platform.staging import TransactionStage
from ledger.storage import tables

if TYPE_CHECKING:
    from ledger.platform.host import PlatformLedger

ACCESS_PAGE = "docs/plugins/access.md"
OFFERED = {
    "ledger": "transactions, invoices, clients, projects, entries, links, exchange_rates",
    "transactions": "list() and upsert()",
    "invoices": "list()",
    "clients": "list() and upsert()",
    "projects": "list() and upsert()",
    "entries": "list(), upsert() and remove()",
    "links": "list() and attach()",
    "exchange_rates": "list() and upsert()",
}
REFUSED = {
    "issue": "issuing an invoice gives it a tax document number; only the user issues",
    "delete": "a plugin never deletes ledger records; entries upstream deleted go "
    "through ctx.ledger.entries.remove()",
    "cancel": "cancelling an invoice is the user's decision",
    "add": "a plugin creates records with upsert(), keyed on their upstream id",
    "update": "a plugin changes records with upsert(), keyed on their upstream id",
    "pay": "payments come only from matching bank transactions: upsert the "
    "transactions and matching pays the invoices",
    "add_payment": "payments come only from matching bank transactions",
    "record_payment": "payments come only from matching bank transactions",
    "users": "a plugin has no access to users or passwords",
    "settings": "a plugin reads its own settings as ctx.settings and no one else's",
    "plugins": "a plugin cannot see or change other plugins or their settings",
    "payments": "payments come only from matching bank transactions",
    "audit": "the audit trail is written by ledger itself, never by a plugin",
}


def refuse(section: str, name: str) -> NoReturn:
    """The `AttributeError` for a member ``ctx.ledger.<section>`` does not offer."""
    where = "ctx.ledger" if section == "ledger" else f"ctx.ledger.{section}"
    reason = REFUSED.get(name, f"it offers {OFFERED[section]}")
    raise AttributeError(f"{where} has no {name!r}: {reason} (see {ACCESS_PAGE})")


class _Section:
    """Base of ``ctx.ledger``'s parts: no state, and a clear refusal for the rest."""

    __slots__ = ()
    section = "ledger"

    def __getattr__(self, name: str) -> Any:
        refuse(self.section, name)


def run_ledger(
    reader: PlatformLedger,
    stage: TransactionStage,
    records: RecordStage,
    links: RunLinks,
    rates: RateStage,
) -> PluginLedger:
    """The `PluginLedger` of one run: reads through `reader`, writes into the stages."""
    stored_fixings: list[StoredRates] = []

    def upsert(model: Any, items: Iterable[Any]) -> SyncResult:
        return records.add(model, items, reader.reading)

    class Transactions(_Section):
        __slots__ = ()
        section = "transactions"

        def upsert(self, items: Iterable[TransactionInput | Mapping[str, Any]]) -> SyncResult:
            return stage.add(items, reader.reading)

        def list(self, *, source: str | None = None) -> list[TransactionView]:
            rows = reader.transactions.list(source=source)
            return [TransactionView.model_validate(row.model_dump()) for row in rows]

    class Invoices(_Section):
        __slots__ = ()
        section = "invoices"

        def list(self, *, status: InvoiceStatus | None = None) -> list[InvoiceView]:
            rows = reader.invoices.list(status=status)
            return [InvoiceView.model_validate(row.model_dump(exclude={"lines"})) for row in rows]

    class Clients(_Section):
        __slots__ = ()
        section = "clients"

        def upsert(self, items: Iterable[ClientInput | Mapping[str, Any]]) -> SyncResult:
            return upsert(ClientInput, items)

        def list(self) -> list[ClientView]:
            rows = reader.clients.list(include_archived=True)
            return [ClientView.model_validate(row.model_dump()) for row in rows]

    class Projects(_Section):
        __slots__ = ()
        section = "projects"

        def upsert(self, items: Iterable[ProjectInput | Mapping[str, Any]]) -> SyncResult:
            return upsert(ProjectInput, items)

        def list(self) -> list[ProjectView]:
            rows = reader.projects.list(include_archived=True)
            return [ProjectView.model_validate(row.model_dump()) for row in rows]

    class Entries(_Section):
        __slots__ = ()
        section = "entries"

        def upsert(self, items: Iterable[TimeEntryInput | Mapping[str, Any]]) -> SyncResult:
            return upsert(TimeEntryInput, items)

        def remove(self, external_ids: Iterable[str]) -> SyncResult:
            if records.closed_reason:
                raise RuntimeError(records.closed_reason)
            ids = [str(external_id) for external_id in external_ids]
            records.removed.update(dict.fromkeys(ids, "time_entries"))
            return SyncResult(unchanged=0)

        def list(
            self, *, since: dt.date | None = None, invoice_status: InvoiceStatus | None = None
        ) -> list[TimeEntryView]:
            with reader.reading() as session:
                return _entry_views(session, since, invoice_status)

    class Links(_Section):
        __slots__ = ()
        section = "links"

        def list(self, entity: str) -> list[LinkView]:
            check_entity(entity, "links.list")
            return [link.view() for link in links[entity].by_external.values()]

        def attach(self, entity: str, object_id: int, external_id: str) -> None:
            check_entity(entity, "links.attach")
            if not isinstance(external_id, str) or not 0 < len(external_id) <= 100:
                raise ValueError("links.attach: external_id must be text of 1-100 characters")
            records.attached.append((entity, int(object_id), external_id))

    class ExchangeRates(_Section):
        __slots__ = ()
        section = "exchange_rates"

        def upsert(self, items: Iterable[ExchangeRateInput | Mapping[str, Any]]) -> SyncResult:
            if not stored_fixings:
                with reader.reading() as session:
                    stored_fixings.append(stored_rates(session))
            return rates.add(items, stored_fixings[0])

        def list(
            self, *, currency: str | None = None, since: dt.date | None = None
        ) -> list[ExchangeRateView]:
            rows = reader.exchange_rates.list(currency, since=since)
            return [ExchangeRateView.model_validate(row.model_dump()) for row in rows]

    transactions, invoices, clients = Transactions(), Invoices(), Clients()
    projects, entries, linked = Projects(), Entries(), Links()
    fixings = ExchangeRates()

    class RunLedger(_Section):
        __slots__ = ()

        @property
        def transactions(self) -> PluginTransactions:
            return transactions

        @property
        def invoices(self) -> PluginInvoices:
            return invoices

        @property
        def clients(self) -> PluginClients:
            return clients

        @property
        def projects(self) -> PluginProjects:
            return projects

        @property
        def entries(self) -> PluginEntries:
            return entries

        @property
        def links(self) -> PluginLinks:
            return linked

        @property
        def exchange_rates(self) -> PluginExchangeRates:
            return fixings

    return RunLedger()


def _entry_views(
    session: Any, since: dt.date | None, invoice_status: str | None
) -> list[TimeEntryView]:
    entry = tables.WorkEntry.__table__.c  # type: ignore[attr-defined]
    invoice = tables.Invoice.__table__  # type: ignore[attr-defined]
    query = (
        select(
            entry.id,
            entry.project_id,
            entry.date,
            entry.minutes,
            entry.description,
            entry.billable,
            entry.invoice_id,
            invoice.c.status,
        )
        .select_from(tables.WorkEntry.__table__)  # type: ignore[attr-defined]
        .outerjoin(invoice, entry.invoice_id == invoice.c.id)
        .order_by(entry.date, entry.id)
    )
    if since is not None:
        query = query.where(entry.date >= since)
    if invoice_status is not None:
        query = query.where(invoice.c.status == invoice_status)
    names = tuple(TimeEntryView.model_fields)
    # Trusted stored values: built without validation, as a sync may list 100,000.
    return [
        TimeEntryView.model_construct(**dict(zip(names, row, strict=True)))
        for row in session.connection().execute(query)
    ]
