"""`verify`: what the audit trail proves, checked in one pass.

1. Every event links to the one before it and its hash is its content's HMAC under
   the audit key. Only the events of an upgraded database that were written before
   the chain was keyed (up to its signed ``unkeyed_until`` mark) may carry a plain
   SHA-256 instead.
2. Every stored checkpoint, and a head line kept elsewhere, is signed with the key
   and names an event that still has the hash it had then: events removed or
   recomputed at or below a checkpoint are caught.
3. Replaying the events rebuilds every audited table, which must equal the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ledger.errors import AuditChainBroken, AuditRowsDiffer
from ledger.storage import audit_checkpoints as checkpoints
from ledger.storage.audit_chain import GENESIS_HASH, Hasher, event_parts, events_in_order
from ledger.storage.audit_checkpoints import Checkpoint
from ledger.storage.audit_replay import Replay


@dataclass(frozen=True, slots=True)
class Verification:
    """What verify checked: events, of them unkeyed, and checkpoints held against."""

    events: int
    unkeyed: int
    checkpoints: int


def verify(conn: Connection, key: bytes, head: Checkpoint | None = None) -> Verification:
    """Check chain, signatures, checkpoints (and `head`) and replay the rows.

    Raises:
        AuditChainBroken: naming the first event or checkpoint that does not verify.
        AuditRowsDiffer: listing each business row that differs from the trail.
    """
    marks = _signed(conn, key, head)
    unkeyed_until = max(
        (m.event_id for m in marks if m.kind == checkpoints.UNKEYED_UNTIL), default=0
    )
    walk = _Walk(key, unkeyed_until, {m.event_id for m in marks})
    events = events_in_order(conn)
    with closing(events):  # stopping at a broken link closes the server-side cursor
        for row in events:
            walk.step(row)
    for mark in marks:
        _hold(mark, walk)
    differences = walk.replay.differences(conn)
    if differences:
        raise AuditRowsDiffer(differences)
    return Verification(walk.count, walk.unkeyed, len(marks))


class _Walk:
    def __init__(self, key: bytes, unkeyed_until: int, wanted: set[int]) -> None:
        self.keyed = Hasher(key)
        self.plain = Hasher(None)
        self.unkeyed_until = unkeyed_until
        self.wanted = wanted
        self.seen: dict[int, str] = {0: GENESIS_HASH}
        self.prev = GENESIS_HASH
        self.last_id = 0
        self.count = 0
        self.unkeyed = 0
        self.replay = Replay()

    def step(self, row: Mapping[str, Any]) -> None:
        event_id = row["id"]
        if row["prev_hash"] != self.prev:
            raise AuditChainBroken(event_id, "does not link to the event before it")
        parts = event_parts(self.prev, row)
        if self.keyed(*parts) != row["hash"]:
            if event_id > self.unkeyed_until or self.plain(*parts) != row["hash"]:
                raise AuditChainBroken(event_id, _mismatch(event_id, self.unkeyed_until))
            self.unkeyed += 1
        self.prev, self.last_id = row["hash"], event_id
        self.count += 1
        if event_id in self.wanted:
            self.seen[event_id] = row["hash"]
        self.replay.apply(row)


def _signed(conn: Connection, key: bytes, head: Checkpoint | None) -> Sequence[Checkpoint]:
    marks = [*checkpoints.stored(conn), *([head] if head is not None else [])]
    for mark in marks:
        if not mark.is_signed_by(key):
            raise AuditChainBroken(
                mark.event_id,
                f"{mark.describe()} is not signed with this ledger's key "
                "(forged, altered, or from another ledger)",
            )
    return marks


def _hold(mark: Checkpoint, walk: _Walk) -> None:
    found = walk.seen.get(mark.event_id)
    if found is None:
        raise AuditChainBroken(
            mark.event_id,
            f"{mark.describe()} names it, but the trail has no such event "
            f"(it ends at {walk.last_id}: events were removed)",
        )
    if found != mark.head_hash:
        raise AuditChainBroken(
            mark.event_id,
            f"its hash differs from the one {mark.describe()} signed "
            "(the trail was recomputed or replaced)",
        )


def _mismatch(event_id: int, unkeyed_until: int) -> str:
    if event_id <= unkeyed_until:
        return "content does not match its hash"
    return "content does not match its hash under this ledger's key (altered, or forged)"
