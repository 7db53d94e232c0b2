"""Signed checkpoints of the audit chain's head.

A checkpoint states "event N had hash H at time T", signed with the audit key. Kept in
the database (`audit_checkpoints`), it lets `audit_verify` catch events removed or
recomputed below it; printed as a head line and kept elsewhere, it does the same for a
database whose checkpoints were removed too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from ledger.errors import InvalidInput
from ledger.storage.audit_chain import AUDIT_TABLE, GENESIS_HASH
from ledger.storage.audit_key import same, sign
from ledger.storage.tables import AuditCheckpoint, utcnow

CHECKPOINTS = AuditCheckpoint.__table__  # type: ignore[attr-defined]
CHECKPOINT = "checkpoint"
UNKEYED_UNTIL = "unkeyed_until"
_LINE_TAG = "ledger-audit-head"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's head at one moment, signed: `event_id` 0 is the empty trail."""

    kind: str
    event_id: int
    head_hash: str
    at: dt.datetime
    signature: str

    def line(self) -> str:
        """The head line an operator keeps elsewhere and passes to ``verify --head``."""
        at = self.at.isoformat()
        return f"{_LINE_TAG} {self.event_id} {self.head_hash} {at} {self.signature}"

    def is_signed_by(self, key: bytes) -> bool:
        """Whether the signature is this content's, under `key`."""
        expected = _signature(key, self.kind, self.event_id, self.head_hash, self.at)
        return same(self.signature, expected)

    def describe(self) -> str:
        """A short name for messages."""
        name = "the head line" if self.kind == "head" else f"the {self.kind.replace('_', ' ')}"
        return f"{name} of {self.at.isoformat()}"


def parse_head(text: str) -> Checkpoint:
    """The checkpoint behind a printed head line.

    Raises:
        InvalidInput: the text is not a head line.
    """
    parts = text.split()
    try:
        tag, event_id, head_hash, at, signature = parts
        moment = dt.datetime.fromisoformat(at)
        if tag != _LINE_TAG or moment.tzinfo is None:
            raise ValueError(tag)
        return Checkpoint("head", int(event_id), head_hash, moment, signature)
    except ValueError:
        raise InvalidInput(
            "head",
            f"{text.strip()[:80]!r} is not a head line; pass the whole line "
            f"`ledger audit checkpoint` printed, starting {_LINE_TAG}",
        ) from None


def record(conn: Connection, key: bytes, kind: str = CHECKPOINT) -> Checkpoint:
    """Sign the current head and store it; the caller holds the write lock."""
    last = conn.execute(
        select(AUDIT_TABLE.c.id, AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
    ).first()
    event_id, head_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    at = utcnow()
    signature = _signature(key, kind, event_id, head_hash, at)
    conn.execute(
        insert(CHECKPOINTS).values(
            kind=kind, event_id=event_id, head_hash=head_hash, at=at, signature=signature
        )
    )
    return Checkpoint(kind, event_id, head_hash, at, signature)


def stored(conn: Connection) -> Sequence[Checkpoint]:
    """Every stored checkpoint, oldest first."""
    rows = conn.execute(select(CHECKPOINTS).order_by(CHECKPOINTS.c.id)).mappings()
    return [
        Checkpoint(row["kind"], row["event_id"], row["head_hash"], row["at"], row["signature"])
        for row in rows
    ]


def latest_time(conn: Connection) -> dt.datetime | None:
    """When the newest checkpoint was taken, or None."""
    query = select(func.max(CHECKPOINTS.c.at)).where(CHECKPOINTS.c.kind == CHECKPOINT)
    return conn.execute(query).scalar()


def _signature(key: bytes, kind: str, event_id: int, head_hash: str, at: dt.datetime) -> str:
    # A head line carries no kind: it signs as a checkpoint.
    signed_kind = CHECKPOINT if kind == "head" else kind
    return sign(key, "checkpoint", signed_kind, str(event_id), head_hash, at.isoformat())
