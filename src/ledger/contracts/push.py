"""Pushing ledger data upstream so that nothing is sent twice.

A plugin does not send its changing requests itself: it hands `ctx.push` the
state of each object it wants upstream and says how to build the request. The
platform sends only what changed since the last accepted push, and records each
object's link (upstream id and the digest of what was sent) in the database the
moment upstream accepts it, not at the end of the run. A run that fails on its
500th request therefore resends none of the 499 before it, and a run with
nothing changed sends nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx

PUSHABLE_ENTITIES = frozenset(
    {"clients", "projects", "time_entries", "invoices", "money_transactions"}
)
"""What a plugin may push (and link): ledger objects by their table's name."""


def check_entity(entity: str, where: str) -> None:
    """`ValueError` naming the entities there are, unless `entity` is one."""
    if entity not in PUSHABLE_ENTITIES:
        known = ", ".join(sorted(PUSHABLE_ENTITIES))
        raise ValueError(f"{where}: unknown entity {entity!r}; use one of {known}")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One object on its way upstream.

    Attributes:
        object_id: the ledger object's id.
        state: what to send (the value given to `ctx.push`).
        external_id: its upstream id when it is linked already (send an update,
            not a create), else None.
    """

    object_id: int
    state: Mapping[str, Any]
    external_id: str | None


@dataclass(frozen=True, slots=True)
class PushResult:
    """What a push did: objects sent, unchanged since their last push, and
    (in a dry run) withheld."""

    sent: int = 0
    unchanged: int = 0
    withheld: int = 0
    refused: tuple[str, ...] = ()


BuildRequest = Callable[[Sequence[Outgoing]], "httpx.Request"]
"""Builds the request for a batch (with ``ctx.http.build_request``)."""

ReadAccepted = Callable[[Sequence[Outgoing], "httpx.Response"], Mapping[int, str]]
"""Reads which objects of a batch upstream accepted: object id → upstream id."""


class Pusher(Protocol):
    """What ``ctx.push`` calls; the platform implements it."""

    def __call__(
        self,
        entity: str,
        states: Mapping[int, Mapping[str, Any]],
        *,
        request: BuildRequest,
        accepted: ReadAccepted | None,
        batch_size: int,
        only_linked: bool,
    ) -> PushResult: ...


def state_fingerprint(state: Mapping[str, Any]) -> str:
    """The digest that tells whether `state` changed since it was last pushed."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
