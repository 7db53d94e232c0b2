"""What limits a run's HTTP client and what it records: its policy, the redacted
exchanges kept with the run, and the error of a run past its limits.

Kept apart from the client itself (`ledger.contracts.http`) so that the engine
sets a run up without importing httpx: a plugin that never touches ``ctx.http``
(a statement file, a push with nothing to send) never pays for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.contracts.errors import UpstreamError
from ledger.contracts.redaction import Redactor

if TYPE_CHECKING:
    import httpx


# `Exchange` and `ExchangeLog` are plain classes: every sync imports this module, and
# a dataclass costs about half a millisecond to define in each fresh process (a
# CLI command, a notebook's first sync). `HttpPolicy`, which callers build and copy
# with `dataclasses.replace`, stays one.


class SyncLimitExceeded(UpstreamError):
    """The sync made more requests or took longer than a run may."""

    kind = "limit"


@dataclass
class HttpPolicy:
    """Limits of a run's HTTP client; tests shrink them."""

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_wait: float = 60.0
    max_response_bytes: int = 20 * 1024 * 1024
    max_requests: int = 500
    time_limit: float = 300.0
    https_only: bool = True
    allow_loopback_http: bool = False
    dry_run: bool = False
    sleep: Callable[[float], None] = time.sleep


class Exchange:
    """One request and its response as the run's history keeps them (redacted).

    A dry run's changing request is kept with ``would_send`` set and the body it
    would have sent in `sent`; it never left the machine.
    """

    def __init__(
        self,
        method: str,
        url: str,
        status: int | None,
        body: str,
        error: str | None = None,
        would_send: bool = False,
        sent: str = "",
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        self.error = error
        self.would_send = would_send
        self.sent = sent


class ExchangeLog:
    """The redacted, size-capped upstream record of a run."""

    def __init__(
        self, redact: Redactor, max_body: int = 64 * 1024, max_total: int = 1024 * 1024
    ) -> None:
        self.redact = redact
        self.max_body = max_body
        self.max_total = max_total
        self.exchanges: list[Exchange] = []
        self.requests = 0
        self._total = 0

    def record(
        self, request: httpx.Request, response: httpx.Response | None, error: str = ""
    ) -> None:
        body = "" if response is None else response.content.decode("utf-8", errors="replace")
        room = max(0, min(self.max_body, self.max_total - self._total))
        if len(body) > room:
            body = body[:room] + f"… [{len(body) - room} more characters not kept]"
        self._total += len(body)
        self.exchanges.append(
            Exchange(
                method=request.method,
                url=self.redact(str(request.url)),
                status=None if response is None else response.status_code,
                body=self.redact(body),
                error=self.redact(error) or None,
            )
        )

    def record_withheld(self, request: httpx.Request) -> None:
        """Keep a dry run's changing request, which was not sent."""
        body = request.content.decode("utf-8", errors="replace")[: self.max_body]
        self.exchanges.append(
            Exchange(
                method=request.method,
                url=self.redact(str(request.url)),
                status=None,
                body="",
                would_send=True,
                sent=self.redact(body),
            )
        )

    def as_json(self) -> list[dict[str, Any]]:
        return [vars(exchange) for exchange in self.exchanges]
