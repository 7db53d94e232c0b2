"""``ctx.push``: send ledger objects upstream once per change, recorded as accepted.

Each batch's accepted objects get their link (upstream id, digest of what was
sent) in a transaction of their own the moment upstream answers, audited under
the plugin and the run. The run's other writes still wait for its end; these
cannot, because upstream already holds them.

httpx (and the run's client) load on the first send, so a plugin that never
pushes does not import them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ledger.contracts.context import RunLog
from ledger.contracts.errors import BadUpstreamData, UpstreamError
from ledger.contracts.push import (
    BuildRequest,
    Outgoing,
    PushResult,
    ReadAccepted,
    check_entity,
    state_fingerprint,
)
from ledger.platform.links import LinkIndex, LinkWriter, RunLinks

if TYPE_CHECKING:
    import httpx

    from ledger.platform.host import PlatformLedger


class RunPusher:
    """The `Pusher` of one run: sends through the run's client (`client()` makes it on
    first use), links through its ledger."""

    def __init__(
        self,
        ledger: PlatformLedger,
        links: RunLinks,
        client: Callable[[], httpx.Client],
        log: RunLog,
        dry_run: bool,
    ) -> None:
        self.ledger = ledger
        self.links = links
        self.plugin = links.plugin
        self.client = client
        self.log = log
        self.dry_run = dry_run

    def __call__(
        self,
        entity: str,
        states: Mapping[int, Mapping[str, Any]],
        *,
        request: BuildRequest,
        accepted: ReadAccepted | None,
        batch_size: int,
        only_linked: bool,
    ) -> PushResult:
        check_entity(entity, "ctx.push")
        links = self.links[entity]
        if only_linked:
            states = {k: v for k, v in states.items() if k in links.by_object}
        pending, digests, unchanged = _pending(states, links)
        sent = withheld = 0
        refused: list[str] = []
        for start in range(0, len(pending), batch_size):
            batch = pending[start : start + batch_size]
            response = self._send(entity, request, batch)
            if self.dry_run:
                withheld += len(batch)
                continue
            upstream_ids = _accepted_ids(entity, batch, response, accepted)
            self._record(entity, batch, upstream_ids, digests, links)
            sent += len(upstream_ids)
            refused += [
                f"{entity} {o.object_id}" for o in batch if o.object_id not in upstream_ids
            ]
        if refused:
            self.log.warning(f"upstream did not accept {len(refused)}: {', '.join(refused[:10])}")
        return PushResult(sent, unchanged, withheld, tuple(refused))

    def _send(self, entity: str, request: BuildRequest, batch: list[Outgoing]) -> httpx.Response:
        import httpx  # on the first push only

        from ledger.contracts.http import upstream_message

        built = request(batch)
        if not isinstance(built, httpx.Request):
            raise TypeError(
                "ctx.push: request= must return an httpx.Request; build it with "
                f"ctx.http.build_request(...), got {type(built).__name__}"
            )
        response = self.client().send(built)
        if not response.is_success:
            raise UpstreamError(
                f"upstream refused the push of {len(batch)} {entity} ({response.status_code}): "
                f"{upstream_message(response, self.log.redact)}",
                response.status_code,
            )
        return response

    def _record(
        self,
        entity: str,
        batch: list[Outgoing],
        upstream_ids: Mapping[int, str],
        digests: Mapping[int, str],
        links: LinkIndex,
    ) -> None:
        """Store the accepted objects' links (with the `digests` of their states) now, and
        keep the run's view of them current."""
        writer = LinkWriter(self.plugin)
        accepted = [
            (item.object_id, upstream_ids[item.object_id], digests[item.object_id])
            for item in batch
            if item.object_id in upstream_ids
        ]
        for object_id, upstream_id, digest in accepted:
            link = links.by_object.get(object_id)
            if link is None:
                writer.insert(entity, object_id, upstream_id, pushed_fingerprint=digest)
            else:
                writer.update(link, external_id=upstream_id, pushed_fingerprint=digest)
        with self.ledger.atomic() as uow:
            inserted = writer.write(uow)
        for object_id, upstream_id, digest in accepted:
            link = links.by_object.get(object_id)
            if link is not None:
                links.by_external.pop(link.external_id, None)
                link.external_id = upstream_id
                link.pushed_fingerprint = digest
                links.add(link)
        for link in inserted:
            links.add(link)


def _pending(
    states: Mapping[int, Mapping[str, Any]], links: LinkIndex
) -> tuple[list[Outgoing], dict[int, str], int]:
    """The objects to send, the digest of each one's state (stored once it is accepted,
    so digested once), and how many are unchanged since their last push."""
    pending, digests, unchanged = [], {}, 0
    for object_id, state in states.items():
        link = links.by_object.get(object_id)
        digest = state_fingerprint(state)
        if link is not None and link.pushed_fingerprint == digest:
            unchanged += 1
            continue
        external_id = None if link is None else link.external_id
        pending.append(Outgoing(int(object_id), state, external_id))
        digests[int(object_id)] = digest
    return pending, digests, unchanged


def _accepted_ids(
    entity: str,
    batch: Sequence[Outgoing],
    response: httpx.Response,
    accepted: ReadAccepted | None,
) -> dict[int, str]:
    if accepted is not None:
        ids = {int(k): str(v) for k, v in accepted(batch, response).items()}
        unknown = ids.keys() - {item.object_id for item in batch}
        if unknown:
            raise BadUpstreamData(f"ctx.push: accepted= named objects not in the batch: {unknown}")
        return ids
    missing = [item.object_id for item in batch if item.external_id is None]
    if missing:
        raise BadUpstreamData(
            f"ctx.push: {entity} {missing[0]} has no upstream id yet; pass accepted= to "
            "read the ids upstream gave the new objects from its answer"
        )
    return {item.object_id: str(item.external_id) for item in batch}
