"""Figures read from the data, kept between requests while the data stays the same.

Every change to the data appends an audit event (the audit is structural), so the
newest event's id is a version of the whole ledger: a kept value is served while the
version it was read at is still the newest. Each worker process keeps its own; a
write made by another worker, the CLI or a notebook moves the version for all. A
value that depends on only some tables may be kept past newer events when none of
them touched those tables (`unchanged_but`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from starlette.requests import Request

from ledger.web.state import ledger_of

T = TypeVar("T")


class DataCache:
    """Values by name, each with the version it was read at."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[Hashable, Any]] = {}
        self._lock = Lock()

    def get(
        self,
        name: Hashable,
        version: Hashable,
        read: Callable[[], T],
        still_valid: Callable[[Any], bool] | None = None,
    ) -> T:
        """The value kept under `name` if read at `version`, or at a version for which
        `still_valid(that version)` holds; else `read()` (kept)."""
        with self._lock:
            kept = self._kept.get(name)
        if kept is not None and (
            kept[0] == version or (still_valid is not None and still_valid(kept[0]))
        ):
            value: T = kept[1]
            with self._lock:
                self._kept[name] = (version, value)
            return value
        value = read()
        with self._lock:
            self._kept[name] = (version, value)
        return value


def data_version(request: Request) -> int:
    """The ledger's version for this request (asked once per request)."""
    version = getattr(request.state, "data_version", None)
    if version is None:
        version = ledger_of(request).audit.last_id()
        request.state.data_version = version
    return int(version)


def unchanged_but(
    request: Request, version: tuple[int, Hashable], harmless: frozenset[str]
) -> Callable[[Any], bool]:
    """For `DataCache.get` at `version` (an audit id and a day): whether a value kept
    at an older version is still current, the day being the same and every change
    since touching only `harmless` tables."""
    current_id, current_day = version
    answers: dict[int, bool] = {}  # per kept audit id: several values ask alike

    def still_valid(kept: Any) -> bool:
        kept_id, kept_day = kept
        if kept_day != current_day or kept_id > current_id:
            return False
        if kept_id not in answers:
            changed = ledger_of(request).audit.tables_changed(kept_id, current_id)
            answers[kept_id] = changed is not None and changed <= harmless
        return answers[kept_id]

    return still_valid


def cache_of(request: Request) -> DataCache:
    """The app's cache (one per worker process), made by `create_app`."""
    cache = request.app.state.data_cache
    if not isinstance(cache, DataCache):
        raise RuntimeError("no data cache on the app; is it made by create_app?")
    return cache
