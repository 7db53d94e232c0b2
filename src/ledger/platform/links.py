"""External links: which ledger object is which upstream object, per plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ledger.contracts.views import LinkView
from ledger.storage import tables
from ledger.storage.database import RowUpdate, UnitOfWork
from ledger.storage.tables import utcnow

LINKS = tables.ExternalLink.__table__  # type: ignore[attr-defined]


class Link:
    """One stored link row (slots: a run may hold a plugin's 200,000).

    A plain class: ``@dataclass(slots=True)`` costs most of a millisecond to define,
    on every sync of a fresh process.
    """

    __slots__ = (
        "entity",
        "external_id",
        "id",
        "object_id",
        "pushed_fingerprint",
        "upstream_state",
    )

    def __init__(
        self,
        id: int,
        entity: str,
        object_id: int,
        external_id: str,
        upstream_state: str,
        pushed_fingerprint: str,
    ) -> None:
        self.id = id
        self.entity = entity
        self.object_id = object_id
        self.external_id = external_id
        self.upstream_state = upstream_state
        self.pushed_fingerprint = pushed_fingerprint

    def view(self) -> LinkView:
        # Trusted stored values: built without validation, as a sync may list 100,000.
        return LinkView.model_construct(
            entity=self.entity,
            object_id=self.object_id,
            external_id=self.external_id,
            upstream_state=self.upstream_state,
            pushed_fingerprint=self.pushed_fingerprint,
        )


class LinkIndex:
    """A plugin's links of one entity, by upstream id and (built when first asked, as
    only pushes need it) by ledger object."""

    def __init__(self, links: Iterable[Link]) -> None:
        self.by_external = {link.external_id: link for link in links}
        self._by_object: dict[int, Link] | None = None

    @property
    def by_object(self) -> dict[int, Link]:
        if self._by_object is None:
            self._by_object = {link.object_id: link for link in self.by_external.values()}
        return self._by_object

    def add(self, link: Link) -> None:
        self.by_external[link.external_id] = link
        if self._by_object is not None:
            self._by_object[link.object_id] = link


def load_links(connection: Connection, plugin: str, entity: str) -> LinkIndex:
    """Every link of `plugin` for `entity`."""
    query = select(
        LINKS.c.id,
        LINKS.c.entity,
        LINKS.c.object_id,
        LINKS.c.external_id,
        LINKS.c.upstream_state,
        LINKS.c.pushed_fingerprint,
    ).where(LINKS.c.plugin == plugin, LINKS.c.entity == entity)
    return LinkIndex(Link(*row) for row in connection.execute(query))


def stored_states(
    connection: Connection, plugin: str, entity: str, external_ids: Sequence[str]
) -> dict[str, str]:
    """external id → upstream state of those of `external_ids` that `plugin` has linked."""
    query = select(LINKS.c.external_id, LINKS.c.upstream_state).where(
        LINKS.c.plugin == plugin,
        LINKS.c.entity == entity,
        LINKS.c.external_id.in_(external_ids),
    )
    return {external_id: state for external_id, state in connection.execute(query).all()}


class RunLinks:
    """One run's view of its plugin's stored links: loaded once per entity, kept
    current by the run's own pushes (which store links as they go)."""

    def __init__(self, plugin: str, read: Callable[[], AbstractContextManager[Session]]) -> None:
        self.plugin = plugin
        self._read = read
        self._loaded: dict[str, LinkIndex] = {}

    def __getitem__(self, entity: str) -> LinkIndex:
        if entity not in self._loaded:
            with self._read() as session:
                self._loaded[entity] = load_links(session.connection(), self.plugin, entity)
        return self._loaded[entity]


class LinkWriter:
    """Collects new and changed links, then writes them with two audited statements."""

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[RowUpdate] = []
        self.deletes: list[int] = []

    def insert(self, entity: str, object_id: int, external_id: str, **states: str) -> None:
        self.inserts.append(
            {
                "plugin": self.plugin,
                "entity": entity,
                "object_id": object_id,
                "external_id": external_id,
                "upstream_state": states.get("upstream_state", ""),
                "pushed_fingerprint": states.get("pushed_fingerprint", ""),
                "updated_at": utcnow(),
            }
        )

    def update(self, link: Link, **after: str) -> None:
        before = {
            key: getattr(link, key) for key, value in after.items() if getattr(link, key) != value
        }
        if before:
            changed = {key: after[key] for key in before}
            self.updates.append(RowUpdate(link.id, before, changed))

    def write(self, uow: UnitOfWork) -> list[Link]:
        """Write what was collected; return the links inserted, with their ids."""
        ids = uow.insert_many(tables.ExternalLink, self.inserts)
        inserted = [
            Link(row_id, row["entity"], row["object_id"], row["external_id"],
                 row["upstream_state"], row["pushed_fingerprint"])
            for row_id, row in zip(ids, self.inserts, strict=True)
        ]  # fmt: skip
        for columns in {tuple(sorted(u.after)) for u in self.updates}:
            same = [u for u in self.updates if tuple(sorted(u.after)) == columns]
            uow.update_many(tables.ExternalLink, same)
        for link_id in self.deletes:
            row = uow.session.get(tables.ExternalLink, link_id)
            if row is not None:
                uow.session.delete(row)
        self.inserts, self.updates, self.deletes = [], [], []
        return inserted
