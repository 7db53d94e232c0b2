"""Clients, projects and time entries a sync stages, applied in the run's transaction.

Like money transactions, a plugin's upserts are validated and staged while it
talks to upstream (a record that changes nothing is only counted; the rest wait in
a spool, a batch in memory and the others on disk). At the end of the run they are
applied batch by batch through the core services (so every rule and the audit apply
as in the app), keyed on the plugin's external links: a record seen before with
the same content changes nothing, a changed one updates its object, a new one
creates object and link.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from ledger.contracts.errors import BadUpstreamData
from ledger.contracts.inputs import ClientInput, ProjectInput, TimeEntryInput
from ledger.contracts.plugin import SyncResult
from ledger.core.validation import validated
from ledger.errors import InvalidInput, LedgerError
from ledger.platform.links import Link, LinkIndex, LinkWriter, load_links, stored_states
from ledger.platform.spool import RowSpool
from ledger.storage import tables
from ledger.storage.database import UnitOfWork

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.platform.host import PlatformLedger

RecordT = TypeVar("RecordT", ClientInput, ProjectInput, TimeEntryInput)
Reading = Callable[[], AbstractContextManager["Session"]]
_CHUNK = 1000  # records validated and compared per read of their links

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
    model: type[RecordT], items: Iterable[RecordT | Mapping[str, Any]], first: int = 0
) -> list[RecordT]:
    """`items` as `model`s (the core's `validated`, NUL bytes refused too);
    `BadUpstreamData` naming the item (numbered from `first`) and field otherwise."""
    entity = ENTITY_OF[model]
    records = []
    for index, item in enumerate(items, start=first):
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


class RecordStage:
    """What one run upserted, removed and attached, the last occurrence of each
    external id winning.

    A record whose content is what its link last pulled is counted and dropped at
    once; the others wait in a `RowSpool` per entity (a batch in memory, the rest on
    disk). A run's memory so grows by an index entry per record (its external id and
    the position of its latest occurrence), not by the records or their links: each
    chunk of upserts reads the links of its own external ids.
    """

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.removed: dict[str, str] = {}  # external id → entity
        self.attached: list[tuple[str, int, str]] = []
        self.warnings: list[str] = []
        self.closed_reason: str | None = None
        self._spools = {entity: RowSpool() for entity in ENTITY_OF.values()}
        self._latest: dict[str, dict[str, int]] = {entity: {} for entity in ENTITY_OF.values()}
        self._occurrences = 0

    def add(
        self, model: type[RecordT], items: Iterable[RecordT | Mapping[str, Any]], reading: Reading
    ) -> SyncResult:
        """Validate and stage `items`, counted against their links as stored (read
        through `reading`, a chunk at a time)."""
        if self.closed_reason:
            raise RuntimeError(self.closed_reason)
        entity, result = ENTITY_OF[model], SyncResult()
        iterator, offset = iter(items), 0
        while chunk := list(islice(iterator, _CHUNK)):
            records = validated_records(model, chunk, offset)
            with reading() as session:
                ids = [record.external_id for record in records]
                states = stored_states(session.connection(), self.plugin, entity, ids)
            result += self._stage(entity, records, states)
            offset += len(chunk)
        return result

    def _stage(self, entity: str, records: list[RecordT], states: dict[str, str]) -> SyncResult:
        created = updated = unchanged = 0
        attached = {(kind, external_id) for kind, _, external_id in self.attached}
        latest = self._latest[entity]
        for record in records:
            external_id = record.external_id
            repeated = external_id in latest
            state = states.get(external_id)
            new_link = (entity, external_id) in attached
            changed = new_link or state != record_state(record)
            self._occurrences += 1
            # 0 marks a latest occurrence that was not staged (an int shared by all)
            latest[external_id] = self._occurrences if changed else 0
            if changed:
                self._spools[entity].add((self._occurrences, record))
            if repeated or not changed:
                unchanged += 1  # a repeat within one run (overlapping pages): latest wins
            elif state is None and not new_link:
                created += 1
            else:
                updated += 1  # attached in this run, its first pull updates it
        return SyncResult(created=created, updated=updated, unchanged=unchanged)

    def latest(self, entity: str) -> Iterator[list[BaseModel]]:
        """The staged records of `entity` to write, in batches: each external id's
        latest occurrence, unless that was what its link already holds."""
        latest = self._latest[entity]
        for batch in self._spools[entity].batches():
            kept = [record for seq, record in batch if latest[record.external_id] == seq]
            if kept:
                yield kept

    def unchanged(self, applied: int) -> int:
        """Records counted unchanged besides the `applied` ones: repeats, and external
        ids whose latest occurrence was what their link holds."""
        unique = sum(len(latest) for latest in self._latest.values())
        return (self._occurrences - unique) + (unique - applied)

    def close(self, reason: str) -> None:
        """Refuse further records and drop the staged ones."""
        self.closed_reason = reason
        for spool in self._spools.values():
            spool.close()


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
        applied = 0
        for clients in self.stage.latest("clients"):
            for client in clients:
                self._client(client)  # type: ignore[arg-type]
            applied += len(clients)
        for projects in self.stage.latest("projects"):
            for project in projects:
                self._project(project)  # type: ignore[arg-type]
            applied += len(projects)
        for entries in self.stage.latest("time_entries"):
            self._entries(entries)  # type: ignore[arg-type]
            self.writer.write(self.uow)  # a batch's links, so they do not pile up
            applied += len(entries)
        self._remove_entries()
        self.writer.write(self.uow)
        return self.counts + SyncResult(unchanged=self.stage.unchanged(applied))

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
        new: dict[int, list[tuple[TimeEntryInput, str]]] = defaultdict(list)
        for record in records:
            link, state, changed = self._linked("time_entries", record)
            project_id = self._object_of("projects", record.project_id, record.project_external_id)
            if link is None:
                new[project_id].append((record, state))
            elif not changed:
                self._count(unchanged=1)
            else:
                self._changed_entry(record, link, state, project_id)
        for project_id, batch in new.items():
            items = [_entry_fields(record) for record, _ in batch]
            with _named(batch[0][0]):
                ids = self.ledger.entries.add_many(project_id, items)
            for (record, state), entry_id in zip(batch, ids, strict=True):
                # Not indexed: the stage gives each external id once, and the index
                # serves links stored before this run.
                external_id = record.external_id
                self.writer.insert("time_entries", entry_id, external_id, upstream_state=state)
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
            return  # without loading every link of the plugin's entries
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
