"""Replay the audit trail and compare it with the business rows it describes.

Each event's values rebuild the rows of its table: an insert sets the whole row, an
update the columns it changed, a delete removes it. A row that differs from what the
trail says, a row the trail never saw, and a row the trail says exists but does not,
are all named. Columns the trail redacts (secrets) cannot be compared and are skipped;
so is a column of a row the trail has no value for yet (added by a later migration).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlmodel import SQLModel

from ledger.storage.audit_chain import REDACTED_COLUMNS, jsonable
from ledger.storage.tables import AUDITED_TABLES

Row = dict[str, Any]


class Replay:
    """The rows of every audited table as the trail describes them."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Row]] = {name: {} for name in AUDITED_TABLES}

    def apply(self, event: Mapping[str, Any]) -> None:
        """Apply one audit event (a row of `audit_events`)."""
        table = self.rows.setdefault(event["entity"], {})
        key, action = event["entity_id"], event["action"]
        if action == "delete":
            table.pop(key, None)
            return
        values = json.loads(event["after"]) if event["after"] else {}
        if action == "insert":
            table[key] = values
        else:
            table.setdefault(key, {}).update(values)

    def differences(self, conn: Connection) -> list[str]:
        """One sentence per row that differs from the trail, table by table."""
        found: list[str] = []
        for name in sorted(AUDITED_TABLES):
            found.extend(self._differences_in(conn, SQLModel.metadata.tables[name]))
        return found

    def _differences_in(self, conn: Connection, table: Table) -> Iterator[str]:
        expected = dict(self.rows.get(table.name, {}))
        secret = REDACTED_COLUMNS.get(table.name, frozenset())
        for row in conn.execute(select(table).order_by(table.c.id)).mappings():
            key = str(row["id"])
            audited = expected.pop(key, None)
            if audited is None:
                yield f"{table.name} {key}: in the table, but the audit trail never saw it"
                continue
            for column, value in row.items():
                if column in secret or column not in audited:
                    continue
                if not _same(value, audited[column]):
                    yield (
                        f"{table.name} {key}: {column} is {jsonable(value)!r} in the table, "
                        f"{audited[column]!r} by the audit"
                    )
        for key in sorted(expected, key=_id_order):
            yield f"{table.name} {key}: in the audit trail, but not in the table"


def _same(value: Any, audited: Any) -> bool:
    """Whether a column's value is the one the trail recorded.

    A time is compared as an instant: the trail keeps the offset it was written with,
    the database may give it back in UTC.
    """
    if isinstance(value, dt.datetime) and isinstance(audited, str):
        try:
            recorded = dt.datetime.fromisoformat(audited)
        except ValueError:
            return False
        return _as_utc(value) == _as_utc(recorded)
    return bool(jsonable(value) == audited)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _id_order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (0, key)
