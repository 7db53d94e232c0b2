"""The HTTP client a plugin gets as ``ctx.http``.

An `httpx.Client` whose transport adds what every integration needs and none
should write again: HTTPS only, no redirects, bounded retries with backoff on
429/409/5xx honouring ``Retry-After``, typed errors for auth, rate limit, server
failure and timeout, a response size cap, a request budget and deadline, and a
redacted record of every exchange for the run's history.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from email.utils import parsedate_to_datetime

import httpx

from ledger.contracts.context import DRY_RUN_HEADER
from ledger.contracts.errors import (
    AuthFailed,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ledger.contracts.http_policy import (
    Exchange as Exchange,  # noqa: PLC0414 (plugins import it from here)
    ExchangeLog as ExchangeLog,  # noqa: PLC0414 (plugins import it from here)
    HttpPolicy as HttpPolicy,  # noqa: PLC0414 (plugins import it from here)
    SyncLimitExceeded as SyncLimitExceeded,  # noqa: PLC0414 (plugins import it from here)
)
from ledger.contracts.redaction import Redactor

USER_AGENT = "ledger-sync/0.1 (+self-hosted invoicing)"
RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
RATE_LIMIT_STATUSES = frozenset({409, 429})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NON_IDEMPOTENT = frozenset({"POST", "PATCH"})


class GuardedTransport(httpx.BaseTransport):
    """Wraps the real (or a recorded) transport with the run's rules."""

    def __init__(self, inner: httpx.BaseTransport, policy: HttpPolicy, log: ExchangeLog) -> None:
        self.inner = inner
        self.policy = policy
        self.log = log
        self.deadline = time.monotonic() + policy.time_limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._check_scheme(request.url)
        if self.policy.dry_run and request.method not in SAFE_METHODS:
            self.log.record_withheld(request)
            return dry_run_answer(request)
        for attempt in range(self.policy.retries + 1):
            response = self._send_once(request)
            if response.status_code not in RETRY_STATUSES or not _may_retry(request, response):
                return self._checked(response)
            wait = self._retry_wait(response, attempt)
            if attempt == self.policy.retries or wait is None:
                break
            self.policy.sleep(wait)
        return self._checked(response)

    def _check_scheme(self, url: httpx.URL) -> None:
        if url.scheme == "https" or not self.policy.https_only:
            return
        if url.scheme == "http" and self.policy.allow_loopback_http and is_loopback(url.host):
            return
        hint = (
            "plain http is allowed only to 127.0.0.1, ::1 or localhost"
            if self.policy.allow_loopback_http
            else "plugins may only use https (to sync against a local fake server on "
            "127.0.0.1, opt in with `ledger sync --allow-loopback-http`)"
        )
        raise UpstreamError(f"refusing {url.scheme}://{url.host}: {hint}")

    def _send_once(self, request: httpx.Request) -> httpx.Response:
        self.log.requests += 1
        if self.log.requests > self.policy.max_requests:
            raise SyncLimitExceeded(f"more than {self.policy.max_requests} requests in one run")
        if time.monotonic() > self.deadline:
            raise SyncLimitExceeded(f"the run took longer than {self.policy.time_limit:g} s")
        try:
            response = self.inner.handle_request(request)
            content = _read_capped(response, self.policy.max_response_bytes)
        except httpx.TimeoutException as exc:
            self.log.record(request, None, f"timeout: {exc}")
            raise UpstreamTimeout(
                f"{request.method} {self.log.redact(str(request.url))} timed out"
            ) from None
        except httpx.TransportError as exc:
            self.log.record(request, None, f"connection failed: {exc}")
            raise UpstreamUnavailable(f"connection failed: {self.log.redact(str(exc))}") from None
        result = httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )
        self.log.record(request, result)
        return result

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        retry_after = retry_after_seconds(response)
        if retry_after is not None and retry_after > self.policy.max_retry_wait:
            return None  # not worth blocking the run for; report it instead
        if retry_after is None and response.status_code == 409:
            # 409 is a rate limit with a fixed window (Fio: one request per 30 s);
            # a blind backoff of seconds only hits it again, so report it instead.
            return None
        return retry_after if retry_after is not None else self.policy.backoff * 2**attempt

    def _checked(self, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        message = upstream_message(response, self.log.redact)
        if status in (401, 403):
            raise AuthFailed(f"the service refused the credential ({status}): {message}", status)
        if status in RATE_LIMIT_STATUSES:
            wait = retry_after_seconds(response)
            raise RateLimited(
                f"rate limited ({status}): {message}", retry_after=wait, status=status
            )
        if status >= 500:
            raise UpstreamUnavailable(f"server error ({status}): {message}", status)
        return response

    def close(self) -> None:
        self.inner.close()


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    try:
        # A transport may hand back a response it already read (httpx.MockTransport
        # with `content=`, recorded replays); its stream is consumed, its body is here.
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        response.close()
        if len(content) > limit:
            raise UpstreamError(f"the response is larger than {limit} bytes; refusing to read it")
        return content
    chunks, size = [], 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            response.close()
            raise UpstreamError(f"the response is larger than {limit} bytes; refusing to read it")
        chunks.append(chunk)
    response.close()
    return b"".join(chunks)


def _may_retry(request: httpx.Request, response: httpx.Response) -> bool:
    """Whether sending `request` again cannot make upstream act twice.

    A rate limit refused the request, so any method may go again. After a server
    error a POST or PATCH may have been carried out, so only idempotent methods,
    or a request carrying an ``Idempotency-Key``, are retried.
    """
    if response.status_code in RATE_LIMIT_STATUSES:
        return True
    return request.method not in NON_IDEMPOTENT or "Idempotency-Key" in request.headers


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dry_run_answer(request: httpx.Request) -> httpx.Response:
    """What a dry run answers in place of a POST/PUT/PATCH/DELETE: ``202 Accepted``.

    The body is ``{"ledger_dry_run": true}`` and the `DRY_RUN_HEADER` header is
    set, so a plugin can tell (``ctx.dry_run`` says the same before it asks).
    """
    return httpx.Response(
        202, headers={DRY_RUN_HEADER: "1"}, json={"ledger_dry_run": True}, request=request
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta or HTTP date), None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def upstream_message(response: httpx.Response, redact: Redactor) -> str:
    """The provider's own words about an error, shortened and redacted."""
    text = response.content.decode("utf-8", errors="replace").strip()
    return redact(" ".join(text.split())[:300]) or response.reason_phrase


def build_client(
    policy: HttpPolicy, log: ExchangeLog, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The ``ctx.http`` of one run."""
    inner = transport or _TransportOnFirstRequest()
    return httpx.Client(
        transport=GuardedTransport(inner, policy, log),
        timeout=httpx.Timeout(policy.timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


class _TransportOnFirstRequest(httpx.BaseTransport):
    """httpx's own transport, made when the first request goes out.

    Making it loads the system's certificates, a fixed cost that would be most of
    a sync that never reaches the network (an unchanged re-sync served from a
    cursor, a plugin that only pushes when there is something to push).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inner: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            if self._inner is None:
                self._inner = httpx.HTTPTransport(retries=0)
        return self._inner.handle_request(request)

    def close(self) -> None:
        with self._lock:
            if self._inner is not None:
                self._inner.close()
