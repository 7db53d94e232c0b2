"""``ctx.http``: the guarded HTTP client every plugin gets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from ledger.contracts import (
    AuthFailed,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ledger.contracts.http import (
    USER_AGENT,
    ExchangeLog,
    HttpPolicy,
    SyncLimitExceeded,
    build_client,
)
from ledger.contracts.redaction import Redactor
from plugin_helpers import Sleeps, Upstream, ok, status

SECRET = "s3cr3t/t0ken+value"
URL = "https://api.example.com/v1/items"


class Client:
    """A guarded client on a scripted upstream, with its sleeps and exchange log."""

    def __init__(self, *answers: Any, **limits: Any) -> None:
        self.upstream = Upstream.of(*answers)
        self.sleeps = Sleeps()
        self.log = ExchangeLog(Redactor([SECRET]))
        self.http = build_client(
            self.sleeps.policy(**limits), self.log, transport=self.upstream.transport
        )

    def get(self, url: str = URL, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    @property
    def requests(self) -> int:
        return len(self.upstream.requests)


@pytest.fixture
def closing() -> Iterator[list[Client]]:
    clients: list[Client] = []
    yield clients
    for client in clients:
        client.http.close()


def client(closing: list[Client], *answers: Any, **limits: Any) -> Client:
    made = Client(*answers, **limits)
    closing.append(made)
    return made


def test_a_plain_request_goes_through_with_timeouts_and_a_user_agent(
    closing: list[Client],
) -> None:
    c = client(closing, ok('{"items": []}'))
    response = c.get()

    assert response.json() == {"items": []}
    (request,) = c.upstream.requests
    assert request.headers["User-Agent"] == USER_AGENT
    assert c.http.timeout.read == HttpPolicy().timeout
    assert c.log.requests == 1
    assert c.log.as_json() == [
        {
            "method": "GET",
            "url": URL,
            "status": 200,
            "body": '{"items": []}',
            "error": None,
            "would_send": False,
            "sent": "",
        }
    ]


def test_plain_http_is_refused_before_any_request(closing: list[Client]) -> None:
    c = client(closing, ok("{}"))

    with pytest.raises(
        UpstreamError, match=r"refusing http://api.example.com: plugins may only use https"
    ):
        c.get("http://api.example.com/v1/items")
    assert c.requests == 0


def test_redirects_are_not_followed(closing: list[Client]) -> None:
    c = client(closing, status(302, Location="https://elsewhere.example/steal"), ok("{}"))
    response = c.get()

    assert response.status_code == 302
    assert response.is_redirect
    assert c.upstream.urls == [URL]


def test_429_honours_retry_after_then_reports_the_rate_limit(closing: list[Client]) -> None:
    c = client(closing, status(429, "slow down", Retry_After="7"), retries=2)

    with pytest.raises(RateLimited) as caught:
        c.get()

    assert c.requests == 3
    assert c.sleeps.waits == [7.0, 7.0]
    assert caught.value.retry_after == 7.0
    assert caught.value.status == 429
    assert caught.value.kind == "rate_limit"
    assert "slow down" in str(caught.value)


def test_429_that_clears_up_after_the_wait_succeeds(closing: list[Client]) -> None:
    c = client(closing, status(429, Retry_After="2"), ok("{}"))

    assert c.get().status_code == 200
    assert c.sleeps.waits == [2.0]
    assert c.requests == 2


def test_429_without_retry_after_backs_off_exponentially(closing: list[Client]) -> None:
    c = client(closing, status(429), retries=3, backoff=0.25)

    with pytest.raises(RateLimited) as caught:
        c.get()

    assert c.sleeps.waits == [0.25, 0.5, 1.0]
    assert caught.value.retry_after is None


def test_a_retry_after_longer_than_worth_waiting_is_reported_at_once(
    closing: list[Client],
) -> None:
    c = client(closing, status(429, Retry_After="3600"), max_retry_wait=60)

    with pytest.raises(RateLimited) as caught:
        c.get()

    assert c.requests == 1
    assert c.sleeps.waits == []
    assert caught.value.retry_after == 3600.0


def test_a_retry_after_given_as_an_http_date_is_understood(closing: list[Client]) -> None:
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    c = client(closing, status(503, Retry_After=later), ok("{}"))

    assert c.get().status_code == 200
    (wait,) = c.sleeps.waits
    assert 25 <= wait <= 31


def test_409_without_retry_after_is_not_retried(closing: list[Client]) -> None:
    c = client(closing, status(409, "one request per 30 seconds"))

    with pytest.raises(RateLimited) as caught:
        c.get()

    assert c.requests == 1
    assert c.sleeps.waits == []
    assert caught.value.status == 409
    assert caught.value.retry_after is None
    assert "one request per 30 seconds" in str(caught.value)


def test_409_with_retry_after_is_retried_after_the_wait(closing: list[Client]) -> None:
    c = client(closing, status(409, Retry_After="30"), ok("{}"))

    assert c.get().status_code == 200
    assert c.sleeps.waits == [30.0]


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_server_errors_are_retried_then_reported(closing: list[Client], code: int) -> None:
    c = client(closing, status(code, "upstream is down for maintenance"), retries=2, backoff=1)

    with pytest.raises(UpstreamUnavailable) as caught:
        c.get()

    assert c.requests == 3
    assert c.sleeps.waits == [1.0, 2.0]
    assert caught.value.status == code
    assert caught.value.kind == "server"
    assert f"server error ({code}): upstream is down for maintenance" in str(caught.value)


@pytest.mark.parametrize("code", [401, 403])
def test_auth_failures_are_not_retried(closing: list[Client], code: int) -> None:
    c = client(closing, status(code, '{"error": "token revoked"}'))

    with pytest.raises(AuthFailed) as caught:
        c.get()

    assert c.requests == 1
    assert c.sleeps.waits == []
    assert caught.value.status == code
    assert caught.value.kind == "auth"
    assert "token revoked" in str(caught.value)


def test_other_client_errors_reach_the_plugin_unchanged(closing: list[Client]) -> None:
    c = client(closing, status(404, "no such account"))

    assert c.get().status_code == 404
    assert c.requests == 1


def test_a_timeout_is_an_upstream_timeout_with_a_redacted_url(closing: list[Client]) -> None:
    c = client(closing, httpx.ReadTimeout("read timed out"))

    with pytest.raises(UpstreamTimeout) as caught:
        c.get(f"{URL}?token={SECRET}")

    assert caught.value.kind == "timeout"
    assert SECRET not in str(caught.value)
    assert "token=***" in str(caught.value)
    assert c.log.as_json()[0]["error"] == "timeout: read timed out"


def test_a_broken_connection_is_upstream_unavailable(closing: list[Client]) -> None:
    c = client(closing, httpx.ConnectError(f"cannot reach {SECRET}"))

    with pytest.raises(UpstreamUnavailable) as caught:
        c.get()

    assert "connection failed" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_response_over_the_size_cap_is_refused(closing: list[Client]) -> None:
    c = client(closing, ok(b"x" * 2000), max_response_bytes=1000)

    with pytest.raises(UpstreamError, match="larger than 1000 bytes"):
        c.get()


def test_a_streamed_response_over_the_size_cap_is_refused_while_reading(
    closing: list[Client],
) -> None:
    chunks_sent: list[int] = []

    class Endless(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for index in range(1000):
                chunks_sent.append(index)
                yield b"y" * 512

    c = client(
        closing, lambda request: httpx.Response(200, stream=Endless()), max_response_bytes=4096
    )

    with pytest.raises(UpstreamError, match="larger than 4096 bytes"):
        c.get()
    assert len(chunks_sent) < 20  # it stopped reading, it did not download it all


def test_a_streamed_response_under_the_cap_is_read_whole(closing: list[Client]) -> None:
    class Pieces(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"a": '
            yield b"1}"

    c = client(closing, lambda request: httpx.Response(200, stream=Pieces()))

    assert c.get().json() == {"a": 1}


def test_the_request_budget_is_enforced(closing: list[Client]) -> None:
    c = client(closing, ok("{}"), max_requests=2)
    c.get()
    c.get()

    with pytest.raises(SyncLimitExceeded, match="more than 2 requests in one run") as caught:
        c.get()
    assert caught.value.kind == "limit"
    assert c.requests == 2


def test_retries_count_against_the_request_budget(closing: list[Client]) -> None:
    c = client(closing, status(503), retries=5, max_requests=3)

    with pytest.raises(SyncLimitExceeded):
        c.get()
    assert c.requests == 3


def test_the_run_deadline_is_enforced(closing: list[Client]) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.15)
        return httpx.Response(200, content=b"{}", request=request)

    c = client(closing, slow, time_limit=0.1)
    c.get()  # started in time

    with pytest.raises(SyncLimitExceeded, match=r"the run took longer than 0\.1 s"):
        c.get()


def test_secrets_are_redacted_in_the_exchange_log(closing: list[Client]) -> None:
    echo = f'{{"you sent": "{SECRET}", "encoded": "{quote(SECRET, safe="")}"}}'
    c = client(closing, ok(echo), status(401, f"bad token {SECRET}"))
    c.get(f"https://api.example.com/{quote(SECRET, safe='')}/items", params={"t": SECRET})

    with pytest.raises(AuthFailed) as caught:
        c.get(f"https://api.example.com/{quote(SECRET, safe='')}/items")

    recorded = repr(c.log.as_json())
    assert SECRET not in recorded
    assert quote(SECRET, safe="") not in recorded
    assert "***" in c.log.as_json()[0]["url"]
    assert "***" in c.log.as_json()[0]["body"]
    assert SECRET not in str(caught.value)
    assert "bad token ***" in str(caught.value)


def test_the_exchange_log_caps_what_it_keeps(closing: list[Client]) -> None:
    upstream = Upstream.of(ok(b"z" * 5000))
    log = ExchangeLog(Redactor(), max_body=1000, max_total=1500)
    http = build_client(HttpPolicy(), log, transport=upstream.transport)
    try:
        for _ in range(3):
            assert len(http.get(URL).content) == 5000  # the plugin gets it all
    finally:
        http.close()

    bodies = [exchange["body"] for exchange in log.as_json()]
    assert bodies[0].startswith("z" * 1000)
    assert "4000 more characters not kept" in bodies[0]
    assert "more characters not kept" in bodies[1]
    assert "5000 more characters not kept" in bodies[2]
    assert "z" not in bodies[2]
    assert 1000 < sum(body.count("z") for body in bodies) <= 1500
