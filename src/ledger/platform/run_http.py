"""A run's HTTP client and pusher, made the first time the plugin uses them.

httpx and the client built on it (``ledger.contracts.http``) cost tens of
milliseconds to import, as much as the rest of an unchanged re-sync's fixed
work: a plugin that never touches ``ctx.http`` or ``ctx.push`` (a statement
file, a bank that answered from its cursor before any request) should not pay
it. So this is the one place of the platform that imports them, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ledger.contracts.context import RunLog
from ledger.contracts.http_policy import ExchangeLog, HttpPolicy
from ledger.contracts.push import BuildRequest, PushResult, ReadAccepted
from ledger.platform.links import RunLinks

if TYPE_CHECKING:
    import httpx

    from ledger.platform.host import PlatformLedger


class RunHttp:
    """`client` and `push` of one run; `close` closes the client if it was made."""

    def __init__(
        self,
        policy: HttpPolicy,
        exchanges: ExchangeLog,
        transport: httpx.BaseTransport | None,
        log: RunLog,
    ) -> None:
        self.policy = policy
        self.exchanges = exchanges
        self.transport = transport
        self.log = log
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None

    def client(self) -> httpx.Client:
        """The run's ``ctx.http``, made on the first call."""
        with self._lock:
            if self._client is None:
                from ledger.contracts.http import build_client  # imports httpx

                self._client = build_client(self.policy, self.exchanges, self.transport)
            return self._client

    def pusher(self, ledger: PlatformLedger, links: RunLinks) -> _LazyPusher:
        """The run's ``ctx.push``, sending through `client`."""
        return _LazyPusher(self, ledger, links)

    def close(self) -> None:
        """Close the client, if the plugin made one."""
        with self._lock:
            if self._client is not None:
                self._client.close()


class _LazyPusher:
    """A `Pusher` that makes the real one (and the client) on the first push."""

    def __init__(self, http: RunHttp, ledger: PlatformLedger, links: RunLinks) -> None:
        self.http = http
        self.ledger = ledger
        self.links = links

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
        from ledger.platform.pushing import RunPusher  # imports httpx

        pusher = RunPusher(
            self.ledger, self.links, self.http.client(), self.http.log, self.http.policy.dry_run
        )
        return pusher(
            entity,
            states,
            request=request,
            accepted=accepted,
            batch_size=batch_size,
            only_linked=only_linked,
        )
