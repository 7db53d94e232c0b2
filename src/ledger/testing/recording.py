"""Recorded upstream responses, replayed offline, and the faults the suite injects."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


class UnrecordedRequest(AssertionError):
    """The plugin asked for something the recording does not hold."""


@dataclass(frozen=True)
class RecordedResponse:
    """One recorded answer, served to requests whose URL matches `url` (a regex).

    Attributes:
        url: regular expression searched in the full request URL.
        method: HTTP method it answers.
        status: HTTP status.
        body: the body: bytes or text as is, anything else as JSON.
        headers: response headers.
    """

    url: str
    method: str = "GET"
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, request: httpx.Request) -> bool:
        return request.method == self.method and re.search(self.url, str(request.url)) is not None

    def content(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, ensure_ascii=False).encode()

    def to_response(self, request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json", **self.headers}
        return httpx.Response(
            self.status, headers=headers, content=self.content(), request=request
        )


@dataclass(frozen=True)
class Recording:
    """Recorded responses; the first whose method and URL match answers a request."""

    responses: tuple[RecordedResponse, ...] = ()

    @classmethod
    def from_folder(cls, folder: Path | str) -> Recording:
        """Load ``*.json`` files, in name order, each shaped like::

            {"request": {"method": "GET", "url": "/periods/.+/transactions\\.json"},
             "response": {"status": 200, "headers": {}, "body": {...}}}

        A ``body_file`` key in ``response`` names a file beside it holding the body.
        """
        responses = []
        for path in sorted(Path(folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            request, response = data.get("request", {}), data.get("response", {})
            body = response.get("body")
            if "body_file" in response:
                body = (path.parent / response["body_file"]).read_bytes()
            responses.append(
                RecordedResponse(
                    url=request.get("url", ".*"),
                    method=request.get("method", "GET"),
                    status=response.get("status", 200),
                    body=body,
                    headers=response.get("headers", {}),
                )
            )
        return cls(tuple(responses))

    def transport(self) -> RecordingTransport:
        """A fresh transport replaying this recording."""
        return RecordingTransport(self)

    def answer(self, request: httpx.Request) -> RecordedResponse:
        for response in self.responses:
            if response.matches(request):
                return response
        raise UnrecordedRequest(
            f"unrecorded request {request.method} {request.url}; "
            "add a response for it to the recording"
        )


class RecordingTransport(httpx.BaseTransport):
    """Serves a `Recording`, remembering every request; `fault` may replace answers."""

    def __init__(
        self,
        recording: Recording,
        fault: Callable[[httpx.Request, RecordedResponse], httpx.Response] | None = None,
        endless: bool = False,
    ) -> None:
        self.recording = recording
        self.fault = fault
        self.endless = endless
        self.requests: list[httpx.Request] = []
        self.unrecorded: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            recorded = self.recording.answer(request)
        except UnrecordedRequest as exc:
            if self.endless and self.recording.responses:
                recorded = self.recording.responses[-1]
            else:
                self.unrecorded.append(str(exc))
                raise
        if self.fault is not None:
            return self.fault(request, recorded)
        return recorded.to_response(request)


# --- faults ------------------------------------------------------------------

FaultMaker = Callable[[httpx.Request, RecordedResponse], httpx.Response]


def status_fault(status: int, headers: dict[str, str] | None = None) -> FaultMaker:
    """Every request answered with `status` (and the provider-like body)."""

    def make(request: httpx.Request, recorded: RecordedResponse) -> httpx.Response:
        body = json.dumps({"error": f"injected {status}"}).encode()
        return httpx.Response(status, headers=headers or {}, content=body, request=request)

    return make


def timeout_fault(request: httpx.Request, recorded: RecordedResponse) -> httpx.Response:
    """Every request times out."""
    raise httpx.ReadTimeout("injected timeout", request=request)


def truncated_fault(request: httpx.Request, recorded: RecordedResponse) -> httpx.Response:
    """The recorded body cut in half (a dropped connection mid-JSON)."""
    content = recorded.content()
    return httpx.Response(
        recorded.status, content=content[: max(1, len(content) // 2)], request=request
    )


def mutated_fault(mutate: Callable[[Any], bool]) -> FaultMaker:
    """The recorded JSON body with its first list of records altered by `mutate`."""

    def make(request: httpx.Request, recorded: RecordedResponse) -> httpx.Response:
        try:
            document = json.loads(recorded.content())
        except ValueError:
            return recorded.to_response(request)
        mutate(document)
        content = json.dumps(document).encode()
        return httpx.Response(recorded.status, content=content, request=request)

    return make


def first_record_list(document: Any) -> tuple[Any, Any] | None:
    """(container, key) of the first non-empty list of objects in a JSON document."""
    stack = [document]
    while stack:
        node = stack.pop(0)
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, value in items:
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                return node, key
            stack.append(value)
    return None


def empty_first_record(document: Any) -> bool:
    """Remove every field of the first record (a record missing its fields)."""
    found = first_record_list(document)
    if found is None:
        return False
    container, key = found
    container[key][0] = {}
    return True


def wrong_type_records(document: Any) -> bool:
    """Replace the first list of records by a number (a field of the wrong type)."""
    found = first_record_list(document)
    if found is None:
        return False
    container, key = found
    container[key] = 12345
    return True


def has_record_list(recording: Recording) -> bool:
    """Whether any recorded JSON body holds a list of records to mutate."""
    for response in recording.responses:
        try:
            if first_record_list(json.loads(response.content())) is not None:
                return True
        except ValueError:
            continue
    return False
