"""A run's HTTP client, made the first time the plugin uses it.

httpx and the client built on it (``ledger.contracts.http``) cost tens of
milliseconds to import, as much as the rest of an unchanged re-sync's fixed
work: a plugin that never touches ``ctx.http`` or ``ctx.push`` (a statement
file, a bank that answered from its cursor before any request) should not pay
it. So the client is made here on first use, and the pusher
(`ledger.platform.pushing`) asks for it only when it sends.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ledger.contracts.context import RunLog
from ledger.contracts.http_policy import ExchangeLog, HttpPolicy

if TYPE_CHECKING:
    import httpx


class RunHttp:
    """The `client` of one run; `close` closes it if it was made."""

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

    def close(self) -> None:
        """Close the client, if the plugin made one."""
        with self._lock:
            if self._client is not None:
                self._client.close()
