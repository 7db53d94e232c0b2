"""Shared plumbing of the `Ledger` collections."""

from __future__ import annotations

import builtins
import datetime as dt
import enum
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Protocol, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from ledger.errors import InvalidInput, NotFound
from ledger.storage.database import Database, UnitOfWork

if TYPE_CHECKING:
    from ledger.core.app_settings import AppSettingsService
    from ledger.core.bank_accounts import BankAccounts
    from ledger.core.clients import Clients
    from ledger.core.invoices.service import Invoices
    from ledger.core.reports import Reports

RowT = TypeVar("RowT", bound=SQLModel)


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]
"""The default of an ``update`` argument: leave that field as it is."""


def given(**values: Any) -> dict[str, Any]:
    """The arguments a caller gave, without those left `UNSET`."""
    return {name: value for name, value in values.items() if value is not UNSET}


MAX_ID = 2**63
Ref = int | HasId
"""A row given by id or by any object with an ``id``."""


Clock = Callable[[], dt.datetime]
"""Returns aware UTC now; tests pass a fixed one."""


def system_clock() -> dt.datetime:
    """Aware UTC now."""
    return dt.datetime.now(dt.UTC)


class LedgerScope(Protocol):
    """What a service needs of the ledger it belongs to (`ledger.Ledger` is one).

    Its database, clock and transactions, and the sibling services it calls.
    """

    @property
    def database(self) -> Database: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def bank_accounts(self) -> BankAccounts: ...
    @property
    def clients(self) -> Clients: ...
    @property
    def invoices(self) -> Invoices: ...
    @property
    def reports(self) -> Reports: ...
    @property
    def settings(self) -> AppSettingsService: ...

    def today(self) -> dt.date: ...
    def atomic(self) -> AbstractContextManager[UnitOfWork]: ...
    def reading(self) -> AbstractContextManager[Session]: ...


class Service:
    """A collection of the `Ledger` (``lg.clients``, ``lg.invoices``, ...).

    Its repr says what it holds (``counted``: the table, and the noun for one row and
    for many) and lists its methods, so a notebook user sees what to call next.
    """

    counted: ClassVar[tuple[type[SQLModel], str, str] | None] = None

    def __init__(self, ledger: LedgerScope) -> None:
        self._lg = ledger

    def __repr__(self) -> str:
        methods = ", ".join(f"{name}()" for name in self.methods())
        holds = self._holding()
        return f"<{type(self).__name__}{': ' + holds if holds else ''} · {methods}>"

    def methods(self) -> builtins.list[str]:
        """The names of this collection's public methods."""
        return sorted(
            name
            for name, value in inspect.getmembers(type(self))
            if not name.startswith("_") and inspect.isfunction(value) and name != "methods"
        )

    def _holding(self) -> str:
        if self.counted is None:
            return ""
        table, one, many = self.counted
        with self._lg.reading() as session:
            count = session.exec(select(func.count()).select_from(table)).one()
        return f"{count} {one if count == 1 else many}"


def ref_id(ref: Ref, field: str) -> int:
    """The id of `ref`; a clear error for anything else."""
    value = ref if isinstance(ref, int) and not isinstance(ref, bool) else getattr(ref, "id", None)
    if not isinstance(value, int):
        raise InvalidInput(field, f"expected an id or an object with an id, got {ref!r}")
    if not fits_id(value):
        # No row has it, and the database would overflow on it instead of saying so.
        raise NotFound(f"{field} {value} does not exist")
    return value


def fits_id(value: int) -> bool:
    """Whether `value` can be a row id (a positive 64-bit integer)."""
    return 0 < value < MAX_ID


def get_row(session: Session, table: type[RowT], row_id: int, what: str) -> RowT:
    """Load one row or raise `NotFound` naming it."""
    # An id past 64 bits cannot exist; asking the database would overflow instead.
    row = session.get(table, row_id) if fits_id(row_id) else None
    if row is None:
        raise NotFound(f"{what} {row_id} does not exist")
    return row


def pk(row: HasId) -> int:
    """The primary key of a stored row (flushed rows always have one)."""
    if row.id is None:
        raise RuntimeError(f"{row!r} has no id yet; flush the session first")
    return row.id
