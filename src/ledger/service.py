"""Shared plumbing of the `Ledger` collections."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from sqlmodel import Session, SQLModel

from ledger.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from ledger.ledger import Ledger

RowT = TypeVar("RowT", bound=SQLModel)


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


MAX_ID = 2**63
Ref = int | HasId
"""A row given by id or by any object with an ``id``."""


class Service:
    """A collection of the `Ledger` (``lg.clients``, ``lg.invoices``, ...)."""

    def __init__(self, ledger: Ledger) -> None:
        self._lg = ledger


def ref_id(ref: Ref, field: str) -> int:
    """The id of `ref`; a clear error for anything else."""
    value = ref if isinstance(ref, int) and not isinstance(ref, bool) else getattr(ref, "id", None)
    if not isinstance(value, int):
        raise InvalidInput(field, f"expected an id or an object with an id, got {ref!r}")
    return value


def get_row(session: Session, table: type[RowT], row_id: int, what: str) -> RowT:
    """Load one row or raise `NotFound` naming it."""
    # An id past 64 bits cannot exist; asking the database would overflow instead.
    row = session.get(table, row_id) if 0 < row_id < MAX_ID else None
    if row is None:
        raise NotFound(f"{what} {row_id} does not exist")
    return row


def pk(row: HasId) -> int:
    """The primary key of a stored row (flushed rows always have one)."""
    if row.id is None:
        raise RuntimeError(f"{row!r} has no id yet; flush the session first")
    return row.id
