"""The one clock reading every stored timestamp starts from."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Aware UTC now, to the second: every timestamp in the database is UTC."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
