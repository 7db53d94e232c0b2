"""`ledger sync FILE.py --allow-loopback-http`: an author's plugin against a local fake."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli.app import app

PLUGIN = '''
from ledger.contracts import Plugin, SyncContext, SyncResult, json_body


class LocalBank(Plugin):
    """Reads its transactions from a fake server on this machine."""

    name = "local_bank"
    version = "1.0.0"

    def sync(self, ctx: SyncContext) -> SyncResult:
        rows = json_body(ctx.http.get("http://127.0.0.1:{port}/transactions"))
        return ctx.ledger.transactions.upsert(rows)
'''


class FakeBank(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            [{"external_id": "t-1", "booked_on": "2026-11-02", "amount": "250.00",
              "currency": "CZK"}]
        ).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


@pytest.fixture
def plugin_file(tmp_path: Path) -> Iterator[Path]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBank)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = tmp_path / "local_bank.py"
    path.write_text(PLUGIN.format(port=server.server_address[1]), encoding="utf-8")
    yield path
    server.shutdown()
    server.server_close()


def test_plain_http_to_a_local_fake_needs_the_opt_in(plugin_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    database = str(tmp_path / "ledger.db")
    assert runner.invoke(app, ["init", "--database", database]).exit_code == 0

    refused = runner.invoke(app, ["sync", str(plugin_file), "--database", database])
    allowed = runner.invoke(
        app, ["sync", str(plugin_file), "--allow-loopback-http", "--database", database]
    )

    assert refused.exit_code == 1
    assert "--allow-loopback-http" in refused.output
    assert allowed.exit_code == 0, allowed.output
    assert "created 1, updated 0, unchanged 0" in allowed.output
