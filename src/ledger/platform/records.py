"""Clients, projects and time entries a sync stages, applied in the run's transaction.

Like money transactions, a plugin's upserts are validated and held in memory
while it talks to upstream. At the end of the run they are applied through the
core services (so every rule and the audit apply as in the app), keyed on the
plugin's external links: a record seen before with the same content changes
nothing, a changed one updates its object, a new one creates object and link.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from ledger.contracts.errors import BadUpstreamData
from ledger.contracts.inputs import ClientInput, ProjectInput, TimeEntryInput
from ledger.contracts.plugin import SyncResult
from ledger.core.validation import validated
from ledger.errors import InvalidInput, LedgerError
from ledger.platform.links import Link, LinkIndex, LinkWriter, load_links
from ledger.storage import tables
from ledger.storage.database import UnitOfWork

if TYPE_CHECKING:
    from ledger.platform.host import PlatformLedger

RecordT = TypeVar("RecordT", ClientInput, ProjectInput, TimeEntryInput)

ENTITY_OF: dict[type[BaseModel], str] = {
    ClientInput: "clients",
    ProjectInput: "projects",
    TimeEntryInput: "time_entries",
}
TABLE_OF: dict[str, type[Any]] = {
    "clients": tables.Client,
    "projects": tables.Project,
    "time_entries": tables.WorkEntry,
    "invoices": tables.Invoice,
    "money_transactions": tables.MoneyTransaction,
}


def validated_records(
    model: type[RecordT], items: Iterable[RecordT | Mapping[str, Any]]
) -> list[RecordT]:
    """`items` as `model`s (the core's `validated`, NUL bytes refused too);
    `BadUpstreamData` naming the item and field otherwise."""
    entity = ENTITY_OF[model]
    records = []
    for index, item in enumerate(items):
        if isinstance(item, model):
            records.append(item)
            continue
        if not isinstance(item, Mapping):
            raise BadUpstreamData(
                f"expected a mapping or {model.__name__}, got {type(item).__name__}",
                field=f"{entity}[{index}]",
            )
        try:
            records.append(validated(model, dict(item)))
        except InvalidInput as exc:
            raise BadUpstreamData(exc.message, field=f"{entity}[{index}].{exc.field}") from None
    return records


def record_state(record: BaseModel) -> str:
    """The digest of a record's content, kept as its link's upstream state.

    The validated fields are plain values (text, numbers, dates, Decimals) whose
    repr is stable, and hashing it is several times cheaper than dumping JSON.
    """
    text = repr(sorted(vars(record).items()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class RecordStage:
    """What one run upserted, removed and attached, last occurrence winning."""

    plugin: str
    records: dict[str, dict[str, BaseModel]] = field(default_factory=lambda: defaultdict(dict))
    removed: dict[str, str] = field(default_factory=dict)  # external id → entity
    attached: list[tuple[str, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repeats: int = 0
    closed_reason: str | None = None

    def add(self, records: list[RecordT], links: LinkIndex) -> SyncResult:
        """Stage `records`, counted against `links` as they stand."""
        if self.closed_reason:
            raise RuntimeError(self.closed_reason)
        created = updated = unchanged = 0
        attached = {(entity, external_id) for entity, _, external_id in self.attached}
        for record in records:
            entity = ENTITY_OF[type(record)]
            staged = self.records[entity]
            repeated = record.external_id in staged
            staged[record.external_id] = record
            link = links.by_external.get(record.external_id)
            if repeated:
                self.repeats += 1  # a repeat within one run (overlapping pages): latest wins
                unchanged += 1
            elif (entity, record.external_id) in attached:
                updated += 1  # attached in this run, so its first pull updates it
            elif link is None:
                created += 1
            elif link.upstream_state != record_state(record):
                updated += 1
            else:
                unchanged += 1
        return SyncResult(created=created, updated=updated, unchanged=unchanged)

    @property
    def empty(self) -> bool:
        return not (any(self.records.values()) or self.removed or self.attached)


class RecordApplier:
    """Applies a `RecordStage` inside the run's unit of work, through `ledger`'s services."""

    def __init__(self, ledger: PlatformLedger, uow: UnitOfWork, stage: RecordStage) -> None:
        self.ledger = ledger
        self.uow = uow
        self.stage = stage
        self.writer = LinkWriter(stage.plugin)
        self.counts = SyncResult()
        self.removed = 0
        self._links: dict[str, LinkIndex] = {}

    def links(self, entity: str) -> LinkIndex:
        if entity not in self._links:
            connection = self.uow.session.connection()
            self._links[entity] = load_links(connection, self.stage.plugin, entity)
        return self._links[entity]

    def apply(self) -> SyncResult:
        for entity, object_id, external_id in self.stage.attached:
            self._attach(entity, object_id, external_id)
        records = self.stage.records
        for client in records["clients"].values():
            self._client(client)  # type: ignore[arg-type]
        for project in records["projects"].values():
            self._project(project)  # type: ignore[arg-type]
        self._entries(list(records["time_entries"].values()))  # type: ignore[arg-type]
        self._remove_entries()
        self.writer.write(self.uow)
        return self.counts + SyncResult(unchanged=self.stage.repeats)

    # --- links -------------------------------------------------------------

    def _attach(self, entity: str, object_id: int, external_id: str) -> None:
        index = self.links(entity)
        if self.uow.session.get(TABLE_OF[entity], object_id) is None:
            raise BadUpstreamData(f"links.attach: {entity} {object_id} does not exist")
        known = index.by_external.get(external_id) or index.by_object.get(object_id)
        if known is not None:
            if (known.object_id, known.external_id) != (object_id, external_id):
                raise BadUpstreamData(
                    f"links.attach: {entity} {object_id} ↔ {external_id!r} clashes with the "
                    f"stored link {known.object_id} ↔ {known.external_id!r}"
                )
            return
        self._new_link(entity, object_id, external_id, "")

    def _new_link(self, entity: str, object_id: int, external_id: str, state: str) -> None:
        self.writer.insert(entity, object_id, external_id, upstream_state=state)
        self.links(entity).add(Link(0, entity, object_id, external_id, state, ""))

    def _linked(self, entity: str, record: BaseModel) -> tuple[Link | None, str, bool]:
        """(link, new state, whether the record differs from what was last pulled)."""
        link = self.links(entity).by_external.get(record.external_id)  # type: ignore[attr-defined]
        state = record_state(record)
        return link, state, link is None or link.upstream_state != state

    def _mark_pulled(self, link: Link, state: str) -> None:
        if link.id:
            self.writer.update(link, upstream_state=state)
        link.upstream_state = state

    def _count(self, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        self.counts = self.counts + SyncResult(created, updated, unchanged)

    # --- clients and projects ----------------------------------------------

    def _client(self, record: ClientInput) -> None:
        link, state, changed = self._linked("clients", record)
        fields = _fields(record)
        with _named(record):
            if not changed:
                self._count(unchanged=1)
            elif link is None:
                client = self.ledger.clients.add(**fields)
                self._new_link("clients", client.id, record.external_id, state)
                self._count(created=1)
            else:
                self.ledger.clients.update(link.object_id, **fields)
                self._mark_pulled(link, state)
                self._count(updated=1)

    def _project(self, record: ProjectInput) -> None:
        link, state, changed = self._linked("projects", record)
        fields = _fields(record, drop={"client_external_id", "client_id"})
        with _named(record):
            if not changed:
                self._count(unchanged=1)
            elif link is None:
                client = self._object_of("clients", record.client_id, record.client_external_id)
                project = self.ledger.projects.add(client, **fields)
                self._new_link("projects", project.id, record.external_id, state)
                self._count(created=1)
            else:
                self.ledger.projects.update(link.object_id, **fields)
                self._mark_pulled(link, state)
                self._count(updated=1)

    def _object_of(self, entity: str, object_id: int | None, external_id: str | None) -> int:
        if object_id is not None:
            if self.uow.session.get(TABLE_OF[entity], object_id) is None:
                raise BadUpstreamData(f"{entity} {object_id} does not exist in ledger")
            return object_id
        link = self.links(entity).by_external.get(external_id or "")
        if link is None:
            raise BadUpstreamData(
                f"no {entity} with external id {external_id!r}: upsert it (or "
                "ctx.ledger.links.attach it) before what refers to it"
            )
        return link.object_id

    # --- time entries -------------------------------------------------------

    def _entries(self, records: list[TimeEntryInput]) -> None:
        new: dict[int, list[TimeEntryInput]] = defaultdict(list)
        for record in records:
            link, state, changed = self._linked("time_entries", record)
            project_id = self._object_of("projects", record.project_id, record.project_external_id)
            if link is None:
                new[project_id].append(record)
            elif not changed:
                self._count(unchanged=1)
            else:
                self._changed_entry(record, link, state, project_id)
        for project_id, batch in new.items():
            items = [_entry_fields(record) for record in batch]
            with _named(batch[0]):
                ids = self.ledger.entries.add_many(project_id, items)
            for record, entry_id in zip(batch, ids, strict=True):
                self._new_link("time_entries", entry_id, record.external_id, record_state(record))
            self._count(created=len(batch))

    def _changed_entry(
        self, record: TimeEntryInput, link: Link, state: str, project_id: int
    ) -> None:
        row = self.uow.session.get(tables.WorkEntry, link.object_id)
        self._mark_pulled(link, state)
        if row is None:
            self.stage.warnings.append(
                f"time entry {record.external_id!r} changed upstream but was deleted in ledger"
            )
        elif row.invoice_id is not None:
            self.stage.warnings.append(
                f"time entry {record.external_id!r} changed upstream after it was invoiced "
                f"(invoice id {row.invoice_id}); ledger keeps the billed entry as it is"
            )
        else:
            with _named(record):
                self.ledger.entries.update(
                    link.object_id, project=project_id, **_entry_fields(record)
                )
            self._count(updated=1)

    def _remove_entries(self) -> None:
        if not self.stage.removed:
            return
        index = self.links("time_entries")
        for external_id in self.stage.removed:
            link = index.by_external.get(external_id)
            if link is None or not link.id:
                continue
            row = self.uow.session.get(tables.WorkEntry, link.object_id)
            if row is not None and row.invoice_id is not None:
                self.stage.warnings.append(
                    f"time entry {external_id!r} was deleted upstream after it was invoiced "
                    f"(invoice id {row.invoice_id}); ledger keeps it"
                )
                continue
            if row is not None:
                self.ledger.entries.delete(link.object_id)
            self.writer.deletes.append(link.id)
            self.removed += 1


@contextmanager
def _named(record: BaseModel) -> Iterator[None]:
    """Turn a core rule's refusal into bad upstream data naming the record."""
    try:
        yield
    except LedgerError as exc:
        entity = ENTITY_OF[type(record)]
        external_id = getattr(record, "external_id", "")
        raise BadUpstreamData(f"{entity} {external_id!r}: {exc}") from None


def _fields(record: BaseModel, drop: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """The fields the plugin set, minus the keys: only those change an existing object."""
    keep = record.model_fields_set - {"external_id", *drop}
    return {name: getattr(record, name) for name in sorted(keep)}


def _entry_fields(record: TimeEntryInput) -> dict[str, Any]:
    return {
        "date": record.date,
        "minutes": record.minutes,
        "description": record.description,
        "billable": record.billable,
    }
