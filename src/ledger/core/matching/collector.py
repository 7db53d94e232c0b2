"""Holding off Python's cyclic garbage collector during matching's bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector during bulk work, then restore it.

    Matching keeps tens of thousands of new objects alive (a payment each, then
    the decisions and rows to write); every few thousand survivors set off a full
    collection of every object in the process, a fifth of a 50,000-transaction
    run. Reference counting still frees what the work drops. The collector is
    left as it was found, so a caller that switched it off keeps it off.

    On the way out the objects the work made join the oldest generation as they
    are: otherwise the first allocation after it would set off a young collection
    over every one of them (the decisions the caller is about to use, a tenth of
    finding matches), which finds nothing, as they are all alive. A full
    collection still visits them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _promote_young_objects()
            gc.enable()


def _promote_young_objects() -> None:
    # Freezing moves every tracked object out of the generations and resets the count
    # of new ones, unfreezing moves them all into the oldest: both take constant time.
    # A caller that keeps objects frozen (a sync, see `ledger.platform.collector`)
    # keeps them so, and its young objects are collected as usual.
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
