"""Keeping the cyclic garbage collector off what a process held before a sync."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Keep the cyclic collector off the objects that exist before the block.

    A sync imports the engine (and httpx) and makes hundreds of thousands of
    short-lived objects; each full collection they set off re-scans everything
    the process already holds (modules, caches, the rows a notebook or a plugin
    keeps): with 50,000 rows held, half of the engine's import was such scans,
    and a fifth of a large re-sync.
    Frozen objects are still freed by reference counting; unfreezing hands any
    cycles among them back to the collector at the end.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
