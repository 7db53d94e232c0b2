"""A fake Example Tracker: recorded answers to GETs, a live invoice endpoint.

In tests it is an ``httpx.MockTransport``; ``python fake_tracker.py`` serves it
over plain HTTP on 127.0.0.1 for a sync from the command line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from ledger.testing import Recording

RECORDINGS = Path(__file__).parent / "recordings" / "example_tracker"


# --8<-- [start:fake]
@dataclass
class FakeTracker:
    """Answers GETs from a recording, and keeps the invoices pushed to it."""

    recording: Recording = field(
        default_factory=lambda: Recording.from_folder(RECORDINGS / "first_sync")
    )
    invoices: dict[str, Any] = field(default_factory=dict)  # upstream id → invoice
    received: list[httpx.Request] = field(default_factory=list)
    fail_on: int | None = None  # answer the Nth changing request with a 500

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        if request.method == "GET":
            return self.recording.answer(request).to_response(request)
        if len(self.changing) == self.fail_on:
            return httpx.Response(500, json={"error": "injected failure"})
        if request.method == "POST" and request.url.path.endswith("/invoices"):
            invoice_id = f"i-{401 + len(self.invoices)}"
        elif request.method == "PUT":
            invoice_id = request.url.path.rsplit("/", 1)[-1]
        else:
            return httpx.Response(404, json={"error": "no such endpoint"})
        self.invoices[invoice_id] = json.loads(request.content)
        return httpx.Response(201 if request.method == "POST" else 200, json={"id": invoice_id})

    @property
    def changing(self) -> list[httpx.Request]:
        return [r for r in self.received if r.method != "GET"]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


# --8<-- [end:fake]


# --8<-- [start:serve]
def serve(tracker: FakeTracker, port: int = 8765) -> ThreadingHTTPServer:
    """The fake over real HTTP on 127.0.0.1: its URLs start with ``/v1`` like the API's."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.answer()

        def do_POST(self) -> None:
            self.answer()

        def do_PUT(self) -> None:
            self.answer()

        def answer(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            url = f"https://api.tracker.example{self.path}"  # what the recording expects
            request = httpx.Request(self.command, url, content=self.rfile.read(size))
            response = tracker.handle(request)
            self.send_response(response.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


if __name__ == "__main__":
    print("Example Tracker (fake) on http://127.0.0.1:8765/v1")
    serve(FakeTracker()).serve_forever()
# --8<-- [end:serve]
